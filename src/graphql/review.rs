//! Reviews (critic, editorial, user) and audience reactions.

use async_graphql::{Context, ID, Object};

use super::film::{Film, parent_film};
use super::ids::{self, NodeKind};
use super::sections::stored;
use crate::db::entities::{audience_reaction, review};
use crate::kinds::ReviewKind;

/// A review of a film by a critic, the editors or a user.
#[derive(Clone)]
pub struct Review(pub review::Model);

#[Object]
impl Review {
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Review, self.0.id)
    }
    async fn kind(&self) -> async_graphql::Result<ReviewKind> {
        stored(&self.0.kind, ReviewKind::parse)
    }
    /// The critic's name (null for unsigned editorial reviews).
    async fn author(&self) -> Option<&str> {
        self.0.author.as_deref()
    }
    /// The publication a critic wrote for.
    async fn outlet(&self) -> Option<&str> {
        self.0.outlet.as_deref()
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The reviewer's score out of 10, when given.
    async fn score(&self) -> Option<f64> {
        self.0.score
    }
    /// True when the review gives away the plot.
    async fn spoiler(&self) -> bool {
        self.0.spoiler
    }
    /// How many readers found the review helpful.
    async fn helpful_count(&self) -> i32 {
        self.0.helpful_count
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        parent_film(ctx, self.0.film_id).await
    }
}

/// How audiences received one aspect of a film.
pub struct AudienceReaction(pub audience_reaction::Model);

#[Object]
impl AudienceReaction {
    /// The reaction in one sentence.
    async fn headline(&self) -> &str {
        &self.0.headline
    }
    /// What viewers said, in more detail.
    async fn description(&self) -> &str {
        &self.0.description
    }
}

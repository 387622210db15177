//! Reviews (critic, editorial, user) and audience reactions.

use async_graphql::{Context, ID, Object};

use super::account::viewer;
use super::film::{Film, parent_film};
use super::ids::{self, NodeKind};
use super::sections::stored;
use super::{GqlResult, db};
use crate::db::entities::{audience_reaction, review};
use crate::kinds::ReviewKind;
use crate::reviews::ReviewText;

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

#[derive(async_graphql::InputObject)]
pub struct WriteReviewInput {
    pub film_id: ID,
    /// Up to 200 characters.
    pub title: Option<String>,
    /// 20 to 10,000 characters.
    pub body: String,
    /// The reviewer's score, a whole number from 1 to 10.
    pub score: Option<i32>,
    /// True when the review gives away the plot.
    #[graphql(default = false)]
    pub spoiler: bool,
}

/// Changes to one of the viewer's reviews; fields left out stay as they are,
/// `null` clears `title` or `score`.
#[derive(async_graphql::InputObject)]
pub struct EditReviewInput {
    pub id: ID,
    pub title: async_graphql::MaybeUndefined<String>,
    pub body: Option<String>,
    pub score: async_graphql::MaybeUndefined<i32>,
    pub spoiler: Option<bool>,
}

/// The review and its film.
#[derive(async_graphql::SimpleObject)]
pub struct ReviewPayload {
    pub review: Review,
    pub film: Film,
}

#[derive(async_graphql::SimpleObject)]
pub struct DeleteReviewPayload {
    /// The id the review had.
    pub deleted_id: ID,
    pub film: Film,
}

fn maybe<T>(value: async_graphql::MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(Default)]
pub struct ReviewMutation;

#[async_graphql::Object]
impl ReviewMutation {
    /// Reviews a film: one review per user and film (a second one is CONFLICT).
    async fn write_review(
        &self,
        ctx: &Context<'_>,
        input: WriteReviewInput,
    ) -> async_graphql::Result<ReviewPayload> {
        let viewer = viewer(ctx).gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &input.film_id).gql()?;
        let text = ReviewText {
            title: Some(input.title),
            body: Some(input.body),
            score: Some(input.score),
            spoiler: Some(input.spoiler),
        };
        let saved = crate::reviews::write(db(ctx), viewer.user_id, film_id, text)
            .await
            .gql()?;
        Ok(ReviewPayload {
            film: parent_film(ctx, saved.film_id).await?,
            review: Review(saved),
        })
    }

    /// Edits one of the viewer's reviews; anyone else's is FORBIDDEN.
    async fn edit_review(
        &self,
        ctx: &Context<'_>,
        input: EditReviewInput,
    ) -> async_graphql::Result<ReviewPayload> {
        let viewer = viewer(ctx).gql()?;
        let review_id = ids::decode_as(NodeKind::Review, &input.id).gql()?;
        let text = ReviewText {
            title: maybe(input.title),
            body: input.body,
            score: maybe(input.score),
            spoiler: input.spoiler,
        };
        let saved = crate::reviews::edit(db(ctx), viewer.user_id, review_id, text)
            .await
            .gql()?;
        Ok(ReviewPayload {
            film: parent_film(ctx, saved.film_id).await?,
            review: Review(saved),
        })
    }

    /// Marks a review helpful (`helpful: false` takes the mark back); one vote
    /// per user and review, none for your own (FORBIDDEN).
    async fn mark_review_helpful(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "true when omitted.")] helpful: Option<bool>,
    ) -> async_graphql::Result<ReviewPayload> {
        let helpful = helpful.unwrap_or(true);
        let viewer = viewer(ctx).gql()?;
        let review_id = ids::decode_as(NodeKind::Review, &id).gql()?;
        let saved = crate::reviews::vote(db(ctx), viewer.user_id, review_id, helpful)
            .await
            .gql()?;
        Ok(ReviewPayload {
            film: parent_film(ctx, saved.film_id).await?,
            review: Review(saved),
        })
    }

    /// Deletes one of the viewer's reviews; anyone else's is FORBIDDEN.
    async fn delete_review(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<DeleteReviewPayload> {
        let viewer = viewer(ctx).gql()?;
        let review_id = ids::decode_as(NodeKind::Review, &id).gql()?;
        let deleted = crate::reviews::delete(db(ctx), viewer.user_id, review_id)
            .await
            .gql()?;
        Ok(DeleteReviewPayload {
            deleted_id: id,
            film: parent_film(ctx, deleted.film_id).await?,
        })
    }
}

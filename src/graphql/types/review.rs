//! Reviews (critic, editorial, user) and audience reactions.

use async_graphql::{Context, Enum, ID, Object};

use super::account::User;
use super::film::{Film, film_of_field, payload_film};
use super::global_id;
use super::vocabulary::{ReviewKind, stored};
use crate::db::entities::{app_user, audience_reaction, review};
use crate::domain::review::{self as reviews, ReviewText};
use crate::graphql::context::{GqlResult, db, events, loader, viewer};
use crate::graphql::loaders::RowLoader;
use crate::ids::{self, NodeKind};
use crate::kinds;

#[derive(Clone)]
pub struct Review(pub review::Model);

/// A review of a film by a critic, the editors or a user.
#[Object]
impl Review {
    /// Opaque global id; `node(id:)` fetches the review back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Review, self.0.id)
    }
    /// Who wrote it: a critic, the editors or a user.
    async fn kind(&self) -> async_graphql::Result<ReviewKind> {
        stored(&self.0.kind, kinds::ReviewKind::parse)
    }
    /// The user who wrote it, as their public profile; null for critic and
    /// editorial reviews (`byline` names their author).
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(user) = self.0.user_id else {
            return Ok(None);
        };
        let found = loader(ctx).by_id::<app_user::Entity>(user).await.gql()?;
        Ok(found.map(User))
    }
    /// The name the review is signed with: the critic's, or the user's
    /// username when written; null for unsigned editorial reviews.
    async fn byline(&self) -> Option<&str> {
        self.0.author.as_deref()
    }
    /// Whether the signed-in viewer may edit (and delete) the review: only
    /// its author may.
    async fn viewer_can_edit(&self, ctx: &Context<'_>) -> bool {
        let viewer = viewer(ctx).ok().map(|v| v.user_id);
        viewer.is_some() && viewer == self.0.user_id
    }
    /// The publication a critic wrote for.
    async fn outlet(&self) -> Option<&str> {
        self.0.outlet.as_deref()
    }
    /// The review's headline, when it has one.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The full text of the review.
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
    /// When the review was written; for critic and editorial reviews, when it
    /// was first imported.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// When the review last changed, by an edit or a new import.
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
    /// The film reviewed.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        film_of_field(ctx, self.0.film_id).await
    }
}

pub struct AudienceReaction(pub audience_reaction::Model);

/// How audiences received one aspect of a film.
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

/// A new review by the signed-in viewer.
#[derive(async_graphql::InputObject)]
pub struct WriteReviewInput {
    /// The global id of the film reviewed; an unknown film is NOT_FOUND.
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
    /// The global id of the review, one of the viewer's own.
    pub id: ID,
    /// The new title, up to 200 characters; null removes it.
    pub title: async_graphql::MaybeUndefined<String>,
    /// The new text, 20 to 10,000 characters.
    pub body: Option<String>,
    /// The new score, a whole number from 1 to 10; null removes it.
    pub score: async_graphql::MaybeUndefined<i32>,
    /// Whether the review gives away the plot.
    pub spoiler: Option<bool>,
}

/// The review and its film.
#[derive(async_graphql::SimpleObject)]
pub struct ReviewPayload {
    /// The review as saved.
    pub review: Review,
    /// The film reviewed, for refreshing its reviews.
    pub film: Film,
}

/// Which review was deleted, and its film.
#[derive(async_graphql::SimpleObject)]
pub struct DeleteReviewPayload {
    /// The id the review had.
    pub deleted_id: ID,
    /// The film the review was of, for refreshing its reviews.
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
        #[graphql(desc = "The film and what the review says.")] input: WriteReviewInput,
    ) -> async_graphql::Result<ReviewPayload> {
        let viewer = viewer(ctx).gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &input.film_id).gql()?;
        let text = ReviewText {
            title: Some(input.title),
            body: Some(input.body),
            score: Some(input.score),
            spoiler: Some(input.spoiler),
        };
        let saved = reviews::write(db(ctx), events(ctx), viewer.user_id, film_id, text)
            .await
            .gql()?;
        Ok(ReviewPayload {
            film: payload_film(ctx, saved.film_id).await?,
            review: Review(saved),
        })
    }

    /// Edits one of the viewer's reviews; anyone else's is FORBIDDEN.
    async fn edit_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review and the fields to change.")] input: EditReviewInput,
    ) -> async_graphql::Result<ReviewPayload> {
        let viewer = viewer(ctx).gql()?;
        let review_id = ids::decode_as(NodeKind::Review, &input.id).gql()?;
        let text = ReviewText {
            title: maybe(input.title),
            body: input.body,
            score: maybe(input.score),
            spoiler: input.spoiler,
        };
        let saved = reviews::edit(db(ctx), events(ctx), viewer.user_id, review_id, text)
            .await
            .gql()?;
        Ok(ReviewPayload {
            film: payload_film(ctx, saved.film_id).await?,
            review: Review(saved),
        })
    }

    /// Marks a review helpful (`helpful: false` takes the mark back); one vote
    /// per user and review, none for your own (FORBIDDEN).
    async fn mark_review_helpful(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review's global id.")] id: ID,
        #[graphql(desc = "true when omitted.")] helpful: Option<bool>,
    ) -> async_graphql::Result<ReviewPayload> {
        let helpful = helpful.unwrap_or(true);
        let viewer = viewer(ctx).gql()?;
        let review_id = ids::decode_as(NodeKind::Review, &id).gql()?;
        let saved = reviews::vote(db(ctx), events(ctx), viewer.user_id, review_id, helpful)
            .await
            .gql()?;
        Ok(ReviewPayload {
            film: payload_film(ctx, saved.film_id).await?,
            review: Review(saved),
        })
    }

    /// Deletes one of the viewer's reviews; anyone else's is FORBIDDEN.
    async fn delete_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of one of the viewer's reviews.")] id: ID,
    ) -> async_graphql::Result<DeleteReviewPayload> {
        let viewer = viewer(ctx).gql()?;
        let review_id = ids::decode_as(NodeKind::Review, &id).gql()?;
        let deleted = reviews::delete(db(ctx), events(ctx), viewer.user_id, review_id)
            .await
            .gql()?;
        Ok(DeleteReviewPayload {
            deleted_id: id,
            film: payload_film(ctx, deleted.film_id).await?,
        })
    }
}

/// How a film's reviews are ordered.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOrder {
    /// As the film's page lists them: critics and editors, then users.
    Page,
    /// The most recently written first.
    Newest,
    /// The most often found helpful (`helpfulCount`) first.
    MostHelpful,
}

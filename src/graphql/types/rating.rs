//! Ratings: the mutations, a film's rating summary, and the viewer's own rating.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::film::{Film, film_by_id, film_of_field, payload_film};
use crate::db::entities::{film, rating};
use crate::db::queries::rating as ratings;
use crate::domain::rating as rate;
use crate::error::AppError;
use crate::graphql::context::{GqlResult, db, events, loader, viewer};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::loaders::{ScoreCountsOf, ViewerRatingOf};
use crate::ids::{self, NodeKind};

pub struct Rating(pub rating::Model);

/// A user's score of a film.
#[Object]
impl Rating {
    /// 1 to 10.
    async fn score(&self) -> i32 {
        self.0.score.into()
    }
    /// The film rated.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        film_of_field(ctx, self.0.film_id).await
    }
    /// When the user first rated the film; kept when the score changes.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// When the user last gave the score (the same as `createdAt` until re-rated).
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
}

/// What cinegraph users think of a film, counted from their ratings.
#[derive(SimpleObject, Clone)]
pub struct RatingSummary {
    /// Mean score (1 to 10); null when nobody rated the film.
    pub average: Option<f64>,
    /// How many users rated the film.
    pub count: i64,
    /// How many ratings gave each score, for scores 1 to 10 in order.
    #[graphql(directive = list_size::apply(assumed(10)))]
    pub histogram: Vec<RatingBucket>,
}

/// How many users gave a film one score.
#[derive(SimpleObject, Clone)]
pub struct RatingBucket {
    /// The score, 1 to 10.
    pub score: i32,
    /// How many ratings gave it; 0 when none did.
    pub count: i64,
}

impl RatingSummary {
    /// The count and average a film's row keeps (no histogram: the caller
    /// did not select it).
    pub fn of_row(count: i32, average: Option<f64>) -> Self {
        Self {
            average: average.filter(|_| count > 0),
            count: i64::from(count),
            histogram: Vec::new(),
        }
    }

    pub fn from_counts(counts: &[i64; 10]) -> Self {
        let count: i64 = counts.iter().sum();
        let total: i64 = counts
            .iter()
            .enumerate()
            .map(|(i, n)| (i as i64 + 1) * n)
            .sum();
        Self {
            average: (count > 0).then(|| total as f64 / count as f64),
            count,
            histogram: counts
                .iter()
                .enumerate()
                .map(|(i, n)| RatingBucket {
                    score: i as i32 + 1,
                    count: *n,
                })
                .collect(),
        }
    }
}

/// The film's summary: from the count and average its row keeps (every
/// rating write updates them in its transaction) unless the selection asks
/// for the histogram, which is counted from the ratings.
pub async fn summary(
    ctx: &Context<'_>,
    film: &film::Model,
) -> async_graphql::Result<RatingSummary> {
    if !ctx.look_ahead().field("histogram").exists() {
        return Ok(RatingSummary::of_row(
            film.user_rating_count,
            film.user_rating_average,
        ));
    }
    let counts = loader(ctx).load_one(ScoreCountsOf(film.id)).await.gql()?;
    Ok(RatingSummary::from_counts(&counts.unwrap_or([0; 10])))
}

pub async fn viewer_rating(
    ctx: &Context<'_>,
    film_id: i32,
) -> async_graphql::Result<Option<Rating>> {
    let Ok(viewer) = viewer(ctx) else {
        return Ok(None);
    };
    let key = ViewerRatingOf {
        user: viewer.user_id,
        film: film_id,
    };
    Ok(loader(ctx).load_one(key).await.gql()?.map(Rating))
}

/// The signed-in viewer's score for a film.
#[derive(InputObject)]
pub struct RateFilmInput {
    /// The film's global id; an unknown film is NOT_FOUND.
    pub film_id: ID,
    /// A whole number from 1 to 10.
    pub score: i32,
}

/// The viewer's rating and the film with its refreshed summary.
#[derive(SimpleObject)]
pub struct RateFilmPayload {
    /// The viewer's rating as saved.
    pub rating: Rating,
    /// The film, its `ratingSummary`, `userRatingAverage` and `userRatingCount`
    /// counting the new score.
    pub film: Film,
}

/// Whether a rating was removed, and the film with its refreshed summary.
#[derive(SimpleObject)]
pub struct RemoveRatingPayload {
    /// False when the viewer had not rated the film.
    pub removed: bool,
    /// The film, its rating figures without the viewer's score.
    pub film: Film,
}

#[derive(Default)]
pub struct RatingMutation;

#[Object]
impl RatingMutation {
    /// Rates a film (1 to 10), replacing the viewer's earlier rating of it.
    async fn rate_film(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film and the score.")] input: RateFilmInput,
    ) -> async_graphql::Result<RateFilmPayload> {
        let viewer = viewer(ctx).gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &input.film_id).gql()?;
        let saved = rate::rate(db(ctx), events(ctx), viewer.user_id, film_id, input.score)
            .await
            .gql()?;
        let film = payload_film(ctx, film_id).await?;
        Ok(RateFilmPayload {
            rating: Rating(saved),
            film,
        })
    }

    /// Removes the viewer's rating of a film.
    async fn remove_rating(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id; an unknown film is NOT_FOUND.")] film_id: ID,
    ) -> async_graphql::Result<RemoveRatingPayload> {
        let viewer = viewer(ctx).gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &film_id).gql()?;
        let removed = rate::remove(db(ctx), events(ctx), viewer.user_id, film_id)
            .await
            .gql()?;
        let film = payload_film(ctx, film_id).await?;
        Ok(RemoveRatingPayload { removed, film })
    }
}

#[derive(Default)]
pub struct RatingSubscription;

/// Live updates, over the WebSocket endpoint `/graphql/ws`.
#[async_graphql::Subscription]
impl RatingSubscription {
    /// The film's refreshed rating summary after every change to its ratings,
    /// from any server. Starts with the current summary.
    async fn film_rating_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the film to follow.")] film_id: ID,
    ) -> async_graphql::Result<impl futures_util::Stream<Item = RatingSummary> + use<>> {
        let film = ids::decode_as(NodeKind::Film, &film_id).gql()?;
        let db = db(ctx).clone();
        if film_by_id(ctx, film).await.gql()?.is_none() {
            return Err(AppError::not_found("film", film_id.as_str())).gql();
        }
        let changes = events(ctx).subscribe_ratings();
        // The current summary first, then one per change of this film.
        let stream = futures_util::stream::unfold(
            (db, changes, true),
            move |(db, mut changes, first)| async move {
                if !first {
                    loop {
                        match changes.recv().await {
                            Ok(changed) if changed == film => break,
                            Ok(_) => continue,
                            // Fell behind: the summary below is current anyway.
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                }
                let counts = ratings::score_counts(&db, &[film])
                    .await
                    .ok()?
                    .remove(&film)?;
                Some((RatingSummary::from_counts(&counts), (db, changes, false)))
            },
        );
        Ok(stream)
    }
}

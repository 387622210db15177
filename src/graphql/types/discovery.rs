//! Discovery: `trending` (films ranked by recent activity) and the viewer's
//! `recommendations`.

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::Utc;

use super::film::{Film, film_columns, film_of_field};
use crate::cache::edge;
use crate::db::entities::film;
use crate::db::queries::keyset::{Position, SortValue};
use crate::db::queries::trending as rankings;
use crate::domain::recommendations;
use crate::domain::trending::{self, TrendWindow};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, loader};
use crate::graphql::cost::{connection, list_size};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window, node_selections,
};

connection_names!(
    TrendingConnection / TrendingEdge = "A page of films ranked by recent activity, the most active first; each edge gives the film's activity score.",
);

pub type TrendingList = Connection<Film, EmptyFields, TrendScore, TrendingConnection, TrendingEdge>;

/// How far back `trending` looks.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::trending::TrendWindow")]
pub enum TrendingWindow {
    /// The last day: each event's weight halves every 6 hours.
    Day,
    /// The last week: each event's weight halves every 42 hours.
    Week,
}

/// A film's place in a ranking of activity.
#[derive(SimpleObject)]
pub struct TrendScore {
    /// The film's activity score when the answer was made: each rating or
    /// viewing counts 2 and each watchlist add 1 when it happens, halving
    /// every quarter of the window. A film leaves the ranking under 1/16.
    pub score: f64,
}

#[derive(Default)]
pub struct TrendingQuery;

#[Object]
impl TrendingQuery {
    /// Films ranked by recent activity (ratings, films marked seen,
    /// watchlist adds) with time decay, the most active first; films with no
    /// activity in the window are not listed. Answers change with the clock,
    /// so the server's response cache does not keep them.
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn trending(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "TrendingWindow::Week",
            desc = "The period to rank over (a week when not given)."
        )]
        window: TrendingWindow,
        #[graphql(
            desc = "Films from the start of the ranking, or after `after`: 0 to 100 (20 when not given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this ranking (same window): the page starts after it. A film whose score changed meanwhile may appear again or be skipped."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<TrendingList> {
        trending_page(
            ctx,
            window.into(),
            PageRequest::parse(first, after, None, None).gql()?,
        )
        .await
        .gql()
    }
}

async fn trending_page(
    ctx: &Context<'_>,
    window: TrendWindow,
    request: PageRequest,
) -> AppResult<TrendingList> {
    edge::saw_clock();
    let ordering = rankings::ordering(window == TrendWindow::Week);
    let keys = cursor_keys(ctx);
    let page_window = list_window(keys, &ordering, None, request)?;
    let mut page = trending::page(db(ctx), window, &page_window, Utc::now()).await?;
    let columns = film_columns(&node_selections(ctx));
    let ids = page.rows.iter().map(|row| row.film_id).collect();
    let films = loader(ctx)
        .by_ids_with::<film::Entity>(ids, columns)
        .await
        .map_err(AppError::from)?;
    page.rows.retain(|row| films.contains_key(&row.film_id));
    Ok(list_connection(
        keys,
        &ordering,
        None,
        page,
        EmptyFields,
        |row| {
            let film = films
                .get(&row.film_id)
                .map(|found| Film::with_columns(found.clone(), columns))
                .expect("film of a kept row");
            let at = Position {
                value: SortValue::Float(row.stored),
                id: row.film_id,
            };
            (at, film, TrendScore { score: row.score })
        },
    ))
}

/// Why a film is recommended.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::recommendations::Basis")]
pub enum RecommendationBasis {
    /// People who rated the viewer's films as the viewer did rated this one highly.
    CoRatings,
    /// It is like a film the viewer rated highly, favoured, saw or wants to
    /// see (shared people, genres and decade, or that film's page says so).
    SimilarFilm,
    /// Much activity this week (for viewers the service knows nothing about yet).
    Trending,
    /// Among the best rated films by IMDb (when nothing else is known).
    BestRated,
}

pub struct Recommendation(pub recommendations::Recommendation);

/// A film recommended to the viewer, with the reason.
#[Object]
impl Recommendation {
    /// The recommended film (one the viewer has not rated, seen or put on the watchlist).
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        film_of_field(ctx, self.0.film_id).await
    }
    /// Why, in words: "Because you rated Heat 9/10", "Because you saw Heat
    /// (also directed by Michael Mann)".
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// What the recommendation rests on.
    async fn basis(&self) -> RecommendationBasis {
        self.0.basis.into()
    }
    /// The viewer's film the recommendation comes from; null for trending
    /// and best rated films.
    async fn because_of(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Film>> {
        match self.0.because_of {
            Some(film) => film_of_field(ctx, film).await.map(Some),
            None => Ok(None),
        }
    }
}

/// The viewer's recommendations (the caller checked it is the viewer).
pub async fn recommendations_of(
    ctx: &Context<'_>,
    user: i32,
    first: i32,
) -> AppResult<Vec<Recommendation>> {
    let found = recommendations::for_user(db(ctx), user, first.max(0) as usize).await?;
    Ok(found.into_iter().map(Recommendation).collect())
}

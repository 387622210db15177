//! Genres, and every genre with its number of films.

use async_graphql::{Context, ID, Object, SimpleObject};

use super::global_id;
use crate::db::entities::genre;
use crate::db::queries::genre as genres;
use crate::error::AppResult;
use crate::graphql::context::db;
use crate::ids::NodeKind;

#[derive(Clone)]
pub struct Genre(pub genre::Model);

/// A genre such as Drama.
#[Object]
impl Genre {
    /// Opaque global id; `node(id:)` fetches the genre back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Genre, self.0.id)
    }
    /// URL slug, unique, such as `drama`; accepted by `FilmFilter.genres`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The genre's name, such as "Drama".
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A genre with how many films have it.
#[derive(SimpleObject)]
pub struct GenreCount {
    /// The genre counted.
    pub genre: Genre,
    /// How many films of the catalogue have the genre.
    pub film_count: i64,
}

pub async fn genre_counts(ctx: &Context<'_>) -> AppResult<Vec<GenreCount>> {
    let counted = genres::with_film_counts(db(ctx)).await?;
    Ok(counted
        .into_iter()
        .map(|(genre, film_count)| GenreCount {
            genre: Genre(genre),
            film_count,
        })
        .collect())
}

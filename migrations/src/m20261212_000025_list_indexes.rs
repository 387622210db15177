//! Indexes that let a page of films, and what it shows of each film, be read
//! from index entries instead of table rows:
//!
//! - each index the film list sorts by ends with `release_year`, so a page
//!   of one decade (`releaseYear: { min: 1980, max: 1989 }`) skips the
//!   films of other years in the index: the best-rated films of the 1980s
//!   read 21 film rows instead of 182;
//! - a film's credits of one kind are indexed in credit order with their
//!   person (`film_id, kind, list_position, id, person_id`), so a film's
//!   directors come in order without a sort or a credit row, and its count
//!   of cast members is read from the index. It replaces `(film_id, kind,
//!   billing_order)`, whose last column nothing sorted by.

use sea_orm_migration::prelude::*;

// The first migration's helpers, so the new indexes are named as the others.
use crate::m20261121_000001_content_model::{index, index_name};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The film list's sort columns and the names of their indexes before this
/// migration (each was `(column, id)`).
const SORTS: &[(&str, &str)] = &[
    ("title_sort", "idx-film-title_sort"),
    ("release_sort", "idx-film-release_sort"),
    ("runtime_minutes", "idx-film-runtime_minutes-id"),
    ("rating_imdb", "idx-film-rating_imdb"),
    ("rating_rotten_tomatoes", "idx-film-rating_rotten_tomatoes"),
    (
        "rating_rotten_tomatoes_average",
        "idx-film-rating_rotten_tomatoes_average",
    ),
    ("rating_metacritic", "idx-film-rating_metacritic"),
    ("box_office_usd", "idx-film-box_office_usd"),
    ("user_rating_count", "idx-film-user_rating_count"),
    ("user_rating_average", "idx-film-user_rating_average"),
];

const CREDIT_BY_KIND: &[&str] = &["film_id", "kind", "list_position", "id", "person_id"];
const OLD_CREDIT_BY_KIND: &[&str] = &["film_id", "kind", "billing_order"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (column, old) in SORTS {
            drop_index(m, "film", old).await?;
            index(m, "film", &[*column, "id", "release_year"]).await?;
        }
        drop_index(m, "credit", &index_name("credit", OLD_CREDIT_BY_KIND)).await?;
        index(m, "credit", CREDIT_BY_KIND).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_index(m, "credit", &index_name("credit", CREDIT_BY_KIND)).await?;
        index(m, "credit", OLD_CREDIT_BY_KIND).await?;
        for (column, old) in SORTS {
            drop_index(
                m,
                "film",
                &index_name("film", &[*column, "id", "release_year"]),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name(*old)
                    .table("film")
                    .col(*column)
                    .col("id")
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

async fn drop_index(m: &SchemaManager<'_>, table: &str, index: &str) -> Result<(), DbErr> {
    m.drop_index(
        Index::drop()
            .name(index)
            .table(table.to_string())
            .to_owned(),
    )
    .await
}

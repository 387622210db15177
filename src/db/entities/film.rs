//! A film; every film page section hangs off it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slug: String,
    pub imdb_id: Option<String>,
    pub title: String,
    pub original_title: Option<String>,
    pub release_date: Option<Date>,
    pub release_year: Option<i32>,
    pub runtime_minutes: Option<i32>,
    pub certification: Option<String>,
    pub tagline: Option<String>,
    pub badly_explained_plot: Option<String>,
    pub overview: Option<String>,
    pub ending_explained: Option<String>,
    pub consensus: Option<String>,
    pub where_to_watch_note: Option<String>,
    pub soundtrack_note: Option<String>,
    pub document_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

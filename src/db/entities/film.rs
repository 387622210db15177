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
    pub wikidata_id: Option<String>,
    pub title_sort: String,
    pub release_sort: Option<i32>,
    pub academy_award_wins: Option<i32>,
    pub academy_award_nominations: Option<i32>,
    pub rating_imdb: Option<f64>,
    pub rating_rotten_tomatoes: Option<f64>,
    pub rating_rotten_tomatoes_average: Option<f64>,
    pub rating_metacritic: Option<f64>,
    pub box_office_usd: Option<i64>,
    pub user_rating_count: i32,
    pub user_rating_average: Option<f64>,
    /// Raised by every change; editors send the one they read back.
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}

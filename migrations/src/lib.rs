//! Schema history of cinegraph. Each migration names its tables and columns with
//! local identifier enums, so it stays frozen when the app's entities change.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_content_model;
mod m20261121_000002_catalogue;
mod m20261121_000003_review_votes;
mod m20261122_000004_content_version;
mod m20261125_000005_credit_film_year;
mod m20261204_000006_server_secret;
mod m20261204_000007_year_only_release_dates;
mod m20261204_000008_unknown_nominations;
mod m20261204_000009_credit_list_position;
mod m20261204_000010_plausible_box_office;
mod m20261204_000011_persisted_query;
mod m20261205_000012_library;
mod m20261205_000013_lists;
mod m20261205_000014_display_name;
mod m20261205_000015_session_details;
mod m20261206_000016_discovery;
mod m20261206_000017_trend_contributions;
mod m20261207_000018_roles;
mod m20261208_000019_film_editing;
mod m20261209_000020_film_revisions;
mod m20261209_000021_content_changes;
mod m20261209_000022_webhooks;
mod m20261210_000023_film_details;
mod m20261211_000024_catalogue_lines;
mod m20261212_000025_list_indexes;
mod m20261213_000026_film_credit_counts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_content_model::Migration),
            Box::new(m20261121_000002_catalogue::Migration),
            Box::new(m20261121_000003_review_votes::Migration),
            Box::new(m20261122_000004_content_version::Migration),
            Box::new(m20261125_000005_credit_film_year::Migration),
            Box::new(m20261204_000006_server_secret::Migration),
            Box::new(m20261204_000007_year_only_release_dates::Migration),
            Box::new(m20261204_000008_unknown_nominations::Migration),
            Box::new(m20261204_000009_credit_list_position::Migration),
            Box::new(m20261204_000010_plausible_box_office::Migration),
            Box::new(m20261204_000011_persisted_query::Migration),
            Box::new(m20261205_000012_library::Migration),
            Box::new(m20261205_000013_lists::Migration),
            Box::new(m20261205_000014_display_name::Migration),
            Box::new(m20261205_000015_session_details::Migration),
            Box::new(m20261206_000016_discovery::Migration),
            Box::new(m20261206_000017_trend_contributions::Migration),
            Box::new(m20261207_000018_roles::Migration),
            Box::new(m20261208_000019_film_editing::Migration),
            Box::new(m20261209_000020_film_revisions::Migration),
            Box::new(m20261209_000021_content_changes::Migration),
            Box::new(m20261209_000022_webhooks::Migration),
            Box::new(m20261210_000023_film_details::Migration),
            Box::new(m20261211_000024_catalogue_lines::Migration),
            Box::new(m20261212_000025_list_indexes::Migration),
            Box::new(m20261213_000026_film_credit_counts::Migration),
        ]
    }
}

//! The catalogue: where a film came from, columns the film list sorts and
//! filters on (kept beside the rows they summarise so pages sort in an index),
//! who reported each outside rating, and the search index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Columns added to `film`.
const FILM_COLUMNS: &[&str] = &[
    "wikidata_id",
    "title_sort",
    "release_sort",
    "academy_award_wins",
    "academy_award_nominations",
    "rating_imdb",
    "rating_rotten_tomatoes",
    "rating_rotten_tomatoes_average",
    "rating_metacritic",
    "box_office_usd",
    "user_rating_count",
    "user_rating_average",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let film_columns = [
            string_null("wikidata_id"),
            // Lowercase, accent-free title: the title order and title match use it.
            string("title_sort").default("").to_owned(),
            // yyyymmdd of the release date (or yyyy0000 with only a year); null when unknown.
            integer_null("release_sort"),
            integer_null("academy_award_wins"),
            integer_null("academy_award_nominations"),
            double_null("rating_imdb"),
            double_null("rating_rotten_tomatoes"),
            double_null("rating_rotten_tomatoes_average"),
            double_null("rating_metacritic"),
            big_integer_null("box_office_usd"),
            integer("user_rating_count").default(0).to_owned(),
            double_null("user_rating_average"),
        ];
        for column in film_columns {
            m.alter_table(Table::alter().table("film").add_column(column).to_owned())
                .await?;
        }
        m.create_index(
            Index::create()
                .name("uniq-film-wikidata_id")
                .table("film")
                .col("wikidata_id")
                .unique()
                .to_owned(),
        )
        .await?;
        for column in FILM_COLUMNS.iter().skip(1) {
            m.create_index(
                Index::create()
                    .name(format!("idx-film-{column}"))
                    .table("film")
                    .col(*column)
                    .col("id")
                    .to_owned(),
            )
            .await?;
        }
        for (table, column) in [("film", "certification"), ("film", "runtime_minutes")] {
            m.create_index(
                Index::create()
                    .name(format!("idx-{table}-{column}-id"))
                    .table(table)
                    .col(column)
                    .col("id")
                    .to_owned(),
            )
            .await?;
        }

        // Who reported a rating (a film page, Wikidata, vega-datasets): the same
        // source may be reported twice with different figures, and both are kept.
        m.alter_table(
            Table::alter()
                .table("external_rating")
                .add_column(string("provider").default("film page"))
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("uniq-external_rating-film_id-source")
                .table("external_rating")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uniq-external_rating-film_id-source-provider")
                .table("external_rating")
                .col("film_id")
                .col("source")
                .col("provider")
                .unique()
                .to_owned(),
        )
        .await?;

        // Whether a credit came from a film page document or the catalogue, so
        // each importer replaces only its own rows.
        m.alter_table(
            Table::alter()
                .table("credit")
                .add_column(string("origin").default("DOCUMENT"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("person")
                .add_column(integer("credit_count").default(0))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("person")
                .add_column(string("name_sort").default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx-person-name_sort-id")
                .table("person")
                .col("name_sort")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx-person-credit_count-id")
                .table("person")
                .col("credit_count")
                .col("id")
                .to_owned(),
        )
        .await?;

        // Search: one row per searchable thing, with its text folded to lowercase ASCII.
        m.create_table(
            Table::create()
                .table("search_document")
                .col(pk_auto("id"))
                .col(string("kind"))
                .col(integer("target_id"))
                .col(text("body"))
                .col(double("weight"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uniq-search_document-kind-target_id")
                .table("search_document")
                .col("kind")
                .col("target_id")
                .unique()
                .to_owned(),
        )
        .await?;
        match m.get_database_backend() {
            sea_orm::DbBackend::Sqlite => {
                m.get_connection()
                    .execute_unprepared(
                        "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_document', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
                    )
                    .await?;
            }
            sea_orm::DbBackend::Postgres => {
                m.get_connection()
                    .execute_unprepared("CREATE INDEX idx_search_document_body ON search_document USING GIN (to_tsvector('simple', body))")
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DbBackend::Sqlite {
            m.get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS search_fts")
                .await?;
        }
        m.drop_table(
            Table::drop()
                .table("search_document")
                .if_exists()
                .to_owned(),
        )
        .await?;
        for name in ["idx-person-name_sort-id", "idx-person-credit_count-id"] {
            m.drop_index(Index::drop().name(name).table("person").to_owned())
                .await?;
        }
        for column in ["credit_count", "name_sort"] {
            m.alter_table(
                Table::alter()
                    .table("person")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table("credit")
                .drop_column("origin")
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("uniq-external_rating-film_id-source-provider")
                .table("external_rating")
                .to_owned(),
        )
        .await?;
        // Only one rating per film and source fits the old table: keep the film pages'.
        m.get_connection()
            .execute_unprepared("DELETE FROM external_rating WHERE provider <> 'film page'")
            .await?;
        m.alter_table(
            Table::alter()
                .table("external_rating")
                .drop_column("provider")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uniq-external_rating-film_id-source")
                .table("external_rating")
                .col("film_id")
                .col("source")
                .unique()
                .to_owned(),
        )
        .await?;
        for (table, column) in [("film", "certification"), ("film", "runtime_minutes")] {
            m.drop_index(
                Index::drop()
                    .name(format!("idx-{table}-{column}-id"))
                    .table(table)
                    .to_owned(),
            )
            .await?;
        }
        for column in FILM_COLUMNS.iter().skip(1) {
            m.drop_index(
                Index::drop()
                    .name(format!("idx-film-{column}"))
                    .table("film")
                    .to_owned(),
            )
            .await?;
        }
        m.drop_index(
            Index::drop()
                .name("uniq-film-wikidata_id")
                .table("film")
                .to_owned(),
        )
        .await?;
        for column in FILM_COLUMNS.iter().rev() {
            m.alter_table(Table::alter().table("film").drop_column(*column).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! A content version bumped by every import, so cached catalogue-wide counts
//! know when they are stale; and covering indexes for the filters whose matches
//! are counted (country, language and genre lists give film ids without a
//! second lookup).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, old index, new index, columns of the new one)
const COVERING: [(&str, &str, &str, [&str; 2]); 3] = [
    (
        "film_country",
        "idx-film_country-country",
        "idx-film_country-country-film_id",
        ["country", "film_id"],
    ),
    (
        "film_language",
        "idx-film_language-language",
        "idx-film_language-language-film_id",
        ["language", "film_id"],
    ),
    (
        "film_genre",
        "idx-film_genre-genre_id",
        "idx-film_genre-genre_id-film_id",
        ["genre_id", "film_id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("content_version")
                .col(integer("id").primary_key())
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("content_version")
                .columns(["id", "version"])
                .values_panic([1.into(), 0i64.into()])
                .to_owned(),
        )
        .await?;
        for (table, old, new, columns) in COVERING {
            m.drop_index(Index::drop().name(old).table(table).to_owned())
                .await?;
            m.create_index(
                Index::create()
                    .name(new)
                    .table(table)
                    .col(columns[0])
                    .col(columns[1])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, columns) in COVERING {
            m.drop_index(Index::drop().name(new).table(table).to_owned())
                .await?;
            m.create_index(
                Index::create()
                    .name(old)
                    .table(table)
                    .col(columns[0])
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table("content_version").to_owned())
            .await
    }
}

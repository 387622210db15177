//! The details every film app shows beside a page (issue 23, part 5):
//! images, localised titles and overviews, releases per country with their
//! certification, keywords, collections (franchises) and companies.
//! Keywords, collections and companies are shared by films, by slug.

use sea_orm_migration::{prelude::*, schema::*};

// The first migration's helpers, so names follow one pattern.
use crate::m20261121_000001_content_model::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "image",
    "film_title",
    "film_release",
    "film_keyword",
    "keyword",
    "collection_film",
    "collection",
    "film_company",
    "company",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("image")
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(integer("position"))
                .col(string("kind"))
                .col(text("url"))
                .col(integer("width"))
                .col(integer("height"))
                // BCP 47 tag of the text on the image; null when it has none.
                .col(string_null("language"))
                .col(string("source"))
                // The person a PROFILE photo shows.
                .col(integer_null("person_id"))
                .foreign_key(&mut fk("image", "film_id", "film"))
                .foreign_key(&mut fk("image", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        index(m, "image", &["film_id"]).await?;
        index(m, "image", &["person_id"]).await?;

        m.create_table(
            Table::create()
                .table("film_title")
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(integer("position"))
                .col(string("language"))
                .col(string("title"))
                .col(text_null("overview"))
                .foreign_key(&mut fk("film_title", "film_id", "film"))
                .to_owned(),
        )
        .await?;
        unique(m, "film_title", &["film_id", "language"]).await?;

        m.create_table(
            Table::create()
                .table("film_release")
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(integer("position"))
                // ISO 3166-1 alpha-2.
                .col(string("country"))
                // Null where the source does not say (the catalogue's certifications).
                .col(string_null("kind"))
                .col(date_null("release_date"))
                .col(string_null("certification"))
                .col(text_null("note"))
                // `film page` or the catalogue's provider: each import replaces its own.
                .col(string("provider"))
                .foreign_key(&mut fk("film_release", "film_id", "film"))
                .to_owned(),
        )
        .await?;
        index(m, "film_release", &["film_id"]).await?;

        for shared in ["keyword", "company"] {
            m.create_table(
                Table::create()
                    .table(shared)
                    .col(pk_auto("id"))
                    .col(string_uniq("slug"))
                    .col(string("name"))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("film_keyword")
                .col(integer("film_id"))
                .col(integer("keyword_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("film_id").col("keyword_id"))
                .foreign_key(&mut fk("film_keyword", "film_id", "film"))
                .foreign_key(&mut fk("film_keyword", "keyword_id", "keyword"))
                .to_owned(),
        )
        .await?;
        index(m, "film_keyword", &["keyword_id"]).await?;
        m.create_table(
            Table::create()
                .table("film_company")
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(integer("company_id"))
                .col(string("role"))
                .col(integer("position"))
                // `film page` or the catalogue's: each import replaces its own.
                .col(string("provider"))
                .foreign_key(&mut fk("film_company", "film_id", "film"))
                .foreign_key(&mut fk("film_company", "company_id", "company"))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "film_company",
            &["film_id", "company_id", "role", "provider"],
        )
        .await?;
        index(m, "film_company", &["company_id"]).await?;

        m.create_table(
            Table::create()
                .table("collection")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                .col(text_null("overview"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("collection_film")
                .col(pk_auto("id"))
                .col(integer("collection_id"))
                // A film belongs to one collection at most.
                .col(integer_uniq("film_id"))
                .col(integer("position"))
                .foreign_key(&mut fk("collection_film", "collection_id", "collection"))
                .foreign_key(&mut fk("collection_film", "film_id", "film"))
                .to_owned(),
        )
        .await?;
        index(m, "collection_film", &["collection_id", "position"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}

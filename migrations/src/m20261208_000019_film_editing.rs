//! Editing films (issue 23): every film has a `version` that each change
//! raises (editors send the one they read back as `expectedVersion`), and a
//! renamed film keeps its old slugs as redirects.

use sea_orm_migration::{prelude::*, schema::*};

// The first migration's helpers, so names follow one pattern.
use crate::m20261121_000001_content_model::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REDIRECTS: &str = "film_slug_redirect";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("film")
                .add_column(integer("version").default(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(REDIRECTS)
                .col(string("slug").primary_key())
                .col(integer("film_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(REDIRECTS, "film_id", "film"))
                .to_owned(),
        )
        .await?;
        index(m, REDIRECTS, &["film_id"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(REDIRECTS).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("film")
                .drop_column("version")
                .to_owned(),
        )
        .await
    }
}

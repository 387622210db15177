//! A film's history (issue 23): every change to a film, by an editor or an
//! import, is a revision that keeps who made it, when, why, the film's page
//! as the change left it and what it changed, field by field.

use sea_orm_migration::{prelude::*, schema::*};

// The first migration's helpers, so names follow one pattern.
use crate::m20261121_000001_content_model::{fk, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REVISIONS: &str = "film_revision";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(REVISIONS)
                .col(pk_auto("id"))
                // The film's history goes with the film.
                .col(integer("film_id"))
                // The film's version the change made.
                .col(integer("version"))
                .col(string("kind"))
                // The editor; null for an import, or once the user is gone
                // (`author_name` still says who it was).
                .col(integer_null("author_id"))
                .col(string("author_name"))
                // The imported file's name.
                .col(string_null("source"))
                .col(text_null("comment"))
                .col(timestamp_with_time_zone("created_at"))
                // JSON: the page as the change left it, and the changes.
                .col(text("state"))
                .col(text("changes"))
                .foreign_key(&mut fk(REVISIONS, "film_id", "film"))
                .foreign_key(
                    &mut fk(REVISIONS, "author_id", "app_user")
                        .on_delete(ForeignKeyAction::SetNull)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        // One revision per version of a film, listed newest first.
        unique(m, REVISIONS, &["film_id", "version"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(REVISIONS).to_owned())
            .await
    }
}

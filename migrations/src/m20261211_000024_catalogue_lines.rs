//! What each film's catalogue line was when last imported, by its hash
//! (issue 23): a catalogue import that brings a film nothing new (the same
//! line, the same page) leaves it out of the changes feed and its webhooks.

use sea_orm_migration::{prelude::*, schema::*};

// The first migration's helpers, so names follow one pattern.
use crate::m20261121_000001_content_model::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

const LINES: &str = "catalogue_line";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LINES)
                .col(integer("film_id").primary_key())
                .col(string("hash"))
                .foreign_key(&mut fk(LINES, "film_id", "film"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LINES).to_owned()).await
    }
}

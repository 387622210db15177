//! Automatic persisted queries (Apollo's APQ protocol): a query registered
//! by its SHA-256 hash, shared by every server of the database and kept
//! across restarts, so a client (or a CDN in front) can send the hash alone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("persisted_query")
                .col(string_len("hash", 64).primary_key())
                .col(text("query"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("persisted_query").to_owned())
            .await
    }
}

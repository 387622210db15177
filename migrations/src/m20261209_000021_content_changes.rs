//! The changes feed (issue 23): an outbox of content changes, one row per
//! entity changed, written in the transaction of the change. `id` numbers
//! them in commit order: every content writer raises the content version
//! first, whose row lock (on SQLite, the database's write lock) it holds
//! until it commits, so a later number is never committed before an
//! earlier one and a reader that has seen number N has seen all before it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_content_model::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CHANGES: &str = "content_change";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CHANGES)
                .col(pk_auto("id"))
                // `kinds::ChangeEntity`, and the entity's row id (no foreign
                // key: a deletion is a change too).
                .col(string("entity"))
                .col(integer("entity_id"))
                // `kinds::ChangeKind`.
                .col(string("kind"))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        // `changes(since:)` starts from a time.
        index(m, CHANGES, &["at"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CHANGES).to_owned()).await
    }
}

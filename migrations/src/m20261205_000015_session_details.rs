//! What a user sees of their sessions: when each was last used, and the
//! user agent and address it signed in from.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 3] = ["last_used_at", "user_agent", "address"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for mut column in [
            timestamp_with_time_zone_null(COLUMNS[0]),
            string_null(COLUMNS[1]),
            string_null(COLUMNS[2]),
        ] {
            m.alter_table(
                Table::alter()
                    .table("user_session")
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("user_session")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

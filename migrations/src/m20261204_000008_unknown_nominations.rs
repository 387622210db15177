//! Academy Award nominations the catalogue did not know. Its source counts
//! wins among nominations, so fewer nominations than wins (0 where its text
//! said only "Won 1 Oscar.") is no count: it becomes NULL (unknown), except
//! on films whose page document gave the counts.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "UPDATE film SET academy_award_nominations = NULL \
                 WHERE academy_award_nominations < academy_award_wins AND document_hash IS NULL",
            )
            .await?;
        Ok(())
    }

    /// The made-up counts are not brought back.
    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

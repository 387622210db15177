//! Release dates the sources knew only to the year. The catalogue's source
//! writes a year-only date as 1 January (11,468 of its 17,472 films, where
//! any other day holds at most 56): those dates said more than the source
//! knew. They become NULL (the year stays in `release_year`), except on films
//! whose page document gave the date (`document_hash` set).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let (month_day, year) = match m.get_database_backend() {
            DbBackend::Postgres => (
                "to_char(release_date, 'MM-DD')",
                "CAST(EXTRACT(YEAR FROM release_date) AS INTEGER)",
            ),
            _ => (
                "substr(release_date, 6, 5)",
                "CAST(substr(release_date, 1, 4) AS INTEGER)",
            ),
        };
        m.get_connection()
            .execute_unprepared(&format!(
                "UPDATE film SET release_year = COALESCE(release_year, {year}), \
                 release_sort = COALESCE(release_year, {year}) * 10000, release_date = NULL \
                 WHERE release_date IS NOT NULL AND {month_day} = '01-01' AND document_hash IS NULL"
            ))
            .await?;
        Ok(())
    }

    /// The invented day is not brought back: nothing says which dates it was.
    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

//! Awards with their film and nomination counts.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

use crate::db::entities::award;
use crate::db::{Db, DbErr};

/// An award's counts: films nominated, films that won, nominations.
pub struct AwardCounts {
    pub award: award::Model,
    pub film_count: i64,
    pub winning_film_count: i64,
    pub nomination_count: i64,
}

/// Every award with its counts, most films first.
pub async fn with_counts(db: &Db) -> Result<Vec<AwardCounts>, DbErr> {
    let rows = db
        .connection()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT a.id, a.slug, a.organization, a.name, COUNT(DISTINCT n.film_id) AS film_count, \
             COUNT(DISTINCT CASE WHEN n.won THEN n.film_id END) AS winning_film_count, COUNT(n.id) AS nomination_count \
             FROM award a LEFT JOIN nomination n ON n.award_id = a.id \
             GROUP BY a.id, a.slug, a.organization, a.name ORDER BY film_count DESC, a.name",
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(AwardCounts {
                award: award::Model::from_query_result(row, "")?,
                film_count: row.try_get("", "film_count")?,
                winning_film_count: row.try_get("", "winning_film_count")?,
                nomination_count: row.try_get("", "nomination_count")?,
            })
        })
        .collect()
}

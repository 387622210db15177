//! Where PostgreSQL's write-ahead log stands: on the primary, how far it has
//! been written; on a streaming replica, how far it has been replayed. Read
//! routing (`db::replicas`) compares the two.

use sea_orm::{ConnectionTrait, DbErr, Statement};

use crate::db::Db;
use crate::db::replicas::Lsn;

/// The primary's current write position (every commit acknowledged so far
/// ends at or before it).
pub async fn written(db: &Db) -> Result<Lsn, DbErr> {
    let row = one(db, "SELECT pg_current_wal_lsn()::text AS lsn").await?;
    let text: String = row.try_get("", "lsn")?;
    parse(&text)
}

/// How far a replica has replayed, or None when the server is not in
/// recovery (not a replica: a primary, or one promoted since).
pub async fn replayed(db: &Db) -> Result<Option<Lsn>, DbErr> {
    let row = one(
        db,
        "SELECT pg_is_in_recovery() AS replica, pg_last_wal_replay_lsn()::text AS lsn",
    )
    .await?;
    let replica: bool = row.try_get("", "replica")?;
    let text: Option<String> = row.try_get("", "lsn")?;
    match (replica, text) {
        (true, Some(text)) => parse(&text).map(Some),
        _ => Ok(None),
    }
}

async fn one(db: &Db, sql: &str) -> Result<sea_orm::QueryResult, DbErr> {
    db.connection()
        .query_one_raw(Statement::from_string(db.backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(sql.to_string()))
}

fn parse(text: &str) -> Result<Lsn, DbErr> {
    text.parse()
        .map_err(|_| DbErr::Custom(format!("the server reported an unreadable LSN: {text:?}")))
}

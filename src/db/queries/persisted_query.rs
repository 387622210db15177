//! Persisted queries by SHA-256 hash (see `http::persisted`).

use crate::db::sql::Sql;
use crate::db::{Db, DbErr};

/// The query registered under `hash`, if any.
pub async fn find(db: &Db, hash: &str) -> Result<Option<String>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT query FROM persisted_query WHERE hash = ")
        .bind(hash.to_string());
    sql.query_one_own_plan(db)
        .await?
        .map(|row| row.try_get("", "query"))
        .transpose()
}

/// Registers `query` under `hash` (the caller checked the hash); registering
/// it again changes nothing.
pub async fn register(db: &Db, hash: &str, query: &str) -> Result<(), DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("INSERT INTO persisted_query (hash, query, created_at) VALUES (")
        .bind(hash.to_string())
        .push(", ")
        .bind(query.to_string())
        .push(", ")
        .bind(chrono::Utc::now())
        .push(") ON CONFLICT (hash) DO NOTHING");
    sql.execute(db.connection()).await?;
    Ok(())
}

//! The content version: a number every import raises inside its own
//! transaction, so anything derived from the catalogue's content (the cached
//! counts of film lists) can tell, with one primary-key read, whether it is
//! still current, whichever process wrote the change.

use sea_orm::{ConnectionTrait, DbErr, Statement};

use crate::db::Db;
use crate::db::notify;

/// Raises the version; call inside the transaction that changes content.
pub async fn bump(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    txn.execute_unprepared("UPDATE content_version SET version = version + 1 WHERE id = 1")
        .await?;
    // Delivered at commit: every server drops its cached responses.
    notify::content_changed_in(txn).await
}

/// The version now committed.
pub async fn current(db: &Db) -> Result<i64, DbErr> {
    let statement = Statement::from_string(
        db.backend(),
        "SELECT version FROM content_version WHERE id = 1",
    );
    let row = db
        .connection()
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("content_version".into()))?;
    row.try_get("", "version")
}

//! The content version: a number every import raises inside its own
//! transaction, so anything derived from the catalogue's content (the cached
//! counts of film lists) can tell, with one primary-key read, whether it is
//! still current, whichever process wrote the change.

use sea_orm::{ConnectionTrait, DbErr, Statement};

/// Raises the version; call inside the transaction that changes content.
pub async fn bump(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("UPDATE content_version SET version = version + 1 WHERE id = 1")
        .await?;
    // Delivered at commit: every server drops its cached responses.
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(&format!(
            "SELECT pg_notify('{}', '')",
            crate::events::CHANGED_CHANNEL
        ))
        .await?;
    }
    Ok(())
}

/// Imports this process has committed: the response cache compares it, so an
/// import by the server itself (or a test) is seen by the very next read.
static COMMITTED_HERE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Call after an import's transaction committed.
pub fn committed() {
    COMMITTED_HERE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// How many imports this process has committed.
pub fn committed_here() -> u64 {
    COMMITTED_HERE.load(std::sync::atomic::Ordering::SeqCst)
}

/// The version now committed.
pub async fn current(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let statement = Statement::from_string(
        db.get_database_backend(),
        "SELECT version FROM content_version WHERE id = 1",
    );
    let row = db
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("content_version".into()))?;
    row.try_get("", "version")
}

//! How database errors reach clients: as `AppError`s, classified by the
//! database's own codes (SQLSTATE on PostgreSQL, result codes on SQLite),
//! never by the text of a message.

use std::sync::Arc;

use sea_orm::sqlx::Error as Sqlx;
use sea_orm::sqlx::postgres::PgDatabaseError;
use sea_orm::sqlx::sqlite::SqliteError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

use crate::error::AppError;

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict("already exists".into()),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::BadInput("refers to a record that does not exist".into())
            }
            _ if is_connection_failure(&err) => Self::Unavailable(err.into()),
            _ => Self::Internal(err.into()),
        }
    }
}

/// DataLoader errors must be `Clone`, hence the `Arc`.
impl From<Arc<DbErr>> for AppError {
    fn from(err: Arc<DbErr>) -> Self {
        match Arc::try_unwrap(err) {
            Ok(err) => err.into(),
            Err(shared) if is_connection_failure(&shared) => {
                Self::Unavailable(anyhow::anyhow!(shared.to_string()))
            }
            Err(shared) => Self::Internal(anyhow::anyhow!(shared.to_string())),
        }
    }
}

/// The sqlx error inside a sea-orm error, if any.
fn sqlx_error(err: &DbErr) -> Option<&Sqlx> {
    match err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e)) => Some(e.as_ref()),
        _ => None,
    }
}

/// True when the database could not be reached or dropped the connection
/// (down, restarting, or the network between us failed): the client may
/// retry, and nothing about the cause is its fault.
pub fn is_connection_failure(err: &DbErr) -> bool {
    if matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) {
        return true;
    }
    match sqlx_error(err) {
        Some(
            Sqlx::Io(_)
            | Sqlx::PoolTimedOut
            | Sqlx::PoolClosed
            | Sqlx::WorkerCrashed
            | Sqlx::Tls(_),
        ) => true,
        // PostgreSQL: connection exceptions (08...), no connection left
        // (53300), shutting down or starting (57P01-57P03).
        Some(Sqlx::Database(db)) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "53300" | "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// True for a conflict that trying the same write again resolves: a
/// PostgreSQL serialization failure (SQLSTATE 40001) or deadlock (40P01), an
/// SQLite database that is busy or locked (result codes 5 and 6, with their
/// extended codes).
pub fn is_transient(err: &DbErr) -> bool {
    let Some(Sqlx::Database(db)) = sqlx_error(err) else {
        return false;
    };
    if let Some(postgres) = db.try_downcast_ref::<PgDatabaseError>() {
        return matches!(postgres.code(), "40001" | "40P01");
    }
    if db.try_downcast_ref::<SqliteError>().is_some() {
        let primary = db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .map(|code| code & 0xff);
        return matches!(primary, Some(5 | 6));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_without_a_database_code_are_not_transient() {
        assert!(!is_transient(&DbErr::Custom("database is locked".into())));
        assert!(!is_transient(&DbErr::RecordNotFound("x".into())));
    }
}

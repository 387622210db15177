//! Writes that meet a transient conflict (a serialization failure, a
//! deadlock, SQLite's busy or locked database) are tried again here, never
//! shown: each caller's write is one transaction, safe to run again.

use chrono::Utc;

use crate::db::errors;
use crate::error::{AppError, AppResult};

/// How often a write is tried before its conflict is reported.
const ATTEMPTS: u32 = 12;

/// Runs `write` again when the database reports a transient conflict.
pub async fn retrying<T, F, Fut>(write: F) -> AppResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match write().await {
            Err(AppError::Internal(err)) if attempt < ATTEMPTS && is_transient(&err) => {
                tracing::debug!(attempt, error = %err, "retrying a conflicting write");
                let pause = 5 * attempt as u64 + (Utc::now().timestamp_subsec_micros() % 7) as u64;
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            other => return other,
        }
    }
}

/// A serialization failure, deadlock, or busy or locked database, by its code.
fn is_transient(err: &anyhow::Error) -> bool {
    err.downcast_ref::<crate::db::DbErr>()
        .is_some_and(errors::is_transient)
}

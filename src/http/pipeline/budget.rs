//! Stage 9's guard: an execution runs within the request's time budget,
//! and a panic in it fails that request alone.

use std::future::Future;
use std::time::Duration;

use futures_util::FutureExt;

use super::labels::refuse;
use crate::error::AppError;

/// Runs one request's execution within its time budget, and turns a panic in
/// it into INTERNAL_SERVER_ERROR for that request alone (logged with the
/// request id; the panic's text never reaches the client). A stopped request
/// drops its futures, so an open transaction rolls back.
pub async fn run_guarded(
    execution: impl Future<Output = async_graphql::Response>,
    budget: Duration,
    request_id: &str,
) -> async_graphql::Response {
    let run = std::panic::AssertUnwindSafe(execution).catch_unwind();
    match tokio::time::timeout(budget, run).await {
        Ok(Ok(response)) => response,
        Ok(Err(panic)) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(
                request_id,
                panic = text,
                "a resolver panicked; the request failed, the server goes on"
            );
            refuse(AppError::Internal(anyhow::anyhow!("panic")))
        }
        Err(_) => refuse(AppError::Limit {
            code: "TIMEOUT",
            message: format!(
                "the request ran longer than its {} ms budget and was stopped; nothing it wrote was kept",
                budget.as_millis()
            ),
        }),
    }
}

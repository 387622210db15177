//! The last stage: one log line per GraphQL request (a warning with the
//! query, string literals of mutations masked, when it took longer than the
//! slow-operation threshold) and the request metrics.

use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, OperationType};

use super::order::selected_operation;
use crate::http::state::AppState;

/// The operation a request runs, as logs and metrics name it.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The operation's name; None for an anonymous one.
    pub name: Option<String>,
    /// `query`, `mutation`, `subscription`, or `unknown` before it parses.
    pub kind: &'static str,
}

impl Operation {
    /// What is known before the document parses: the name the client gave.
    pub fn unknown(name: Option<String>) -> Self {
        Self {
            name,
            kind: "unknown",
        }
    }

    /// The operation `wanted` names in `document` (the first without a name).
    pub fn of(document: &ExecutableDocument, wanted: Option<&str>) -> Self {
        match selected_operation(document, wanted) {
            Some((name, definition)) => Self {
                name: name.map(|name| name.to_string()),
                kind: match definition.ty {
                    OperationType::Query => "query",
                    OperationType::Mutation => "mutation",
                    OperationType::Subscription => "subscription",
                },
            },
            None => Self::unknown(wanted.map(str::to_string)),
        }
    }

    pub fn is_mutation(&self) -> bool {
        self.kind == "mutation"
    }
}

/// Logs and counts one request: its operation, how long it took, the codes
/// of its errors, and (when slow) its query.
pub fn record<'a>(
    state: &AppState,
    operation: &Operation,
    query: &str,
    elapsed: Duration,
    codes: impl Iterator<Item = &'a str>,
) {
    let codes: Vec<&str> = codes.collect();
    state.metrics.record_operation(
        operation.name.as_deref(),
        operation.kind,
        elapsed,
        codes.iter().copied(),
    );
    let operation_name = operation.name.as_deref().unwrap_or("-");
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    let errors = codes.join(",");
    if elapsed >= state.config.slow_operation {
        let query = crate::telemetry::loggable_query(query, operation.is_mutation());
        tracing::warn!(
            operation = operation_name,
            kind = operation.kind,
            duration_ms,
            errors,
            query,
            "slow graphql operation"
        );
    } else {
        tracing::info!(
            operation = operation_name,
            kind = operation.kind,
            duration_ms,
            errors,
            "graphql operation"
        );
    }
}

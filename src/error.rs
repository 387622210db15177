//! The one error type. Every failure a client can see maps to a code in
//! `extensions.code`; internal details are logged, never sent. How database
//! errors map onto it is `db::errors`; how it becomes a GraphQL error is
//! `graphql::context`.

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{0}")]
    BadInput(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// Content that breaks a rule of the document format, at `path` (a JSON
    /// path in a document, or the input field of an editing mutation).
    #[error("at {path}: {message}")]
    Invalid { path: String, message: String },
    /// A change made from a version of a film that is no longer its own (CONFLICT).
    #[error("{}", stale_message(*expected, *current))]
    StaleVersion { expected: Option<i32>, current: i32 },
    #[error("too many attempts; try again in {retry_after_seconds} seconds")]
    RateLimited { retry_after_seconds: u64 },
    /// An operation that would take the client past its cost budget (RATE_LIMITED too).
    #[error(
        "the operation's estimated cost is {cost}; this client's cost budget of {budget} per minute allows it again in {retry_after_seconds} seconds"
    )]
    CostBudgetSpent {
        cost: u64,
        budget: u32,
        retry_after_seconds: u64,
    },
    #[error("the database is not available right now; try again shortly")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// A request refused by a limit (size, depth, complexity, time, ...), with the limit's own code.
    #[error("{message}")]
    Limit { code: &'static str, message: String },
}

fn stale_message(expected: Option<i32>, current: i32) -> String {
    match expected {
        Some(expected) => format!(
            "the film is at version {current}, not {expected}: read it again and make the change on that"
        ),
        None => format!(
            "the film exists, at version {current}: send that as `expectedVersion` to change it"
        ),
    }
}

impl AppError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput(message.into())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "NOT_FOUND",
            Self::BadInput(_) | Self::Invalid { .. } => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Conflict(_) | Self::StaleVersion { .. } => "CONFLICT",
            Self::RateLimited { .. } | Self::CostBudgetSpent { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
            Self::Limit { code, .. } => code,
        }
    }

    /// Seconds to wait before trying again, for RATE_LIMITED.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            Self::RateLimited {
                retry_after_seconds,
            }
            | Self::CostBudgetSpent {
                retry_after_seconds,
                ..
            } => Some(*retry_after_seconds),
            _ => None,
        }
    }
}

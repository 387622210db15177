//! What resolvers reach through the context: the services the schema was
//! built with (`build_schema` registers every one, so the lookups cannot
//! miss), the request's viewer and client address, and how an `AppError`
//! becomes a GraphQL error with its `extensions.code`.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ErrorExtensions};

use super::loaders::{Loaders, ReplicaLoaders};
use crate::cache::aggregates::AggregateCache;
use crate::db::Db;
use crate::db::replicas::{Read, ReadPool};
use crate::domain::account::Viewer;
use crate::domain::events::Events;
use crate::domain::limits::{ClientAddress, RateLimiter};
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::cursor::CursorKeys;

/// The loaders of where this request reads (see [`db`]).
pub fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<Loaders> {
    match ctx.data_opt::<Read>() {
        Some(Read::Replica(index)) => &ctx.data_unchecked::<Arc<ReplicaLoaders>>().0[*index],
        _ => ctx.data_unchecked::<Arc<DataLoader<Loaders>>>(),
    }
}

/// Where this request reads: the read replica the pipeline chose for a
/// query, else the primary (always for mutations, which write through it).
pub fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    match ctx.data_opt::<Read>() {
        Some(read) => ctx.data_unchecked::<Arc<ReadPool>>().db(*read),
        None => ctx.data_unchecked::<Db>(),
    }
}

pub fn events<'a>(ctx: &Context<'a>) -> &'a Events {
    ctx.data_unchecked::<Events>()
}

pub fn limiter<'a>(ctx: &Context<'a>) -> &'a RateLimiter {
    ctx.data_unchecked::<Arc<RateLimiter>>()
}

pub fn aggregates<'a>(ctx: &Context<'a>) -> &'a AggregateCache {
    ctx.data_unchecked::<AggregateCache>()
}

/// `compute`'s value under `key`, computed once per content version (an
/// import anywhere makes it stale): for what only imports change.
pub async fn while_content_holds<T, F>(
    ctx: &Context<'_>,
    key: String,
    compute: impl FnOnce() -> F,
) -> AppResult<T>
where
    T: Clone + Send + Sync + 'static,
    F: std::future::Future<Output = AppResult<T>>,
{
    // Both boxed, and `compute` made only here: together their futures were
    // 45 KB, held inline by every resolver up the chain; async-graphql sizes
    // each field's future of a type by its largest resolver, so the films
    // connection's `totalCount` made every one of its fields' futures 60 KB.
    let version = Box::pin(crate::db::queries::content_version::current(db(ctx))).await?;
    Box::pin(aggregates(ctx).get_or_compute(version, key, compute())).await
}

/// The keys cursors are signed with.
pub fn cursor_keys<'a>(ctx: &Context<'a>) -> &'a CursorKeys {
    ctx.data_unchecked::<CursorKeys>()
}

/// The signed-in viewer, or UNAUTHENTICATED.
pub fn viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    ctx.data_opt::<Viewer>().ok_or(AppError::Unauthenticated)
}

/// The signed-in viewer of an editorial mutation, whose change counts
/// against their limit of changes to content (RATE_LIMITED past it).
pub async fn editing_viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    let viewer = viewer(ctx)?;
    let key = viewer.user_id.to_string();
    limiter(ctx)
        .check(crate::domain::limits::Scope::EditByUser, &key)
        .await?;
    Ok(viewer)
}

/// The address the request came from ("unknown" when served without one).
pub fn client_address<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<ClientAddress>()
        .map_or("unknown", |a| a.0.as_str())
}

/// Ends a resolver: maps any error into `AppError` and keeps its `extensions.code`.
/// (A bare `?` into `async_graphql::Error` would keep only the message.)
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<AppError>> GqlResult<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|err| err.into().extend())
    }
}

/// An `AppError` as a GraphQL error: its message and `extensions.code` (and
/// `retryAfterSeconds` when rate limited, `path` when content breaks a rule,
/// `currentVersion` when an edit was made from a stale version). Internal details are logged here,
/// never sent.
impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            Self::Internal(source) => tracing::error!(error = ?source, "internal error"),
            Self::Unavailable(source) => tracing::warn!(error = ?source, "database unavailable"),
            _ => {}
        }
        let code = self.code();
        let retry_after = self.retry_after_seconds();
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| {
            e.set("code", code);
            if let Some(seconds) = retry_after {
                e.set("retryAfterSeconds", seconds);
            }
            match self {
                Self::Invalid { path, .. } => e.set("path", path.as_str()),
                Self::StaleVersion { current, .. } => e.set("currentVersion", *current),
                _ => {}
            }
        })
    }
}

//! The one application state every request reaches: the database, the
//! schema, the settings, the caches and the server's own signals. Built by
//! `server` (the only start path, for the binary and the tests alike).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::watch;

use super::persisted::PersistedQueries;
use super::pipeline::documents::ParsedDocuments;
use super::pipeline::validated::ValidatedRequests;
use super::trusted::TrustedDocuments;
use crate::cache::responses::ResponseCache;
use crate::config::Config;
use crate::db::Db;
use crate::db::replicas::ReadPool;
use crate::domain::events::Events;
use crate::domain::limits::RateLimiter;
use crate::graphql::Schemas;
use crate::graphql::pagination::cursor::CursorKeys;
use crate::telemetry::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    /// The primary: writes, sessions, persisted queries, setup.
    pub db: Db,
    /// Where queries read: the primary or a read replica (`db::replicas`).
    pub reads: Arc<ReadPool>,
    /// The schema, and its twin for requests known to pass validation.
    pub schema: Schemas,
    pub config: Arc<Config>,
    /// Changes made here and heard from other servers.
    pub events: Events,
    /// Abuse limits, shared by the pipeline (mutations) and the schema (sign-in).
    pub limiter: Arc<RateLimiter>,
    /// What cursors are signed with; installed by `server::prepare`.
    pub cursor_keys: CursorKeys,
    /// Set once the database is migrated and the bundled data imported; until
    /// then `/readyz` says 503 and GraphQL requests get SERVICE_UNAVAILABLE.
    pub ready: Arc<AtomicBool>,
    /// Turns true when the server starts shutting down: subscriptions end.
    pub shutting_down: watch::Receiver<bool>,
    pub shutdown: Arc<watch::Sender<bool>>,
    /// Open WebSocket connections, so shutdown can wait for them to close.
    pub open_sockets: Arc<AtomicUsize>,
    /// What `/metrics` reports: requests, errors, statement times, the pool.
    pub metrics: Arc<Metrics>,
    /// Answers to public queries, valid until the data changes.
    pub response_cache: Arc<ResponseCache>,
    /// Query documents parsed once per text.
    pub documents: Arc<ParsedDocuments>,
    /// Requests (text, operation, variables) that passed validation before.
    pub validated: Arc<ValidatedRequests>,
    /// Automatic persisted queries seen lately (all are in the database).
    pub persisted_queries: Arc<PersistedQueries>,
    /// Operations trusted before any client sends them (`trusted`).
    pub trusted: Arc<TrustedDocuments>,
}

impl AppState {
    /// Tells every subscription to end (their sockets close with 1001).
    pub fn begin_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}

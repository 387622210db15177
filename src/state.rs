//! The one application state: database pool, schema and settings.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::config::Config;
use crate::events::RatingEvents;
use crate::graphql::documents::{self, ParsedDocuments};
use crate::graphql::{AppSchema, build_schema};
use crate::http::response_cache::ResponseCache;
use crate::limits::RateLimiter;
use crate::telemetry::metrics::Metrics;
use crate::{db, import};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub config: Arc<Config>,
    /// Abuse limits, shared by the HTTP layer (mutations) and the schema (sign-in).
    pub limiter: Arc<RateLimiter>,
    /// Set once the database is migrated and the bundled data imported; until
    /// then `/readyz` says 503 and GraphQL requests get SERVICE_UNAVAILABLE.
    pub ready: Arc<AtomicBool>,
    /// Turns true when the server starts shutting down: subscriptions end.
    pub shutting_down: watch::Receiver<bool>,
    shutdown: Arc<watch::Sender<bool>>,
    /// Open WebSocket connections, so shutdown can wait for them to close.
    pub open_sockets: Arc<AtomicUsize>,
    /// What `/metrics` reports: requests, errors, statement times, the pool.
    pub metrics: Arc<Metrics>,
    /// Answers to public queries, valid until the data changes.
    pub response_cache: Arc<ResponseCache>,
    /// Query documents parsed once per text, for the HTTP layer and the WebSocket's guard.
    pub documents: Arc<ParsedDocuments>,
}

/// First wait between attempts to reach the database at start; it doubles up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

impl AppState {
    /// Connects, migrates, imports the bundled data if asked and the database is
    /// empty, and builds the schema; fails at once if the database does not
    /// answer. Used by the tests and the one-shot commands.
    pub async fn new(config: &Config) -> anyhow::Result<Self> {
        let state = Self::starting(config).await?;
        state.prepare().await?;
        Ok(state)
    }

    /// The state before the database has answered: a pool that connects on
    /// first use, and the schema. `serve` listens with it at once and calls
    /// `prepare_with_retries` in the background.
    pub async fn starting(config: &Config) -> anyhow::Result<Self> {
        let db = db::connect_lazy(&config.database_url).await.map_err(|e| {
            anyhow::anyhow!("cannot open the database: {e} (check --database-url or DATABASE_URL)")
        })?;
        Ok(Self::with_database(db, config, false))
    }

    /// Migrates and imports the bundled data if asked and the database is empty,
    /// then marks the state ready.
    pub async fn prepare(&self) -> anyhow::Result<()> {
        db::migrate(&self.db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?;
        if self.config.import_bundled_data {
            import::import_bundled_if_empty(&self.db).await?;
        }
        self.ready.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// `prepare`, retried with backoff while the database cannot be reached
    /// (it may start after cinegraph). Any other failure is returned.
    pub async fn prepare_with_retries(&self) -> anyhow::Result<()> {
        let mut wait = FIRST_BACKOFF;
        for attempt in 1.. {
            let error = match self.db.ping().await {
                Ok(()) => return self.prepare().await,
                Err(error) => error,
            };
            tracing::warn!(
                attempt,
                retry_in_ms = wait.as_millis() as u64,
                %error,
                "the database is not reachable yet; not ready, retrying"
            );
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_BACKOFF);
        }
        unreachable!("the retry loop only ends by returning")
    }

    /// The state over an already prepared database (`ready` says whether it is).
    pub fn with_database(mut db: DatabaseConnection, config: &Config, ready: bool) -> Self {
        // Set before any clone of the handle is made, so every clone reports.
        let metrics = Arc::new(Metrics::new());
        let statements = metrics.clone();
        db.set_metric_callback(move |info| {
            statements.record_statement(&info.statement.sql, info.elapsed, info.failed)
        });
        let limiter = Arc::new(RateLimiter::new(
            config.sign_in_per_minute,
            config.mutations_per_minute,
        ));
        let events = RatingEvents::new(db.get_database_backend());
        events.listen(config.database_url.clone());
        let response_cache = Arc::new(ResponseCache::new(
            config.response_cache_bytes,
            &config.database_url,
            events.hearing_everything.clone(),
        ));
        invalidate_on_changes(&response_cache, &events);
        let documents = Arc::new(ParsedDocuments::new(documents::DEFAULT_TEXT_BYTES));
        let schema = build_schema(db.clone(), config, limiter.clone(), events, metrics.clone());
        let (shutdown, shutting_down) = watch::channel(false);
        Self {
            db,
            schema,
            config: Arc::new(config.clone()),
            limiter,
            ready: Arc::new(AtomicBool::new(ready)),
            shutting_down,
            shutdown: Arc::new(shutdown),
            open_sockets: Arc::new(AtomicUsize::new(0)),
            metrics,
            response_cache,
            documents,
        }
    }

    /// Tells every subscription to end (their sockets close with 1001).
    pub fn begin_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}

/// Drops cached responses whenever ratings change (on any server, through
/// PostgreSQL's LISTEN) or another server announces a change.
fn invalidate_on_changes(cache: &Arc<ResponseCache>, events: &RatingEvents) {
    if !cache.enabled() {
        return;
    }
    let cache = cache.clone();
    let mut ratings = events.subscribe();
    let mut changes = events.subscribe_changes();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            // A lagging receiver missed changes: invalidating is the safe answer.
            let closed = tokio::select! {
                event = ratings.recv() => matches!(event, Err(RecvError::Closed)),
                event = changes.recv() => matches!(event, Err(RecvError::Closed)),
            };
            cache.invalidate();
            if closed {
                break;
            }
        }
    });
}

//! The one start path, for the binary and the tests alike: build the
//! application state from a `Config` (pool, events, caches, schema), prepare
//! the database (migrations, the bundled data on first start), and serve:
//! listen at once, prepare in the background, stop gracefully.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cache::edge::{self, Purger};
use crate::cache::responses::ResponseCache;
use crate::config::Config;
use crate::db::Db;
use crate::db::replicas::ReadPool;
use crate::domain::events::{Events, Stale};
use crate::domain::limits::RateLimiter;
use crate::graphql::pagination::cursor::CursorKeys;
use crate::graphql::{Services, build_schema};
use crate::http::AppState;
use crate::http::pipeline::documents::{self, ParsedDocuments};
use crate::http::pipeline::validated::{self, ValidatedRequests};
use crate::http::trusted::TrustedDocuments;
use crate::telemetry::metrics::Metrics;
use crate::{db, import};

/// First wait between attempts to reach the database at start; it doubles up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// How long shutdown waits for in-flight requests and open sockets.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The state before the database has answered: a pool that connects on first
/// use, the events (listening on PostgreSQL), the caches wired to them, and
/// the schema. Not ready until [`prepare`] has run.
pub async fn build(config: &Config) -> anyhow::Result<AppState> {
    let metrics =
        Arc::new(Metrics::new().with_known_operations(crate::http::example_operation_names()));
    let db = Db::connect_lazy(&config.database_url, metrics.clone())
        .await
        .map_err(|e| {
            anyhow::anyhow!("cannot open the database: {e} (check --database-url or DATABASE_URL)")
        })?;
    let events = Events::new(&db);
    events.listen(&db, config.database_url.clone());
    let reads = Arc::new(read_pool(config, &db, &metrics).await?);
    reads.watch();
    // Reads never go back before a change this server made or heard of.
    let floor = reads.clone();
    events.on_change(move || floor.note_change());
    let response_cache = Arc::new(ResponseCache::new(
        config.response_cache_bytes,
        &config.database_url,
        events.hearing_everything(),
    ));
    // Every change made here or heard from elsewhere makes cached answers stale.
    let stale = response_cache.clone();
    events.on_change(move || stale.invalidate());
    // Each write committed here tells the edge cache what it made stale.
    let purger = purger(config, &metrics)?;
    events.on_write(move |stale| {
        purger.purge(match stale {
            Stale::Film(film_id) => edge::keys_of_film_write(*film_id),
            Stale::Everything => vec![edge::ALL.to_string()],
        })
    });
    let mut limiter = RateLimiter::new(config.sign_in_per_minute, config.mutations_per_minute)
        .with_cost_budget(config.cost_per_minute)
        .with_edit_limit(config.edits_per_minute);
    if let Some(url) = &config.redis_url {
        limiter = limiter.shared_through(url).map_err(anyhow::Error::msg)?;
    }
    let limiter = Arc::new(limiter);
    let cursor_keys = CursorKeys::default();
    if !config.cursor_secrets.is_empty() {
        cursor_keys.install(&config.cursor_secrets);
    }
    let schema = build_schema(Services {
        db: db.clone(),
        events: events.clone(),
        limiter: limiter.clone(),
        introspection: config.introspection,
        field_suggestions: config.field_suggestions,
        cursor_keys: cursor_keys.clone(),
        reads: reads.clone(),
        webhooks: config.webhooks.clone(),
    });
    let (shutdown, shutting_down) = watch::channel(false);
    Ok(AppState {
        db,
        reads,
        schema,
        config: Arc::new(config.clone()),
        events,
        limiter,
        cursor_keys,
        ready: Arc::new(AtomicBool::new(false)),
        shutting_down,
        shutdown: Arc::new(shutdown),
        open_sockets: Arc::new(AtomicUsize::new(0)),
        metrics,
        response_cache,
        documents: Arc::new(ParsedDocuments::new(documents::DEFAULT_TEXT_BYTES)),
        validated: Arc::new(ValidatedRequests::new(validated::DEFAULT_KEY_BYTES)),
        persisted_queries: Arc::default(),
        trusted: Arc::new(
            TrustedDocuments::load(config.trusted_documents.as_deref())
                .map_err(anyhow::Error::msg)?,
        ),
    })
}

/// [`build`] and [`prepare`]: a ready state, or an error at once if the
/// database does not answer (the tests and one-shot uses).
pub async fn start(config: &Config) -> anyhow::Result<AppState> {
    let state = build(config).await?;
    prepare(&state).await?;
    Ok(state)
}

/// The HTTP router over a state.
pub fn router(state: AppState) -> Router {
    crate::http::build_router(state)
}

/// Migrates, imports the bundled data if the configuration asks for it and
/// the database is empty, then marks the state ready.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    // Servers starting together on one database: one sets it up, the others
    // wait here and then find nothing left to do.
    let lock = state
        .db
        .setup_lock()
        .await
        .context("cannot take the database's setup lock")?;
    set_up(state).await?;
    lock.release()
        .await
        .context("cannot release the database's setup lock")?;
    // Replicas serve nothing older than the database as set up.
    state.reads.note_change();
    // From the changes the setup made on (the feed's table exists now).
    state.events.follow_changes(&state.db);
    crate::domain::webhooks::run_worker(&state.db, &state.events, state.config.webhooks.clone());
    state.ready.store(true, Ordering::SeqCst);
    Ok(())
}

/// Rebuilds the recommendation model every `recommendation_model_every`
/// (not at all when zero), in the background; a failure is logged and the
/// old model serves until the next round.
fn keep_recommendation_model_fresh(state: &AppState) {
    let every = state.config.recommendation_model_every;
    if every.is_zero() {
        return;
    }
    let db = state.db.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(err) = crate::domain::recommendations::rebuild_model(&db).await {
                tracing::warn!(error = %err, "cannot rebuild the recommendation model");
            }
        }
    });
}

/// The purge hook, when `--purge-url` names one (an http:// URL).
fn purger(config: &Config, metrics: &Arc<Metrics>) -> anyhow::Result<Purger> {
    let Some(url) = &config.edge.purge_url else {
        return Ok(Purger::none());
    };
    let valid = url.starts_with("http://") && url.parse::<axum::http::Uri>().is_ok();
    if !valid {
        anyhow::bail!(
            "the purge URL {url:?} is not an http:// URL (--purge-url or CINEGRAPH_PURGE_URL; for an https API, call it through a forwarder on the network)"
        );
    }
    // Repeated once no request that began before a write can still be running.
    let repeat_after = config.request_time_budget + Duration::from_secs(1);
    Ok(Purger::to(url.clone(), repeat_after, metrics.clone()))
}

/// The primary and the read replicas (`DATABASE_READ_URL`), each a pool that
/// connects on first use: a replica down at start is only out of use.
async fn read_pool(
    config: &Config,
    primary: &Db,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<ReadPool> {
    let settings = &config.replicas;
    if settings.urls.is_empty() {
        return Ok(ReadPool::primary_only(primary.clone(), metrics.clone()));
    }
    if !primary.is_postgres() {
        anyhow::bail!("read replicas (DATABASE_READ_URL) need a PostgreSQL primary (DATABASE_URL)");
    }
    let mut replicas = Vec::new();
    for url in &settings.urls {
        let name = replica_name(url);
        if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            anyhow::bail!("the read replica {name} is not a postgres:// URL (DATABASE_READ_URL)");
        }
        let db = Db::connect_lazy(url, metrics.clone())
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the read replica {name}: {e}"))?;
        replicas.push((name, db));
    }
    Ok(ReadPool::new(
        primary.clone(),
        replicas,
        settings.max_lag,
        settings.wait,
        metrics.clone(),
    ))
}

/// A replica's URL without its scheme, credentials or parameters: what logs,
/// metrics and `/readyz` call it.
fn replica_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('?').next().unwrap_or(rest).to_string()
}

/// Migrates, installs the cursor keys, refolds old text and imports the
/// bundled data into an empty database.
async fn set_up(state: &AppState) -> anyhow::Result<()> {
    state
        .db
        .migrate()
        .await
        .context("cannot migrate the database")?;
    if !state.cursor_keys.installed() {
        let secret = db::queries::secret::shared(&state.db, "cursor", random_secret)
            .await
            .context("cannot read the cursor secret")?;
        state.cursor_keys.install(&[secret]);
    }
    import::refold_text(&state.db, &state.events).await?;
    if state.config.import_bundled_data {
        import::import_bundled_if_empty(&state.db, &state.events).await?;
    }
    import::derive_missing(&state.db).await
}

/// 32 random bytes from the operating system, as hex.
fn random_secret() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// [`prepare`], retried with backoff while the database cannot be reached
/// (it may start after cinegraph) or gives no connection (it may be at its
/// connection limit, or restart midway). Any other failure is returned.
pub async fn prepare_with_retries(state: &AppState) -> anyhow::Result<()> {
    let mut wait = FIRST_BACKOFF;
    for attempt in 1.. {
        let error = match state.db.ping().await {
            Ok(()) => match prepare(state).await {
                Err(error) if lost_the_database(&error) => describe(&error),
                prepared => return prepared,
            },
            Err(error) => error.to_string(),
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

/// True when `error` came from a database that could not be reached or gave
/// no connection: the setup rolled back, and trying again can succeed.
fn lost_the_database(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<db::DbErr>())
        .any(db::errors::is_connection_failure)
}

/// The error and its causes, each told once: a database error's own text
/// already ends with its cause's (`{:#}` would repeat it).
pub fn describe(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if !text.ends_with(&cause) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause);
        }
    }
    text
}

/// Listens at once; migrates and imports in the background, retrying while the
/// database cannot be reached (`/readyz` answers 503 until then). On SIGTERM or
/// SIGINT it stops accepting, ends subscriptions, lets in-flight requests
/// finish (at most `SHUTDOWN_GRACE`) and returns.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let state = build(&config).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {}: {e} (is another server using it? choose another address with --listen or CINEGRAPH_LISTEN; port 0 picks a free one)",
                config.listen
            )
        })?;
    let address = listener.local_addr()?;
    tracing::info!(listening = %address, "listening; preparing the database");
    let preparing = {
        let state = state.clone();
        tokio::spawn(async move {
            let prepared = prepare_with_retries(&state).await;
            match &prepared {
                Ok(()) => {
                    tracing::info!(%address, "cinegraph is ready: playground at http://{address}/ , GraphQL at http://{address}/graphql");
                    keep_recommendation_model_fresh(&state);
                }
                // Retrying cannot fix this one (a failed migration or import): stop.
                Err(err) => {
                    tracing::error!(
                        error = describe(err),
                        "cannot prepare the database; stopping"
                    );
                    state.begin_shutdown();
                }
            }
            prepared
        })
    };
    let app = router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let mut stop_requested = state.shutting_down.clone();
    let stopping = state.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        tokio::select! {
            _ = shutdown_signal() => {}
            _ = stop_requested.wait_for(|stopping| *stopping) => {}
        }
        stopping.begin_shutdown();
    });
    let mut shutting_down = state.shutting_down.clone();
    let grace_over = async move {
        let _ = shutting_down.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result?,
        _ = grace_over => tracing::warn!("requests still running after the grace period; stopping anyway"),
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while state.open_sockets.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if preparing.is_finished() {
        preparing.await??;
    }
    tracing::info!("cinegraph stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down: finishing in-flight requests, closing subscriptions");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_the_message_already_ends_with_is_told_once() {
        let error = anyhow::anyhow!("timed out")
            .context("no connection from the pool: timed out")
            .context("cannot migrate the database");
        assert_eq!(
            describe(&error),
            "cannot migrate the database: no connection from the pool: timed out"
        );
        // Not a database error: not retried.
        assert!(!lost_the_database(&error));
    }
}

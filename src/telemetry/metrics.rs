//! Prometheus metrics, served at `/metrics` in the text exposition format.
//!
//! One `Metrics` per application state (so tests do not see each other's
//! counts). Operation names come from clients, so their label is bounded:
//! after `MAX_OPERATION_NAMES` distinct names, new ones count as `other`.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Distinct operation names, besides the known ones, kept as labels; more
/// would let clients grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 100;
/// Longest operation name kept as a label.
const MAX_OPERATION_NAME_LEN: usize = 64;

/// Every state a replica can be in (`db::replicas::ReplicaState`).
const REPLICA_STATES: [&str; 5] = ["in_use", "lagging", "down", "not_a_replica", "unknown"];

/// Latency buckets in seconds: 0.5 ms to 10 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    operation: String,
    kind: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatementLabels {
    statement: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReplicaLabels {
    replica: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReplicaStateLabels {
    replica: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    target: String,
}

/// A read replica as the last check found it (`db::replicas`): its state
/// and, when it answered, how far it lags the primary.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaStatus {
    pub name: String,
    pub state: &'static str,
    pub lag_seconds: Option<f64>,
    pub lag_bytes: Option<u64>,
}

/// A database pool's connections: open, idle among them, and the most it opens.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolUsage {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

pub struct Metrics {
    registry: Registry,
    operations: Family<OutcomeLabels, Counter>,
    operation_seconds: Family<OperationLabels, Histogram, fn() -> Histogram>,
    errors: Family<CodeLabels, Counter>,
    cache_lookups: Family<CacheLabels, Counter>,
    statement_seconds: Family<StatementLabels, Histogram, fn() -> Histogram>,
    pool_connections: Family<PoolLabels, Gauge<i64, AtomicI64>>,
    pool_max: Gauge<i64, AtomicI64>,
    websockets: Gauge<i64, AtomicI64>,
    resident_memory: Gauge<i64, AtomicI64>,
    replica_lag_seconds: Family<ReplicaLabels, Gauge<f64, AtomicU64>>,
    replica_lag_bytes: Family<ReplicaLabels, Gauge<i64, AtomicI64>>,
    replica_state: Family<ReplicaStateLabels, Gauge<i64, AtomicI64>>,
    read_routes: Family<RouteLabels, Counter>,
    purges: Family<CacheLabels, Counter>,
    /// Values (rows × columns) read by the loaders and the film list.
    values_read: Counter,
    /// The operations the server ships (the playground's): always a label of
    /// their own, however many other names clients send first.
    known_operations: HashSet<String>,
    /// The first other names seen, up to [`MAX_OPERATION_NAMES`].
    operation_names: Mutex<HashSet<String>>,
    /// Every statement run (not by background work), for tests that bound how many a request needs.
    statements: AtomicU64,
    /// Every trip to the database (a batch of statements is one; not background work's).
    round_trips: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("cinegraph");
        let operations = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "graphql_operations",
            "GraphQL requests by operation name, kind and outcome (ok or error)",
            operations.clone(),
        );
        let operation_seconds =
            Family::<OperationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "graphql_operation_duration_seconds",
            "Time to answer a GraphQL request, by operation name and kind",
            operation_seconds.clone(),
        );
        let errors = Family::<CodeLabels, Counter>::default();
        registry.register(
            "graphql_errors",
            "Errors in GraphQL responses, by their extensions.code",
            errors.clone(),
        );
        let cache_lookups = Family::<CacheLabels, Counter>::default();
        registry.register(
            "response_cache_lookups",
            "Public queries answered from the response cache (hit) or executed (miss)",
            cache_lookups.clone(),
        );
        let statement_seconds =
            Family::<StatementLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "db_statement_duration_seconds",
            "SQL statement durations, by statement kind (select, insert, ..., or batch: several reads in one round trip) and outcome",
            statement_seconds.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge<i64, AtomicI64>>::default();
        registry.register(
            "db_pool_connections",
            "Database pool connections, by state (idle or in_use)",
            pool_connections.clone(),
        );
        let pool_max = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections the database pool opens",
            pool_max.clone(),
        );
        let values_read = Counter::default();
        registry.register(
            "db_values_read",
            "Values (rows times columns) the row loaders, relation pages and film list read",
            values_read.clone(),
        );
        let websockets = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "websocket_connections",
            "Open WebSocket (subscription) connections",
            websockets.clone(),
        );
        let resident_memory = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory of the server process",
            resident_memory.clone(),
        );
        let replica_lag_seconds = Family::<ReplicaLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "db_replica_lag_seconds",
            "How long ago the primary first wrote what a read replica has not replayed yet",
            replica_lag_seconds.clone(),
        );
        let replica_lag_bytes = Family::<ReplicaLabels, Gauge<i64, AtomicI64>>::default();
        registry.register(
            "db_replica_lag_bytes",
            "Bytes of write-ahead log a read replica has not replayed yet (-1: unknown, the replica did not answer)",
            replica_lag_bytes.clone(),
        );
        let replica_state = Family::<ReplicaStateLabels, Gauge<i64, AtomicI64>>::default();
        registry.register(
            "db_replica_state",
            "1 for each read replica's state (in_use, lagging, down, not_a_replica, unknown)",
            replica_state.clone(),
        );
        let read_routes = Family::<RouteLabels, Counter>::default();
        registry.register(
            "db_read_routes",
            "Queries by where they read: the primary or a replica (with DATABASE_READ_URL)",
            read_routes.clone(),
        );
        let purges = Family::<CacheLabels, Counter>::default();
        registry.register(
            "edge_purges",
            "Purges sent to the edge cache's purge hook, by result (ok, or failed after every retry)",
            purges.clone(),
        );
        Self {
            registry,
            purges,
            replica_lag_seconds,
            replica_lag_bytes,
            replica_state,
            read_routes,
            operations,
            operation_seconds,
            errors,
            cache_lookups,
            statement_seconds,
            pool_connections,
            pool_max,
            websockets,
            values_read,
            resident_memory,
            known_operations: HashSet::new(),
            operation_names: Mutex::new(HashSet::new()),
            statements: AtomicU64::new(0),
            round_trips: AtomicU64::new(0),
        }
    }

    /// Counts one GraphQL request: its name, kind, time and the codes of its errors.
    pub fn record_operation<'a>(
        &self,
        name: Option<&str>,
        kind: &str,
        elapsed: Duration,
        error_codes: impl Iterator<Item = &'a str>,
    ) {
        let operation = self.operation_label(name);
        let mut outcome = "ok";
        for code in error_codes {
            outcome = "error";
            self.errors
                .get_or_create(&CodeLabels {
                    code: code.to_string(),
                })
                .inc();
        }
        self.operations
            .get_or_create(&OutcomeLabels {
                operation: operation.clone(),
                kind: kind.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
        self.operation_seconds
            .get_or_create(&OperationLabels {
                operation,
                kind: kind.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a public query answered from the response cache or executed.
    pub fn record_cache(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.cache_lookups
            .get_or_create(&CacheLabels {
                result: result.to_string(),
            })
            .inc();
    }

    /// Counts one purge request sent to the edge cache (`ok` or `failed`).
    pub fn record_purge(&self, result: &str) {
        self.purges
            .get_or_create(&CacheLabels {
                result: result.to_string(),
            })
            .inc();
    }

    /// Counts a query's reads going to `target` (`primary` or a replica's name).
    pub fn record_read_route(&self, target: &str) {
        self.read_routes
            .get_or_create(&RouteLabels {
                target: target.to_string(),
            })
            .inc();
    }

    /// Times one SQL statement (called by the database driver for each).
    pub fn record_statement(&self, sql: &str, elapsed: Duration, failed: bool) {
        self.record_round_trip(1, statement_kind(sql), elapsed, failed);
    }

    /// Counts read statements sent in one round trip, timed once as kind `batch`.
    pub fn record_batch(&self, statements: usize, elapsed: Duration, failed: bool) {
        self.record_round_trip(statements as u64, "batch", elapsed, failed);
    }

    fn record_round_trip(&self, statements: u64, kind: &str, elapsed: Duration, failed: bool) {
        let counted = u64::from(!super::in_background_work());
        let statements = statements * counted;
        self.statements.fetch_add(statements, Ordering::Relaxed);
        self.round_trips.fetch_add(counted, Ordering::Relaxed);
        let labels = StatementLabels {
            statement: kind.to_string(),
            outcome: if failed { "error" } else { "ok" }.to_string(),
        };
        self.statement_seconds
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Counts values (rows × columns) a loader or list read.
    pub fn record_values_read(&self, values: u64) {
        self.values_read.inc_by(values);
    }

    /// How many values the loaders and lists have read so far.
    pub fn values_read_count(&self) -> u64 {
        self.values_read.get()
    }

    /// How many SQL statements have run so far.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// How many trips to the database have been made so far.
    pub fn round_trip_count(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// The metrics in Prometheus' text format, with the gauges read now.
    pub fn render(
        &self,
        pool: PoolUsage,
        open_sockets: usize,
        replicas: &[ReplicaStatus],
    ) -> String {
        for replica in replicas {
            let labels = ReplicaLabels {
                replica: replica.name.clone(),
            };
            // Unknown lag (a replica down) is shown as not a number, not as zero.
            let lag = replica.lag_seconds.unwrap_or(f64::NAN);
            self.replica_lag_seconds.get_or_create(&labels).set(lag);
            let bytes = replica.lag_bytes.map_or(-1, |b| b as i64);
            self.replica_lag_bytes.get_or_create(&labels).set(bytes);
            for state in REPLICA_STATES {
                let labels = ReplicaStateLabels {
                    replica: replica.name.clone(),
                    state: state.to_string(),
                };
                let value = i64::from(state == replica.state);
                self.replica_state.get_or_create(&labels).set(value);
            }
        }
        let PoolUsage { open, idle, max } = pool;
        let in_use = open.saturating_sub(idle);
        for (state, value) in [("idle", idle), ("in_use", in_use)] {
            self.pool_connections
                .get_or_create(&PoolLabels {
                    state: state.to_string(),
                })
                .set(value as i64);
        }
        self.pool_max.set(max as i64);
        self.websockets.set(open_sockets as i64);
        if let Some(bytes) = resident_memory_bytes() {
            self.resident_memory.set(bytes as i64);
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// Names the server's own operations, which keep their labels whatever
    /// names clients make up.
    pub fn with_known_operations(mut self, names: impl IntoIterator<Item = String>) -> Self {
        self.known_operations.extend(names);
        self
    }

    /// The label for an operation name: `anonymous` without one, the name
    /// for a known operation or one of the first others, `other` for the
    /// rest and for a name too long to be a real one.
    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".to_string();
        };
        if self.known_operations.contains(name) {
            return name.to_string();
        }
        if name.len() > MAX_OPERATION_NAME_LEN {
            return "other".to_string();
        }
        let mut names = self
            .operation_names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if names.contains(name) || names.len() < MAX_OPERATION_NAMES {
            names.insert(name.to_string());
            name.to_string()
        } else {
            "other".to_string()
        }
    }
}

/// `select`, `insert`, `update`, `delete`, `with`, or `other`: the statement's first word.
fn statement_kind(sql: &str) -> &'static str {
    let first = sql.split_whitespace().next().unwrap_or("");
    ["select", "insert", "update", "delete", "with"]
        .into_iter()
        .find(|kind| first.eq_ignore_ascii_case(kind))
        .unwrap_or("other")
}

/// Resident set size from /proc (Linux); None elsewhere.
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_kinds_come_from_the_first_word() {
        assert_eq!(statement_kind("  SELECT 1"), "select");
        assert_eq!(
            statement_kind("with x as (select 1) select * from x"),
            "with"
        );
        assert_eq!(statement_kind("PRAGMA foreign_keys = ON"), "other");
        assert_eq!(statement_kind(""), "other");
    }

    #[test]
    fn operation_names_are_bounded() {
        let metrics = Metrics::new().with_known_operations(["FilmPage".to_string()]);
        assert_eq!(metrics.operation_label(None), "anonymous");
        assert_eq!(metrics.operation_label(Some(&"x".repeat(65))), "other");
        for i in 0..MAX_OPERATION_NAMES {
            assert_eq!(
                metrics.operation_label(Some(&format!("Op{i}"))),
                format!("Op{i}")
            );
        }
        assert_eq!(metrics.operation_label(Some("OneTooMany")), "other");
        assert_eq!(
            metrics.operation_label(Some("Op7")),
            "Op7",
            "names seen before stay"
        );
        assert_eq!(
            metrics.operation_label(Some("FilmPage")),
            "FilmPage",
            "the server's own operations are never crowded out"
        );
    }
}

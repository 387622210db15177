//! The database layer: the pool, the entities, and every SQL statement the
//! service runs (`queries`). Nothing here knows of GraphQL or HTTP; the layers
//! above reach the database only through [`Db`] and the functions of `queries`.

pub mod bulk;
pub mod columns;
pub mod entities;
pub mod errors;
pub mod notify;
pub mod queries;
pub mod read_json;
pub mod read_row;
pub mod redis_limits;
pub mod replicas;
pub mod sql;

use std::sync::Arc;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, TransactionTrait,
};

pub use sea_orm::DbErr;

use crate::telemetry::metrics::{Metrics, PoolUsage};

/// A pool of connections and the metrics its statements count in. Cheap to
/// clone: every clone shares the pool.
#[derive(Clone)]
pub struct Db {
    connection: DatabaseConnection,
    metrics: Arc<Metrics>,
}

/// The advisory lock key of setting a database up (migrations and the
/// first import): "cinegraph" in ASCII, a number no other program is likely
/// to choose.
const SETUP_LOCK_KEY: i64 = 0x63696e6567726170;

/// The setup lock, held until [`SetupLock::release`] or drop.
pub struct SetupLock(Option<Transaction>);

impl SetupLock {
    /// Releases the lock (the transaction ends; it wrote nothing).
    pub async fn release(self) -> Result<(), DbErr> {
        match self.0 {
            Some(txn) => txn.commit().await,
            None => Ok(()),
        }
    }
}

/// A transaction: writes through it are kept only when it commits; dropped
/// without committing, it rolls back.
pub type Transaction = sea_orm::DatabaseTransaction;

impl Db {
    /// Opens a pool on `url` and checks that the database answers. SQLite gets
    /// WAL and a busy timeout so readers never block the writer and concurrent
    /// writers wait instead of failing.
    pub async fn connect(url: &str, metrics: Arc<Metrics>) -> Result<Self, DbErr> {
        Ok(Self::over(Database::connect(options(url)).await?, metrics))
    }

    /// A pool that opens its connections on first use, so a server can start
    /// (and say it is not ready) while the database is still down.
    pub async fn connect_lazy(url: &str, metrics: Arc<Metrics>) -> Result<Self, DbErr> {
        let mut options = options(url);
        options.connect_lazy(true);
        Ok(Self::over(Database::connect(options).await?, metrics))
    }

    fn over(mut connection: DatabaseConnection, metrics: Arc<Metrics>) -> Self {
        // Set before any clone of the handle is made, so every clone reports.
        let statements = metrics.clone();
        connection.set_metric_callback(move |info| {
            statements.record_statement(&info.statement.sql, info.elapsed, info.failed)
        });
        Self {
            connection,
            metrics,
        }
    }

    /// The sea-orm connection, for the statements of this layer, the
    /// migrations command and tests.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.connection
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub(crate) fn backend(&self) -> DbBackend {
        self.connection.get_database_backend()
    }

    /// True on PostgreSQL (which carries notifications between servers).
    pub fn is_postgres(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    /// Begins a transaction.
    pub async fn begin(&self) -> Result<Transaction, DbErr> {
        self.connection.begin().await
    }

    /// Begins a read-only transaction whose statements all see one snapshot
    /// of the database (REPEATABLE READ on PostgreSQL; an SQLite transaction
    /// reads one snapshot from its first statement), for readers that must
    /// not see half of a concurrent write.
    pub async fn begin_snapshot(&self) -> Result<Transaction, DbErr> {
        if !self.is_postgres() {
            return self.connection.begin().await;
        }
        self.connection
            .begin_with_config(
                Some(sea_orm::IsolationLevel::RepeatableRead),
                Some(sea_orm::AccessMode::ReadOnly),
            )
            .await
    }

    /// Holds the database's setup lock until the returned guard is released
    /// (or dropped): on PostgreSQL a transaction-level advisory lock, so of
    /// several servers or commands starting at once on one database, one
    /// migrates and imports while the others wait, then find the work done.
    /// The lock lives in a transaction of its own (one pool connection);
    /// the work runs on the others. SQLite serves one process: no lock.
    pub async fn setup_lock(&self) -> Result<SetupLock, DbErr> {
        if !self.is_postgres() {
            return Ok(SetupLock(None));
        }
        let txn = self.connection.begin().await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({SETUP_LOCK_KEY})"))
            .await?;
        Ok(SetupLock(Some(txn)))
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.connection, None).await
    }

    /// Reverts the last `steps` migrations, or all of them.
    pub async fn migrate_down(&self, steps: Option<u32>) -> Result<(), DbErr> {
        Migrator::down(&self.connection, steps).await
    }

    /// Each migration's name and whether it is applied.
    pub async fn migration_status(&self) -> Result<Vec<(String, String)>, DbErr> {
        Ok(Migrator::get_migration_with_status(&self.connection)
            .await?
            .into_iter()
            .map(|migration| (migration.status().to_string(), migration.name().to_string()))
            .collect())
    }

    /// True when the database answers a trivial query.
    pub async fn is_reachable(&self) -> bool {
        self.connection.ping().await.is_ok()
    }

    /// Whether the database answers, with its error when it does not.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.connection.ping().await
    }

    /// The pool's open connections, how many of them are idle, and its maximum.
    pub fn pool_usage(&self) -> PoolUsage {
        let (open, idle, max) = match self.backend() {
            DbBackend::Postgres => {
                let pool = self.connection.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle() as u32,
                    pool.options().get_max_connections(),
                )
            }
            _ => {
                let pool = self.connection.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle() as u32,
                    pool.options().get_max_connections(),
                )
            }
        };
        PoolUsage { open, idle, max }
    }
}

/// Pool settings. A request waits at most 5 s for a connection. sqlx checks
/// a connection (one round trip) when it goes back to the pool; one that has
/// been idle for a second (the database may have restarted meanwhile) is
/// checked again when taken, and replaced if dead. Checking every connection
/// when taken cost each statement a third round trip (see BENCHMARKS.md).
fn options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(3))
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(Duration::from_secs(1));

    if url.starts_with("sqlite:") && !url.contains(":memory:") {
        options
            .max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
    }
    options
}

/// Serialises the transactions that take the same `key` (the rebuilds of
/// one derived table, role changes) across servers until `txn` ends: a
/// transaction-scoped advisory lock on PostgreSQL; SQLite's write lock
/// does it there.
pub async fn lock_rebuild(txn: &Transaction, key: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({key})"))
            .await?;
    }
    Ok(())
}

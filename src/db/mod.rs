//! Connecting to the database and keeping its schema current.

pub mod bulk;
pub mod content_version;
pub mod entities;
pub mod read_row;
pub mod sql;

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Opens a pool on `url`. SQLite gets WAL and a busy timeout so readers never
/// block the writer and concurrent writers wait instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(url)).await
}

/// A pool that opens its connections on first use, so a server can start (and
/// say it is not ready) while the database is still down.
pub async fn connect_lazy(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = options(url);
    options.connect_lazy(true);
    Database::connect(options).await
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

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// True when the database answers a trivial query.
pub async fn is_reachable(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// The pool's open connections, how many of them are idle, and its maximum.
pub fn pool_usage(db: &DatabaseConnection) -> (u32, u32, u32) {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle() as u32,
                pool.options().get_max_connections(),
            )
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle() as u32,
                pool.options().get_max_connections(),
            )
        }
    }
}

//! Transient write conflicts are told apart by the database's own codes
//! (`db::errors::is_transient`), never by the words of a message: the writes
//! that meet one are retried (the concurrency tests show the outcome).

use std::sync::Arc;
use std::time::Duration;

use cinegraph::db::errors::is_transient;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::sqlx::{ConnectOptions, Connection, Executor};
use sea_orm::{ConnectionTrait, DbErr, RuntimeErr};

use crate::helpers::TestApp;

/// A second writer on a locked SQLite file gets SQLITE_BUSY: transient.
#[tokio::test]
async fn a_busy_sqlite_database_is_transient() {
    let app = TestApp::sqlite_file().await;
    let options: SqliteConnectOptions = app.url.parse().unwrap();
    let mut holder = options.connect().await.unwrap();
    holder.execute("BEGIN IMMEDIATE").await.unwrap();
    let mut waiter = options
        .busy_timeout(Duration::ZERO)
        .connect()
        .await
        .unwrap();
    let busy = waiter.execute("BEGIN IMMEDIATE").await.unwrap_err();
    let busy = DbErr::Exec(RuntimeErr::SqlxError(Arc::new(busy)));
    assert!(is_transient(&busy), "{busy}");
    holder.execute("ROLLBACK").await.unwrap();
    waiter.close().await.unwrap();
    holder.close().await.unwrap();

    // A constraint failure is not, whatever its message says.
    let duplicate = app
        .connection
        .execute_unprepared(
            "INSERT INTO genre (id, slug, name) SELECT id, slug, name FROM genre LIMIT 1",
        )
        .await
        .unwrap_err();
    assert!(!is_transient(&duplicate), "{duplicate}");
}

/// PostgreSQL's serialization failures (40001) and deadlocks (40P01) are
/// transient; another error is not, even when its message says the same words.
#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn postgres_conflicts_are_told_by_their_sqlstate() {
    let app = TestApp::postgres().await;
    let raise = |message: &str, code: &str| {
        format!("DO $$ BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = '{code}'; END $$")
    };
    for (message, code, transient) in [
        ("conflict", "40001", true),
        ("conflict", "40P01", true),
        (
            "could not serialize access due to concurrent update",
            "P0001",
            false,
        ),
        ("deadlock detected", "23505", false),
    ] {
        let err = app
            .connection
            .execute_unprepared(&raise(message, code))
            .await
            .unwrap_err();
        assert_eq!(is_transient(&err), transient, "{code}: {err}");
    }
}

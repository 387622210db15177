//! Servers started together on one empty PostgreSQL database: one migrates
//! and imports the bundled data under the setup lock, the others wait, and
//! every one becomes ready (before the lock, three of five exited with 1).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use crate::helpers::{PostgresDatabase, postgres_admin_url};

const SERVERS: usize = 10;

/// What a server's log said: it became ready, or it ended first (with its
/// last lines).
enum Heard {
    Ready(usize),
    Ended(usize, Vec<String>),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn ten_servers_started_at_once_on_an_empty_database_all_become_ready() {
    let database = PostgresDatabase::create(&postgres_admin_url()).await;
    let (sender, heard) = mpsc::channel();
    let mut children: Vec<Child> = Vec::new();
    for index in 0..SERVERS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cinegraph"))
            .args(["--listen", "127.0.0.1:0", "--database-url", &database.url])
            .env("RUST_LOG", "cinegraph=info")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let sender = sender.clone();
        std::thread::spawn(move || {
            let mut last = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("cinegraph is ready") {
                    let _ = sender.send(Heard::Ready(index));
                }
                last.push(line);
                if last.len() > 20 {
                    last.remove(0);
                }
            }
            let _ = sender.send(Heard::Ended(index, last));
        });
        children.push(child);
    }
    // Importing the catalogue in a debug build takes a while; the others wait.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut ready = vec![false; SERVERS];
    while ready.iter().any(|r| !r) {
        let left = deadline.saturating_duration_since(Instant::now());
        match heard.recv_timeout(left) {
            Ok(Heard::Ready(index)) => ready[index] = true,
            Ok(Heard::Ended(index, last)) => {
                panic!(
                    "server {index} ended before it was ready:\n{}",
                    last.join("\n")
                )
            }
            Err(_) => panic!("not every server was ready within 10 minutes: {ready:?}"),
        }
    }
    for child in &mut children {
        assert!(child.try_wait().unwrap().is_none(), "a server exited");
    }
    // One import: every film once.
    let connection = sea_orm::Database::connect(&database.url).await.unwrap();
    let row = connection
        .query_one_raw(sea_orm::Statement::from_string(
            connection.get_database_backend(),
            "SELECT COUNT(*) AS n FROM film",
        ))
        .await
        .unwrap()
        .unwrap();
    let films: i64 = row.try_get("", "n").unwrap();
    assert_eq!(films, 17_472);
    connection.close().await.ok();
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A login role limited to `limit` connections and an empty database it
/// owns (so it owns the public schema), both dropped with the guard.
struct LimitedRole {
    name: String,
    url: String,
}

impl LimitedRole {
    async fn create(admin: &sea_orm::DatabaseConnection, limit: i32) -> Self {
        let name = format!("cinegraph_limited_{}", std::process::id());
        for statement in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("DROP ROLE IF EXISTS {name}"),
            format!("CREATE ROLE {name} LOGIN CONNECTION LIMIT {limit}"),
            format!("CREATE DATABASE {name} OWNER {name}"),
        ] {
            admin.execute_unprepared(&statement).await.unwrap();
        }
        let mut url = url::Url::parse(&postgres_admin_url()).unwrap();
        url.set_username(&name).unwrap();
        url.set_path(&name);
        Self {
            url: url.to_string(),
            name,
        }
    }
}

impl Drop for LimitedRole {
    fn drop(&mut self) {
        // Best effort: what is left behind is dropped by the next run's create.
        let _ = Command::new("psql")
            .args(["-q", "-v", "ON_ERROR_STOP=1"])
            .args([
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .args(["-c", &format!("DROP ROLE IF EXISTS {}", self.name)])
            .arg(postgres_admin_url())
            .status();
    }
}

/// A server whose database gives it no connection to set up with (its
/// role's limit of two is reached while it starts) is not ready and keeps
/// trying; once the limit is lifted it migrates and becomes ready. It used
/// to stop with "Connection pool timed out" (seen when many servers and
/// tests share one PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn a_database_without_a_free_connection_at_start_delays_readiness() {
    let admin = sea_orm::Database::connect(&postgres_admin_url())
        .await
        .unwrap();
    let role = LimitedRole::create(&admin, 2).await;
    let mut server = crate::faults::Server::start_with(&role.url, &[]);
    let line = server.wait_for("not reachable yet", Duration::from_secs(60));
    // Not the first ping (which the pool answered) but a step of the setup.
    assert!(
        line.contains("setup lock") || line.contains("cannot migrate"),
        "{line}"
    );
    // It keeps trying rather than stopping.
    server.wait_for("not reachable yet", Duration::from_secs(60));

    admin
        .execute_unprepared(&format!("ALTER ROLE {} CONNECTION LIMIT -1", role.name))
        .await
        .unwrap();
    server.wait_for("cinegraph is ready", Duration::from_secs(60));
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(60)).success());
    admin.close().await.ok();
}

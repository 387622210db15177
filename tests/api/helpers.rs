//! `TestApp`: the server started as the binary starts it (`server::start`),
//! over a migrated database with a sample of the catalogue and the bundled
//! film page; the real router; and the server's metrics, which count the SQL
//! statements it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cinegraph::db::Db;
use cinegraph::import::{ImportError, Outcome};
use cinegraph::telemetry::metrics::Metrics;
use cinegraph::{AppState, Config};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tower::ServiceExt;

/// Runs each named test body (`async fn name(app: TestApp)`) once on SQLite
/// and once on PostgreSQL. The PostgreSQL runs are compiled as ignored unless
/// `TEST_DATABASE_URL` is set when the tests are built (`build.rs` turns it
/// into the `postgres_tests` cfg), so cargo's summary says what did not run.
macro_rules! on_both_databases {
    // With settings changed by a `fn(&mut Config)`.
    (configured($configure:expr): $($name:ident),* $(,)?) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                super::$name(crate::helpers::TestApp::with_config(false, $configure).await).await;
            }

            #[tokio::test]
            #[cfg_attr(
                not(postgres_tests),
                ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
            )]
            async fn postgres() {
                super::$name(crate::helpers::TestApp::with_config(true, $configure).await).await;
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {
        $crate::helpers::on_both_databases!(configured(|_| {}): $($name),*);
    };
}
pub(crate) use on_both_databases;

pub struct TestApp {
    pub router: Router,
    /// The server's state, built by `server::start` as the binary builds it.
    pub state: AppState,
    /// The server's database handle, for imports and other direct calls.
    pub db: Db,
    /// The same pool as sea-orm's connection, for raw SQL in tests.
    pub connection: DatabaseConnection,
    /// The database URL, for a second server on the same database.
    pub url: String,
    /// The server's own metrics: statement counts, operations.
    pub metrics: Arc<Metrics>,
    _postgres: Option<PostgresDatabase>,
    /// A SQLite file to remove with the app.
    sqlite_file: Option<std::path::PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

impl TestApp {
    pub async fn sqlite() -> Self {
        Self::start("sqlite::memory:", None).await
    }

    /// SQLite in a file with a pool of connections, for tests of concurrent writers.
    pub async fn sqlite_file() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "cinegraph-test-{}-{}.db",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_file(&path);
        let mut app = Self::start(&format!("sqlite://{}?mode=rwc", path.display()), None).await;
        app.sqlite_file = Some(path);
        app
    }

    /// A fresh, uniquely named PostgreSQL database on the server of
    /// `TEST_DATABASE_URL`, dropped with the app. Tests that call it are
    /// compiled as ignored without that variable (see `on_both_databases!`).
    pub async fn postgres() -> Self {
        let database = PostgresDatabase::create(&postgres_admin_url()).await;
        let url = database.url.clone();
        Self::start(&url, Some(database)).await
    }

    /// SQLite or PostgreSQL (as [`TestApp::postgres`]), with settings changed by `configure`.
    pub async fn with_config(postgres: bool, configure: impl FnOnce(&mut Config)) -> Self {
        let (url, database) = if postgres {
            let database = PostgresDatabase::create(&postgres_admin_url()).await;
            (database.url.clone(), Some(database))
        } else {
            ("sqlite::memory:".to_string(), None)
        };
        let mut config = Config::for_tests(&url);
        configure(&mut config);
        Self::start_with(&url, database, config).await
    }

    async fn start(url: &str, postgres: Option<PostgresDatabase>) -> Self {
        Self::start_with(url, postgres, Config::for_tests(url)).await
    }

    /// Starts the server as the binary does (`server::start`: migrations, the
    /// events, the caches, the schema), then imports the test data as a first
    /// start does: a sample of the catalogue, then the bundled film pages.
    pub async fn start_with(url: &str, pg: Option<PostgresDatabase>, mut config: Config) -> Self {
        config.database_url = url.to_string();
        let app = Self::over(url, pg, &config).await;
        let (db, events, name) = (&app.db, &app.state.events, "catalogue-sample.jsonl.gz");
        let sample = cinegraph::import::write_catalogue(db, events, name, catalogue_sample());
        sample.await.expect("import the catalogue sample");
        cinegraph::import::import_bundled_pages(db, events)
            .await
            .expect("import the bundled film pages");
        app.settle().await;
        app
    }

    /// A server over a database another `TestApp` prepared (and drops).
    pub async fn over_existing_database(url: &str) -> Self {
        Self::over(url, None, &Config::for_tests(url)).await
    }

    /// The real start path and router, over a database at `url`.
    pub async fn over(url: &str, postgres: Option<PostgresDatabase>, config: &Config) -> Self {
        let state = cinegraph::server::start(config)
            .await
            .expect("start the server");
        Self {
            router: cinegraph::server::router(state.clone()),
            db: state.db.clone(),
            connection: state.db.connection().clone(),
            metrics: state.metrics.clone(),
            state,
            url: url.to_string(),
            _postgres: postgres,
            sqlite_file: None,
        }
    }

    /// Serves the router on a real socket (127.0.0.1, a free port) until the test ends.
    pub async fn serve(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = self.router.clone();
        tokio::spawn(async move { axum::serve(listener, router).await });
        address
    }

    /// Another server (its own pool, schema and event listener) on the same
    /// database, once both servers have heard every change (its start
    /// included).
    pub async fn second_server(&self) -> TestApp {
        let other = Self::over_existing_database(&self.url).await;
        other.settle().await;
        self.settle().await;
        other
    }

    /// Waits until this server has heard every change committed so far (on
    /// PostgreSQL: its LISTEN connection is up and has heard a notification
    /// sent after them).
    pub async fn settle(&self) {
        tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.state.events.settle(&self.db),
        )
        .await
        .expect("the server did not hear its own notification within 60 s")
        .expect("send a notification");
    }

    /// Imports a film page document into this server's database.
    pub async fn import_bytes(&self, name: &str, bytes: &[u8]) -> Result<Outcome, ImportError> {
        cinegraph::import::import_bytes(&self.db, &self.state.events, name, bytes).await
    }

    /// Imports a catalogue (gzip'd JSON Lines) into this server's database.
    pub async fn import_catalogue(
        &self,
        name: &str,
        gzipped: &[u8],
    ) -> anyhow::Result<cinegraph::import::catalogue::CatalogueReport> {
        cinegraph::import::import_catalogue(&self.db, &self.state.events, name, gzipped).await
    }

    /// Imports files or directories, as `cinegraph import` does.
    pub async fn import_paths(
        &self,
        paths: &[std::path::PathBuf],
    ) -> anyhow::Result<Vec<cinegraph::import::ImportedFile>> {
        cinegraph::import::import_paths(&self.db, &self.state.events, paths).await
    }

    /// Adds a synthetic catalogue, as `cinegraph generate` does.
    pub async fn generate(
        &self,
        films: usize,
        seed: u64,
    ) -> anyhow::Result<cinegraph::import::synthetic::SyntheticReport> {
        cinegraph::import::generate_synthetic(&self.db, &self.state.events, films, seed).await
    }

    /// POSTs a GraphQL request; returns the status and the JSON body.
    pub async fn post(&self, query: &str, variables: Value) -> (StatusCode, Value) {
        self.post_as(None, query, variables).await
    }

    /// POSTs a GraphQL request with `Authorization: Bearer <token>` when given.
    pub async fn post_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let mut request = Request::post("/graphql").header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Runs a request as `token` that must succeed; returns its `data`.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        expect_data(self.post_as(Some(token), query, variables).await)
    }

    /// Runs a request (as `token` when given) that must fail; returns its first error's code.
    pub async fn error_code_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> String {
        expect_error_code(self.post_as(token, query, variables).await)
    }

    /// The global id of the film with this slug.
    pub async fn film_id(&self, slug: &str) -> Value {
        let query = "query($slug: String!) { film(by: { slug: $slug }) { id } }";
        self.data(query, json!({ "slug": slug })).await["film"]["id"].clone()
    }

    /// Signs up `username` and returns the bearer token.
    pub async fn sign_up(&self, username: &str) -> String {
        let query = "mutation($i: Credentials!) { signUp(input: $i) { token } }";
        let vars = json!({ "i": { "username": username, "password": "correct-horse-battery" } });
        let data = self.data(query, vars).await;
        data["signUp"]["token"].as_str().unwrap().to_string()
    }

    /// Runs a query that must succeed; returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        expect_data(self.post(query, variables).await)
    }

    /// Runs a query that must fail; returns the `extensions.code` of its first error.
    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        expect_error_code(self.post(query, variables).await)
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, _, bytes) = self.send_raw(request).await;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body)
    }

    pub async fn send_raw(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, bytes.to_vec())
    }

    /// How many SQL statements `work` issued.
    pub async fn count_statements<F: std::future::Future<Output = T>, T>(
        &self,
        work: F,
    ) -> (usize, T) {
        let before = self.metrics.statement_count();
        let result = work.await;
        ((self.metrics.statement_count() - before) as usize, result)
    }

    /// How many trips to the database `work` made (a batch of statements is one).
    pub async fn count_round_trips<F: std::future::Future<Output = T>, T>(
        &self,
        work: F,
    ) -> (usize, T) {
        let before = self.metrics.round_trip_count();
        let result = work.await;
        ((self.metrics.round_trip_count() - before) as usize, result)
    }

    /// Rows in `table`, to show an operation changed nothing.
    pub async fn count_rows(&self, table: &str) -> i64 {
        self.query_number(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .await
    }

    /// The BIGINT column `n` of the one row `sql` selects.
    pub async fn query_number(&self, sql: &str) -> i64 {
        let backend = self.connection.get_database_backend();
        let statement = sea_orm::Statement::from_string(backend, sql.to_string());
        let row = self.connection.query_one_raw(statement).await.unwrap();
        row.unwrap().try_get("", "n").unwrap()
    }
}

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .expect("TEST_DATABASE_URL=postgres://... must be set to run the PostgreSQL tests")
}

/// A database created for one test on the server of `TEST_DATABASE_URL`,
/// dropped with it.
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PostgresDatabase {
    pub async fn create(admin_url: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "cinegraph_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let admin = sea_orm::Database::connect(admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(admin_url);
        Self {
            admin_url: admin_url.to_string(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// About 1 KB of fragments, each spreading the previous one twice: 2^30
/// fields once expanded.
pub fn fragment_bomb() -> String {
    let mut query = String::from("{ ...F30 } fragment F0 on Query { __typename }");
    for i in 1..=30 {
        query.push_str(&format!(
            " fragment F{i} on Query {{ ...F{} ...F{} }}",
            i - 1,
            i - 1
        ));
    }
    query
}

/// The text of a playground example.
pub fn playground(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("playground")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bundled Leaving Las Vegas document as JSON, to derive test variants from.
pub fn leaving_las_vegas() -> Value {
    serde_json::from_str(cinegraph::data::FILM_PAGES[0].1).unwrap()
}

/// A deterministic sample of the bundled catalogue (gzip'd): the films the
/// Leaving Las Vegas page mentions, every film with Nicolas Cage or Mike Figgis,
/// and every 40th film. Small enough to import per test in debug builds.
pub fn catalogue_sample() -> &'static [u8] {
    use std::io::{Read, Write};
    static SAMPLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        let mut text = String::new();
        flate2::read::GzDecoder::new(cinegraph::data::CATALOGUE)
            .read_to_string(&mut text)
            .unwrap();
        let mentioned = [
            "tt0113627",
            "tt0037884",
            "tt0055895",
            "tt0120669",
            "tt0180093",
            "tt0091954",
            "tt0093822",
            "tt0093565",
            "tt0268126",
            "tt0384680",
        ];
        let keep = |(i, line): &(usize, &str)| {
            i % 40 == 0
                || mentioned
                    .iter()
                    .any(|id| line.contains(&format!("\"{id}\"")))
                || line.contains("\"Nicolas Cage\"")
                || line.contains("\"Mike Figgis\"")
        };
        let lines: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(keep)
            .map(|(_, l)| l)
            .collect();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(lines.join("\n").as_bytes()).unwrap();
        encoder.finish().unwrap()
    })
}

/// The `data` of a response that must have succeeded.
fn expect_data((status, body): (StatusCode, Value)) -> Value {
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.get("errors").is_none(),
        "unexpected errors: {}",
        body["errors"]
    );
    body["data"].clone()
}

/// The `extensions.code` of the first error of a response that must have failed.
fn expect_error_code((_, body): (StatusCode, Value)) -> String {
    let code = &body["errors"][0]["extensions"]["code"];
    assert!(
        code.is_string(),
        "expected an error with a code, got {body}"
    );
    code.as_str().unwrap().to_string()
}

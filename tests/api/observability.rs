//! What operators see: Prometheus metrics at `/metrics`, one structured log
//! line per GraphQL request (request id, operation name, duration), and slow
//! operations logged with their query, string literals of mutations masked.

use std::io::Write;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

/// The value of the sample `name{labels}` in a Prometheus text exposition.
fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
}

async fn scrape(app: &TestApp) -> String {
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let (status, headers, body) = app.send_raw(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
    );
    String::from_utf8(body).unwrap()
}

async fn metrics_count_operations_errors_statements_and_the_pool(app: TestApp) {
    let query = "query FilmTitle { film(by: { slug: \"leaving-las-vegas\" }) { title } }";
    for _ in 0..3 {
        app.data(query, json!({})).await;
    }
    assert_eq!(
        app.error_code("query Broken { nope }", json!({})).await,
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(
        app.error_code("{ film(by: {}) { title } }", json!({}))
            .await,
        "BAD_USER_INPUT"
    );

    let text = scrape(&app).await;
    let ok =
        "cinegraph_graphql_operations_total{operation=\"FilmTitle\",kind=\"query\",outcome=\"ok\"}";
    assert_eq!(sample(&text, ok), Some(3.0), "{text}");
    let failed =
        "cinegraph_graphql_operations_total{operation=\"Broken\",kind=\"query\",outcome=\"error\"}";
    assert_eq!(sample(&text, failed), Some(1.0), "{text}");
    let anonymous = "cinegraph_graphql_operations_total{operation=\"anonymous\",kind=\"query\",outcome=\"error\"}";
    assert_eq!(sample(&text, anonymous), Some(1.0), "{text}");
    for code in ["GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"] {
        let errors = format!("cinegraph_graphql_errors_total{{code=\"{code}\"}}");
        assert_eq!(sample(&text, &errors), Some(1.0), "{text}");
    }
    let latency = "cinegraph_graphql_operation_duration_seconds_count{operation=\"FilmTitle\",kind=\"query\"}";
    assert_eq!(sample(&text, latency), Some(3.0), "{text}");
    let selects =
        "cinegraph_db_statement_duration_seconds_count{statement=\"select\",outcome=\"ok\"}";
    assert!(sample(&text, selects).unwrap_or(0.0) >= 1.0, "{text}");
    assert!(
        sample(&text, "cinegraph_db_pool_max_connections").unwrap() >= 1.0,
        "{text}"
    );
    assert!(
        sample(&text, "cinegraph_db_pool_connections{state=\"idle\"}").is_some(),
        "{text}"
    );
    assert!(
        sample(&text, "cinegraph_process_resident_memory_bytes").unwrap() > 1e6,
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("# EOF"),
        "an OpenMetrics exposition ends with # EOF"
    );
}

/// Clients cannot crowd the server's own operations out of the metrics:
/// after a flood of made-up names, the playground's still have their label,
/// and the labels stay bounded.
async fn made_up_operation_names_cannot_crowd_out_the_real_ones(app: TestApp) {
    for n in 0..150 {
        let query = format!("query Made{n} {{ __typename }}");
        app.data(&query, json!({})).await;
    }
    let film_page = crate::helpers::playground("film-page.graphql");
    app.data(&film_page, json!({})).await;
    let text = scrape(&app).await;
    let real =
        "cinegraph_graphql_operations_total{operation=\"FilmPage\",kind=\"query\",outcome=\"ok\"}";
    assert_eq!(sample(&text, real), Some(1.0), "{text}");
    let other =
        "cinegraph_graphql_operations_total{operation=\"other\",kind=\"query\",outcome=\"ok\"}";
    assert_eq!(
        sample(&text, other),
        Some(50.0),
        "the names past the first 100"
    );
    let labels = text
        .lines()
        .filter(|line| line.starts_with("cinegraph_graphql_operations_total{"))
        .count();
    assert!(labels <= 102, "{labels} operation labels");
}

on_both_databases!(
    metrics_count_operations_errors_statements_and_the_pool,
    made_up_operation_names_cannot_crowd_out_the_real_ones
);

/// The log lines of the request `request_id` (its span carries the id),
/// written while `work` runs, as JSON objects, with the server's default
/// filter. One subscriber for the whole test binary, installed once as the
/// global default: per-thread subscribers set and dropped by tests running
/// in parallel lose events (tracing caches each callsite's interest across
/// threads).
async fn logs_of<F: std::future::Future<Output = T>, T>(
    request_id: &str,
    work: F,
) -> (Vec<Value>, T) {
    struct Lines;
    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            LINES.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static LINES: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_env_filter(cinegraph::telemetry::DEFAULT_LOG_FILTER)
            .with_writer(|| Lines)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    });
    let result = work.await;
    let text = String::from_utf8(LINES.lock().unwrap().clone()).unwrap();
    let parsed = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["span"]["id"] == request_id)
        .collect();
    (parsed, result)
}

fn graphql_request(request_id: &str, query: &str, variables: Value) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-request-id", request_id)
        .body(Body::from(
            json!({ "query": query, "variables": variables }).to_string(),
        ))
        .unwrap()
}

#[tokio::test]
async fn each_request_logs_its_id_operation_and_duration() {
    let app = TestApp::sqlite().await;
    let query = "query FilmTitle { film(by: { slug: \"leaving-las-vegas\" }) { title } }";
    let (lines, (status, headers, _)) = logs_of(
        "obs-req-42",
        app.send_raw(graphql_request("obs-req-42", query, json!({}))),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-request-id"], "obs-req-42");
    let line = lines
        .iter()
        .find(|line| line["message"] == "graphql operation")
        .unwrap_or_else(|| panic!("no operation line in {lines:?}"));
    assert_eq!(line["operation"], "FilmTitle");
    assert_eq!(line["kind"], "query");
    assert_eq!(line["errors"], "");
    assert!(line["duration_ms"].as_f64().unwrap() > 0.0, "{line}");
    assert_eq!(line["level"], "INFO");
    assert_eq!(
        line["span"]["id"], "obs-req-42",
        "the request's span carries its id: {line}"
    );
    assert!(
        line.get("query").is_none(),
        "fast operations do not log their query"
    );
}

/// A starting server answers its probes 503 without paging anyone: no
/// warning, no error; and a request writes one line.
#[tokio::test]
async fn probes_of_a_starting_server_are_not_errors() {
    let app = TestApp::sqlite().await;
    app.state
        .ready
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let probe = Request::get("/readyz")
        .header("x-request-id", "obs-probe-1")
        .body(Body::empty())
        .unwrap();
    let (lines, (status, _, _)) = logs_of("obs-probe-1", app.send_raw(probe)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        lines
            .iter()
            .all(|line| line["level"] != "ERROR" && line["level"] != "WARN"),
        "{lines:?}"
    );
    app.state
        .ready
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let query = "query FilmTitle { film(by: { slug: \"leaving-las-vegas\" }) { title } }";
    let (lines, _) = logs_of(
        "obs-req-7",
        app.send_raw(graphql_request("obs-req-7", query, json!({}))),
    )
    .await;
    assert_eq!(lines.len(), 1, "one line per request: {lines:?}");
}

#[tokio::test]
async fn slow_operations_are_warnings_with_their_query_and_no_secrets() {
    let app = TestApp::with_config(false, |config| {
        config.slow_operation = std::time::Duration::ZERO;
    })
    .await;
    let query = "query Slow { search(query: \"leaving las\") { edges { score } } }";
    let (lines, _) = logs_of(
        "obs-req-1",
        app.send_raw(graphql_request("obs-req-1", query, json!({}))),
    )
    .await;
    let slow = lines
        .iter()
        .find(|line| line["message"] == "slow graphql operation")
        .unwrap_or_else(|| panic!("no slow-operation line in {lines:?}"));
    assert_eq!(slow["level"], "WARN");
    assert_eq!(slow["operation"], "Slow");
    assert_eq!(slow["query"], query, "queries are logged as sent");

    let sign_up = "mutation SignUp { signUp(input: { username: \"logged_user\", password: \"never in a log\" }) { token } }";
    let (lines, (status, _, _)) = logs_of(
        "obs-req-2",
        app.send_raw(graphql_request("obs-req-2", sign_up, json!({}))),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let slow = lines
        .iter()
        .find(|line| line["message"] == "slow graphql operation")
        .unwrap_or_else(|| panic!("no slow-operation line in {lines:?}"));
    assert_eq!(slow["kind"], "mutation");
    let logged = slow["query"].as_str().unwrap();
    assert!(
        logged.contains("signUp(input: { username: \"***\", password: \"***\" })"),
        "{logged}"
    );
    let everything = serde_json::to_string(&lines).unwrap();
    assert!(
        !everything.contains("never in a log"),
        "a password reached the logs: {everything}"
    );
}

//! With the `otel` feature, request spans reach an OpenTelemetry collector
//! over OTLP/HTTP. The collector here is a small server that keeps what it is
//! sent. (Its own test binary: the tracing subscriber is global.)
//!
//!     cargo test --features otel --test otel

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::Request;
use axum::routing::post;
use cinegraph::Config;
use tower::ServiceExt;

#[test]
fn request_spans_reach_the_collector() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let received: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    let collector = {
        let received = received.clone();
        Router::new().route(
            "/v1/traces",
            post(move |body: Bytes| async move {
                received.lock().unwrap().push(body);
                ""
            }),
        )
    };
    let address = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, collector).await });
        address
    });

    // Outside the runtime, as `main` does it.
    let guard = cinegraph::telemetry::init(Some(&format!("http://{address}/v1/traces"))).unwrap();
    let status = runtime.block_on(async {
        let state = cinegraph::server::start(&Config::for_tests("sqlite::memory:"))
            .await
            .unwrap();
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("x-request-id", "otel-test-request")
            .body(Body::from(r#"{"query":"query Traced { __typename }"}"#))
            .unwrap();
        cinegraph::server::router(state)
            .oneshot(request)
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success());
    // Dropping the guard flushes the batch to the collector.
    drop(guard);

    let bodies = received.lock().unwrap();
    let all: Vec<u8> = bodies.iter().flat_map(|b| b.to_vec()).collect();
    let contains = |needle: &str| all.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(!bodies.is_empty(), "the collector received nothing");
    assert!(contains("cinegraph"), "the service name is in the export");
    assert!(
        contains("otel-test-request"),
        "the request span with its id is in the export"
    );
}

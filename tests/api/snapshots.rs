//! Whole answers, byte for byte: every playground example and every query of
//! the benchmarks (`bench/queries`), on both databases, and in CI with the
//! response cache on and off. Both databases share one snapshot per answer,
//! so they must answer alike to the byte.
//!
//! These pin what a refactor must not change. A deliberate change is
//! recorded with `INSTA_UPDATE=always cargo test --test api snapshots` (or
//! `cargo insta review`) and shows in the diff of `tests/api/snapshots/`.
//! Only what differs on every run is masked: tokens and timestamps.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

/// The benchmarks' cinegraph queries besides the film page (B1, an example).
const BENCH_QUERIES: [&str; 6] = ["b2", "b3", "b4", "b6", "b7", "b8"];

/// Values that differ on every run.
const MASKED: &str = r#""(token|expiresAt|createdAt|updatedAt|addedAt|lastUsedAt|at)":"[^"]*""#;
/// Trending scores decay by the second: a score with six or more decimals
/// is masked (a rating's 9.0 or a search score's 9.047 stay).
const DECAYED: &str = r#""score":\d+\.\d{6,}"#;

async fn every_answer_is_the_same_to_the_byte(app: TestApp) {
    let token = app.sign_up("snapshot_tester").await;
    let film_id = app.film_id("leaving-las-vegas").await;
    let mut answers = Vec::new();
    // In the order of the playground's picker: reads, then the writes, which
    // change what later examples answer.
    for (name, document) in cinegraph::http::EXAMPLES {
        // The film's version now, as the editing examples tell a developer to send.
        let version = "query($id: ID!) { node(id: $id) { ... on Film { version } } }";
        let version = app.data(version, json!({ "id": film_id })).await["node"]["version"].clone();
        let variables = json!({ "filmId": film_id, "version": version });
        let answer = if crate::playground::is_subscription(document) {
            first_event(&app, document, &variables, &token).await
        } else {
            raw_answer(&app, &token, document, &variables).await
        };
        answers.push((format!("playground-{name}"), answer));
    }
    for name in BENCH_QUERIES {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("bench/queries")
            .join(format!("{name}.cinegraph.graphql"));
        let document = std::fs::read_to_string(&path).unwrap();
        answers.push((
            format!("bench-{name}"),
            raw_answer(&app, &token, &document, &json!({})).await,
        ));
    }
    let filters = vec![
        (MASKED, r#""$1":"[masked]""#),
        (DECAYED, r#""score":"[masked]""#),
    ];
    insta::with_settings!({ filters => filters }, {
        for (name, answer) in answers {
            insta::assert_snapshot!(name, answer);
        }
    });
}

/// Cursors are signed; one fixed secret makes them the same on every run.
fn fixed_cursor_secret(config: &mut cinegraph::Config) {
    config.cursor_secrets = vec!["snapshots".to_string()];
}

on_both_databases!(configured(fixed_cursor_secret): every_answer_is_the_same_to_the_byte);

/// The body of a POST as `token`, exactly as sent.
async fn raw_answer(app: &TestApp, token: &str, document: &str, variables: &Value) -> String {
    let body = json!({ "query": document, "variables": variables }).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let (status, _, bytes) = app.send_raw(request).await;
    assert_eq!(status, StatusCode::OK);
    String::from_utf8(bytes).unwrap()
}

/// The first message of a subscription over the WebSocket endpoint, as
/// sent, signed in as `token`. One that waits for a change
/// (`libraryChanged`) gets one: the film is made a favourite once the
/// subscription is registered (an operation after it on the socket answered).
async fn first_event(app: &TestApp, document: &str, variables: &Value, token: &str) -> String {
    use crate::subscriptions::{connect, next_text, send};
    let address = app.serve().await;
    let init = json!({ "Authorization": format!("Bearer {token}") });
    let mut socket = connect(address, "graphql-transport-ws", init).await;
    let ack = next_text(&mut socket).await;
    assert!(ack.contains("connection_ack"), "{ack}");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": document, "variables": variables } });
    send(&mut socket, subscribe).await;
    if document.contains("libraryChanged") {
        let probe =
            json!({ "id": "2", "type": "subscribe", "payload": { "query": "{ __typename }" } });
        send(&mut socket, probe).await;
        while !next_text(&mut socket).await.contains(r#""id":"2""#) {}
        let favorite = "mutation($f: ID!) { setFavorite(filmId: $f, favorite: true) { changed } }";
        app.data_as(token, favorite, json!({ "f": variables["filmId"] }))
            .await;
    }
    loop {
        let message = next_text(&mut socket).await;
        if message.contains(r#""id":"1""#) {
            return message;
        }
    }
}

//! One request pipeline for every transport: the same operation answers the
//! same `data` and the same `errors` (messages, codes, paths, locations, in
//! order) over POST, GET and a WebSocket, in both socket protocols.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fragment_bomb, on_both_databases};
use crate::subscriptions::{connect, next, send};

/// Operations that fail in every way a request can, and two that succeed.
fn operations() -> Vec<(&'static str, String, Value)> {
    let complex = "{ films(first: 100) { edges { node { credits(first: 100) { edges { node { credits(first: 100) { edges { node { title } } } } } } } } } }";
    vec![
        ("parse error", "{ film(".into(), json!({})),
        ("unknown field", "{ nosuchfield }".into(), json!({})),
        ("too complex", complex.into(), json!({})),
        ("fragment bomb", fragment_bomb(), json!({})),
        (
            "nested too deep",
            format!("{{ film(by: {{ slug: {}\"x\"{} }}) {{ id }} }}", "[".repeat(100), "]".repeat(100)),
            json!({}),
        ),
        ("page too large", "{ films(first: 101) { totalCount } }".into(), json!({})),
        ("not an id", r#"{ node(id: "nope") { id } }"#.into(), json!({})),
        (
            "missing variable",
            "query($id: ID!) { node(id: $id) { id } }".into(),
            json!({}),
        ),
        (
            "partly failing",
            r#"{ a: film(by: { slug: "leaving-las-vegas" }) { title releaseYear } b: node(id: "x") { id } }"#.into(),
            json!({}),
        ),
        (
            "with variables",
            "query($s: String!) { film(by: { slug: $s }) { title directors { name } } }".into(),
            json!({ "s": "leaving-las-vegas" }),
        ),
        ("signed out", "{ me { username } }".into(), json!({})),
    ]
}

async fn the_same_operation_answers_alike_over_http_and_websocket(app: TestApp) {
    let address = app.serve().await;
    let mut modern = connect(address, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut modern).await.unwrap()["type"], "connection_ack");
    let mut legacy = connect(address, "graphql-ws", json!({})).await;
    assert_eq!(next(&mut legacy).await.unwrap()["type"], "connection_ack");
    let mut failures = 0;
    for (n, (what, query, variables)) in operations().into_iter().enumerate() {
        let (_, over_post) = app.post(&query, variables.clone()).await;
        let over_get = get(&app, &query, &variables).await;
        let id = n.to_string();
        let payload = json!({ "query": query, "variables": variables });
        send(
            &mut modern,
            json!({ "id": id, "type": "subscribe", "payload": payload }),
        )
        .await;
        let over_modern = answer(&mut modern, &id).await;
        send(
            &mut legacy,
            json!({ "id": id, "type": "start", "payload": payload }),
        )
        .await;
        let over_legacy = answer(&mut legacy, &id).await;
        for (transport, answer) in [
            ("GET", &over_get),
            ("graphql-transport-ws", &over_modern),
            ("graphql-ws", &over_legacy),
        ] {
            assert_eq!(
                (data(answer), &answer["errors"]),
                (data(&over_post), &over_post["errors"]),
                "{what}: {transport} differs from POST"
            );
        }
        if over_post["errors"].is_array() {
            failures += 1;
            let codes: Vec<&Value> = over_post["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["extensions"]["code"])
                .collect();
            assert!(
                codes.iter().all(|c| c.is_string()),
                "{what}: every error has a code: {over_post}"
            );
            // Positions count from 1; an error about the whole request has none.
            let made_up = over_post["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["locations"].as_array())
                .flatten()
                .any(|at| at["line"].as_u64() < Some(1) || at["column"].as_u64() < Some(1));
            assert!(!made_up, "{what}: no line 0 or column 0: {over_post}");
        }
    }
    assert_eq!(failures, 9, "each failing operation failed");
}

on_both_databases!(the_same_operation_answers_alike_over_http_and_websocket);

/// The answer of a GET with the query and variables in the URL.
async fn get(app: &TestApp, query: &str, variables: &Value) -> Value {
    let uri = format!(
        "/graphql?{}",
        serde_urlencoded::to_string([("query", query), ("variables", &variables.to_string())])
            .unwrap()
    );
    let (_, body) = app
        .send(Request::get(uri).body(Body::empty()).unwrap())
        .await;
    body
}

/// The payload of the answer to operation `id`, skipping its `complete`.
async fn answer(socket: &mut crate::subscriptions::Socket, id: &str) -> Value {
    loop {
        let message = next(socket).await.expect("the server closed the socket");
        if message["id"] == id && message["type"] != "complete" {
            return message["payload"].clone();
        }
    }
}

/// An answer's `data`, null when it has none.
fn data(answer: &Value) -> &Value {
    answer.get("data").unwrap_or(&Value::Null)
}

//! graphql-transport-ws to the letter: each broken rule closes the socket
//! with the code the protocol gives it, and an operation on something that
//! does not exist fails with NOT_FOUND like over HTTP.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;
use crate::subscriptions::{Socket, connect, next, open, send};

const MODERN: &str = "graphql-transport-ws";

fn subscribe(id: &str, film: &Value) -> Value {
    json!({
        "id": id,
        "type": "subscribe",
        "payload": {
            "query": "subscription($f: ID!) { filmRatingChanged(filmId: $f) { count } }",
            "variables": { "f": film },
        },
    })
}

/// The code and reason the server closed the socket with, skipping any
/// other message before it.
async fn closed_with(socket: &mut Socket) -> (u16, String) {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed within 10 s")
            .expect("a close frame before the end of the stream")
            .expect("a readable message");
        if let Message::Close(frame) = message {
            let frame = frame.expect("a close frame with a code");
            return (frame.code.into(), frame.reason.to_string());
        }
    }
}

/// A socket whose `connection_init` the server acknowledged.
async fn acknowledged(address: std::net::SocketAddr) -> Socket {
    let mut socket = connect(address, MODERN, json!({})).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    socket
}

async fn broken_rules_close_with_the_protocols_codes(app: TestApp) {
    let address = app.serve().await;
    let film = json!(app.film_id("leaving-las-vegas").await);

    let mut early = open(address, MODERN).await;
    send(&mut early, subscribe("1", &film)).await;
    assert_eq!(
        closed_with(&mut early).await.0,
        4401,
        "subscribe before init"
    );

    let mut twice = acknowledged(address).await;
    send(&mut twice, json!({ "type": "connection_init" })).await;
    assert_eq!(closed_with(&mut twice).await.0, 4429, "a second init");

    let mut garbled = acknowledged(address).await;
    send(&mut garbled, json!("not a message")).await;
    assert_eq!(closed_with(&mut garbled).await.0, 4400, "not an object");
    let mut unknown = acknowledged(address).await;
    send(&mut unknown, json!({ "type": "next", "id": "1" })).await;
    assert_eq!(closed_with(&mut unknown).await.0, 4400, "a server's type");

    let mut stranger = connect(
        address,
        MODERN,
        json!({ "Authorization": "Bearer not-a-session" }),
    )
    .await;
    assert_eq!(closed_with(&mut stranger).await.0, 4403, "a refused token");

    let mut reused = acknowledged(address).await;
    send(&mut reused, subscribe("1", &film)).await;
    assert_eq!(next(&mut reused).await.unwrap()["type"], "next");
    send(&mut reused, json!({ "id": "1", "type": "complete" })).await;
    send(&mut reused, subscribe("1", &film)).await;
    let again = next(&mut reused).await.unwrap();
    assert_eq!(
        (&again["type"], &again["id"]),
        (&json!("next"), &json!("1")),
        "an id is free once its operation completed: {again}"
    );
    send(&mut reused, subscribe("1", &film)).await;
    let (code, reason) = closed_with(&mut reused).await;
    assert_eq!(code, 4409, "an id still running");
    assert_eq!(reason, "Subscriber for 1 already exists");
}

async fn a_film_that_does_not_exist_is_not_found(app: TestApp) {
    let address = app.serve().await;
    let mut socket = acknowledged(address).await;
    let missing = json!(base64_id("Film:999999"));
    send(&mut socket, subscribe("gone", &missing)).await;
    let answer = next(&mut socket).await.unwrap();
    assert_eq!(answer["id"], "gone");
    let errors = if answer["type"] == "error" {
        answer["payload"].clone()
    } else {
        answer["payload"]["errors"].clone()
    };
    assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND", "{answer}");
}

on_both_databases!(
    broken_rules_close_with_the_protocols_codes,
    a_film_that_does_not_exist_is_not_found
);

#[tokio::test]
async fn a_client_that_never_initialises_is_closed_with_4408() {
    let app = TestApp::with_config(false, |config| {
        config.websocket_init_timeout = Duration::from_millis(50);
    })
    .await;
    let address = app.serve().await;
    let mut prompt = acknowledged(address).await;
    let mut silent = open(address, MODERN).await;
    assert_eq!(closed_with(&mut silent).await.0, 4408);
    // The silent socket opened after the prompt one, so the prompt one's
    // deadline has passed too: having initialised, it is still open.
    send(&mut prompt, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut prompt).await.unwrap()["type"], "pong");
}

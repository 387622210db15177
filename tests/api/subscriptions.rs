//! Live rating summaries over WebSocket, in both protocols, and across two
//! servers on one PostgreSQL database (LISTEN/NOTIFY).

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tower::ServiceExt;

use crate::helpers::{TestApp, fragment_bomb};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const SUBSCRIPTION: &str =
    "subscription($f: ID!) { filmRatingChanged(filmId: $f) { count average } }";

/// A socket speaking `protocol` that has sent `connection_init` with `init`.
pub async fn connect(address: std::net::SocketAddr, protocol: &str, init: Value) -> Socket {
    let mut socket = open(address, protocol).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": init }),
    )
    .await;
    socket
}

/// A socket speaking `protocol`, before any message.
pub async fn open(address: std::net::SocketAddr, protocol: &str) -> Socket {
    let mut request = format!("ws://{address}/graphql/ws")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().unwrap());
    // As browsers do: the upgrade must not come back compressed (Chromium
    // refuses a 101 with a Content-Encoding).
    request.headers_mut().insert(
        "accept-encoding",
        "gzip, deflate, br, zstd".parse().unwrap(),
    );
    let (socket, upgrade) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    assert!(
        upgrade.headers().get("content-encoding").is_none(),
        "{:?}",
        upgrade.headers()
    );
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next protocol message, skipping keep-alives; None when the server closed.
pub async fn next(socket: &mut Socket) -> Option<Value> {
    let text = next_message(socket).await?;
    Some(serde_json::from_str(&text).unwrap())
}

/// The text of the next protocol message as sent, skipping keep-alives.
pub async fn next_text(socket: &mut Socket) -> String {
    next_message(socket)
        .await
        .expect("the server closed the socket")
}

async fn next_message(socket: &mut Socket) -> Option<String> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")?;
        match message.ok()? {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] != "ka" && value["type"] != "ping" {
                    return Some(text.to_string());
                }
            }
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// The next answer (data or errors) to operation `id`, skipping messages of
/// other operations (pushes to a live subscription, an earlier `complete`).
async fn answer(socket: &mut Socket, id: &str) -> Value {
    loop {
        let message = next(socket).await.expect("the server closed the socket");
        if message["id"] == id && message["type"] != "complete" {
            return message;
        }
    }
}

async fn rate(router: &axum::Router, token: &str, film: &Value, score: i64) {
    let body = json!({
        "query": "mutation($i: RateFilmInput!) { rateFilm(input: $i) { rating { score } } }",
        "variables": { "i": { "filmId": film, "score": score } },
    });
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(answer.get("errors").is_none(), "{answer}");
}

/// Subscribes on `listen_on` and rates through `write_through`; both protocols.
async fn summaries_arrive_after_each_change(app: &TestApp, write_through: &axum::Router) {
    let address = app.serve().await;
    let film = app.film_id("leaving-las-vegas").await;
    let token = app.sign_up("sera").await;
    let variables = json!({ "f": film });

    // graphql-transport-ws, with the token in connection_init.
    let mut modern = connect(
        address,
        "graphql-transport-ws",
        json!({ "Authorization": format!("Bearer {token}") }),
    )
    .await;
    assert_eq!(next(&mut modern).await.unwrap()["type"], "connection_ack");
    send(&mut modern, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIPTION, "variables": variables } })).await;
    let first = next(&mut modern).await.unwrap();
    assert_eq!(first["type"], "next");
    assert_eq!(first["payload"]["data"]["filmRatingChanged"]["count"], 0);

    // The older graphql-ws protocol.
    let mut legacy = connect(address, "graphql-ws", json!({})).await;
    assert_eq!(next(&mut legacy).await.unwrap()["type"], "connection_ack");
    send(&mut legacy, json!({ "id": "1", "type": "start", "payload": { "query": SUBSCRIPTION, "variables": variables } })).await;
    assert_eq!(
        next(&mut legacy).await.unwrap()["payload"]["data"]["filmRatingChanged"]["count"],
        0
    );

    rate(write_through, &token, &film, 8).await;
    let pushed = next(&mut modern).await.unwrap();
    assert_eq!(
        pushed["payload"]["data"]["filmRatingChanged"],
        json!({ "count": 1, "average": 8.0 })
    );
    let pushed = next(&mut legacy).await.unwrap();
    assert_eq!(pushed["type"], "data");
    assert_eq!(
        pushed["payload"]["data"]["filmRatingChanged"],
        json!({ "count": 1, "average": 8.0 })
    );

    rate(write_through, &token, &film, 6).await;
    let pushed = next(&mut modern).await.unwrap();
    assert_eq!(
        pushed["payload"]["data"]["filmRatingChanged"],
        json!({ "count": 1, "average": 6.0 })
    );

    // Mutations do not go over the socket (their rate limits live on POST).
    let mutation =
        r#"mutation($f: ID!) { rateFilm(input: { filmId: $f, score: 3 }) { rating { score } } }"#;
    send(&mut modern, json!({ "id": "2", "type": "subscribe", "payload": { "query": mutation, "variables": variables } })).await;
    let refused_mutation = next(&mut modern).await.unwrap();
    assert_eq!(
        refused_mutation["payload"]["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED",
        "{refused_mutation}"
    );

    // The query limits hold over the socket too: a query too complex to run,
    // and a fragment bomb (2^30 fields once expanded, about 1 KB of text),
    // are refused with their codes, in both protocols.
    let complex = "{ films(first: 100) { edges { node { credits(first: 100) { edges { node { credits(first: 100) { edges { node { title } } } } } } } } } }".to_string();
    let bomb = fragment_bomb();
    for (id, query) in [("3", &complex), ("4", &bomb)] {
        for (socket, start) in [(&mut modern, "subscribe"), (&mut legacy, "start")] {
            send(
                socket,
                json!({ "id": id, "type": start, "payload": { "query": query } }),
            )
            .await;
            let refused = answer(socket, id).await;
            assert_eq!(
                refused["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
                "{refused}"
            );
        }
    }
    // A query within the limits still runs over the socket.
    send(&mut modern, json!({ "id": "5", "type": "subscribe", "payload": { "query": "{ film(by: { slug: \"leaving-las-vegas\" }) { title } }" } })).await;
    let answered = answer(&mut modern, "5").await;
    assert_eq!(
        answered["payload"]["data"]["film"]["title"], "Leaving Las Vegas",
        "{answered}"
    );

    // A bad token in connection_init is refused.
    let mut refused = connect(
        address,
        "graphql-transport-ws",
        json!({ "Authorization": "Bearer forged" }),
    )
    .await;
    assert_ne!(
        next(&mut refused).await.map(|m| m["type"].clone()),
        Some(json!("connection_ack"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_summaries_are_pushed_over_websocket_on_sqlite() {
    let app = TestApp::sqlite_file().await;
    let router = app.router.clone();
    summaries_arrive_after_each_change(&app, &router).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn rating_summaries_are_pushed_across_servers_on_postgres() {
    let app = TestApp::postgres().await;
    // Subscribe on the first server, rate on a second one: LISTEN/NOTIFY carries it.
    let other = app.second_server().await;
    app.settle().await;
    summaries_arrive_after_each_change(&app, &other.router).await;
}

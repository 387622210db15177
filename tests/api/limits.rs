//! Abuse limits: sign-in attempts per client and per client and username
//! (nobody's failures lock the owner out), the client named by
//! X-Forwarded-For only behind a trusted proxy, mutations per client and per
//! user; every limited answer says when to come back in `Retry-After`.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

const SIGN_IN: &str = "mutation($i: Credentials!) { signIn(input: $i) { token } }";
const PROXY: &str = "10.0.0.2";

/// A request as it arrives over TCP from `peer`, forwarded for `client`.
fn request(
    peer: &str,
    client: Option<&str>,
    media: &str,
    query: &str,
    variables: Value,
) -> Request<Body> {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, media);
    if let Some(client) = client {
        request = request.header("x-forwarded-for", client);
    }
    let mut request = request
        .body(Body::from(
            json!({ "query": query, "variables": variables }).to_string(),
        ))
        .unwrap();
    let peer = SocketAddr::new(peer.parse().unwrap(), 40_000);
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

/// Signs in as ben from `client` (through the trusted proxy); the status,
/// `Retry-After` and the first error's code ("" when it succeeded).
async fn sign_in(app: &TestApp, client: &str, password: &str) -> (StatusCode, Option<u64>, String) {
    let variables = json!({ "i": { "username": "ben", "password": password } });
    let sent = request(PROXY, Some(client), "application/json", SIGN_IN, variables);
    answer(app, sent).await
}

async fn answer(app: &TestApp, request: Request<Body>) -> (StatusCode, Option<u64>, String) {
    let (status, headers, body) = app.send_raw(request).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .map(|value| value.to_str().unwrap().parse().unwrap());
    let code = body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("");
    if let Some(seconds) = retry_after {
        assert_eq!(
            body["errors"][0]["extensions"]["retryAfterSeconds"], seconds,
            "the header and the error agree: {body}"
        );
        assert!((1..=60).contains(&seconds));
    }
    (status, retry_after, code.to_string())
}

async fn an_attacker_does_not_lock_the_owner_out(app: TestApp) {
    app.sign_up("ben").await;
    let attacker = "203.0.113.66";
    for _ in 0..3 {
        let (_, _, code) = sign_in(&app, attacker, "wrong-horse-battery").await;
        assert_eq!(code, "UNAUTHENTICATED");
    }
    let (status, retry_after, code) = sign_in(&app, attacker, "wrong-horse-battery").await;
    assert_eq!(code, "RATE_LIMITED");
    assert_eq!(
        status,
        StatusCode::OK,
        "decided while executing: a field error"
    );
    assert!(
        retry_after.is_some(),
        "but the header says when to come back"
    );
    let (_, _, code) = sign_in(&app, attacker, "correct-horse-battery").await;
    assert_eq!(
        code, "RATE_LIMITED",
        "the attacker's client waits, right or wrong"
    );

    let (_, retry_after, code) = sign_in(&app, "198.51.100.7", "correct-horse-battery").await;
    assert_eq!(
        (code.as_str(), retry_after),
        ("", None),
        "Ben himself signs in"
    );
}

async fn forwarded_for_counts_only_from_trusted_proxies(app: TestApp) {
    app.sign_up("ben").await;
    let variables = json!({ "i": { "username": "ben", "password": "wrong-horse-battery" } });
    let mut codes = Vec::new();
    for n in 0..4 {
        // A client that writes a new X-Forwarded-For each time is still itself.
        let forged = format!("198.51.100.{n}");
        let sent = request(
            "192.0.2.1",
            Some(&forged),
            "application/json",
            SIGN_IN,
            variables.clone(),
        );
        codes.push(answer(&app, sent).await.2);
    }
    assert_eq!(
        codes,
        [
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "RATE_LIMITED"
        ]
    );
}

async fn a_mutation_over_the_limit_is_429_with_retry_after(app: TestApp) {
    let client = "203.0.113.5";
    for n in 0..5 {
        let sent = request(
            PROXY,
            Some(client),
            "application/json",
            "mutation { signOut }",
            json!({}),
        );
        let (status, _, code) = answer(&app, sent).await;
        assert_ne!(code, "RATE_LIMITED", "attempt {n} is within the limit");
        assert_eq!(status, StatusCode::OK);
    }
    for media in ["application/json", "application/graphql-response+json"] {
        let sent = request(
            PROXY,
            Some(client),
            media,
            "mutation { signOut }",
            json!({}),
        );
        let (status, retry_after, code) = answer(&app, sent).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED"),
            "refused before execution, as {media}"
        );
        assert!(retry_after.is_some());
    }
    // Another client, and reads, are not limited.
    let sent = request(
        PROXY,
        Some("203.0.113.6"),
        "application/json",
        "mutation { signOut }",
        json!({}),
    );
    assert_ne!(answer(&app, sent).await.2, "RATE_LIMITED");
    let data = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["film"]["title"], "Leaving Las Vegas");
}

fn limited(config: &mut cinegraph::Config) {
    config.sign_in_per_minute = 3;
    config.mutations_per_minute = 5;
    config.trusted_proxies = vec![PROXY.parse::<std::net::IpAddr>().unwrap().into()];
}

on_both_databases!(configured(limited):
    an_attacker_does_not_lock_the_owner_out,
    forwarded_for_counts_only_from_trusted_proxies,
    a_mutation_over_the_limit_is_429_with_retry_after
);

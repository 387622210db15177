//! Rate limits shared through Redis (`REDIS_URL`): two servers together
//! allow a limit once, not once each. Without Redis each server counts its
//! own (the control that shows the shared test can fail).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use serde_json::{Value, json};

use crate::helpers::TestApp;

const SIGN_IN: &str = "mutation($i: Credentials!) { signIn(input: $i) { token } }";
const LIMIT: u32 = 3;

/// A username no other run uses, so runs sharing one Redis count apart.
fn fresh_username() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("shared-{}-{nanos}", std::process::id())
}

/// The first error's code of a sign-in as `username` from one client address.
async fn sign_in(app: &TestApp, username: &str) -> String {
    let body = json!({ "query": SIGN_IN, "variables": { "i": { "username": username, "password": "wrong-horse-battery" } } });
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let peer = SocketAddr::new("192.0.2.7".parse().unwrap(), 40_000);
    request.extensions_mut().insert(ConnectInfo(peer));
    let (_, _, body) = app.send_raw(request).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Signs in `LIMIT + 1` times, alternating between the two servers; the codes.
async fn alternate(first: &TestApp, second: &TestApp) -> Vec<String> {
    let username = fresh_username();
    let mut codes = Vec::new();
    for attempt in 0..=LIMIT {
        let app = if attempt % 2 == 0 { first } else { second };
        codes.push(sign_in(app, &username).await);
    }
    codes
}

async fn servers(postgres: bool, redis: Option<String>) -> (TestApp, TestApp) {
    let configure = |config: &mut cinegraph::Config| {
        config.sign_in_per_minute = LIMIT;
        config.redis_url = redis.clone();
    };
    (
        TestApp::with_config(postgres, configure).await,
        TestApp::with_config(postgres, configure).await,
    )
}

async fn two_servers_allow_the_limit_once(postgres: bool) {
    let redis = std::env::var("TEST_REDIS_URL").expect("TEST_REDIS_URL=redis://...");
    let (first, second) = servers(postgres, Some(redis)).await;
    let codes = alternate(&first, &second).await;
    let within = vec!["UNAUTHENTICATED".to_string(); LIMIT as usize];
    assert_eq!(codes[..LIMIT as usize], within[..], "{codes:?}");
    assert_eq!(codes[LIMIT as usize], "RATE_LIMITED", "{codes:?}");
}

/// Without Redis each server has the whole allowance.
async fn without_redis_each_server_counts_its_own(postgres: bool) {
    let (first, second) = servers(postgres, None).await;
    let codes = alternate(&first, &second).await;
    assert!(
        codes.iter().all(|code| code == "UNAUTHENTICATED"),
        "{codes:?}"
    );
}

/// Redis that does not answer: each server counts its own, nothing fails.
async fn an_unreachable_redis_falls_back_to_counting_here(postgres: bool) {
    let (first, _second) = servers(postgres, Some("redis://127.0.0.1:1".into())).await;
    let username = fresh_username();
    let mut codes = Vec::new();
    for _ in 0..=LIMIT {
        codes.push(sign_in(&first, &username).await);
    }
    assert_eq!(codes[LIMIT as usize], "RATE_LIMITED", "{codes:?}");
    assert!(
        codes[..LIMIT as usize]
            .iter()
            .all(|code| code == "UNAUTHENTICATED"),
        "{codes:?}"
    );
}

#[tokio::test]
#[cfg_attr(
    not(redis_tests),
    ignore = "Redis: set TEST_REDIS_URL=redis://... to run it"
)]
async fn two_servers_allow_the_limit_once_sqlite() {
    two_servers_allow_the_limit_once(false).await;
}

#[tokio::test]
#[cfg_attr(
    not(all(redis_tests, postgres_tests)),
    ignore = "Redis and PostgreSQL: set TEST_REDIS_URL and TEST_DATABASE_URL to run it"
)]
async fn two_servers_allow_the_limit_once_postgres() {
    two_servers_allow_the_limit_once(true).await;
}

#[tokio::test]
async fn without_redis_each_server_counts_its_own_sqlite() {
    without_redis_each_server_counts_its_own(false).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn without_redis_each_server_counts_its_own_postgres() {
    without_redis_each_server_counts_its_own(true).await;
}

#[tokio::test]
async fn an_unreachable_redis_falls_back_to_counting_here_sqlite() {
    an_unreachable_redis_falls_back_to_counting_here(false).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn an_unreachable_redis_falls_back_to_counting_here_postgres() {
    an_unreachable_redis_falls_back_to_counting_here(true).await;
}

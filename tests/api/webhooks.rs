//! Webhooks (issue 23, part 4): admins point URLs at the changes feed; each
//! change reaches a real local receiver signed with HMAC-SHA256, is tried
//! again when the receiver fails, and survives a `kill -9` of the server in
//! the middle of its delivery (the restarted server sends it again, with
//! the same delivery id).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use cinegraph::domain::roles::{self, Role};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::faults::{Scratch, Server, reqwest_lite_with};
use crate::helpers::{PostgresDatabase, TestApp, on_both_databases, postgres_admin_url};

const CREATE_WEBHOOK: &str =
    "mutation($url: String!, $events: [ContentChangeKind!], $secret: String!) {
    createWebhook(url: $url, events: $events, secret: $secret) { webhook { id url events } } }";
const DELIVERIES: &str = "{ webhooks { id deliveries(first: 10) { nodes {
    id event sequence status attempts responseStatus lastError } } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $film: FilmChangesInput!) {
    updateFilm(id: $id, expectedVersion: $v, film: $film) { version } }";
const SECRET: &str = "a-secret-of-some-length";

/// One POST a receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: String,
}

/// A webhook receiver on 127.0.0.1: records every POST and answers each
/// with the next of `answers` (200 once they run out); an answer of `None`
/// never comes (the request hangs).
async fn receiver(answers: Vec<Option<u16>>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (log, answers) = (log.clone(), answers.clone());
            async move {
                log.lock().unwrap().push(Received { headers, body });
                let answer = answers.lock().unwrap().next();
                match answer {
                    Some(None) => std::future::pending::<StatusCode>().await,
                    Some(Some(code)) => StatusCode::from_u16(code).unwrap(),
                    None => StatusCode::OK,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/hook"), received)
}

/// Waits (at most 30 s) until the receiver has `count` requests.
async fn wait_for_requests(received: &Mutex<Vec<Received>>, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = received.lock().unwrap().clone();
        if now.len() >= count {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} requests: {now:?}",
            now.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Checks a request's `Cinegraph-Signature` as a receiver would.
fn verify(request: &Received, secret: &str) {
    let header = request.headers["cinegraph-signature"].to_str().unwrap();
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("{header}"));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", request.body).as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap())
        .unwrap_or_else(|_| panic!("a bad signature: {header}"));
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "signed {age} s ago");
}

async fn admin(app: &TestApp) -> String {
    let token = app.sign_up("ada").await;
    roles::grant(&app.db, "ada", Role::Admin).await.unwrap();
    token
}

/// Only admins create webhooks; a URL that is not http(s), or that points
/// at this machine or a private network, and a short secret are refused;
/// the secret is never shown.
async fn admins_create_webhooks_and_bad_ones_are_refused(app: TestApp) {
    let ada = admin(&app).await;
    let eddie = app.sign_up("eddie").await;
    roles::grant(&app.db, "eddie", Role::Editor).await.unwrap();
    let hook = |url: &str, secret: &str| json!({ "url": url, "secret": secret });
    let public = "http://93.184.216.34/hook";
    assert_eq!(
        app.error_code_as(Some(&eddie), CREATE_WEBHOOK, hook(public, SECRET))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code_as(None, CREATE_WEBHOOK, hook(public, SECRET))
            .await,
        "UNAUTHENTICATED"
    );
    for (url, secret, path) in [
        ("ftp://93.184.216.34/hook", SECRET, "url"),
        ("http://127.0.0.1:8000/hook", SECRET, "url"),
        ("http://localhost/hook", SECRET, "url"),
        ("http://169.254.169.254/latest/meta-data", SECRET, "url"),
        ("http://10.0.0.1/hook", SECRET, "url"),
        ("http://[::1]/hook", SECRET, "url"),
        ("http://user:pw@93.184.216.34/hook", SECRET, "url"),
        (public, "short", "secret"),
    ] {
        let (_, answer) = app
            .post_as(Some(&ada), CREATE_WEBHOOK, hook(url, secret))
            .await;
        let error = &answer["errors"][0]["extensions"];
        assert_eq!(error["code"], "BAD_USER_INPUT", "{url}: {answer}");
        assert_eq!(error["path"], path, "{url}: {answer}");
    }
    assert_eq!(app.count_rows("webhook").await, 0);

    let vars = json!({ "url": public, "secret": SECRET, "events": ["DELETED", "CREATED"] });
    let created = app.data_as(&ada, CREATE_WEBHOOK, vars).await;
    let webhook = &created["createWebhook"]["webhook"];
    assert_eq!(webhook["url"], public);
    assert_eq!(webhook["events"], json!(["CREATED", "DELETED"]));
    assert!(!created.to_string().contains(SECRET));
    // There is no field to read it back by.
    let (_, asked) = app
        .post_as(Some(&ada), "{ webhooks { secret } }", json!({}))
        .await;
    assert!(asked["errors"].is_array() && !asked.to_string().contains(SECRET));
    let listed = app.data_as(&ada, DELIVERIES, json!({})).await;
    assert_eq!(listed["webhooks"][0]["id"], webhook["id"]);
    assert_eq!(
        app.error_code_as(Some(&eddie), DELIVERIES, json!({})).await,
        "FORBIDDEN"
    );

    let delete = "mutation($id: ID!) { deleteWebhook(id: $id) { webhookId } }";
    let id = json!({ "id": webhook["id"] });
    app.data_as(&ada, delete, id.clone()).await;
    assert_eq!(app.error_code_as(Some(&ada), delete, id).await, "NOT_FOUND");
    assert_eq!(app.count_rows("webhook").await, 0);
}

/// An editor's change reaches a receiver on this machine (the operator
/// allows it here), signed; a receiver that answers 500 gets the same
/// delivery again; only the kinds asked for are sent.
async fn a_change_reaches_the_receiver_signed_and_retried(app: TestApp) {
    let ada = admin(&app).await;
    let (url, received) = receiver(vec![Some(500)]).await;
    let vars = json!({ "url": url, "secret": SECRET, "events": ["UPDATED"] });
    app.data_as(&ada, CREATE_WEBHOOK, vars).await;

    // A created film is not an UPDATED change: not sent.
    let create =
        "mutation { createFilm(film: { imdbId: \"tt7654321\", title: \"Quiet\" }) { version } }";
    app.data_as(&ada, create, json!({})).await;
    let film = app.film_id("leaving-las-vegas").await;
    let version = app
        .data(
            "{ film(by: { slug: \"leaving-las-vegas\" }) { version } }",
            json!({}),
        )
        .await["film"]["version"]
        .clone();
    let vars = json!({ "id": film, "v": version, "film": { "tagline": "Sent" } });
    app.data_as(&ada, UPDATE, vars).await;

    let requests = wait_for_requests(&received, 2).await;
    assert_eq!(requests.len(), 2, "{requests:?}");
    for request in &requests {
        verify(request, SECRET);
        assert_eq!(request.headers["cinegraph-event"], "FILM.UPDATED");
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["change"]["entityId"], film);
        assert_eq!(body["change"]["kind"], "UPDATED");
    }
    // The same delivery, tried twice.
    assert_eq!(
        requests[0].headers["cinegraph-delivery"],
        requests[1].headers["cinegraph-delivery"]
    );
    let deliveries = loop {
        let data = app.data_as(&ada, DELIVERIES, json!({})).await;
        let nodes = data["webhooks"][0]["deliveries"]["nodes"].clone();
        if nodes[0]["status"] == "DELIVERED" {
            break nodes;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(deliveries.as_array().unwrap().len(), 1, "{deliveries}");
    assert_eq!(deliveries[0]["attempts"], 2);
    assert_eq!(deliveries[0]["responseStatus"], 200);
    assert_eq!(deliveries[0]["event"], "FILM.UPDATED");
    assert_eq!(
        deliveries[0]["id"].as_str().unwrap(),
        requests[0].headers["cinegraph-delivery"].to_str().unwrap()
    );
}

/// Receivers on this machine are allowed (the operator's setting).
fn local_receivers(config: &mut cinegraph::config::Config) {
    config.webhooks.allow_private = true;
    config.webhooks.timeout = Duration::from_secs(5);
}

/// The real server is killed (`kill -9`) while a receiver holds its
/// delivery unanswered; started again, it delivers the change anyway, with
/// the same delivery id (at least once).
async fn a_delivery_survives_kill_9(database_url: &str) {
    let (url, received) = receiver(vec![None]).await;
    let options = ["--webhooks-allow-private", "--webhook-timeout-ms", "1500"];
    let first = Server::start_with(database_url, &options);
    let address = Server::field(
        &first.wait_for("\"address\"", Duration::from_secs(120)),
        "address",
    );
    let call = |address: String, token: Option<String>, query: &str, variables: Value| {
        let body = json!({ "query": query, "variables": variables }).to_string();
        async move {
            let authorization =
                token.map_or(String::new(), |t| format!("authorization: Bearer {t}\r\n"));
            let (status, answer) =
                reqwest_lite_with(&address, "POST", "/graphql", Some(&body), &authorization).await;
            assert_eq!(status, 200, "{answer}");
            let answer: Value = serde_json::from_str(&answer).unwrap();
            assert!(answer["errors"].is_null(), "{answer}");
            answer["data"].clone()
        }
    };
    let sign_up = "mutation { signUp(input: { username: \"ada\", password: \"leaving-las-vegas-1995\" }) { token } }";
    let token = call(address.clone(), None, sign_up, json!({})).await["signUp"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let granted = std::process::Command::new(env!("CARGO_BIN_EXE_cinegraph"))
        .args([
            "users",
            "grant",
            "ada",
            "--role",
            "admin",
            "--database-url",
            database_url,
        ])
        .output()
        .unwrap();
    assert!(granted.status.success(), "{granted:?}");
    let vars = json!({ "url": url, "secret": SECRET });
    call(address.clone(), Some(token.clone()), CREATE_WEBHOOK, vars).await;
    let create =
        "mutation { createFilm(film: { imdbId: \"tt7654321\", title: \"Killed\" }) { version } }";
    call(address.clone(), Some(token.clone()), create, json!({})).await;

    // The receiver holds the first try; the server dies in the middle of it.
    let held = wait_for_requests(&received, 1).await;
    first.signal("KILL");
    drop(first);

    let second = Server::start_with(database_url, &options);
    let address = Server::field(
        &second.wait_for("\"address\"", Duration::from_secs(120)),
        "address",
    );
    let requests = wait_for_requests(&received, 2).await;
    verify(&requests[1], SECRET);
    assert_eq!(
        held[0].headers["cinegraph-delivery"],
        requests[1].headers["cinegraph-delivery"]
    );
    let body: Value = serde_json::from_str(&requests[1].body).unwrap();
    assert_eq!(body["change"]["kind"], "CREATED");
    // Recorded as delivered once its receiver took it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let data = call(address.clone(), Some(token.clone()), DELIVERIES, json!({})).await;
        let delivery = &data["webhooks"][0]["deliveries"]["nodes"][0];
        if delivery["status"] == "DELIVERED" {
            assert_eq!(delivery["responseStatus"], 200);
            break;
        }
        assert!(Instant::now() < deadline, "{data}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.signal("TERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_survives_kill_9_on_sqlite() {
    let scratch = Scratch::new("webhook-kill");
    std::fs::create_dir_all(&scratch.0).unwrap();
    a_delivery_survives_kill_9(&format!(
        "sqlite://{}/db.sqlite?mode=rwc",
        scratch.0.display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn a_delivery_survives_kill_9_on_postgres() {
    let database = PostgresDatabase::create(&postgres_admin_url()).await;
    a_delivery_survives_kill_9(&database.url).await;
}

on_both_databases!(admins_create_webhooks_and_bad_ones_are_refused);
on_both_databases!(configured(local_receivers): a_change_reaches_the_receiver_signed_and_retried);

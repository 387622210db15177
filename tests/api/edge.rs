//! Caching at the edge, in process: anonymous answers fetched by hash over
//! GET say any cache may keep them, with surrogate keys naming every film and
//! person in them; personal ones say `private, no-store`; trusted documents
//! run by hash unregistered, and with `--trusted-documents-only` nothing else
//! runs; writes tell the purge hook what they made stale, retrying.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, on_both_databases, playground};

const LIST: &str = "{ films(first: 2) { edges { node { title } } } }";
const POLICY: &str = "public, max-age=60, s-maxage=600, stale-while-revalidate=30";

fn hash_of(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

/// GET by hash, with extra request headers; status, headers, body.
async fn get_by_hash(
    app: &TestApp,
    hash: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let url = format!(
        "/graphql?{}",
        serde_urlencoded::to_string([("extensions", extensions.to_string())]).unwrap()
    );
    let mut request = Request::get(url);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let (status, headers, body) = app.send_raw(request.body(Body::empty()).unwrap()).await;
    (status, headers, serde_json::from_slice(&body).unwrap())
}

async fn post(app: &TestApp, body: Value) -> Value {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(request).await.1
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).map_or("", |v| v.to_str().unwrap())
}

async fn row_id(app: &TestApp, table: &str, slug: &str) -> i64 {
    let sql = format!("SELECT id FROM {table} WHERE slug = '{slug}'");
    let statement = sea_orm::Statement::from_string(app.connection.get_database_backend(), sql);
    let row = app
        .connection
        .query_one_raw(statement)
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i32>("", "id").unwrap().into()
}

async fn anonymous_answers_by_hash_may_be_cached_anywhere_with_their_keys(app: TestApp) {
    let film = row_id(&app, "film", "leaving-las-vegas").await;
    let cage = row_id(&app, "person", "nicolas-cage").await;
    // The film page is a trusted document: it runs by hash, unregistered.
    let page = hash_of(&playground("film-page.graphql"));
    for _ in 0..2 {
        let (status, headers, body) = get_by_hash(&app, &page, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["film"]["title"], "Leaving Las Vegas");
        assert_eq!(header(&headers, "cache-control"), POLICY);
        assert_eq!(
            header(&headers, "vary"),
            "accept, accept-encoding, accept-language"
        );
        let keys = header(&headers, "surrogate-key");
        let named: Vec<&str> = keys.split(' ').collect();
        assert!(named.contains(&format!("film-{film}").as_str()), "{keys}");
        assert!(named.contains(&format!("person-{cage}").as_str()), "{keys}");
        assert!(keys.ends_with(" all") && !keys.contains("lists"), "{keys}");
        assert_eq!(header(&headers, "cache-tag"), keys.replace(' ', ","));
    }
    // Personal: a viewer's, or one that carries a consistency token.
    let viewer = format!("Bearer {}", app.sign_up("edge_viewer").await);
    for personal in [
        ("authorization", viewer.as_str()),
        ("cinegraph-consistency", "0/0"),
    ] {
        let (status, headers, _) = get_by_hash(&app, &page, &[personal]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, "cache-control"), "private, no-store");
        assert!(headers.get("surrogate-key").is_none());
    }
    // A list names the films it holds (their ids unasked) and `lists`.
    let registered = json!({ "query": LIST, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash_of(LIST) } } });
    assert!(post(&app, registered).await["errors"].is_null());
    let (_, headers, body) = get_by_hash(&app, &hash_of(LIST), &[]).await;
    assert_eq!(body["data"]["films"]["edges"].as_array().unwrap().len(), 2);
    let keys = header(&headers, "surrogate-key");
    assert_eq!(keys.matches("film-").count(), 2, "{keys}");
    assert!(keys.ends_with(" lists all"), "{keys}");
    // Not by hash, or not found: no shared caching.
    let request = Request::get(format!("/graphql?query={}", urlencode(LIST)))
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = app.send_raw(request).await;
    assert_ne!(header(&headers, "cache-control"), POLICY);
    assert!(headers.get("surrogate-key").is_none());
    let (_, headers, body) = get_by_hash(&app, &hash_of("{ __typename }"), &[]).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert_eq!(header(&headers, "cache-control"), "no-store");
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).unwrap()[2..].to_string()
}

async fn trusted_documents_only_runs_nothing_else(app: TestApp) {
    let page = playground("film-page.graphql");
    let ran = post(&app, json!({ "query": page })).await;
    assert_eq!(ran["data"]["film"]["title"], "Leaving Las Vegas", "{ran}");
    let (status, _, body) = get_by_hash(&app, &hash_of(&page), &[]).await;
    assert_eq!(
        (status, &body["data"]["film"]["title"]),
        (StatusCode::OK, &json!("Leaving Las Vegas"))
    );

    let refused = post(&app, json!({ "query": "{ __typename }" })).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "QUERY_NOT_IN_SAFELIST"
    );
    let (_, _, body) = get_by_hash(&app, &hash_of("{ __typename }"), &[]).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_IN_LIST"
    );
    // Nothing is registered either.
    let registration = json!({ "query": "{ __typename }", "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash_of("{ __typename }") } } });
    let refused = post(&app, registration).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "QUERY_NOT_IN_SAFELIST"
    );
    assert_eq!(app.count_rows("persisted_query").await, 0);
}

/// An app's own manifest (`--trusted-documents`) adds to the playground's.
async fn an_apps_manifest_adds_trusted_documents(app: TestApp) {
    let ran = post(&app, json!({ "query": "{ __typename }" })).await;
    assert_eq!(ran["data"]["__typename"], "Query", "{ran}");
    let refused = post(&app, json!({ "query": "{ __typename __typename }" })).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "QUERY_NOT_IN_SAFELIST"
    );
}

fn trusted_only(config: &mut cinegraph::Config) {
    config.trusted_documents_only = true;
}

fn with_app_manifest(config: &mut cinegraph::Config) {
    config.trusted_documents_only = true;
    let path = std::env::temp_dir().join(format!("cinegraph-manifest-{}.json", std::process::id()));
    let manifest = json!({ "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{ "id": hash_of("{ __typename }"), "name": "Ping", "type": "query", "body": "{ __typename }" }] });
    std::fs::write(&path, manifest.to_string()).unwrap();
    config.trusted_documents = Some(path);
}

/// Over a WebSocket, `extensions` are read as over HTTP: a hash names a
/// trusted or registered query, a malformed consistency token is refused.
async fn a_socket_runs_queries_by_hash(app: TestApp) {
    use crate::subscriptions::{connect, next, send};
    let address = app.serve().await;
    let mut socket = connect(address, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    let by_hash = |id: &str, hash: String, extra: Value| {
        let mut extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        extensions
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "id": id, "type": "subscribe", "payload": { "query": "", "extensions": extensions } })
    };
    let page = hash_of(&playground("film-page.graphql"));
    send(&mut socket, by_hash("page", page.clone(), json!({}))).await;
    let answer = next(&mut socket).await.unwrap();
    assert_eq!(
        answer["payload"]["data"]["film"]["title"], "Leaving Las Vegas",
        "{answer}"
    );
    let unknown = hash_of("{ __typename }");
    for (id, hash, extra, code) in [
        ("unknown", unknown, json!({}), "PERSISTED_QUERY_NOT_FOUND"),
        (
            "token",
            page,
            json!({ "consistency": { "token": "soon" } }),
            "INVALID_CONSISTENCY_TOKEN",
        ),
    ] {
        send(&mut socket, by_hash(id, hash, extra)).await;
        let mut answer = next(&mut socket).await.unwrap();
        while answer["id"] != id || answer["type"] == "complete" {
            answer = next(&mut socket).await.unwrap();
        }
        let errors = if answer["type"] == "error" {
            answer["payload"].clone()
        } else {
            answer["payload"]["errors"].clone()
        };
        assert_eq!(errors[0]["extensions"]["code"], code, "{answer}");
    }
}

on_both_databases!(
    anonymous_answers_by_hash_may_be_cached_anywhere_with_their_keys,
    a_socket_runs_queries_by_hash
);
on_both_databases!(configured(trusted_only): trusted_documents_only_runs_nothing_else);
on_both_databases!(configured(with_app_manifest): an_apps_manifest_adds_trusted_documents);

/// What the purge hook received: each request's `Surrogate-Key` header.
type Received = Arc<Mutex<Vec<String>>>;

/// A purge endpoint that fails its first request (500), then accepts.
async fn purge_endpoint() -> (String, Received) {
    let received: Received = Arc::default();
    let seen = received.clone();
    let router = axum::Router::new().route(
        "/purge",
        axum::routing::post(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let mut seen = seen.lock().unwrap();
                seen.push(header(&headers, "surrogate-key").to_string());
                if seen.len() == 1 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}/purge"), received)
}

async fn writes_tell_the_purge_hook_what_they_made_stale(postgres: bool) {
    let (url, received) = purge_endpoint().await;
    let app = TestApp::with_config(postgres, |config| config.edge.purge_url = Some(url)).await;
    let film = row_id(&app, "film", "leaving-las-vegas").await;
    let viewer = app.sign_up("purging_viewer").await;
    let film_id = app.film_id("leaving-las-vegas").await;
    let rate = "mutation($i: RateFilmInput!) { rateFilm(input: $i) { rating { score } } }";
    app.data_as(
        &viewer,
        rate,
        json!({ "i": { "filmId": film_id, "score": 7 } }),
    )
    .await;
    let wanted = format!("film-{film} lists");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = received.lock().unwrap().clone();
        // Refused once, retried: the keys arrive again and are accepted.
        if seen.len() >= 2 && seen.last().unwrap().contains(&wanted) {
            // The test data's imports purged everything first.
            assert!(seen.iter().any(|keys| keys == "all"), "{seen:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the purge hook heard {seen:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let metrics = app.metrics.render(app.db.pool_usage(), 0, &[]);
    assert!(
        metrics.contains("cinegraph_edge_purges_total{result=\"ok\"} ")
            && !metrics.contains("result=\"failed\""),
        "{metrics}"
    );
}

#[tokio::test]
async fn writes_tell_the_purge_hook_what_they_made_stale_sqlite() {
    writes_tell_the_purge_hook_what_they_made_stale(false).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn writes_tell_the_purge_hook_what_they_made_stale_postgres() {
    writes_tell_the_purge_hook_what_they_made_stale(true).await;
}

//! Automatic persisted queries (Apollo's APQ protocol): registration by POST
//! with the query and its SHA-256, then the hash alone by GET or POST; an
//! unknown hash is PERSISTED_QUERY_NOT_FOUND, a wrong one is refused, and
//! every server of the database knows what one registered.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, on_both_databases};

const QUERY: &str = r#"{ film(by: { slug: "leaving-las-vegas" }) { title releaseYear } }"#;

fn hash_of(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

fn extensions(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(request).await
}

/// A GET with the hash alone (and the query when given), accepting `accept`.
async fn get(app: &TestApp, hash: &str, query: Option<&str>, accept: &str) -> (StatusCode, Value) {
    let mut pairs = vec![("extensions", extensions(hash).to_string())];
    if let Some(query) = query {
        pairs.push(("query", query.to_string()));
    }
    let url = format!("/graphql?{}", serde_urlencoded::to_string(&pairs).unwrap());
    let request = Request::get(url)
        .header(header::ACCEPT, accept)
        .body(Body::empty())
        .unwrap();
    app.send(request).await
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

async fn a_query_registered_by_post_runs_by_its_hash(app: TestApp) {
    let hash = hash_of(QUERY);
    let (status, body) = get(&app, &hash, None, "application/json").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::OK, "PERSISTED_QUERY_NOT_FOUND"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    let (status, body) = get(&app, &hash, None, "application/graphql-response+json").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
    );

    // A GET with the query runs it but registers nothing: GETs never write.
    let (_, body) = get(&app, &hash, Some(QUERY), "application/json").await;
    assert_eq!(body["data"]["film"]["title"], "Leaving Las Vegas", "{body}");
    let (_, body) = get(&app, &hash, None, "application/json").await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");

    // Registered by POST, then by hash alone, over GET and POST.
    let (_, body) = post(
        &app,
        json!({ "query": QUERY, "extensions": extensions(&hash) }),
    )
    .await;
    assert_eq!(body["data"]["film"]["title"], "Leaving Las Vegas", "{body}");
    let (status, body) = get(&app, &hash, None, "application/json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["film"]["releaseYear"], 1995, "{body}");
    let (_, body) = post(
        &app,
        json!({ "extensions": extensions(&hash.to_uppercase()) }),
    )
    .await;
    assert_eq!(body["data"]["film"]["releaseYear"], 1995, "{body}");

    // Another server of the same database knows it too (an in-memory SQLite
    // database has one server).
    if app.connection.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let other = app.second_server().await;
    let (_, body) = get(&other, &hash, None, "application/json").await;
    assert_eq!(body["data"]["film"]["title"], "Leaving Las Vegas", "{body}");
}

async fn wrong_hashes_and_versions_are_refused(app: TestApp) {
    let wrong = hash_of("{ __typename }");
    let (status, body) = post(
        &app,
        json!({ "query": QUERY, "extensions": extensions(&wrong) }),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_HASH_MISMATCH")
    );
    // The mismatched query was not registered under either hash.
    let (_, body) = get(&app, &wrong, None, "application/json").await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
    let (_, body) = get(&app, &hash_of(QUERY), None, "application/json").await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");

    let version_two = json!({ "persistedQuery": { "version": 2, "sha256Hash": hash_of(QUERY) } });
    let (status, body) = post(&app, json!({ "query": QUERY, "extensions": version_two })).await;
    assert_eq!(
        (status, code(&body)),
        (
            StatusCode::BAD_REQUEST,
            "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"
        )
    );
    for hash in ["abc", "zz".repeat(32).as_str()] {
        let (status, body) = post(&app, json!({ "extensions": extensions(hash) })).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            "{hash}"
        );
    }
    let (status, body) = post(&app, json!({ "extensions": {} })).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
        "{body}"
    );
}

on_both_databases!(
    a_query_registered_by_post_runs_by_its_hash,
    wrong_hashes_and_versions_are_refused
);

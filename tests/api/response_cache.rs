//! The response cache: public queries are answered from memory until the data
//! changes, and a write is visible to the very next read, on this server and
//! (PostgreSQL) on the others.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

const SUMMARY: &str = r#"query Summary { film(by: { slug: "leaving-las-vegas" }) { title ratingSummary { count average } } }"#;

fn post(query: &str, token: Option<&str>, etag: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap()
}

/// The response cache on, whatever `TEST_RESPONSE_CACHE` says: for the
/// tests that are about it (`on_both_databases!(configured(response_cache_on): ...)`).
pub(crate) fn response_cache_on(config: &mut cinegraph::Config) {
    config.response_cache_bytes = 32 << 20;
}

fn cache_lookups(app: &TestApp, result: &str) -> u64 {
    let text = app.metrics.render(app.db.pool_usage(), 0, &[]);
    let name = format!("cinegraph_response_cache_lookups_total{{result=\"{result}\"}}");
    text.lines()
        .find_map(|line| line.strip_prefix(&name)?.trim().parse().ok())
        .unwrap_or(0)
}

async fn count_of(app: &TestApp) -> i64 {
    let (status, _, body) = app.send_raw(post(SUMMARY, None, None)).await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    body["data"]["film"]["ratingSummary"]["count"]
        .as_i64()
        .unwrap()
}

async fn rate(app: &TestApp, token: &str, score: i64) {
    let film = app.film_id("leaving-las-vegas").await;
    let query = "mutation($f: ID!, $s: Int!) { rateFilm(input: { filmId: $f, score: $s }) { rating { score } } }";
    app.data_as(token, query, json!({ "f": film, "s": score }))
        .await;
}

async fn public_queries_are_served_from_memory(app: TestApp) {
    let (status, headers, first) = app.send_raw(post(SUMMARY, None, None)).await;
    assert_eq!(status, StatusCode::OK);
    let (misses, hits) = (cache_lookups(&app, "miss"), cache_lookups(&app, "hit"));
    let (statements, (status, headers_again, second)) = app
        .count_statements(app.send_raw(post(SUMMARY, None, None)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first, second, "the same bytes");
    assert_eq!(statements, 0, "a hit runs no SQL");
    assert_eq!(
        (cache_lookups(&app, "miss"), cache_lookups(&app, "hit")),
        (misses, hits + 1)
    );
    // A POST's answer is no representation of /graphql: no tag, no 304.
    assert!(headers.get(header::ETAG).is_none() && headers_again.get(header::ETAG).is_none());
    let (status, _, _) = app.send_raw(post(SUMMARY, None, Some("*"))).await;
    assert_eq!(status, StatusCode::OK);
}

fn get(query: &str, if_none_match: Option<&str>, accept_encoding: &str) -> Request<Body> {
    let uri = format!(
        "/graphql?{}",
        serde_urlencoded::to_string([("query", query)]).unwrap()
    );
    let mut request = Request::get(uri).header(header::ACCEPT_ENCODING, accept_encoding);
    if let Some(tags) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, tags);
    }
    request.body(Body::empty()).unwrap()
}

/// RFC 9110 §8.8 and §13.1.2: one strong tag per content coding, compared
/// weakly, in lists and as `*`; 304 has no body but keeps the tag, `Vary` and
/// `Cache-Control`.
async fn conditional_gets_follow_rfc_9110(app: TestApp) {
    let page = crate::helpers::playground("film-page.graphql");
    let mut tags = Vec::new();
    for coding in ["identity", "gzip", "br"] {
        let (status, headers, _) = app.send_raw(get(&page, None, coding)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        assert_eq!(headers[header::VARY], "accept-encoding");
        let tag = headers[header::ETAG].to_str().unwrap().to_string();
        assert!(tag.starts_with('"') && tag.ends_with('"'), "strong: {tag}");
        tags.push((coding, tag));
    }
    assert!(
        tags[0].1 != tags[1].1 && tags[1].1 != tags[2].1 && tags[0].1 != tags[2].1,
        "a tag per coding: {tags:?}"
    );
    for (coding, tag) in &tags {
        let weak = format!("W/{tag}");
        let list = format!("\"stale\", {weak}");
        for asked in [tag.as_str(), &weak, &list, "*"] {
            let (status, headers, body) = app.send_raw(get(&page, Some(asked), coding)).await;
            assert_eq!(
                (status, body.len()),
                (StatusCode::NOT_MODIFIED, 0),
                "{coding} with If-None-Match: {asked}"
            );
            assert_eq!(headers[header::ETAG].to_str().unwrap(), tag);
            assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
            assert_eq!(headers[header::VARY], "accept-encoding");
        }
    }
    let (status, _, _) = app.send_raw(get(&page, Some(&tags[1].1), "br")).await;
    assert_eq!(status, StatusCode::OK, "the gzip tag does not stand for br");

    // Answers the cache does not keep say so.
    let (status, headers, _) = app.send_raw(get("{ nosuchfield }", None, "gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers.get(header::ETAG).is_none());
}

async fn a_write_is_visible_to_the_next_read(app: TestApp) {
    let token = app.sign_up("cache_writer").await;
    assert_eq!(count_of(&app).await, 0);
    assert_eq!(count_of(&app).await, 0, "cached");
    rate(&app, &token, 7).await;
    assert_eq!(
        count_of(&app).await,
        1,
        "the write invalidated the cached page"
    );
    let second = app.sign_up("cache_writer_2").await;
    rate(&app, &second, 9).await;
    assert_eq!(count_of(&app).await, 2);
}

async fn signed_in_requests_and_failures_are_never_cached(app: TestApp) {
    let ann = app.sign_up("cache_ann").await;
    let ben = app.sign_up("cache_ben").await;
    rate(&app, &ann, 3).await;
    let mine = r#"{ film(by: { slug: "leaving-las-vegas" }) { viewerRating { score } } }"#;
    let as_ann = app.data_as(&ann, mine, json!({})).await;
    let as_ben = app.data_as(&ben, mine, json!({})).await;
    assert_eq!(as_ann["film"]["viewerRating"]["score"], 3);
    assert_eq!(
        as_ben["film"]["viewerRating"],
        Value::Null,
        "not Ann's cached answer"
    );

    let hits = cache_lookups(&app, "hit");
    for _ in 0..2 {
        app.error_code("{ film(by: {}) { title } }", json!({}))
            .await;
    }
    assert_eq!(cache_lookups(&app, "hit"), hits, "errors are not kept");
}

on_both_databases!(configured(response_cache_on):
    public_queries_are_served_from_memory,
    conditional_gets_follow_rfc_9110,
    a_write_is_visible_to_the_next_read,
    signed_in_requests_and_failures_are_never_cached
);

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn a_write_on_another_server_reaches_this_one() {
    let app = TestApp::with_config(true, response_cache_on).await;
    let other = app.second_server().await;
    assert_eq!(count_of(&app).await, 0);
    let hits = cache_lookups(&app, "hit");
    assert_eq!(count_of(&app).await, 0);
    assert_eq!(
        cache_lookups(&app, "hit"),
        hits + 1,
        "cached on the first server"
    );
    let token = other.sign_up("cache_elsewhere").await;
    rate(&other, &token, 5).await;
    // The rating's NOTIFY arrives asynchronously: once the first server has
    // heard a notification sent after it, it has heard the rating too.
    app.settle().await;
    assert_eq!(
        count_of(&app).await,
        1,
        "the first server kept a stale page"
    );
}

#[tokio::test]
async fn the_cache_can_be_switched_off() {
    let app = TestApp::with_config(false, |config| config.response_cache_bytes = 0).await;
    for _ in 0..2 {
        count_of(&app).await;
    }
    assert_eq!(cache_lookups(&app, "hit") + cache_lookups(&app, "miss"), 0);
}

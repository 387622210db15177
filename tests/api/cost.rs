//! Demand control: each operation's cost under the schema's `@cost` and
//! `@listSize` (estimated before it runs, actual from its answer) in
//! `extensions.cost`, the limit per operation, and each client's budget per
//! minute.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

/// films 1, then 5 edges of (edge 1 + film 1 + 5 directors of 1 + 10 genres
/// of 1); scalars cost nothing: 1 + 5 * 17.
const FILM_PAGE: &str = "{ films(first: 5) { totalCount edges { cursor node {
    title directors { name } genres { name } } } } }";
const FILM_PAGE_ESTIMATE: u64 = 86;

async fn every_answer_says_its_estimated_and_actual_cost(app: TestApp) {
    let (status, body) = app.post(FILM_PAGE, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let cost = &body["extensions"]["cost"];
    assert_eq!(cost["estimated"], FILM_PAGE_ESTIMATE, "{body}");
    assert_eq!(cost["limit"], cinegraph::config::DEFAULT_MAX_COST);
    // What the answer holds, counted by hand: the films, their edges,
    // directors and genres (each object 1).
    let edges = body["data"]["films"]["edges"].as_array().unwrap();
    let objects: usize = edges
        .iter()
        .map(|edge| {
            let film = &edge["node"];
            2 + film["directors"].as_array().unwrap().len()
                + film["genres"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(cost["actual"], 1 + objects as u64, "{body}");
    assert!(cost["actual"].as_u64().unwrap() <= FILM_PAGE_ESTIMATE);
}

async fn an_operation_over_the_cost_limit_is_refused_before_it_runs(app: TestApp) {
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(Body::from(json!({ "query": FILM_PAGE }).to_string()))
        .unwrap();
    let (statements, (status, body)) = app.count_statements(app.send(request)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "COST_LIMIT_EXCEEDED", "{body}");
    assert_eq!(error["extensions"]["cost"]["estimated"], FILM_PAGE_ESTIMATE);
    assert_eq!(error["extensions"]["cost"]["limit"], 50);
    assert!(body.get("data").is_none());
    assert_eq!(statements, 0, "nothing ran");
    // A cheaper page of the same list passes: 1 + 2 * 17.
    let cheaper = FILM_PAGE.replace("first: 5", "first: 2");
    let (_, body) = app.post(&cheaper, json!({})).await;
    assert_eq!(body["extensions"]["cost"]["estimated"], 35, "{body}");
}

async fn a_client_past_its_cost_budget_is_rate_limited(app: TestApp) {
    // A budget of 200 a minute: two film pages (86 each), not three.
    for _ in 0..2 {
        let (status, body) = app.post(FILM_PAGE, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (statements, (status, body)) = app.count_statements(app.post(FILM_PAGE, json!({}))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "RATE_LIMITED");
    assert!(error["extensions"]["retryAfterSeconds"].as_u64().unwrap() >= 1);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("cost budget of 200 per minute"),
        "{message}"
    );
    assert_eq!(statements, 0, "nothing ran");
    // Operations that cost nothing are never refused.
    let (status, _) = app.post("{ __typename }", json!({})).await;
    assert_eq!(status, StatusCode::OK);
}

on_both_databases!(every_answer_says_its_estimated_and_actual_cost);
on_both_databases!(configured(|config| config.query_limits.max_cost = 50):
    an_operation_over_the_cost_limit_is_refused_before_it_runs);
on_both_databases!(configured(|config| {
    config.cost_per_minute = 200;
    // Every request runs, not one answer kept from the first.
    config.response_cache_bytes = 0;
}): a_client_past_its_cost_budget_is_rate_limited);

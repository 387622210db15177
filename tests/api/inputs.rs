//! Input values per the GraphQL specification: variables are coerced before
//! execution (a bad one is a request error naming it), and Int literals must
//! fit in 32 bits even where the field would never run.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

/// The status and body of a POST asking for `application/graphql-response+json`.
async fn ask(app: &TestApp, query: &str, variables: Value) -> (StatusCode, Value) {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json")
        .body(Body::from(
            json!({ "query": query, "variables": variables }).to_string(),
        ))
        .unwrap();
    app.send(request).await
}

/// A request error: 400, no `data`, each error BAD_USER_INPUT; the messages.
fn request_error(status: StatusCode, body: &Value) -> Vec<String> {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.get("data").is_none(),
        "a request error has no data: {body}"
    );
    let errors = body["errors"].as_array().expect("errors");
    errors
        .iter()
        .map(|error| {
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
            error["message"].as_str().unwrap().to_string()
        })
        .collect()
}

async fn variables_are_coerced_before_execution(app: TestApp) {
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let (status, body) = ask(&app, node, json!({})).await;
    assert_eq!(
        request_error(status, &body),
        ["Variable \"$id\" of required type \"ID!\" was not provided."]
    );
    assert_eq!(body["errors"][0]["extensions"]["variable"], "id");
    assert_eq!(body["errors"][0]["locations"][0]["line"], 1, "{body}");

    let (status, body) = ask(&app, node, json!({ "id": null })).await;
    assert_eq!(
        request_error(status, &body),
        ["Variable \"$id\" of non-null type \"ID!\" must not be null."]
    );

    let page = "query($n: Int) { films(first: $n) { totalCount } }";
    let (status, body) = ask(&app, page, json!({ "n": "ten" })).await;
    let messages = request_error(status, &body);
    assert!(
        messages[0].starts_with("Variable \"$n\" got invalid value \"ten\""),
        "a variable error, not an argument one: {messages:?}"
    );
    let (status, body) = ask(&app, page, json!({ "n": 4_294_967_296_i64 })).await;
    assert!(request_error(status, &body)[0].contains("32-bit"));

    let rate = "mutation($i: RateFilmInput!) { rateFilm(input: $i) { rating { score } } }";
    let (status, body) = ask(
        &app,
        rate,
        json!({ "i": { "filmId": "x", "score": "nine" } }),
    )
    .await;
    let messages = request_error(status, &body);
    assert!(messages[0].contains("at \"i.score\""), "{messages:?}");
    let (status, body) = ask(&app, rate, json!({ "i": { "filmId": "x" } })).await;
    let messages = request_error(status, &body);
    assert!(
        messages[0].contains("\"score\""),
        "a required field: {messages:?}"
    );
    let (status, body) = ask(
        &app,
        rate,
        json!({ "i": { "filmId": "x", "score": 9, "extra": 1 } }),
    )
    .await;
    let messages = request_error(status, &body);
    assert!(
        messages[0].contains("\"extra\""),
        "an unknown field: {messages:?}"
    );

    // Good variables still run.
    let (status, body) = ask(&app, page, json!({ "n": 2 })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"]["films"]["totalCount"].as_i64().unwrap() > 2);
}

async fn int_literals_outside_32_bits_are_refused_before_execution(app: TestApp) {
    // Signed out, `me` is null and `ratings` never runs: still refused.
    let unexecuted = "{ me { ratings(first: -2147483649) { totalCount } } }";
    let (status, body) = ask(&app, unexecuted, json!({})).await;
    let messages = request_error(status, &body);
    assert!(messages[0].contains("first"), "{messages:?}");
    let executed = "{ films(first: 2147483648) { totalCount } }";
    let (status, body) = ask(&app, executed, json!({})).await;
    request_error(status, &body);
    let (status, body) = ask(&app, "{ films(first: 2) { totalCount } }", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

on_both_databases!(
    variables_are_coerced_before_execution,
    int_literals_outside_32_bits_are_refused_before_execution
);

//! Hostile and broken requests: GraphQL over HTTP to the letter, and every
//! query limit refused before execution with its own code.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fragment_bomb, on_both_databases};

/// POSTs `body` with the given content type and Accept; returns status, content type and JSON.
async fn send(
    app: &TestApp,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: String,
) -> (StatusCode, String, Value) {
    let mut request = Request::post("/graphql");
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let (status, headers, bytes) = app.send_raw(request.body(Body::from(body)).unwrap()).await;
    let media = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        media,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

const JSON: Option<&str> = Some("application/json");
const GRAPHQL_RESPONSE: Option<&str> = Some("application/graphql-response+json");

async fn only_json_bodies_are_accepted(app: TestApp) {
    let body = json!({ "query": "{ __typename }" }).to_string();
    for content_type in [
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let (status, _, answer) = send(&app, content_type, None, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(code(&answer), "UNSUPPORTED_MEDIA_TYPE");
    }
    let (status, _, answer) = send(&app, Some("application/json; charset=utf-8"), None, body).await;
    assert_eq!(
        (status, &answer["data"]["__typename"]),
        (StatusCode::OK, &json!("Query"))
    );
}

async fn the_answer_takes_the_media_type_the_client_accepts(app: TestApp) {
    let good = json!({ "query": "{ __typename }" }).to_string();
    for (accept, expected) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (JSON, "application/json"),
        (GRAPHQL_RESPONSE, "application/graphql-response+json"),
        (
            Some("application/json;q=0.5, application/graphql-response+json"),
            "application/graphql-response+json",
        ),
    ] {
        let (status, media, _) = send(&app, JSON, accept, good.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(media.starts_with(expected), "{accept:?} gave {media}");
    }
    let (status, _, _) = send(&app, JSON, Some("text/html"), good).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);

    // Request errors: 400 without `data` for the new type, 200 for plain JSON.
    for query in [
        "{",
        "{ nosuchfield }",
        "query($id: ID!) { node(id: $id) { id } }",
    ] {
        let body = json!({ "query": query, "variables": { "id": null } }).to_string();
        let (status, _, answer) = send(&app, JSON, GRAPHQL_RESPONSE, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(answer.get("data").is_none(), "{answer}");
        let (status, _, answer) = send(&app, JSON, JSON, body).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(answer["errors"].is_array());
    }
}

async fn malformed_parameters_are_bad_requests(app: TestApp) {
    for body in [
        "{not json",
        "[]",
        "42",
        r#"{"query": 1}"#,
        r#"{"qeury": "{ __typename }"}"#,
        r#"{"query": "{ __typename }", "variables": "x"}"#,
        r#"{"query": "{ __typename }", "variables": []}"#,
        r#"{"query": "{ __typename }", "operationName": 3}"#,
        r#"{"query": "{ __typename }", "extensions": "x"}"#,
    ] {
        let (status, _, answer) = send(&app, JSON, None, body.to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(!code(&answer).is_empty(), "{body}: {answer}");
    }
    let huge = json!({ "query": "{ __typename }", "variables": { "x": "y".repeat(300 * 1024) } })
        .to_string();
    let (status, _, answer) = send(&app, JSON, None, huge).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
    );
    let large_variables =
        json!({ "query": "{ __typename }", "variables": { "x": "y".repeat(100 * 1024) } })
            .to_string();
    let (status, _, answer) = send(&app, JSON, None, large_variables).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "VARIABLES_TOO_LARGE")
    );
    // GET decodes variables from JSON text too.
    let request = Request::get("/graphql?query=%7B__typename%7D&variables=%7Bnope")
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = app.send_raw(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn batches_run_in_order_up_to_their_limit(app: TestApp) {
    let one = json!({ "query": "{ __typename }" });
    let (status, _, answer) = send(
        &app,
        JSON,
        None,
        json!([one, { "query": "{ genres { filmCount } }" }]).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer[0]["data"]["__typename"], "Query");
    assert!(answer[1]["data"]["genres"].is_array());
    let eleven: Vec<Value> = (0..11).map(|_| one.clone()).collect();
    let (status, _, answer) = send(&app, JSON, None, json!(eleven).to_string()).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "BATCH_TOO_LARGE")
    );
}

async fn each_query_limit_refuses_with_its_own_code(app: TestApp) {
    let cases: Vec<(String, &str)> = vec![
            // Depth: 17 nested fields.
            (format!("{{ {}id{} }}", "node(id: \"x\") { ... on Film { similarFilms { film { ".repeat(6), " } } } }".repeat(6)), "QUERY_TOO_DEEP"),
            // Brackets nested far beyond any real query: refused before parsing.
            (format!("{{ film(by: {{ slug: {}\"x\"{} }}) {{ id }} }}", "[".repeat(1000), "]".repeat(1000)), "QUERY_TOO_DEEP"),
            // Connection-aware complexity: 100 × 100 × 100 credits.
            ("{ films(first: 100) { edges { node { credits(first: 100) { edges { node { credits(first: 100) { edges { node { title } } } } } } } } } }".into(), "QUERY_TOO_COMPLEX"),
            // A thousand aliased __typename (async-graphql's own checks skip them).
            (format!("{{ {} }}", (0..1000).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" ")), "TOO_MANY_ALIASES"),
            (format!("{{ genres {{ {} }} }}", (0..51).map(|i| format!("s{i}: slug")).collect::<Vec<_>>().join(" ")), "TOO_MANY_ALIASES"),
            (format!("{{ {} }}", (0..31).map(|_| "__typename").collect::<Vec<_>>().join(" ")), "TOO_MANY_ROOT_FIELDS"),
            ("{ __typename @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) }".into(), "TOO_MANY_DIRECTIVES"),
            (format!("{{ __typename {} }}", "# padding\n".repeat(4000)), "QUERY_TOO_LARGE"),
            (format!("query Q{} {{ __typename }}", (0..2600).map(|i| format!("($v{i}: Int)")).collect::<Vec<_>>().join("").replace(")(", ", ")), "QUERY_TOO_LARGE"),
            ("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }".into(), "GRAPHQL_VALIDATION_FAILED"),
        ];
    for (query, expected) in cases {
        let short: String = query.chars().take(80).collect();
        let body = json!({ "query": query }).to_string();
        let (status, _, answer) = send(&app, JSON, None, body).await;
        assert_eq!(status, StatusCode::OK, "{short}");
        assert_eq!(code(&answer), expected, "{short}: {answer}");
        assert!(answer["data"].is_null(), "{short}");
    }
}

/// The guard measures each fragment once (its unit test counts the
/// selections it visits: 62 for this document); here the refusal arrives, and
/// a query sent beside it is answered.
async fn exponential_fragments_are_refused_in_linear_time(app: TestApp) {
    let query = fragment_bomb();
    assert!(query.len() < 2_000);
    let (refused, other) = tokio::join!(
        send(&app, JSON, None, json!({ "query": query }).to_string()),
        send(
            &app,
            JSON,
            None,
            json!({ "query": "{ genres { filmCount } }" }).to_string()
        ),
    );
    assert_eq!(code(&refused.2), "QUERY_TOO_COMPLEX", "{}", refused.2);
    assert!(
        other.2["data"]["genres"].is_array(),
        "the server went on serving"
    );
}

async fn out_of_range_integers_are_bad_input(app: TestApp) {
    for query in [
        "{ films(first: 99999999999) { totalCount } }",
        "{ films(first: -1) { totalCount } }",
        "{ films(first: 101) { totalCount } }",
    ] {
        assert_eq!(
            app.error_code(query, json!({})).await,
            "BAD_USER_INPUT",
            "{query}"
        );
    }
    let query = "query($n: Int) { films(first: $n) { totalCount } }";
    assert_eq!(
        app.error_code(query, json!({ "n": 1e12 })).await,
        "BAD_USER_INPUT"
    );
}

async fn graphiql_introspection_passes_the_limits(app: TestApp) {
    let data = app.data(INTROSPECTION, json!({})).await;
    assert!(data["__schema"]["types"].as_array().unwrap().len() > 50);
}

on_both_databases!(
    only_json_bodies_are_accepted,
    the_answer_takes_the_media_type_the_client_accepts,
    malformed_parameters_are_bad_requests,
    batches_run_in_order_up_to_their_limit,
    each_query_limit_refuses_with_its_own_code,
    exponential_fragments_are_refused_in_linear_time,
    out_of_range_integers_are_bad_input,
    graphiql_introspection_passes_the_limits
);

#[tokio::test]
async fn introspection_and_suggestions_can_be_switched_off() {
    let app = TestApp::with_config(false, |config| {
        config.introspection = false;
        config.field_suggestions = false;
    })
    .await;
    let (_, answer) = app.post(INTROSPECTION, json!({})).await;
    assert!(
        answer["data"].is_null() || answer["data"]["__schema"].is_null(),
        "{answer}"
    );
    let (_, answer) = app.post("{ genre { count } }", json!({})).await;
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    // On by default.
    let app = TestApp::sqlite().await;
    let (_, answer) = app.post("{ genre { count } }", json!({})).await;
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{answer}"
    );
}

/// On tokio's paused clock: time moves only when every task waits, so the
/// test measures which deadline came first, not how long anything took.
#[tokio::test(start_paused = true)]
async fn a_request_over_its_time_budget_is_stopped() {
    let slow = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        async_graphql::Response::new(async_graphql::Value::Null)
    };
    let started = tokio::time::Instant::now();
    let response =
        cinegraph::http::pipeline::run_guarded(slow, Duration::from_millis(50), "req-slow").await;
    assert_eq!(code(&serde_json::to_value(&response).unwrap()), "TIMEOUT");
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(50),
        "stopped at the budget, not when the work ended"
    );
}

#[tokio::test]
async fn a_panic_becomes_an_internal_error_without_its_text() {
    let response = cinegraph::http::pipeline::run_guarded(
        async { panic!("secret detail at /src/somewhere.rs") },
        Duration::from_secs(1),
        "req-1",
    )
    .await;
    let body = serde_json::to_value(&response).unwrap();
    assert_eq!(code(&body), "INTERNAL_SERVER_ERROR");
    assert!(!body.to_string().contains("secret"), "{body}");
}

/// The introspection query GraphiQL sends (graphql-js `getIntrospectionQuery`).
const INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}"#;

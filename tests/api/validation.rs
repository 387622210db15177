//! Validation (async-graphql's rules and the pipeline's own checks: limits,
//! inputs, estimated cost) is skipped only for a request (text, operation
//! name and variables) that passed it all before: such a request answers
//! exactly as it did, its `extensions.cost` included, and anything that
//! differs is checked in full again.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

/// Two operations in one document, both valid.
const DOCUMENT: &str = r#"
query Valid($slug: String!, $n: Int) { film(by: {slug: $slug}) { title credits(first: $n) { totalCount edges { node { name } } } } }
query Other { film(by: {slug: "leaving-las-vegas"}) { releaseYear } }
"#;

/// A document that asks for a field `Film` does not have.
const INVALID: &str =
    r#"query Invalid { film(by: {slug: "leaving-las-vegas"}) { title budgetInYen } }"#;

async fn ask(app: &TestApp, operation: &str, variables: Value) -> (StatusCode, Value) {
    ask_text(app, DOCUMENT, operation, variables).await
}

async fn ask_text(
    app: &TestApp,
    text: &str,
    operation: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let body = json!({ "query": text, "operationName": operation, "variables": variables });
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(request).await
}

fn known_valid(app: &TestApp, operation: &str, variables: Value) -> bool {
    known_valid_text(app, DOCUMENT, operation, variables)
}

fn known_valid_text(app: &TestApp, text: &str, operation: &str, variables: Value) -> bool {
    let variables = async_graphql::Variables::from_json(variables);
    app.state
        .validated
        .look_up(text, Some(operation), &variables)
        .known_valid()
}

async fn a_request_known_valid_answers_as_before(app: TestApp) {
    let variables = json!({ "slug": "leaving-las-vegas", "n": 3 });
    assert!(!known_valid(&app, "Valid", variables.clone()));
    let first = ask(&app, "Valid", variables.clone()).await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    assert_eq!(first.1["data"]["film"]["title"], "Leaving Las Vegas");
    assert_eq!(
        first.1["data"]["film"]["credits"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Remembered: the second run skips the rules and answers the same.
    assert!(known_valid(&app, "Valid", variables.clone()));
    let second = ask(&app, "Valid", variables.clone()).await;
    assert_eq!(second, first);

    // Other variables are validated in full before they are remembered.
    let other = json!({ "slug": "leaving-las-vegas", "n": 1 });
    assert!(!known_valid(&app, "Valid", other.clone()));
    let (status, body) = ask(&app, "Valid", other.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["film"]["credits"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(known_valid(&app, "Valid", other));

    // The pipeline's own checks run again for variables it has not seen:
    // a bad one is still a request error.
    let bad = json!({ "slug": "leaving-las-vegas", "n": "ten" });
    let (status, body) = ask(&app, "Valid", bad.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["variable"], "n");
    assert!(!known_valid(&app, "Valid", bad));
}

async fn the_same_text_with_another_operation_is_validated_again(app: TestApp) {
    let variables = json!({ "slug": "leaving-las-vegas", "n": 1 });
    ask(&app, "Valid", variables.clone()).await;
    ask(&app, "Valid", variables).await;
    // The document is known; its other operation is validated on its own
    // first run, and answers as itself.
    assert!(!known_valid(&app, "Other", json!({})));
    for _ in 0..2 {
        let (status, body) = ask(&app, "Other", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], json!({ "film": { "releaseYear": 1995 } }));
        assert!(known_valid(&app, "Other", json!({})));
    }
}

async fn a_request_refused_by_validation_is_refused_every_time(app: TestApp) {
    for _ in 0..3 {
        let (status, body) = ask_text(&app, INVALID, "Invalid", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"].is_null(), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("budgetInYen"),
            "{body}"
        );
        assert!(!known_valid_text(&app, INVALID, "Invalid", json!({})));
    }
}

async fn an_execution_error_is_answered_the_same_the_second_time(app: TestApp) {
    // Passes validation, fails in execution (a page larger than 100):
    // remembered, and the second answer is the first one.
    let variables = json!({ "slug": "leaving-las-vegas", "n": 500 });
    let first = ask(&app, "Valid", variables.clone()).await;
    assert!(first.1["data"].is_object(), "{}", first.1);
    assert_eq!(
        first.1["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{}",
        first.1
    );
    assert!(known_valid(&app, "Valid", variables.clone()));
    let second = ask(&app, "Valid", variables).await;
    assert_eq!(second, first);
}

on_both_databases!(
    a_request_known_valid_answers_as_before,
    the_same_text_with_another_operation_is_validated_again,
    a_request_refused_by_validation_is_refused_every_time,
    an_execution_error_is_answered_the_same_the_second_time,
);

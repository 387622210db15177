//! Relay connections: forward and backward pages, cursors and limits.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

const CREDITS: &str = r#"query($first: Int, $after: String, $last: Int, $before: String) {
  film(by: { slug: "leaving-las-vegas" }) {
    credits(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor kind billingOrder node { name } }
    }
  }
}"#;

fn names(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["kind"], e["node"]["name"]))
        .collect()
}

async fn credit_pages_walk_forward_and_backward_without_gaps_or_duplicates(app: TestApp) {
    let all = app.data(CREDITS, json!({ "first": 100 })).await["film"]["credits"].clone();
    let everything = names(&all);
    assert_eq!(all["totalCount"], everything.len());
    // The page's 8 credits, plus the catalogue's cast and writers the page does not list.
    assert!(everything.len() > 8, "{everything:?}");
    // Cast first, in billing order.
    assert_eq!(
        &everything[..2],
        ["\"CAST\":\"Nicolas Cage\"", "\"CAST\":\"Elisabeth Shue\""]
    );

    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .data(CREDITS, json!({ "first": 7, "after": after }))
            .await["film"]["credits"]
            .clone();
        // Counted by the page statement on the first page, on its own after a cursor.
        assert_eq!(page["totalCount"], everything.len());
        walked.extend(names(&page));
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    assert_eq!(walked, everything);

    let mut backward = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let page = app
            .data(CREDITS, json!({ "last": 7, "before": before }))
            .await["film"]["credits"]
            .clone();
        assert_eq!(page["totalCount"], everything.len());
        let mut chunk = names(&page);
        chunk.extend(backward);
        backward = chunk;
        if page["pageInfo"]["hasPreviousPage"] == false {
            break;
        }
        before = page["pageInfo"]["startCursor"].as_str().map(str::to_string);
    }
    assert_eq!(backward, everything);
}

async fn page_sizes_over_the_maximum_and_foreign_cursors_are_bad_input(app: TestApp) {
    assert_eq!(
        app.error_code(CREDITS, json!({ "first": 101 })).await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(CREDITS, json!({ "first": -1 })).await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(CREDITS, json!({ "first": 2, "last": 2 }))
            .await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(CREDITS, json!({ "first": 2, "after": "not-a-cursor" }))
            .await,
        "BAD_USER_INPUT"
    );
    let quotes = app.data(r#"{ film(by: { slug: "leaving-las-vegas" }) { quotes(first: 1) { pageInfo { endCursor } } } }"#, json!({})).await;
    let quote_cursor = quotes["film"]["quotes"]["pageInfo"]["endCursor"].clone();
    assert_eq!(
        app.error_code(CREDITS, json!({ "first": 2, "after": quote_cursor }))
            .await,
        "BAD_USER_INPUT"
    );
}

async fn credits_can_be_filtered_by_kind(app: TestApp) {
    let query = r#"{ film(by: { slug: "leaving-las-vegas" }) { credits(kinds: [DIRECTOR, COMPOSER]) { totalCount edges { kind node { name } } } } }"#;
    let data = app.data(query, json!({})).await;
    assert_eq!(data["film"]["credits"]["totalCount"], 2);
    assert!(
        data["film"]["credits"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["name"] == "Mike Figgis")
    );

    // A kind the film has no credit of counts none, with or without a page.
    let none = r#"{ film(by: { slug: "leaving-las-vegas" }) { a: credits(kinds: [EDITOR]) { totalCount }
            b: credits(kinds: [EDITOR], first: 0) { totalCount edges { cursor } } } }"#;
    let data = app.data(none, json!({})).await;
    assert_eq!(data["film"]["a"]["totalCount"], 0);
    assert_eq!(data["film"]["b"]["totalCount"], 0);
}

/// The message of the first error of CREDITS with `after`, which must fail
/// with BAD_USER_INPUT.
async fn refused_cursor(app: &TestApp, after: &Value) -> String {
    let (_, body) = app
        .post(CREDITS, json!({ "first": 2, "after": after }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    body["errors"][0]["message"].as_str().unwrap().to_string()
}

/// Cursors are signed and bound to their list, parent and ordering: another
/// film's credits cursor, an altered one or a hand-made one is refused
/// (never a page from the wrong place).
async fn cursors_are_signed_and_bound_to_their_parent(app: TestApp) {
    let films = r#"{ films(first: 20) { edges { node { slug credits(first: 1) { pageInfo { endCursor } } } } } }"#;
    let data = app.data(films, json!({})).await;
    let other = data["films"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["node"]["slug"] != "leaving-las-vegas"
                && e["node"]["credits"]["pageInfo"]["endCursor"].is_string()
        })
        .map(|e| e["node"]["credits"]["pageInfo"]["endCursor"].clone())
        .expect("another film with credits");
    let message = refused_cursor(&app, &other).await;
    assert!(message.contains("another list, parent"), "{message}");

    let own =
        app.data(CREDITS, json!({ "first": 2 })).await["film"]["credits"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap()
            .to_string();
    let (place, tag) = own.split_once('.').unwrap();
    let flipped = if place.starts_with('A') { "B" } else { "A" };
    let altered = format!("{flipped}{}.{tag}", &place[1..]);
    assert!(
        refused_cursor(&app, &json!(altered))
            .await
            .contains("altered")
    );
    let hand_made = crate::ids::base64_id("fc:0:1");
    refused_cursor(&app, &json!(hand_made)).await;

    let by_title =
        "query($after: String) { films(first: 2, after: $after) { pageInfo { endCursor } } }";
    let cursor = app.data(by_title, json!({})).await["films"]["pageInfo"]["endCursor"].clone();
    let by_runtime = "query($after: String) { films(first: 2, after: $after, orderBy: { field: RUNTIME }) { totalCount } }";
    assert_eq!(
        app.error_code(by_runtime, json!({ "after": cursor })).await,
        "BAD_USER_INPUT",
        "a cursor of another ordering"
    );
    let (_, body) = app.post(by_title, json!({ "after": cursor })).await;
    assert!(
        body.get("errors").is_none(),
        "its own list reads it: {body}"
    );
}

on_both_databases!(
    credit_pages_walk_forward_and_backward_without_gaps_or_duplicates,
    page_sizes_over_the_maximum_and_foreign_cursors_are_bad_input,
    credits_can_be_filtered_by_kind,
    cursors_are_signed_and_bound_to_their_parent
);

//! The Federation v2 subgraph: `_service { sdl }` and entity references
//! through `_entities` for films, people and products.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;

const ENTITIES: &str = r#"query($r: [_Any!]!) { _entities(representations: $r) {
    __typename
    ... on Film { id title }
    ... on Person { id name }
    ... on Product { id name } } }"#;

/// The ids of the bundled film, its first credited person and its first product.
async fn known_ids(app: &TestApp) -> (Value, Value, Value) {
    let data = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { id products { id }
                credits(first: 1) { edges { node { id } } } } }"#,
            json!({}),
        )
        .await;
    let film = &data["film"];
    (
        film["id"].clone(),
        film["credits"]["edges"][0]["node"]["id"].clone(),
        film["products"][0]["id"].clone(),
    )
}

fn reference(typename: &str, id: &Value) -> Value {
    json!({ "__typename": typename, "id": id })
}

async fn films_people_and_products_resolve_by_their_key(app: TestApp) {
    let (film, person, product) = known_ids(&app).await;
    let data = app
        .data(
            ENTITIES,
            json!({ "r": [
                reference("Film", &film),
                reference("Person", &person),
                reference("Product", &product),
            ] }),
        )
        .await;
    let entities = data["_entities"].as_array().unwrap();
    assert_eq!(entities.len(), 3);
    assert_eq!(entities[0]["__typename"], "Film");
    assert_eq!(entities[0]["id"], film);
    assert_eq!(entities[0]["title"], "Leaving Las Vegas");
    assert_eq!(entities[1]["__typename"], "Person");
    assert_eq!(entities[1]["id"], person);
    assert!(entities[1]["name"].is_string());
    assert_eq!(entities[2]["__typename"], "Product");
    assert_eq!(entities[2]["id"], product);
    assert!(entities[2]["name"].is_string());
}

async fn unknown_malformed_and_mistyped_references_are_null(app: TestApp) {
    let (film, person, _) = known_ids(&app).await;
    let (status, body) = app
        .post(
            ENTITIES,
            json!({ "r": [
                reference("Film", &json!(base64_id("Film:999999"))),
                reference("Film", &json!("not an id")),
                // A person's id under the Film key.
                reference("Film", &person),
                reference("Product", &film),
                reference("Film", &film),
            ] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let entities = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(
        entities[..4],
        [Value::Null, Value::Null, Value::Null, Value::Null]
    );
    assert_eq!(entities[4]["title"], "Leaving Las Vegas");
}

async fn many_references_are_read_in_one_round_trip(app: TestApp) {
    let data = app
        .data("{ films(first: 10) { nodes { id } } }", json!({}))
        .await;
    let references: Vec<Value> = data["films"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|film| reference("Film", &film["id"]))
        .collect();
    assert!(references.len() >= 5, "the sample has films: {data}");
    let query =
        r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Film { title } } }"#;
    let (trips, data) = app
        .count_round_trips(app.data(query, json!({ "r": references })))
        .await;
    let titles = data["_entities"].as_array().unwrap();
    assert_eq!(titles.len(), references.len());
    assert!(
        titles.iter().all(|film| film["title"].is_string()),
        "{data}"
    );
    assert_eq!(trips, 1, "one batch for every reference");
}

on_both_databases!(
    films_people_and_products_resolve_by_their_key,
    unknown_malformed_and_mistyped_references_are_null,
    many_references_are_read_in_one_round_trip,
);

#[tokio::test]
async fn the_service_sdl_is_a_federation_2_subgraph_with_keyed_entities() {
    let app = TestApp::sqlite().await;
    let data = app.data("{ _service { sdl } }", json!({})).await;
    let sdl = data["_service"]["sdl"].as_str().unwrap();
    assert!(
        sdl.contains("extend schema @link(")
            && sdl.contains("https://specs.apollo.dev/federation/v2."),
        "{sdl}"
    );
    for entity in ["Film", "Person", "Product"] {
        let line = sdl
            .lines()
            .find(|line| line.starts_with(&format!("type {entity} ")))
            .unwrap_or_else(|| panic!("no type {entity} in {sdl}"));
        assert!(line.contains(r#"@key(fields: "id")"#), "{line}");
    }
    // The subgraph's own fields, not the federation plumbing.
    assert!(!sdl.contains("_entities") && !sdl.contains("_service"));
}

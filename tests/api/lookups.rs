//! Look-ups by id, slug and IMDb id, the Node interface, and unknown ids.

use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;

async fn a_film_is_found_by_id_slug_and_imdb_id(app: TestApp) {
    let by_slug = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { id title } }"#,
            json!({}),
        )
        .await;
    let id = by_slug["film"]["id"].as_str().unwrap().to_string();
    let by_id = app
        .data(
            "query($id: ID!) { film(by: { id: $id }) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(by_id["film"]["title"], "Leaving Las Vegas");
    let by_imdb = app
        .data(r#"{ film(by: { imdbId: "tt0113627" }) { id } }"#, json!({}))
        .await;
    assert_eq!(by_imdb["film"]["id"], id.as_str());
}

async fn unknown_films_and_people_are_null_and_bad_ids_are_bad_input(app: TestApp) {
    let data = app.data(r#"{ film(by: { slug: "no-such-film" }) { id } person(by: { slug: "nobody" }) { id } }"#, json!({})).await;
    assert_eq!(data, json!({ "film": null, "person": null }));
    assert_eq!(
        app.error_code(r#"{ film(by: { id: "garbage" }) { id } }"#, json!({}))
            .await,
        "BAD_USER_INPUT"
    );
    // A person's id where a film's is expected.
    let person = app
        .data(
            r#"{ person(by: { slug: "nicolas-cage" }) { id } }"#,
            json!({}),
        )
        .await;
    let code = app
        .error_code(
            "query($id: ID!) { film(by: { id: $id }) { id } }",
            json!({ "id": person["person"]["id"] }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    // `by` takes exactly one way of finding.
    let (_, body) = app
        .post(
            r#"{ film(by: { slug: "a", imdbId: "tt0113627" }) { id } }"#,
            json!({}),
        )
        .await;
    assert!(body["errors"].is_array(), "{body}");
}

async fn every_node_comes_back_through_node_and_nodes(app: TestApp) {
    let query = r#"{ film(by: { slug: "leaving-las-vegas" }) {
            id genres { id } characters { id } quotes(first: 1) { edges { node { id } } }
            reviews(first: 1) { edges { node { id } } } nominations { id award { id } }
            products { id } credits(first: 1) { edges { node { id } } } } }"#;
    let film = app.data(query, json!({})).await["film"].clone();
    let ids = [
        (&film["id"], "Film"),
        (&film["genres"][0]["id"], "Genre"),
        (&film["characters"][0]["id"], "Character"),
        (&film["quotes"]["edges"][0]["node"]["id"], "Quote"),
        (&film["reviews"]["edges"][0]["node"]["id"], "Review"),
        (&film["nominations"][0]["id"], "Nomination"),
        (&film["nominations"][0]["award"]["id"], "Award"),
        (&film["products"][0]["id"], "Product"),
        (&film["credits"]["edges"][0]["node"]["id"], "Person"),
    ];
    for (id, typename) in ids {
        let data = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["node"]["__typename"], typename);
        assert_eq!(&data["node"]["id"], id);
    }
    let all: Vec<_> = ids.iter().map(|(id, _)| (*id).clone()).collect();
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": all }),
        )
        .await;
    assert_eq!(data["nodes"].as_array().unwrap().len(), ids.len());

    // A well-formed id of a row that does not exist is null.
    let missing = base64_id("Film:999999");
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": missing }),
        )
        .await;
    assert_eq!(data["node"], json!(null));
}

async fn a_person_shows_their_credits_and_awards(app: TestApp) {
    let data = app
        .data(
            r#"{ person(by: { slug: "mike-figgis" }) {
            name credits(first: 100) { edges { kind job node { title } } } } }"#,
            json!({}),
        )
        .await;
    let kinds: Vec<&str> = data["person"]["credits"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["DIRECTOR", "WRITER", "COMPOSER"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    let cast = app.data(r#"{ person(by: { slug: "nicolas-cage" }) { credits(kinds: [CAST], first: 100) { edges { character { name } node { title } } } } }"#, json!({})).await;
    let edges = cast["person"]["credits"]["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|e| e["character"]["name"] == "Ben Sanderson"
                && e["node"]["title"] == "Leaving Las Vegas")
    );
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["title"] == "Raising Arizona"),
        "the catalogue's films are in the filmography"
    );
    let cage = app.data(r#"{ person(by: { slug: "nicolas-cage" }) { nominations { category won film { title } } } }"#, json!({})).await;
    assert_eq!(
        cage["person"]["nominations"],
        json!([{ "category": "Best Actor", "won": true, "film": { "title": "Leaving Las Vegas" } }])
    );
}

on_both_databases!(
    a_film_is_found_by_id_slug_and_imdb_id,
    unknown_films_and_people_are_null_and_bad_ids_are_bad_input,
    every_node_comes_back_through_node_and_nodes,
    a_person_shows_their_credits_and_awards
);

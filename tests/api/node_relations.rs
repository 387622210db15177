//! The nodes of a list load their relations in batches (one statement for
//! the list's directors, one for its counts): each node's directors, credits
//! and counts must be its own, as the same node asked alone shows them,
//! whatever the list, the aliases, the fragments, or a parent that comes twice.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

/// What a film shows of its relations, asked the same way of a list's nodes
/// and of the film alone (which loads for itself only).
const FILM_FIELDS: &str = r#"
    title
    directors { name }
    firstDirector: directors { slug }
    cast: credits(kinds: [CAST], first: 0) { totalCount }
    crew: credits(kinds: [DIRECTOR, WRITER], first: 0) { totalCount }
    billed: credits(kinds: [CAST], first: 3) { totalCount edges { billingOrder node { name } } }
    ...Relations
    ...Relations
"#;

const RELATIONS: &str = r#"
fragment Relations on Film {
    directors { name slug }
    credits(first: 2) { edges { kind node { name } } }
}
"#;

async fn film_alone(app: &TestApp, slug: &str) -> Value {
    let query = format!(
        "query($slug: String!) {{ film(by: {{slug: $slug}}) {{ {FILM_FIELDS} }} }} {RELATIONS}"
    );
    app.data(&query, json!({ "slug": slug })).await["film"].clone()
}

async fn a_lists_films_show_their_own_relations(app: TestApp) {
    let query = format!(
        "{{ films(first: 25, orderBy: {{field: TITLE}}) {{ edges {{ node {{ slug {FILM_FIELDS} }} }} }} }} {RELATIONS}"
    );
    let data = app.data(&query, json!({})).await;
    let edges = data["films"]["edges"].as_array().unwrap();
    assert!(edges.len() > 10, "{data}");
    let mut with_directors = 0;
    for edge in edges {
        let mut node = edge["node"].clone();
        let slug = node["slug"].as_str().unwrap().to_string();
        node.as_object_mut().unwrap().remove("slug");
        assert_eq!(node, film_alone(&app, &slug).await, "{slug}");
        with_directors += usize::from(!node["directors"].as_array().unwrap().is_empty());
    }
    // The comparison is not of empty lists.
    assert!(with_directors > 5, "{data}");
}

async fn a_film_that_comes_twice_in_a_filmography_shows_its_own_each_time(app: TestApp) {
    // Mike Figgis directed, wrote and scored Leaving Las Vegas: the film is
    // a node of his filmography more than once.
    let query = format!(
        "{{ person(by: {{slug: \"mike-figgis\"}}) {{ credits(first: 50) {{ edges {{ kind node {{ slug {FILM_FIELDS} }} }} }} }} }} {RELATIONS}"
    );
    let data = app.data(&query, json!({})).await;
    let edges = data["person"]["credits"]["edges"].as_array().unwrap();
    let twice = edges
        .iter()
        .filter(|edge| edge["node"]["slug"] == "leaving-las-vegas")
        .count();
    assert!(twice >= 2, "{data}");
    for edge in edges {
        let mut node = edge["node"].clone();
        let slug = node["slug"].as_str().unwrap().to_string();
        node.as_object_mut().unwrap().remove("slug");
        assert_eq!(node, film_alone(&app, &slug).await, "{slug}");
    }
}

async fn a_casts_filmographies_are_each_their_own(app: TestApp) {
    // The film's cast are siblings; each one's films, and those films'
    // directors, must be that person's.
    let person_fields =
        "name credits(first: 4) { totalCount edges { node { title directors { name } } } }";
    let query = format!(
        "{{ film(by: {{slug: \"leaving-las-vegas\"}}) {{ credits(kinds: [CAST], first: 6) {{ edges {{ node {{ slug {person_fields} }} }} }} }} }}"
    );
    let data = app.data(&query, json!({})).await;
    let edges = data["film"]["credits"]["edges"].as_array().unwrap();
    assert!(edges.len() >= 2, "{data}");
    for edge in edges {
        let mut node = edge["node"].clone();
        let slug = node["slug"].as_str().unwrap().to_string();
        node.as_object_mut().unwrap().remove("slug");
        let alone = app
            .data(
                &format!(
                    "query($slug: String!) {{ person(by: {{slug: $slug}}) {{ {person_fields} }} }}"
                ),
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(node, alone["person"], "{slug}");
    }
}

on_both_databases!(
    a_lists_films_show_their_own_relations,
    a_film_that_comes_twice_in_a_filmography_shows_its_own_each_time,
    a_casts_filmographies_are_each_their_own,
);

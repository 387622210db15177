//! What each benchmark shape (BENCHMARKS.md; `bench/queries/`) costs the
//! database with the response cache off (issue 21, part 7: "fewer
//! statements per level"): at most so many statements. A change that loads
//! a relation row by row fails here before it shows in a benchmark. Lower a
//! budget when a change earns it. Round trips are not held to a budget: how
//! the film page's levels meet in its loaders' batches depends on timing
//! (10 to 12 trips for the same 37 statements), so a bound on them fails
//! under load for nothing.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

/// Each shape: its query file, its budget of statements, and a
/// JSON pointer into the answer that must hold data (its deepest level).
const SHAPES: [(&str, &str, usize, &str); 7] = [
    // The film page: its sections by id and parent, batched by level.
    (
        "B1",
        "playground/film-page.graphql",
        37,
        "/film/quotes/edges/0/node/speaker/performers/0/name",
    ),
    (
        "B2",
        "bench/queries/b2.cinegraph.graphql",
        2,
        "/films/edges/0/node/credits/edges/0/node/name",
    ),
    (
        "B3",
        "bench/queries/b3.cinegraph.graphql",
        3,
        "/film/credits/edges/0/node/credits/edges/0/node/directors/0/name",
    ),
    (
        "B4",
        "bench/queries/b4.cinegraph.graphql",
        3,
        "/films/edges/0/node/title",
    ),
    (
        "B6",
        "bench/queries/b6.cinegraph.graphql",
        2,
        "/film/credits/edges/0/character/name",
    ),
    // The list with its cast counts and directors.
    (
        "B7",
        "bench/queries/b7.cinegraph.graphql",
        1,
        "/films/edges/0/node/cast/totalCount",
    ),
    (
        "B8",
        "bench/queries/b8.cinegraph.graphql",
        4,
        "/person/credits/edges/0/node/credits/edges/0/node/credits/edges/0/node/title",
    ),
];

async fn each_benchmark_shape_stays_within_its_statements(app: TestApp) {
    for (name, path, most_statements, deepest) in SHAPES {
        let query =
            std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let (statements, (_, answer)) = app.count_statements(app.post(&query, json!({}))).await;
        assert_eq!(answer["errors"], Value::Null, "{name}: {answer}");
        let found = answer["data"].pointer(deepest);
        assert!(
            found.is_some_and(|v| !v.is_null()),
            "{name}: nothing at {deepest}"
        );
        assert!(
            statements <= most_statements,
            "{name}: {statements} statements, over its budget of {most_statements}"
        );
    }
}

/// A film list's `credits { totalCount }` selections that ask for nothing
/// else are counted for the whole page by the list's own statement (a
/// correlated count per kind set). Each count must be the one the film's
/// own field gives through the count loader, whatever the kind set, alias,
/// variable, fragment or page.
async fn a_lists_credit_counts_and_directors_are_its_films_own(app: TestApp) {
    const PER_FILM: &str = "cast: credits(kinds: [CAST]) { totalCount }
        crew: credits(kinds: [DIRECTOR, WRITER], first: 0) { totalCount }
        all: credits { totalCount }
        given: credits(kinds: $kinds) { totalCount }
        ... on Film { one: credits(kinds: CAST) { __typename totalCount } }
        paged: credits(kinds: [CAST], first: 2) { totalCount edges { node { name } } }
        directors { id slug name bio birthDate creditCount }
        ... on Film { named: directors { __typename name } }";
    // Metacritic's ratings leave films out: their run comes last, read by a
    // statement of its own.
    let list = format!(
        "query($kinds: [CreditKind!], $after: String) {{
          films(first: 4, after: $after,
                orderBy: {{ field: EXTERNAL_RATING, ratingSource: METACRITIC }}) {{
            pageInfo {{ endCursor hasNextPage }}
            edges {{ node {{ id externalRatings {{ source }} {PER_FILM} }} }}
          }}
        }}"
    );
    let one = format!(
        "query($kinds: [CreditKind!], $id: ID!) {{ node(id: $id) {{ ... on Film {{ {PER_FILM} }} }} }}"
    );
    // The catalogue knows no birth dates or biographies: give one director
    // both (text that JSON must escape), so that both are read back.
    app.connection
        .execute_unprepared(
            "UPDATE person SET birth_date = '1948-02-28', bio = 'Born in \"Carlisle\"\\ é\n'
             WHERE id = (SELECT MIN(person_id) FROM credit WHERE kind = 'DIRECTOR')",
        )
        .await
        .unwrap();
    let kinds = json!(["COMPOSER", "PRODUCER"]);
    let (mut after, mut films, mut with_cast, mut unrated) = (Value::Null, 0, 0, 0);
    let (mut directed_by_several, mut dated) = (0, 0);
    loop {
        let vars = json!({ "kinds": kinds, "after": after });
        let page = app.data(&list, vars).await["films"].clone();
        for edge in page["edges"].as_array().unwrap() {
            let node = &edge["node"];
            let vars = json!({ "kinds": kinds, "id": node["id"] });
            let own = app.data(&one, vars).await["node"].clone();
            for alias in ["cast", "crew", "all", "given", "one", "paged"] {
                assert_eq!(
                    node[alias]["totalCount"], own[alias]["totalCount"],
                    "{alias} of {}",
                    node["id"]
                );
            }
            for alias in ["paged", "directors", "named"] {
                assert_eq!(node[alias], own[alias], "{alias} of {}", node["id"]);
            }
            let directors = node["directors"].as_array().unwrap();
            directed_by_several += usize::from(directors.len() > 1);
            let born = |d: &&Value| d["birthDate"] == "1948-02-28";
            dated += directors.iter().filter(born).count();
            assert_eq!(node["one"]["__typename"], "FilmCreditConnection");
            let cast = node["cast"]["totalCount"].as_i64().unwrap();
            assert!(node["all"]["totalCount"].as_i64().unwrap() >= cast);
            films += 1;
            with_cast += usize::from(cast > 0);
            let sources = node["externalRatings"].as_array().unwrap();
            unrated += usize::from(!sources.iter().any(|r| r["source"] == "METACRITIC"));
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert!(
        films > 4 && with_cast > 0 && unrated > 0 && unrated < films,
        "{films} films, {with_cast} with cast, {unrated} without a Metacritic rating"
    );
    assert!(
        directed_by_several > 0 && dated > 0,
        "{directed_by_several} films directed by several people, {dated} by the one born"
    );

    // The counts and directors alone: the list's statement reads them all.
    let along = "{ films(first: 4, orderBy: { field: TITLE }) { edges { node {
        cast: credits(kinds: [CAST]) { totalCount } all: credits { totalCount }
        directors { name } } } } }";
    let (statements, answer) = app.count_statements(app.data(along, json!({}))).await;
    assert_eq!(statements, 1, "{answer}");

    // A filmography's films read their directors with the page: forward,
    // backward, and with the edges' characters joined in too.
    let filmography = r#"{ person(by: { slug: "nicolas-cage" }) {
        forward: credits(first: 40) { edges { node { id
          directors { id slug name bio birthDate creditCount }
          named: directors { __typename name } } } }
        backward: credits(last: 7, kinds: [CAST]) { edges { character { name } node { id
          directors { id slug name bio birthDate creditCount }
          named: directors { __typename name } } } } } }"#;
    let one = "query($id: ID!) { node(id: $id) { ... on Film {
        directors { id slug name bio birthDate creditCount }
        named: directors { __typename name } } } }";
    let (statements, data) = app.count_statements(app.data(filmography, json!({}))).await;
    assert_eq!(
        statements, 3,
        "the person, then each page with its films' directors"
    );
    let mut directed_by_several = 0;
    for page in ["forward", "backward"] {
        let edges = data["person"][page]["edges"].as_array().unwrap();
        assert!(edges.len() > 5, "{page}: {edges:?}");
        for edge in edges {
            let node = &edge["node"];
            let own = app.data(one, json!({ "id": node["id"] })).await["node"].clone();
            assert_eq!(
                node["directors"], own["directors"],
                "{page}: {}",
                node["id"]
            );
            assert_eq!(node["named"], own["named"], "{page}: {}", node["id"]);
            directed_by_several += usize::from(own["directors"].as_array().unwrap().len() > 1);
        }
    }
    assert!(
        directed_by_several > 0,
        "no film of the filmography has two directors"
    );
}

on_both_databases!(
    configured(|config| config.response_cache_bytes = 0):
    each_benchmark_shape_stays_within_its_statements,
    a_lists_credit_counts_and_directors_are_its_films_own
);

//! What each benchmark shape (BENCHMARKS.md; `bench/queries/`) costs the
//! database with the response cache off (issue 21, part 7: "fewer
//! statements per level"): at most so many statements. A change that loads
//! a relation row by row fails here before it shows in a benchmark. Lower a
//! budget when a change earns it. Round trips are not held to a budget: how
//! the film page's levels meet in its loaders' batches depends on timing
//! (10 to 12 trips for the same 37 statements), so a bound on them fails
//! under load for nothing.

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
        3,
        "/films/edges/0/node/credits/edges/0/node/name",
    ),
    (
        "B3",
        "bench/queries/b3.cinegraph.graphql",
        4,
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
    // The list, then the directors and the cast counts.
    (
        "B7",
        "bench/queries/b7.cinegraph.graphql",
        3,
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

on_both_databases!(
    configured(|config| config.response_cache_bytes = 0):
    each_benchmark_shape_stays_within_its_statements
);

//! Every playground example runs against the real router and returns its data.

use serde_json::{Value, json};

use crate::helpers::{on_both_databases, playground};

/// Asserts what an example's answer must show.
type Check = fn(&Value);

/// Each example with what its answer must show.
fn checks() -> Vec<(&'static str, Check)> {
    vec![
        ("film-page.graphql", |d| {
            assert_eq!(d["film"]["title"], "Leaving Las Vegas")
        }),
        ("actor-filmography.graphql", |d| {
            assert_eq!(d["person"]["name"], "Nicolas Cage");
            let edges = d["person"]["credits"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), 20);
            let years: Vec<i64> = edges
                .iter()
                .map(|e| e["node"]["releaseYear"].as_i64().unwrap())
                .collect();
            assert!(
                years.windows(2).all(|w| w[0] <= w[1]),
                "a filmography runs oldest first: {years:?}"
            );
            assert!(d["person"]["credits"]["totalCount"].as_i64().unwrap() > 20);
        }),
        ("box-set-films.graphql", |d| {
            assert_eq!(d["product"]["films"].as_array().unwrap().len(), 5)
        }),
        ("quote-speaker.graphql", |d| {
            let first = &d["film"]["quotes"]["edges"][0]["node"];
            assert_eq!(first["speaker"]["name"], "Ben Sanderson");
            assert_eq!(first["speaker"]["performers"][0]["name"], "Nicolas Cage");
        }),
    ]
}

on_both_databases! {
    async fn every_playground_example_runs_and_answers(app: TestApp) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playground");
        let mut files: Vec<String> = std::fs::read_dir(dir).unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".graphql"))
            .collect();
        files.sort();
        let checks = checks();
        for file in &files {
            let check = checks.iter().find(|(name, _)| name == file)
                .unwrap_or_else(|| panic!("playground/{file} has no check in tests/api/playground.rs"));
            let data = app.data(&playground(file), json!({})).await;
            (check.1)(&data);
        }
        assert_eq!(files.len(), checks.len());
    }
}

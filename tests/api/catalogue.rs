//! The full bundled catalogue: counts, merging with the film page, and the
//! untidy cases of the source.

use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

async fn the_whole_catalogue_imports_and_merges_with_the_film_page(app: TestApp) {
    let report = app
        .import_catalogue(cinegraph::data::CATALOGUE_NAME, cinegraph::data::CATALOGUE)
        .await
        .expect("import the catalogue");
    assert_eq!(report.films, 17_472);
    // Every film of the page and the sample was already there: no duplicates.
    assert_eq!(app.count_rows("film").await, 17_472);
    assert!(report.people > 60_000, "{report:?}");
    assert!(report.credits > 230_000, "{report:?}");

    // Leaving Las Vegas is one film, with the page's facts and the catalogue's extras.
    let data = app
        .data(
            r#"{ films(filter: { title: "leaving las vegas" }) { totalCount edges { node {
            title runtimeMinutes wikidataId academyAwards { wins nominations }
            credits(first: 3) { edges { billingOrder node { name } } } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["films"]["totalCount"], 1);
    let film = &data["films"]["edges"][0]["node"];
    assert_eq!(
        film["runtimeMinutes"], 111,
        "the page's runtime wins over the catalogue's 107"
    );
    assert_eq!(film["wikidataId"], "Q280918");
    assert_eq!(
        film["academyAwards"],
        json!({ "wins": 1, "nominations": 2 }),
        "the award graph's counts (the page lists two Academy Award nominations), not the catalogue's 1 and 3"
    );
    assert_eq!(film["credits"]["edges"][0]["node"]["name"], "Nicolas Cage");
    assert_eq!(film["credits"]["edges"][0]["billingOrder"], 1);

    // The catalogue's cast lists are alphabetical: no billing, and the cast
    // ordered by prominence (credit count, most first, then name).
    let cast = r#"{ films(filter: { title: "moscow does not believe in tears" }) { edges { node {
        castOrder credits(first: 100, kinds: [CAST]) { edges { billingOrder node { name creditCount } } } } } } }"#;
    let data = app.data(cast, json!({})).await;
    let film = &data["films"]["edges"][0]["node"];
    assert_eq!(film["castOrder"], "PROMINENCE", "{data}");
    let edges = film["credits"]["edges"].as_array().unwrap();
    assert!(edges.len() > 3, "{data}");
    assert!(edges.iter().all(|e| e["billingOrder"].is_null()), "{data}");
    let prominence: Vec<(i64, String)> = edges
        .iter()
        .map(|e| {
            let person = &e["node"];
            (
                -person["creditCount"].as_i64().unwrap(),
                cinegraph::text::fold(person["name"].as_str().unwrap()),
            )
        })
        .collect();
    assert!(prominence.is_sorted(), "{prominence:?}");
    assert!(prominence.first() != prominence.last(), "{prominence:?}");

    // Implausible box office figures are not served: Wonder Woman (2009)'s $7.
    let money = r#"{ films(filter: { title: "wonder woman", releaseYear: { min: 2009, max: 2009 } }) {
        edges { node { boxOffice { kind amount { amount } } } } } }"#;
    let data = app.data(money, json!({})).await;
    let figures = &data["films"]["edges"][0]["node"]["boxOffice"];
    assert!(
        figures
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["amount"]["amount"].as_f64().unwrap() >= 1000.0),
        "{data}"
    );
    // Grosses past 2^31 are served exactly (a Float: GraphQL's Int is 32 bits).
    let avatar = r#"{ films(filter: { title: "avatar", releaseYear: { min: 2009, max: 2009 } }) {
        edges { node { boxOffice { kind amount { amount } } } } } }"#;
    let data = app.data(avatar, json!({})).await;
    let amounts: Vec<f64> = data["films"]["edges"][0]["node"]["boxOffice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["amount"]["amount"].as_f64().unwrap())
        .collect();
    assert!(amounts.contains(&2_847_379_794.0), "{data}");
    // The import reported what it dropped, as `parse` finds it.
    let parsed =
        cinegraph::import::catalogue::parse("films.jsonl.gz", cinegraph::data::CATALOGUE).unwrap();
    assert_eq!(report.findings, parsed.findings);
    assert!(report.findings.iter().any(|f| f.title == "Wonder Woman"
        && f.reason == cinegraph::import::catalogue::Reason::GrossBelowFloor));

    // Award counts the source does not know are null, never 0: its text for
    // Moscow Does Not Believe in Tears says only "Won 1 Oscar.".
    let awards = r#"{ films(filter: { title: "moscow does not believe in tears" }) {
        edges { node { academyAwards { wins nominations } } } } }"#;
    let data = app.data(awards, json!({})).await;
    assert_eq!(
        data["films"]["edges"][0]["node"]["academyAwards"],
        json!({ "wins": 1, "nominations": null }),
        "{data}"
    );

    // The source's 1 January means "some day that year": no invented days.
    let year = r#"{ films(first: 100, filter: { releaseYear: { min: 1995, max: 1995 } }) {
        edges { node { releaseDate releaseYear } } } }"#;
    let data = app.data(year, json!({})).await;
    let films = data["films"]["edges"].as_array().unwrap();
    assert!(films.iter().all(|e| e["node"]["releaseYear"] == 1995));
    assert!(
        !films.iter().any(|e| e["node"]["releaseDate"]
            .as_str()
            .is_some_and(|d| d.ends_with("-01-01"))),
        "{data}"
    );
    assert!(
        films.iter().any(|e| e["node"]["releaseDate"].is_null()),
        "{data}"
    );
    assert!(
        films.iter().any(|e| e["node"]["releaseDate"].is_string()),
        "{data}"
    );

    // Two source rows share an IMDb id: the earlier release keeps it, the other stays a film of its own.
    let data = app.data(r#"{ original: film(by: { imdbId: "tt0078788" }) { title releaseYear }
            redux: films(filter: { title: "apocalypse now redux" }) { edges { node { imdbId wikidataId } } } }"#, json!({})).await;
    assert_eq!(
        data["original"],
        json!({ "title": "Apocalypse Now", "releaseYear": 1979 })
    );
    assert_eq!(
        data["redux"]["edges"][0]["node"],
        json!({ "imdbId": null, "wikidataId": "Q3620669" })
    );

    // Empty strings in the source are unknown values, not empty ones.
    let data = app
        .data(
            r#"{ films(filter: { certifications: [""] }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["films"]["totalCount"], 0);

    // A name is one person (the source has no person ids), with all their credits.
    let data = app
        .data(
            r#"{ person(by: { slug: "nicolas-cage" }) { credits { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert!(data["person"]["credits"]["totalCount"].as_i64().unwrap() > 40);

    // Importing the catalogue again changes no counts.
    let films = app.count_rows("film").await;
    let credits = app.count_rows("credit").await;
    app.import_catalogue(cinegraph::data::CATALOGUE_NAME, cinegraph::data::CATALOGUE)
        .await
        .unwrap();
    assert_eq!(
        (app.count_rows("film").await, app.count_rows("credit").await),
        (films, credits)
    );
}

async fn a_broken_catalogue_is_refused_and_changes_nothing(app: TestApp) {
    use std::io::Write;
    let films = app.count_rows("film").await;
    let gzip = |text: &str| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let good = r#"{"wikidataId":"Q1","imdbId":"tt7777777","title":"A","year":2000,"released":null,"runtime":null,"certification":null,"genres":[],"countries":[],"languages":[],"directors":[],"writers":[],"cast":[],"ratings":[],"boxOffice":[],"academyAwardsText":null}"#;
    let cases = [
        ("not gzip", b"plain text".to_vec(), ""),
        ("truncated", gzip(good)[..20].to_vec(), ""),
        (
            "wrong type",
            gzip(&good.replace(r#""year":2000"#, r#""year":"2000""#)),
            "line 1: year",
        ),
        (
            "duplicate id",
            gzip(&format!("{good}\n{good}")),
            "line 2: wikidataId",
        ),
        (
            "bad rating",
            gzip(&good.replace(
                r#""ratings":[]"#,
                r#""ratings":[{"source":"IMDB","value":11,"scale":10,"votes":null,"from":"x"}]"#,
            )),
            "line 1: ratings[0].value",
        ),
    ];
    for (case, bytes, path) in cases {
        let err = app
            .import_catalogue("broken.jsonl.gz", &bytes)
            .await
            .expect_err(case);
        assert!(err.to_string().contains("broken.jsonl.gz"), "{case}: {err}");
        assert!(err.to_string().contains(path), "{case}: {err}");
    }
    assert_eq!(app.count_rows("film").await, films);
}

/// The committed summary of the bundled catalogue's import report is what
/// the importer drops today. `UPDATE_IMPORT_SUMMARY=1` rewrites it.
#[test]
fn the_committed_import_summary_is_current() {
    use cinegraph::import::{ImportedFile, Outcome, catalogue, report};
    let parsed = catalogue::parse("films.jsonl.gz", cinegraph::data::CATALOGUE).unwrap();
    let file = ImportedFile {
        file: "data/catalogue/films.jsonl.gz".into(),
        outcome: Outcome::Catalogue(parsed.films.len()),
        findings: parsed.findings,
    };
    let summary = report::summary_json(&[file]);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/catalogue/import-report-summary.json"
    );
    if std::env::var_os("UPDATE_IMPORT_SUMMARY").is_some() {
        std::fs::write(path, &summary).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == summary,
        "{path} is stale; run UPDATE_IMPORT_SUMMARY=1 cargo test --test api import_summary\nexpected:\n{summary}"
    );
}

on_both_databases!(
    the_whole_catalogue_imports_and_merges_with_the_film_page,
    a_broken_catalogue_is_refused_and_changes_nothing
);

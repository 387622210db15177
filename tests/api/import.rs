//! The document importer: idempotent, updates in place, refuses bad input
//! precisely and leaves the database as it was.

use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};

const TABLES: [&str; 8] = [
    "film",
    "person",
    "credit",
    "quote",
    "review",
    "product_film",
    "film_character",
    "nomination",
];

/// A change that makes a valid document invalid.
type Breakage = Box<dyn Fn(&mut Value)>;

async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(app.count_rows(table).await);
    }
    counts
}

async fn import(
    app: &TestApp,
    document: &Value,
) -> Result<cinegraph::import::Outcome, cinegraph::import::ImportError> {
    cinegraph::import::import_bytes(&app.db, "test.json", document.to_string().as_bytes()).await
}

on_both_databases! {
    async fn importing_the_same_document_twice_changes_nothing(app: TestApp) {
        let before = snapshot(&app).await;
        let text = cinegraph::data::FILM_PAGES[0].1;
        let outcome = cinegraph::import::import_bytes(&app.db, "again.json", text.as_bytes()).await.unwrap();
        assert_eq!(outcome, cinegraph::import::Outcome::Unchanged);
        assert_eq!(snapshot(&app).await, before);
    }

    async fn a_corrected_document_updates_the_film_in_place(app: TestApp) {
        let query = r#"{ film(by: { imdbId: "tt0113627" }) { id title characters { id name } quotes { totalCount } } }"#;
        let before = app.data(query, json!({})).await;
        let mut corrected = leaving_las_vegas();
        corrected["film"]["tagline"] = json!("A corrected tagline");
        corrected["quotes"].as_array_mut().unwrap().pop();
        assert_eq!(import(&app, &corrected).await.unwrap(), cinegraph::import::Outcome::Updated);
        let after = app.data(query, json!({})).await;
        assert_eq!(after["film"]["id"], before["film"]["id"]);
        assert_eq!(after["film"]["characters"], before["film"]["characters"], "characters keep their ids");
        assert_eq!(after["film"]["quotes"]["totalCount"], 4);
        let tagline = app.data(r#"{ film(by: { imdbId: "tt0113627" }) { tagline } }"#, json!({})).await;
        assert_eq!(tagline["film"]["tagline"], "A corrected tagline");
        assert_eq!(app.count_rows("film").await, before_films(&app).await);
    }

    async fn bad_documents_are_refused_with_their_path_and_change_nothing(app: TestApp) {
        let before = snapshot(&app).await;
        let cases: Vec<(&str, Breakage, &str)> = vec![
            ("wrong type", Box::new(|d| d["film"]["runtimeMinutes"] = json!("long")), "film.runtimeMinutes"),
            ("missing required field", Box::new(|d| { d["film"].as_object_mut().unwrap().remove("title"); }), "film"),
            ("unknown field", Box::new(|d| d["film"]["rating"] = json!(5)), "film"),
            ("unknown person", Box::new(|d| d["credits"][0]["person"] = json!("nobody")), "credits[0].person"),
            ("unknown character", Box::new(|d| d["quotes"][1]["character"] = json!("ghost")), "quotes[1].character"),
            ("unknown kind", Box::new(|d| d["credits"][0]["kind"] = json!("CATERING")), "credits[0].kind"),
            ("duplicate person", Box::new(|d| { let p = d["people"][0].clone(); d["people"].as_array_mut().unwrap().push(p); }), "people["),
            ("rating out of range", Box::new(|d| d["externalRatings"][0]["value"] = json!(11)), "externalRatings[0].value"),
            ("bad imdb id", Box::new(|d| d["similarFilms"][0]["film"]["imdbId"] = json!("0037884")), "similarFilms[0].film.imdbId"),
            ("wrong format", Box::new(|d| d["format"] = json!("other/2")), "format"),
        ];
        for (case, break_it, path) in cases {
            let mut document = leaving_las_vegas();
            document["film"]["tagline"] = json!("must not be written");
            break_it(&mut document);
            let err = import(&app, &document).await.expect_err(case);
            assert!(err.path.starts_with(path), "{case}: path {:?} does not start with {path:?} ({err})", err.path);
            assert!(err.to_string().contains("test.json"), "{case}: {err}");
        }
        for (case, bytes) in [
            ("truncated", cinegraph::data::FILM_PAGES[0].1.as_bytes()[..500].to_vec()),
            ("invalid utf-8", vec![b'{', 0xff, 0xfe, b'}']),
            ("empty", Vec::new()),
        ] {
            assert!(cinegraph::import::import_bytes(&app.db, "broken.json", &bytes).await.is_err(), "{case}");
        }
        assert_eq!(snapshot(&app).await, before);
        let tagline = app.data(r#"{ film(by: { imdbId: "tt0113627" }) { tagline } }"#, json!({})).await;
        assert_eq!(tagline["film"]["tagline"], json!(null));
    }

    async fn mentioned_films_become_films_once(app: TestApp) {
        // Each film the page mentions is one row, shared with the catalogue by IMDb id.
        for imdb in ["tt0113627", "tt0037884", "tt0093822", "tt0384680"] {
            let data = app.data("query($imdb: String!) { film(by: { imdbId: $imdb }) { title wikidataId } }", json!({ "imdb": imdb })).await;
            assert!(data["film"]["wikidataId"].is_string(), "{imdb} did not merge with the catalogue: {data}");
        }
        let films = app.count_rows("film").await;
        let data = app.data(r#"{ films(first: 1) { totalCount } }"#, json!({})).await;
        assert_eq!(data["films"]["totalCount"], films);
        let data = app.data(r#"{ film(by: { imdbId: "tt0093822" }) { title releaseYear products { name } } }"#, json!({})).await;
        assert_eq!(data["film"]["title"], "Raising Arizona");
        assert_eq!(data["film"]["products"][0]["name"], "Nicolas Cage: 5-Film Collection [DVD]");
    }
}

async fn before_films(app: &TestApp) -> i64 {
    app.count_rows("film").await
}

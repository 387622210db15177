//! `cinegraph generate`: a deterministic synthetic catalogue with realistic
//! shapes, written in one transaction beside the real catalogue.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

const FILMS: usize = 400;

/// Every synthetic film with its year, IMDb rating and credited names in order:
/// what two runs with the same seed must agree on (ids may differ).
async fn fingerprint(app: &TestApp) -> Vec<String> {
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT f.slug, f.release_year, f.rating_imdb, c.kind, c.billing_order, p.name \
             FROM film f JOIN credit c ON c.film_id = f.id JOIN person p ON p.id = c.person_id \
             WHERE c.origin = 'SYNTHETIC' ORDER BY f.slug, c.kind, c.id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            format!(
                "{} {:?} {:?} {} {:?} {}",
                row.try_get::<String>("", "slug").unwrap(),
                row.try_get::<Option<i32>>("", "release_year").unwrap(),
                row.try_get::<Option<f64>>("", "rating_imdb").unwrap(),
                row.try_get::<String>("", "kind").unwrap(),
                row.try_get::<Option<i32>>("", "billing_order").unwrap(),
                row.try_get::<String>("", "name").unwrap(),
            )
        })
        .collect()
}

async fn largest(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .connection
        .query_one_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn generate_adds_a_deterministic_realistic_catalogue(app: TestApp) {
    let films = app.count_rows("film").await;
    let report = app.generate(FILMS, 7).await.expect("generate");
    assert_eq!((report.films, report.people), (FILMS, FILMS));
    assert_eq!(app.count_rows("film").await, films + FILMS as i64);
    assert!(report.credits > FILMS * 8, "{report:?}");

    // Shapes: a long cast, and people credited far more often than most.
    let longest_cast = largest(
        &app,
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM credit \
            WHERE origin = 'SYNTHETIC' AND kind = 'CAST' GROUP BY film_id) casts",
    )
    .await;
    assert!(longest_cast >= 50, "longest cast {longest_cast}");
    let most_credits = largest(
        &app,
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM credit \
            WHERE origin = 'SYNTHETIC' GROUP BY person_id) people",
    )
    .await;
    let people = largest(
        &app,
        "SELECT COUNT(DISTINCT person_id) FROM credit WHERE origin = 'SYNTHETIC'",
    )
    .await;
    let average = report.credits as i64 / people;
    assert!(
        most_credits >= 3 * average,
        "most {most_credits}, average {average}"
    );

    // The API serves them like any film: found by title, counted, with their credits.
    let first = fingerprint(&app).await;
    let slug = first[0].split(' ').next().unwrap().to_string();
    let data = app
        .data(
            "query($slug: String!) { film(by: { slug: $slug }) { title releaseYear
            genres { name } credits(first: 3) { totalCount edges { node { name } } } } }",
            json!({ "slug": slug }),
        )
        .await;
    let film = &data["film"];
    assert!(film["releaseYear"].as_i64().unwrap() > 1880, "{film}");
    assert!(!film["genres"].as_array().unwrap().is_empty(), "{film}");
    assert!(
        film["credits"]["totalCount"].as_i64().unwrap() >= 3,
        "{film}"
    );
    let data = app
        .data(
            "query($t: String!) { films(filter: { title: $t }) { totalCount } }",
            json!({ "t": film["title"] }),
        )
        .await;
    assert!(data["films"]["totalCount"].as_i64().unwrap() >= 1);

    // The same seed on a fresh database of the same kind writes the same rows.
    let twin = if app.url.starts_with("postgres") {
        TestApp::postgres().await
    } else {
        TestApp::sqlite().await
    };
    twin.generate(FILMS, 7).await.expect("generate again");
    assert_eq!(fingerprint(&twin).await, first);

    // A second run refuses and writes nothing.
    let films = app.count_rows("film").await;
    let credits = app.count_rows("credit").await;
    let err = app.generate(10, 8).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("already holds 400 synthetic films"),
        "{err}"
    );
    assert_eq!(
        (app.count_rows("film").await, app.count_rows("credit").await),
        (films, credits)
    );

    // Re-importing the catalogue keeps the synthetic credits (they are not the catalogue's).
    app.import_catalogue(
        "catalogue-sample.jsonl.gz",
        crate::helpers::catalogue_sample(),
    )
    .await
    .unwrap();
    assert_eq!(fingerprint(&app).await, first);
}

on_both_databases!(generate_adds_a_deterministic_realistic_catalogue);

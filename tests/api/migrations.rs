//! Migrations are reversible: down removes every table, up brings them back.

use migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

async fn migrations_go_down_and_up_again(app: TestApp) {
    assert!(app.count_rows("film").await > 0);
    Migrator::down(&app.connection, None).await.expect("down");
    let gone = app
        .connection
        .execute_unprepared("SELECT COUNT(*) FROM film")
        .await;
    assert!(gone.is_err(), "film table still exists after down");
    Migrator::up(&app.connection, None).await.expect("up");
    assert_eq!(app.count_rows("film").await, 0);
    assert_eq!(
        Migrator::get_pending_migrations(&app.connection)
            .await
            .unwrap()
            .len(),
        0
    );
}

/// A database from before the release-date rule: its catalogue films'
/// 1 January dates (the source's way of saying "some day that year") become
/// unknown, keeping the year; a page document's date stays.
async fn year_only_release_dates_stop_claiming_a_day(app: TestApp) {
    let films = r#"{ films(first: 2, filter: { releaseYear: { min: 1990, max: 1999 } }) { edges { node { slug } } } }"#;
    let data = app.data(films, json!({})).await;
    let other = data["films"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
        .find(|slug| slug != "leaving-las-vegas")
        .unwrap();
    for slug in [other.as_str(), "leaving-las-vegas"] {
        app.connection
            .execute_unprepared(&format!(
                "UPDATE film SET release_date = '1994-01-01' WHERE slug = '{slug}'"
            ))
            .await
            .unwrap();
    }
    // Migration 7 is this rule: run it again over the old dates (7 and 8
    // change only data, and go down as no-ops).
    Migrator::down(&app.connection, Some(2))
        .await
        .expect("down");
    Migrator::up(&app.connection, None).await.expect("up");
    let date = "query($s: String!) { film(by: { slug: $s }) { releaseDate releaseYear } }";
    let catalogue = app.data(date, json!({ "s": other })).await;
    assert_eq!(catalogue["film"]["releaseDate"], Value::Null, "{catalogue}");
    assert!(catalogue["film"]["releaseYear"].is_number(), "{catalogue}");
    let page = app.data(date, json!({ "s": "leaving-las-vegas" })).await;
    assert_eq!(
        page["film"]["releaseDate"], "1994-01-01",
        "a document's date stays"
    );
}

on_both_databases!(
    migrations_go_down_and_up_again,
    year_only_release_dates_stop_claiming_a_day
);

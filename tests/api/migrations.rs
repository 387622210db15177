//! Migrations are reversible: down removes every table, up brings them back.

use migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::credit_counts::assert_counts_true;
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
    // Migration 7 is this rule: run it again over the old dates (the later
    // ones go down without losing the film rows).
    Migrator::down(&app.connection, Some(since(7)))
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

/// A database from before migration 26: its films' credit counts are
/// counted from the credits it holds, then kept.
async fn credit_counts_reach_existing_databases(app: TestApp) {
    Migrator::down(&app.connection, Some(since(26)))
        .await
        .expect("down");
    // Credits written while nothing kept count.
    app.connection
        .execute_unprepared(
            "DELETE FROM credit WHERE id IN (SELECT id FROM credit ORDER BY id LIMIT 5)",
        )
        .await
        .unwrap();
    Migrator::up(&app.connection, None).await.expect("up");
    assert_counts_true(&app, "migration 26 over a filled database").await;
    app.connection
        .execute_unprepared(
            "DELETE FROM credit WHERE id IN (SELECT id FROM credit ORDER BY id LIMIT 5)",
        )
        .await
        .unwrap();
    assert_counts_true(&app, "a delete after migration 26").await;
}

/// How many migrations go down to undo the one numbered `number` (1-based)
/// and every later one.
fn since(number: usize) -> u32 {
    (Migrator::migrations().len() + 1 - number) as u32
}

/// A database from before migrations 9 and 10: its catalogue cast billed in
/// the source's alphabetical order, implausible box office figures, and
/// Academy Award counts that disagree with the award graph. Afterwards the
/// billing is unknown, the figures are gone and the graph's counts stand.
async fn catalogue_truth_reaches_existing_databases(app: TestApp) {
    Migrator::down(&app.connection, Some(since(9)))
        .await
        .expect("down");
    let old_data = [
        "UPDATE credit SET billing_order = id WHERE origin = 'CATALOGUE' AND kind = 'CAST'",
        "UPDATE film SET academy_award_wins = 1, academy_award_nominations = 3 WHERE slug = 'leaving-las-vegas'",
        "INSERT INTO box_office_figure (film_id, kind, amount, currency, source) \
         SELECT id, 'GROSS', 7, 'USD', 'wikidata' FROM film WHERE slug = 'leaving-las-vegas'",
        "UPDATE box_office_figure SET amount = 31983777 WHERE kind = 'WORLDWIDE_GROSS' AND source = 'vega-datasets' \
         AND film_id = (SELECT id FROM film WHERE slug = 'leaving-las-vegas')",
    ];
    for statement in old_data {
        app.connection.execute_unprepared(statement).await.unwrap();
    }
    Migrator::up(&app.connection, None).await.expect("up");
    let query = r#"{ film(by: { slug: "leaving-las-vegas" }) {
        castOrder academyAwards { wins nominations }
        boxOffice { kind source }
        credits(first: 100, kinds: [CAST]) { edges { billingOrder node { name } } } } }"#;
    let film = app.data(query, json!({})).await["film"].clone();
    assert_eq!(film["castOrder"], "BILLING");
    assert_eq!(
        film["academyAwards"],
        json!({ "wins": 1, "nominations": 2 }),
        "the page's two Academy Award nominations"
    );
    let figures: Vec<(String, String)> = film["boxOffice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().into(),
                f["source"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        !figures.contains(&("GROSS".into(), "wikidata".into())),
        "the $7 gross is gone: {figures:?}"
    );
    assert!(
        !figures.contains(&("WORLDWIDE_GROSS".into(), "vega-datasets".into())),
        "the worldwide gross copied from the domestic one is gone: {figures:?}"
    );
    assert!(figures.contains(&("DOMESTIC_GROSS".into(), "vega-datasets".into())));
    let cast = film["credits"]["edges"].as_array().unwrap();
    let billed = cast
        .iter()
        .filter(|e| e["billingOrder"].is_number())
        .count();
    assert!(billed > 0 && billed < cast.len(), "{cast:?}");
    assert!(
        cast[billed..].iter().all(|e| e["billingOrder"].is_null()),
        "the page's billed cast first, then the catalogue's unbilled cast"
    );
}

on_both_databases!(
    catalogue_truth_reaches_existing_databases,
    credit_counts_reach_existing_databases,
    migrations_go_down_and_up_again,
    year_only_release_dates_stop_claiming_a_day
);

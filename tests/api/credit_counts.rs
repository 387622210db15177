//! A film's credit counts, kept in its row by triggers on `credit`
//! (migration 26, read by the film list), stay the true counts of its
//! credits through every way credits are written: the imports, the
//! editors' mutations, the foreign keys' cascades, statements that move a
//! credit to another kind or film, a rolled-back transaction and (on
//! PostgreSQL) a truncation.

use cinegraph::domain::roles::{self, Role};
use cinegraph::kinds::CreditKind;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};

/// The films whose kept counts are not their credits' counts, each with
/// the column that differs.
async fn miscounted(app: &TestApp) -> Vec<String> {
    let live = |kind: Option<&str>| {
        let of_kind = kind
            .map(|k| format!(" AND c.kind = '{k}'"))
            .unwrap_or_default();
        format!("(SELECT COUNT(*) FROM credit c WHERE c.film_id = f.id{of_kind})")
    };
    let mut checks = vec![("credit_count".to_string(), live(None))];
    for kind in CreditKind::NAMES {
        let column = format!("credit_count_{}", kind.to_lowercase());
        checks.push((column, live(Some(kind))));
    }
    let mut wrong = Vec::new();
    for (column, live) in checks {
        let sql = format!("SELECT f.id FROM film f WHERE f.{column} <> {live}");
        let rows = app
            .connection
            .query_all_raw(Statement::from_string(
                app.connection.get_database_backend(),
                sql,
            ))
            .await
            .unwrap();
        for row in rows {
            let id: i32 = row.try_get("", "id").unwrap();
            wrong.push(format!("film {id}: {column}"));
        }
    }
    wrong
}

/// Every film's kept counts are true, and they add up to every credit
/// there is (so the check has something to find wrong).
pub(crate) async fn assert_counts_true(app: &TestApp, after: &str) {
    assert_eq!(miscounted(app).await, Vec::<String>::new(), "after {after}");
    let kept = app
        .query_number("SELECT CAST(COALESCE(SUM(credit_count), 0) AS BIGINT) AS n FROM film")
        .await;
    assert_eq!(kept, app.count_rows("credit").await, "after {after}");
}

async fn execute(app: &TestApp, sql: &str) {
    app.connection.execute_unprepared(sql).await.unwrap();
}

async fn version_of(app: &TestApp, slug: &str) -> i64 {
    let query = "query($s: String!) { film(by: { slug: $s }) { version } }";
    app.data(query, json!({ "s": slug })).await["film"]["version"]
        .as_i64()
        .unwrap()
}

async fn counts_follow_every_write_to_credits(app: TestApp) {
    // The catalogue sample and the bundled pages, imported by `TestApp`.
    assert!(app.count_rows("credit").await > 100);
    assert_counts_true(&app, "the imports").await;

    let editor = app.sign_up("eddie").await;
    roles::grant(&app.db, "eddie", Role::Editor).await.unwrap();

    // An editor rewrites a page with one cast member fewer and a new one of
    // another kind.
    let mut document = leaving_las_vegas();
    let credits = document["credits"].as_array_mut().unwrap();
    let cast = credits.iter().position(|c| c["kind"] == "CAST").unwrap();
    let person = credits.remove(cast)["person"].clone();
    credits.push(json!({ "person": person, "kind": "PRODUCER" }));
    let import = "mutation($doc: JSON!, $v: Int) { importFilmPage(document: $doc, expectedVersion: $v) { outcome } }";
    let v = version_of(&app, "leaving-las-vegas").await;
    let written = app
        .data_as(&editor, import, json!({ "doc": document, "v": v }))
        .await;
    assert_eq!(written["importFilmPage"]["outcome"], "UPDATED");
    let film = "(SELECT id FROM film WHERE slug = 'leaving-las-vegas')";
    let producers = app
        .query_number(&format!(
            "SELECT credit_count_producer AS n FROM film WHERE id = {film}"
        ))
        .await;
    assert_eq!(producers, 1);
    assert_counts_true(&app, "importFilmPage").await;

    // A new film with no credits, then credits moved to it and copied to it.
    let create = "mutation($film: NewFilmInput!) { createFilm(film: $film) { film { id slug } } }";
    let created = app
        .data_as(
            &editor,
            create,
            json!({ "film": { "imdbId": "tt9990026", "title": "Counted" } }),
        )
        .await;
    let slug = created["createFilm"]["film"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let new_film = format!("(SELECT id FROM film WHERE slug = '{slug}')");
    assert_counts_true(&app, "createFilm").await;
    execute(
        &app,
        &format!(
            "UPDATE credit SET film_id = {new_film} WHERE id IN \
             (SELECT id FROM credit WHERE kind = 'DIRECTOR' ORDER BY id LIMIT 3)"
        ),
    )
    .await;
    assert_counts_true(&app, "credits moved to another film").await;
    execute(
        &app,
        &format!(
            "INSERT INTO credit (film_id, person_id, kind, origin, film_year, list_position) \
             SELECT {new_film}, person_id, kind, origin, film_year, list_position \
             FROM credit WHERE film_id = {film}"
        ),
    )
    .await;
    let copied = app
        .query_number(&format!(
            "SELECT credit_count AS n FROM film WHERE id = {new_film}"
        ))
        .await;
    assert!(copied > 3, "{copied}");
    assert_counts_true(&app, "credits copied in one statement").await;
    execute(
        &app,
        "UPDATE credit SET kind = 'WRITER' WHERE id = (SELECT MIN(id) FROM credit WHERE kind = 'CAST')",
    )
    .await;
    assert_counts_true(&app, "a credit given another kind").await;

    // An update that moves no credit writes no film row (PostgreSQL's
    // row version would change).
    if app.connection.get_database_backend() == DbBackend::Postgres {
        let xmin =
            format!("SELECT CAST(CAST(xmin AS TEXT) AS BIGINT) AS n FROM film WHERE id = {film}");
        let before = app.query_number(&xmin).await;
        execute(&app, "UPDATE credit SET list_position = list_position").await;
        assert_eq!(app.query_number(&xmin).await, before);
    }

    // The foreign keys' cascades: a person deleted takes their credits.
    let busiest = "(SELECT person_id FROM credit GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT 1)";
    let films_of_busiest = app
        .query_number(&format!(
            "SELECT COUNT(DISTINCT film_id) AS n FROM credit WHERE person_id = {busiest}"
        ))
        .await;
    assert!(films_of_busiest > 1, "{films_of_busiest}");
    execute(&app, &format!("DELETE FROM person WHERE id = {busiest}")).await;
    assert_counts_true(&app, "a person deleted").await;

    // A film deleted by an editor takes its credits.
    let delete =
        "mutation($id: ID!, $v: Int!) { deleteFilm(id: $id, expectedVersion: $v) { filmId } }";
    let id = created["createFilm"]["film"]["id"].clone();
    let v = version_of(&app, &slug).await;
    let deleted = app
        .data_as(&editor, delete, json!({ "id": id, "v": v }))
        .await;
    assert_eq!(deleted["deleteFilm"]["filmId"], id);
    assert_counts_true(&app, "deleteFilm").await;

    // What a transaction wrote and took back counts for nothing.
    let before = app
        .query_number(&format!(
            "SELECT credit_count AS n FROM film WHERE id = {film}"
        ))
        .await;
    let transaction = app.connection.begin().await.unwrap();
    transaction
        .execute_unprepared(&format!("DELETE FROM credit WHERE film_id = {film}"))
        .await
        .unwrap();
    transaction.rollback().await.unwrap();
    let after = app
        .query_number(&format!(
            "SELECT credit_count AS n FROM film WHERE id = {film}"
        ))
        .await;
    assert_eq!((after, before > 0), (before, true));
    assert_counts_true(&app, "a rolled-back delete").await;

    // Through the API, the list's count (kept) is the film's own (counted).
    let list = r#"{ films(first: 100, filter: { releaseYear: { min: 1995, max: 1995 } }) {
        edges { node { slug credits(kinds: [CAST, WRITER]) { totalCount } } } } }"#;
    let listed = app.data(list, json!({})).await["films"]["edges"].clone();
    let listed = listed.as_array().unwrap();
    let one = "query($s: String!) { film(by: { slug: $s }) { credits(kinds: [CAST, WRITER], first: 100) { totalCount edges { cursor } } } }";
    let mut checked = 0;
    for edge in listed {
        let node = &edge["node"];
        let own = app.data(one, json!({ "s": node["slug"] })).await["film"]["credits"].clone();
        assert_eq!(node["credits"]["totalCount"], own["totalCount"], "{node}");
        let edges = own["edges"].as_array().map(Vec::len).unwrap_or_default();
        assert_eq!(own["totalCount"], Value::from(edges), "{own}");
        checked += usize::from(edges > 0);
    }
    assert!(checked > 0, "no film of 1995 with credits: {listed:?}");

    // PostgreSQL can truncate the table, which deletes no row one by one.
    if app.connection.get_database_backend() == DbBackend::Postgres {
        execute(&app, "TRUNCATE credit CASCADE").await;
        assert_eq!(app.count_rows("credit").await, 0);
        assert_counts_true(&app, "TRUNCATE").await;
    }
}

on_both_databases!(counts_follow_every_write_to_credits);

//! A film's history (issue 23, part 3): every change, an editor's or an
//! import's, is a revision with its author, comment and field-by-field
//! changes; `Film.revisions` lists them for editors and `revertFilm` puts a
//! film back as one of them left it.

use cinegraph::domain::roles::{self, Role};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;

const REVISIONS: &str = "query($slug: String!, $first: Int, $after: String) {
    film(by: { slug: $slug }) { version revisions(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { id version kind author editor { username } source comment createdAt
                changes { path before after } document } } } }";

pub(crate) const UPDATE: &str =
    "mutation($id: ID!, $v: Int!, $film: FilmChangesInput!, $c: String) {
    updateFilm(id: $id, expectedVersion: $v, film: $film, comment: $c) { version } }";

const IMPORT: &str = "mutation($doc: JSON!, $v: Int, $c: String) {
    importFilmPage(document: $doc, expectedVersion: $v, comment: $c) { version } }";

const REVERT: &str = "mutation($r: ID!, $v: Int!, $c: String) {
    revertFilm(revisionId: $r, expectedVersion: $v, comment: $c) {
        version film { title tagline runtimeMinutes version } } }";

const DOCUMENT: &str = "query($id: ID!) { filmPageDocument(id: $id) { version document } }";

pub(crate) async fn editor(app: &TestApp) -> String {
    let token = app.sign_up("eddie").await;
    roles::grant(&app.db, "eddie", Role::Editor).await.unwrap();
    token
}

/// The film's version and its revisions, the newest first (all of them).
pub(crate) async fn history(app: &TestApp, token: &str, slug: &str) -> (i64, Vec<Value>) {
    let data = app
        .data_as(token, REVISIONS, json!({ "slug": slug, "first": 100 }))
        .await;
    let film = &data["film"];
    let revisions = film["revisions"]["nodes"].as_array().unwrap().clone();
    assert_eq!(film["revisions"]["totalCount"], revisions.len());
    (film["version"].as_i64().unwrap(), revisions)
}

pub(crate) fn paths(revision: &Value) -> Vec<&str> {
    revision["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect()
}

async fn document(app: &TestApp, token: &str, id: &Value) -> (i64, Value) {
    let data = app.data_as(token, DOCUMENT, json!({ "id": id })).await;
    let read = &data["filmPageDocument"];
    (read["version"].as_i64().unwrap(), read["document"].clone())
}

/// The bundled import, an editor's change of facts, an editor's page, and a
/// revert are each a revision naming who made it and exactly what changed.
async fn every_change_is_a_revision_with_its_author_and_changes(app: TestApp) {
    let eddie = editor(&app).await;
    let id = app.film_id("leaving-las-vegas").await;

    // The catalogue made the film, then the bundled page filled it in,
    // both imported at start.
    let (version, revisions) = history(&app, &eddie, "leaving-las-vegas").await;
    assert_eq!(revisions.len(), 2, "{revisions:?}");
    let catalogue = &revisions[1];
    assert_eq!(catalogue["kind"], "IMPORTED");
    assert_eq!(catalogue["author"], "importer");
    assert_eq!(catalogue["source"], "catalogue-sample.jsonl.gz");
    assert_eq!(catalogue["version"], 1);
    // A new film: each part of its page (no section yet).
    assert_eq!(paths(catalogue), ["film", "format"]);
    assert_eq!(
        catalogue["changes"][0]["after"]["title"],
        "Leaving Las Vegas"
    );
    let imported = &revisions[0];
    assert_eq!(imported["kind"], "IMPORTED");
    assert_eq!(imported["author"], "importer");
    assert_eq!(imported["source"], "leaving-las-vegas.json");
    assert_eq!(imported["editor"], Value::Null);
    assert_eq!((&imported["version"], version), (&json!(2), 2));
    // The page's facts and sections, and the page it left is the film's.
    for part in ["film.overview", "quotes[0]", "credits[0]"] {
        assert!(
            paths(imported).iter().any(|p| p.starts_with(part)),
            "{part}: {imported}"
        );
    }
    let (_, page) = document(&app, &eddie, &id).await;
    assert_eq!(imported["document"], page);

    // An editor changes two facts.
    let vars = json!({ "id": id, "v": version, "c": "  Runtime per the DVD  ",
        "film": { "tagline": "A new line", "runtimeMinutes": 112 } });
    let updated = app.data_as(&eddie, UPDATE, vars).await["updateFilm"]["version"].clone();
    assert_eq!(updated, version + 1);
    let (_, revisions) = history(&app, &eddie, "leaving-las-vegas").await;
    let change = &revisions[0];
    assert_eq!(
        (&change["kind"], &change["author"], &change["version"]),
        (&json!("UPDATED"), &json!("eddie"), &json!(version + 1))
    );
    assert_eq!(change["editor"]["username"], "eddie");
    assert_eq!(change["comment"], "Runtime per the DVD");
    assert_eq!(change["source"], Value::Null);
    assert_eq!(
        sorted_by_path(&change["changes"]),
        json!([
            { "path": "film.runtimeMinutes", "before": 111, "after": 112 },
            { "path": "film.tagline", "before": page["film"]["tagline"], "after": "A new line" },
        ])
    );

    // An editor's page: one quote's text changed.
    let (read_at, mut doc) = document(&app, &eddie, &id).await;
    let old_quote = doc["quotes"][1]["text"].clone();
    doc["quotes"][1]["text"] = json!("A line nobody said.");
    app.data_as(&eddie, IMPORT, json!({ "doc": doc, "v": read_at }))
        .await;
    let (version, revisions) = history(&app, &eddie, "leaving-las-vegas").await;
    assert_eq!(revisions[0]["kind"], "IMPORTED");
    assert_eq!(revisions[0]["author"], "eddie");
    assert_eq!(
        revisions[0]["changes"],
        json!([{ "path": "quotes[1].text", "before": old_quote, "after": "A line nobody said." }])
    );
    assert_eq!(revisions[0]["comment"], Value::Null);

    // Back to the imported page: every change undone, as a revision of its own.
    let reverted = app
        .data_as(
            &eddie,
            REVERT,
            json!({ "r": imported["id"], "v": version, "c": "vandalism" }),
        )
        .await["revertFilm"]
        .clone();
    assert_eq!(reverted["version"], version + 1);
    assert_eq!(reverted["film"]["runtimeMinutes"], 111);
    assert_eq!(reverted["film"]["tagline"], page["film"]["tagline"]);
    let (_, now) = document(&app, &eddie, &id).await;
    assert_eq!(now, page);
    let (_, revisions) = history(&app, &eddie, "leaving-las-vegas").await;
    assert_eq!(revisions.len(), 5);
    let revert = &revisions[0];
    assert_eq!(revert["kind"], "REVERTED");
    assert_eq!(revert["comment"], "vandalism");
    let mut undone = paths(revert);
    undone.sort();
    assert_eq!(
        undone,
        ["film.runtimeMinutes", "film.tagline", "quotes[1].text"]
    );
    // The newest first, one version apart.
    let versions: Vec<i64> = revisions
        .iter()
        .map(|r| r["version"].as_i64().unwrap())
        .collect();
    assert_eq!(
        versions,
        [version + 1, version, version - 1, version - 2, version - 3],
        "{revisions:?}"
    );

    // Pages of one: the same revisions, in the same order.
    let mut after = Value::Null;
    let mut paged = Vec::new();
    loop {
        let data = app
            .data_as(
                &eddie,
                REVISIONS,
                json!({ "slug": "leaving-las-vegas", "first": 1, "after": after }),
            )
            .await;
        let connection = &data["film"]["revisions"];
        paged.extend(connection["nodes"].as_array().unwrap().clone());
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(paged, revisions);

    // A revision from a version that moved on is CONFLICT, and changes nothing.
    let (_, stale) = app
        .post_as(
            Some(&eddie),
            REVERT,
            json!({ "r": revisions[2]["id"], "v": version }),
        )
        .await;
    assert_eq!(
        stale["errors"][0]["extensions"]["code"], "CONFLICT",
        "{stale}"
    );
    assert_eq!(
        stale["errors"][0]["extensions"]["currentVersion"],
        version + 1
    );
    assert_eq!(history(&app, &eddie, "leaving-las-vegas").await.1.len(), 5);
}

/// A revision's changes in the order of their paths.
fn sorted_by_path(changes: &Value) -> Value {
    let mut changes = changes.as_array().unwrap().clone();
    changes.sort_by_key(|c| c["path"].as_str().unwrap().to_string());
    Value::Array(changes)
}

/// A film no document can name (no IMDb id) keeps its own facts in its
/// revisions, and a revert puts those back.
async fn a_film_without_a_document_keeps_its_facts(app: TestApp) {
    let eddie = editor(&app).await;
    let create = "mutation($film: NewFilmInput!, $c: String) {
        createFilm(film: $film, comment: $c) { version film { id } } }";
    let film = json!({ "imdbId": "tt7654321", "title": "Nameless", "genres": ["Drama"] });
    let created = app
        .data_as(&eddie, create, json!({ "film": film, "c": "new" }))
        .await["createFilm"]
        .clone();
    let id = created["film"]["id"].clone();
    let (version, revisions) = history(&app, &eddie, "nameless").await;
    assert_eq!(version, 1);
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0]["kind"], "CREATED");
    assert_eq!(revisions[0]["comment"], "new");
    assert_eq!(revisions[0]["document"]["film"]["title"], "Nameless");

    // Its IMDb id is lost (as a catalogue film may have none).
    app.connection
        .execute_unprepared("UPDATE film SET imdb_id = NULL WHERE slug = 'nameless'")
        .await
        .unwrap();
    let vars = json!({ "id": id, "v": 1, "film": { "title": "Named" } });
    app.data_as(&eddie, UPDATE, vars).await;
    let (version, revisions) = history(&app, &eddie, "nameless").await;
    let facts_only = &revisions[0];
    assert_eq!(facts_only["document"]["format"], Value::Null);
    assert_eq!(facts_only["document"]["film"]["title"], "Named");
    // The change is the editor's alone: the film is read just before it.
    assert_eq!(
        facts_only["changes"],
        json!([{ "path": "film.title", "before": "Nameless", "after": "Named" }])
    );

    let vars = json!({ "id": id, "v": version, "film": { "title": "Renamed", "overview": "o" } });
    app.data_as(&eddie, UPDATE, vars).await;
    let reverted = app
        .data_as(
            &eddie,
            REVERT,
            json!({ "r": facts_only["id"], "v": version + 1 }),
        )
        .await["revertFilm"]
        .clone();
    assert_eq!(reverted["film"]["title"], "Named");
    let (_, revisions) = history(&app, &eddie, "nameless").await;
    assert_eq!(revisions[0]["kind"], "REVERTED");
    let mut undone = paths(&revisions[0]);
    undone.sort();
    assert_eq!(undone, ["film.overview", "film.title"]);
}

/// Only editors read the history or revert; bad ids, unknown revisions and
/// long comments are refused and change nothing; nothing private is kept.
async fn revisions_are_editors_business(app: TestApp) {
    let eddie = editor(&app).await;
    let vera = app.sign_up("vera").await;
    let (version, revisions) = history(&app, &eddie, "leaving-las-vegas").await;
    let revision = revisions[0]["id"].clone();
    let film = app.film_id("leaving-las-vegas").await;
    let list = json!({ "slug": "leaving-las-vegas", "first": 5 });

    assert_eq!(
        app.error_code_as(Some(&vera), REVISIONS, list.clone())
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code_as(None, REVISIONS, list.clone()).await,
        "UNAUTHENTICATED"
    );
    let revert = |r: Value, c: Value| json!({ "r": r, "v": version, "c": c });
    for (token, vars, code) in [
        (&vera, revert(revision.clone(), Value::Null), "FORBIDDEN"),
        (&eddie, revert(film.clone(), Value::Null), "BAD_USER_INPUT"),
        (
            &eddie,
            revert(json!("garbage"), Value::Null),
            "BAD_USER_INPUT",
        ),
        (
            &eddie,
            revert(json!(base64_id("Revision:999999")), Value::Null),
            "NOT_FOUND",
        ),
        (
            &eddie,
            revert(revision.clone(), json!("x".repeat(1001))),
            "BAD_USER_INPUT",
        ),
    ] {
        assert_eq!(
            app.error_code_as(Some(token), REVERT, vars.clone()).await,
            code,
            "{vars}"
        );
    }
    let long = json!({ "id": film, "v": version, "c": "x".repeat(1001), "film": { "title": "T" } });
    assert_eq!(
        app.error_code_as(Some(&eddie), UPDATE, long).await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        history(&app, &eddie, "leaving-las-vegas").await,
        (version, revisions)
    );

    // A revision's id resolves through no `node`.
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let found = app.data_as(&eddie, node, json!({ "id": revision })).await;
    assert_eq!(found["node"], Value::Null);

    // Nothing of an account reaches a revision: no password hash, no token.
    let vars = json!({ "id": film, "v": version, "film": { "title": "Changed" } });
    app.data_as(&eddie, UPDATE, vars).await;
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT state, changes FROM film_revision",
        ))
        .await
        .unwrap();
    let hash: String = {
        let row = app
            .connection
            .query_one_raw(sea_orm::Statement::from_string(
                app.connection.get_database_backend(),
                "SELECT password_hash FROM app_user WHERE username = 'eddie'",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "password_hash").unwrap()
    };
    // Every revision: the imports' and the editor's (the one with "Changed").
    let changed = rows.iter().filter(|row| {
        let state: String = row.try_get("", "state").unwrap();
        state.contains("\"Changed\"")
    });
    assert_eq!(changed.count(), 1);
    for row in rows {
        for column in ["state", "changes"] {
            let text: String = row.try_get("", column).unwrap();
            assert!(!text.contains(&eddie) && !text.contains(&hash), "{text}");
            assert!(!text.to_lowercase().contains("password"), "{text}");
        }
    }
}

/// Two editors revert from the same version at once: one wins, the other
/// is CONFLICT, and one revision is written.
async fn concurrent_reverts_leave_one_winner(app: TestApp) {
    let eddie = editor(&app).await;
    let film = app.film_id("leaving-las-vegas").await;
    let (version, revisions) = history(&app, &eddie, "leaving-las-vegas").await;
    let vars = json!({ "id": film, "v": version, "film": { "title": "Changed" } });
    app.data_as(&eddie, UPDATE, vars).await;
    let reverts = (0..6).map(|_| {
        let vars = json!({ "r": revisions[0]["id"], "v": version + 1 });
        let (app, eddie) = (&app, &eddie);
        async move { app.post_as(Some(eddie), REVERT, vars).await.1 }
    });
    let answers = futures_util::future::join_all(reverts).await;
    let won = answers.iter().filter(|a| a["errors"].is_null()).count();
    assert_eq!(won, 1, "{answers:?}");
    for lost in answers.iter().filter(|a| !a["errors"].is_null()) {
        assert_eq!(
            lost["errors"][0]["extensions"]["code"], "CONFLICT",
            "{lost}"
        );
    }
    let (now, revisions) = history(&app, &eddie, "leaving-las-vegas").await;
    assert_eq!((now, revisions.len()), (version + 2, 4));
    assert_eq!(revisions[0]["kind"], "REVERTED");
}

on_both_databases!(
    every_change_is_a_revision_with_its_author_and_changes,
    a_film_without_a_document_keeps_its_facts,
    revisions_are_editors_business,
    concurrent_reverts_leave_one_winner,
);

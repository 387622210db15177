//! Editing films (issue 23, part 2): `createFilm`, `updateFilm`, `deleteFilm`
//! and `importFilmPage` need the editor role, check what they write by the
//! document's rules, change a film only from the version the editor read,
//! keep a renamed film's old slug, and change nothing when refused.

use cinegraph::domain::roles::{self, Role};
use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};
use crate::response_cache::response_cache_on;

const CREATE: &str = "mutation($film: NewFilmInput!) {
    createFilm(film: $film) { version film { id slug title version genres { name } } } }";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $film: FilmChangesInput!) {
    updateFilm(id: $id, expectedVersion: $v, film: $film) {
        version film { slug title overview runtimeMinutes releaseYear version } } }";

const DELETE: &str = "mutation($id: ID!, $v: Int!) {
    deleteFilm(id: $id, expectedVersion: $v) { filmId } }";

const IMPORT: &str = "mutation($doc: JSON!, $v: Int) {
    importFilmPage(document: $doc, expectedVersion: $v) { outcome version film { title version } } }";

const BY_SLUG: &str = "query($slug: String!) {
    film(by: { slug: $slug }) { slug title version overview } }";

/// An editor's token (and a viewer's beside it).
async fn editor_and_viewer(app: &TestApp) -> (String, String) {
    let editor = app.sign_up("eddie").await;
    let viewer = app.sign_up("vera").await;
    roles::grant(&app.db, "eddie", Role::Editor).await.unwrap();
    (editor, viewer)
}

/// The answer's first error: its code and its extensions.
async fn refusal(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (_, answer) = app.post_as(Some(token), query, variables).await;
    assert!(
        answer["data"].is_null()
            || answer["data"]
                .as_object()
                .is_some_and(|d| d.values().all(Value::is_null)),
        "{answer}"
    );
    answer["errors"][0]["extensions"].clone()
}

async fn film_by_slug(app: &TestApp, slug: &str) -> Value {
    app.data(BY_SLUG, json!({ "slug": slug })).await["film"].clone()
}

async fn search_titles(app: &TestApp, words: &str) -> Vec<String> {
    let query = "query($q: String!) { search(query: $q, kinds: [FILM], first: 10) { nodes { ... on Film { title } } } }";
    let data = app.data(query, json!({ "q": words })).await;
    data["search"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect()
}

async fn editors_create_change_and_delete_films(app: TestApp) {
    let (editor, viewer) = editor_and_viewer(&app).await;
    let films = app.count_rows("film").await;
    let new = json!({ "film": {
        "imdbId": "tt9990001", "title": "Quiet Harbour", "releaseYear": 1994,
        "genres": ["Drama", "Romance"], "runtimeMinutes": 101 } });
    // Only editors write; nobody signed in is UNAUTHENTICATED.
    assert_eq!(
        app.error_code_as(Some(&viewer), CREATE, new.clone()).await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code_as(None, CREATE, new.clone()).await,
        "UNAUTHENTICATED"
    );
    assert_eq!(app.count_rows("film").await, films);

    let created = app.data_as(&editor, CREATE, new.clone()).await["createFilm"].clone();
    assert_eq!(created["version"], 1);
    assert_eq!(created["film"]["slug"], "quiet-harbour");
    assert_eq!(created["film"]["version"], 1);
    assert_eq!(
        created["film"]["genres"],
        json!([{ "name": "Drama" }, { "name": "Romance" }])
    );
    let id = created["film"]["id"].clone();
    assert_eq!(search_titles(&app, "quiet harb").await, ["Quiet Harbour"]);
    // The same IMDb id again is refused, at its path.
    let again = refusal(&app, &editor, CREATE, new).await;
    assert_eq!(again["code"], "BAD_USER_INPUT");
    assert_eq!(again["path"], "film.imdbId");

    // A change from the version read: the title, slug and runtime change,
    // the overview is set, and the old slug still leads to the film.
    let change = json!({ "id": id, "v": 1, "film": {
        "title": "Still Harbour", "slug": "still-harbour", "overview": "Two lighthouse keepers.",
        "runtimeMinutes": 99 } });
    let updated = app.data_as(&editor, UPDATE, change.clone()).await["updateFilm"].clone();
    assert_eq!(updated["version"], 2);
    assert_eq!(
        updated["film"],
        json!({ "slug": "still-harbour", "title": "Still Harbour",
                "overview": "Two lighthouse keepers.", "runtimeMinutes": 99,
                "releaseYear": 1994, "version": 2 })
    );
    let by_old = film_by_slug(&app, "quiet-harbour").await;
    assert_eq!(by_old["slug"], "still-harbour");
    assert_eq!(by_old["title"], "Still Harbour");
    assert_eq!(search_titles(&app, "still harb").await, ["Still Harbour"]);
    assert!(search_titles(&app, "quiet harb").await.is_empty());

    // The same change from version 1 again is stale: CONFLICT with the
    // current version, and nothing changes.
    let stale = refusal(
        &app,
        &editor,
        UPDATE,
        json!({ "id": id, "v": 1, "film": { "title": "Lost" } }),
    )
    .await;
    assert_eq!(stale["code"], "CONFLICT");
    assert_eq!(stale["currentVersion"], 2);
    assert_eq!(
        film_by_slug(&app, "still-harbour").await["title"],
        "Still Harbour"
    );

    // Each rule of the document format, at its path; nothing changes.
    for (film, path) in [
        (json!({ "runtimeMinutes": 0 }), "film.runtimeMinutes"),
        (json!({ "title": "  " }), "film.title"),
        (json!({ "slug": "Not A Slug" }), "film.slug"),
        (json!({ "slug": "leaving-las-vegas" }), "film.slug"),
        (json!({ "imdbId": "tt0113627" }), "film.imdbId"),
        (json!({ "imdbId": "nm0000115" }), "film.imdbId"),
        (
            json!({ "releaseYear": 1990, "releaseDate": "1994-05-01" }),
            "film.releaseYear",
        ),
        (json!({ "releaseYear": 1700 }), "film.releaseYear"),
        (json!({ "genres": ["Drama", "drama"] }), "film.genres[1]"),
    ] {
        let refused = refusal(
            &app,
            &editor,
            UPDATE,
            json!({ "id": id, "v": 2, "film": film }),
        )
        .await;
        assert_eq!(refused["code"], "BAD_USER_INPUT", "{film}");
        assert_eq!(refused["path"], path, "{film}");
    }
    let now = film_by_slug(&app, "still-harbour").await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["title"], "Still Harbour");

    // Null removes a fact; a new date alone brings its year.
    let cleared = app
        .data_as(
            &editor,
            UPDATE,
            json!({ "id": id, "v": 2, "film": { "overview": null, "releaseDate": "1996-03-08" } }),
        )
        .await["updateFilm"]
        .clone();
    assert_eq!(cleared["film"]["overview"], Value::Null);
    assert_eq!(cleared["film"]["releaseYear"], 1996);
    assert_eq!(cleared["version"], 3);

    // Viewers cannot change or delete; deleting needs the current version.
    assert_eq!(
        app.error_code_as(Some(&viewer), DELETE, json!({ "id": id, "v": 3 }))
            .await,
        "FORBIDDEN"
    );
    let stale = refusal(&app, &editor, DELETE, json!({ "id": id, "v": 2 })).await;
    assert_eq!(
        (stale["code"].as_str(), stale["currentVersion"].as_i64()),
        (Some("CONFLICT"), Some(3))
    );
    let deleted = app
        .data_as(&editor, DELETE, json!({ "id": id, "v": 3 }))
        .await;
    assert_eq!(deleted["deleteFilm"]["filmId"], id);
    assert_eq!(film_by_slug(&app, "still-harbour").await, Value::Null);
    assert_eq!(film_by_slug(&app, "quiet-harbour").await, Value::Null);
    assert!(search_titles(&app, "still harb").await.is_empty());
    assert_eq!(app.count_rows("film").await, films);
    // What is gone is NOT_FOUND.
    let gone = refusal(
        &app,
        &editor,
        UPDATE,
        json!({ "id": id, "v": 3, "film": { "title": "Back" } }),
    )
    .await;
    assert_eq!(gone["code"], "NOT_FOUND");
}

async fn a_whole_page_is_written_from_the_version_read(app: TestApp) {
    let (editor, viewer) = editor_and_viewer(&app).await;
    let current = film_by_slug(&app, "leaving-las-vegas").await["version"]
        .as_i64()
        .unwrap();
    let mut document = leaving_las_vegas();
    document["film"]["tagline"] = json!("A love story, retold.");
    document["film"]["title"] = json!("Leaving Las Vegas (Restored)");
    // A film that exists needs the version read.
    let missing = refusal(&app, &editor, IMPORT, json!({ "doc": document })).await;
    assert_eq!(missing["code"], "CONFLICT");
    assert_eq!(missing["currentVersion"], current);
    assert_eq!(
        app.error_code_as(
            Some(&viewer),
            IMPORT,
            json!({ "doc": document, "v": current })
        )
        .await,
        "FORBIDDEN"
    );
    let written = app
        .data_as(&editor, IMPORT, json!({ "doc": document, "v": current }))
        .await["importFilmPage"]
        .clone();
    assert_eq!(written["outcome"], "UPDATED");
    assert_eq!(written["version"], current + 1);
    assert_eq!(written["film"]["title"], "Leaving Las Vegas (Restored)");
    // The same document again writes nothing and keeps the version.
    let again = app
        .data_as(
            &editor,
            IMPORT,
            json!({ "doc": document, "v": current + 1 }),
        )
        .await["importFilmPage"]
        .clone();
    assert_eq!(
        (again["outcome"].as_str(), again["version"].as_i64()),
        (Some("UNCHANGED"), Some(current + 1))
    );
    // A stale version is CONFLICT, even for a document that changes nothing.
    let stale = refusal(
        &app,
        &editor,
        IMPORT,
        json!({ "doc": document, "v": current }),
    )
    .await;
    assert_eq!(stale["code"], "CONFLICT");

    // A broken document is refused at its path, with nothing written.
    let credits = app.count_rows("credit").await;
    let mut broken = document.clone();
    broken["credits"][0]["person"] = json!("nobody-declared");
    let refused = refusal(
        &app,
        &editor,
        IMPORT,
        json!({ "doc": broken, "v": current + 1 }),
    )
    .await;
    assert_eq!(refused["code"], "BAD_USER_INPUT");
    assert_eq!(refused["path"], "credits[0].person");
    assert_eq!(app.count_rows("credit").await, credits);
    assert_eq!(
        film_by_slug(&app, "leaving-las-vegas").await["version"],
        current + 1
    );

    // A new film's document needs no version; one given for it is NOT_FOUND.
    let mut other = leaving_las_vegas();
    other["film"]["imdbId"] = json!("tt9990002");
    other["film"]["slug"] = json!("leaving-las-vegas-again");
    let unknown = refusal(&app, &editor, IMPORT, json!({ "doc": other, "v": 1 })).await;
    assert_eq!(unknown["code"], "NOT_FOUND");
    let created =
        app.data_as(&editor, IMPORT, json!({ "doc": other })).await["importFilmPage"].clone();
    assert_eq!(
        (created["outcome"].as_str(), created["version"].as_i64()),
        (Some("CREATED"), Some(1))
    );
}

/// Ten editors change one film from the same version at once: one wins,
/// the others are told of the version it made, and no change is half made.
async fn concurrent_edits_leave_one_winner(app: TestApp) {
    let (editor, _) = editor_and_viewer(&app).await;
    let film = film_by_slug(&app, "leaving-las-vegas").await;
    let version = film["version"].as_i64().unwrap();
    let id = app.film_id("leaving-las-vegas").await;
    let edits = (0..10).map(|i| {
        let variables = json!({ "id": id, "v": version, "film": {
            "title": format!("Title {i}"), "overview": format!("Overview {i}") } });
        let editor = editor.clone();
        let app = &app;
        async move { app.post_as(Some(&editor), UPDATE, variables).await.1 }
    });
    let answers = futures_util::future::join_all(edits).await;
    let won: Vec<&Value> = answers.iter().filter(|a| a["errors"].is_null()).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for lost in answers.iter().filter(|a| !a["errors"].is_null()) {
        assert_eq!(
            lost["errors"][0]["extensions"]["code"], "CONFLICT",
            "{lost}"
        );
        assert_eq!(
            lost["errors"][0]["extensions"]["currentVersion"],
            version + 1
        );
    }
    let now = film_by_slug(&app, "leaving-las-vegas").await;
    let winner = &won[0]["data"]["updateFilm"]["film"];
    assert_eq!(now["title"], winner["title"]);
    assert_eq!(now["overview"], winner["overview"]);
    // Title and overview come from the same edit.
    assert_eq!(
        now["title"].as_str().unwrap().trim_start_matches("Title "),
        now["overview"]
            .as_str()
            .unwrap()
            .trim_start_matches("Overview ")
    );
    assert_eq!(now["version"], version + 1);
}

/// An answer cached before an edit is not served after it.
async fn an_edit_reaches_cached_answers(app: TestApp) {
    let (editor, _) = editor_and_viewer(&app).await;
    let before = film_by_slug(&app, "leaving-las-vegas").await;
    assert_eq!(film_by_slug(&app, "leaving-las-vegas").await, before);
    let id = app.film_id("leaving-las-vegas").await;
    let version = before["version"].as_i64().unwrap();
    app.data_as(
        &editor,
        UPDATE,
        json!({ "id": id, "v": version, "film": { "overview": "Edited." } }),
    )
    .await;
    let after = film_by_slug(&app, "leaving-las-vegas").await;
    assert_eq!(after["overview"], "Edited.");
    assert_eq!(after["version"], version + 1);
}

/// Each editor has a limit of changes per minute (two here): past it a
/// change is RATE_LIMITED and not made; another editor is not held back.
async fn each_editor_has_a_limit_of_changes(app: TestApp) {
    let (editor, _) = editor_and_viewer(&app).await;
    let other = app.sign_up("otto").await;
    roles::grant(&app.db, "otto", Role::Editor).await.unwrap();
    let id = app.film_id("leaving-las-vegas").await;
    let mut version = film_by_slug(&app, "leaving-las-vegas").await["version"]
        .as_i64()
        .unwrap();
    for title in ["One", "Two"] {
        let vars = json!({ "id": id, "v": version, "film": { "title": title } });
        app.data_as(&editor, UPDATE, vars).await;
        version += 1;
    }
    let vars = json!({ "id": id, "v": version, "film": { "title": "Three" } });
    let (_, answer) = app.post_as(Some(&editor), UPDATE, vars.clone()).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{answer}"
    );
    assert_eq!(
        film_by_slug(&app, "leaving-las-vegas").await["title"],
        "Two"
    );
    app.data_as(&other, UPDATE, vars).await;
    assert_eq!(
        film_by_slug(&app, "leaving-las-vegas").await["title"],
        "Three"
    );
}

on_both_databases!(
    configured(|config| config.edits_per_minute = 2): each_editor_has_a_limit_of_changes
);

on_both_databases!(
    editors_create_change_and_delete_films,
    a_whole_page_is_written_from_the_version_read,
    concurrent_edits_leave_one_winner,
);

on_both_databases!(configured(response_cache_on): an_edit_reaches_cached_answers);

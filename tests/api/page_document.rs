//! A film's page read back as a document (issue 23, part 2):
//! `filmPageDocument` gives editors the document a page was written from, so
//! they can change it and send it back through `importFilmPage`.

use cinegraph::domain::roles::{self, Role};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};

const READ: &str = "query($id: ID!) {
    filmPageDocument(id: $id) { version document film { slug version } } }";

const IMPORT: &str = "mutation($doc: JSON!, $v: Int) {
    importFilmPage(document: $doc, expectedVersion: $v) { outcome version } }";

/// Everything a film page shows, to compare a page before and after.
const PAGE: &str = "query($slug: String!) { film(by: { slug: $slug }) {
    title tagline overview releaseDate runtimeMinutes genres { name }
    credits(first: 100) { edges { node { name } character { name } } }
    characters { name description }
    quotes(first: 100) { nodes { text context speaker { name } } }
    reviews(first: 100) { nodes { title body } }
    nominations { category won year award { name } recipients { name } }
    similarFilms { reason film { title } }
    products { name }
    trivia { text }
} }";

async fn editor(app: &TestApp) -> String {
    let token = app.sign_up("eddie").await;
    roles::grant(&app.db, "eddie", Role::Editor).await.unwrap();
    token
}

async fn read(app: &TestApp, token: &str, id: &Value) -> Value {
    app.data_as(token, READ, json!({ "id": id })).await["filmPageDocument"].clone()
}

/// A document without what says nothing (nulls, empty lists, `false`), with
/// its people in slug order (the document's order of people means nothing)
/// and whole numbers written one way.
fn normalized(document: &Value) -> Value {
    match document {
        Value::Object(fields) => {
            let mut kept = serde_json::Map::new();
            for (name, value) in fields {
                let empty = value.is_null()
                    || value == &json!(false)
                    || value.as_array().is_some_and(Vec::is_empty);
                if !empty {
                    kept.insert(name.clone(), normalized(value));
                }
            }
            if let Some(Value::Array(people)) = kept.get_mut("people") {
                people.sort_by_key(|p| p["slug"].as_str().unwrap_or_default().to_string());
            }
            Value::Object(kept)
        }
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        // 10 and 10.0 are one number to a reader of JSON.
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => json!(f as i64),
            _ => document.clone(),
        },
        other => other.clone(),
    }
}

async fn a_page_reads_back_as_its_document(app: TestApp) {
    let token = editor(&app).await;
    let viewer = app.sign_up("vera").await;
    let id = app.film_id("leaving-las-vegas").await;
    let variables = json!({ "id": id });
    assert_eq!(
        app.error_code_as(Some(&viewer), READ, variables.clone())
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code_as(None, READ, variables.clone()).await,
        "UNAUTHENTICATED"
    );

    let read_back = read(&app, &token, &id).await;
    assert_eq!(read_back["film"]["slug"], "leaving-las-vegas");
    assert_eq!(read_back["version"], read_back["film"]["version"]);
    // Everything the bundled document states, and nothing more.
    let mut original = leaving_las_vegas();
    // The document names its films by IMDb id; their titles and years are
    // the catalogue's now, which the bundled data agrees with.
    let (got, want) = (normalized(&read_back["document"]), normalized(&original));
    for section in want.as_object().unwrap().keys() {
        assert_eq!(
            got[section].to_string(),
            want[section].to_string(),
            "{section} reads back as the document states it"
        );
    }
    assert_eq!(got, want, "nothing more than the document states");

    // Sent back unchanged, it writes the page as it was: the same page, the
    // same document, one version on.
    let page_before = app.data(PAGE, json!({ "slug": "leaving-las-vegas" })).await;
    let version = read_back["version"].as_i64().unwrap();
    let written = app
        .data_as(
            &token,
            IMPORT,
            json!({ "doc": read_back["document"], "v": version }),
        )
        .await["importFilmPage"]
        .clone();
    assert_eq!(written["outcome"], "UPDATED");
    assert_eq!(written["version"], version + 1);
    assert_eq!(
        app.data(PAGE, json!({ "slug": "leaving-las-vegas" })).await,
        page_before
    );
    let again = read(&app, &token, &id).await;
    assert_eq!(again["document"], read_back["document"]);
    assert_eq!(again["version"], version + 1);

    // An editor's change to a section shows in the next read.
    original = again["document"].clone();
    original["quotes"][0]["text"] = json!("A line, edited.");
    original["trivia"] = json!(["Only this."]);
    app.data_as(&token, IMPORT, json!({ "doc": original, "v": version + 1 }))
        .await;
    let edited = read(&app, &token, &id).await;
    assert_eq!(edited["document"]["quotes"][0]["text"], "A line, edited.");
    assert_eq!(edited["document"]["trivia"], json!(["Only this."]));
    assert_eq!(edited["version"], version + 2);
}

async fn what_a_document_cannot_state_is_refused(app: TestApp) {
    let token = editor(&app).await;
    // No such film: null.
    let gone = app
        .data_as(&token, READ, json!({ "id": "RmlsbTo5OTk5OTk5" }))
        .await;
    assert!(gone["filmPageDocument"].is_null(), "{gone}");
    // A film of another kind of id: BAD_USER_INPUT.
    let person = app
        .data("{ people(first: 1) { nodes { id } } }", json!({}))
        .await["people"]["nodes"][0]["id"]
        .clone();
    assert_eq!(
        app.error_code_as(Some(&token), READ, json!({ "id": person }))
            .await,
        "BAD_USER_INPUT"
    );

    // A film the page names by IMDb id that has none: the document could not
    // name it, so it is not made up.
    let mentioned = leaving_las_vegas()["similarFilms"][0]["film"]["imdbId"].clone();
    let sql = format!(
        "UPDATE film SET imdb_id = NULL WHERE imdb_id = '{}'",
        mentioned.as_str().unwrap()
    );
    app.connection.execute_unprepared(&sql).await.unwrap();
    let id = app.film_id("leaving-las-vegas").await;
    let (_, answer) = app.post_as(Some(&token), READ, json!({ "id": id })).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "CONFLICT",
        "{answer}"
    );
    assert!(answer["data"]["filmPageDocument"].is_null(), "{answer}");
}

on_both_databases!(
    a_page_reads_back_as_its_document,
    what_a_document_cannot_state_is_refused
);

//! Collections files (issue 23, part 5): the bundled one puts The Matrix
//! trilogy in its collection, joining only the films the database has, in
//! the file's order; a file that names a film by another title is refused.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::revisions::{editor, history, paths};

/// The bundled catalogue's lines of these IMDb ids, gzip'd.
fn catalogue_of(imdb_ids: &[&str]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut text = String::new();
    flate2::read::GzDecoder::new(cinegraph::data::CATALOGUE)
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| {
            imdb_ids
                .iter()
                .any(|id| line.contains(&format!("\"{id}\"")))
        })
        .collect();
    assert_eq!(lines.len(), imdb_ids.len());
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(lines.join("\n").as_bytes()).unwrap();
    encoder.finish().unwrap()
}

async fn the_matrix_belongs_to_its_collection(app: TestApp) {
    use cinegraph::import::collections;
    let (name, text) = cinegraph::data::COLLECTIONS;
    let matrix = "{ film(by: { imdbId: \"tt0133093\" }) { collection { name films { title } } } }";
    // The test catalogue has none of the three films: the bundled file,
    // imported at start, joined nobody and made no collection.
    assert_eq!(app.data(matrix, json!({})).await["film"], Value::Null);
    assert_eq!(app.count_rows("collection").await, 0);

    // With two of the three films, those two join in their places.
    let events = &app.state.events;
    app.import_catalogue("two.jsonl.gz", &catalogue_of(&["tt0133093", "tt0242653"]))
        .await
        .unwrap();
    let outcome = collections::import(&app.db, events, name, text.as_bytes()).await;
    assert_eq!(outcome.unwrap(), cinegraph::import::Outcome::Updated);
    let films = &app.data(matrix, json!({})).await["film"]["collection"]["films"];
    assert_eq!(
        *films,
        json!([{ "title": "The Matrix" }, { "title": "The Matrix Revolutions" }])
    );
    // Joining is a change of each film's page: a revision naming the file.
    let eddie = editor(&app).await;
    let (version, revisions) = history(&app, &eddie, "the-matrix").await;
    assert_eq!((version, revisions.len()), (2, 2), "{revisions:?}");
    assert_eq!(revisions[0]["source"], "collections.json");
    assert_eq!(revisions[0]["author"], "importer");
    assert_eq!(paths(&revisions[0]), ["collection"]);
    assert_eq!(
        revisions[0]["changes"][0]["after"]["slug"],
        "the-matrix-collection"
    );

    // Then all three, in the collection's order.
    let all = ["tt0133093", "tt0234215", "tt0242653"];
    app.import_catalogue("three.jsonl.gz", &catalogue_of(&all))
        .await
        .unwrap();
    let outcome = collections::import(&app.db, events, name, text.as_bytes()).await;
    assert_eq!(outcome.unwrap(), cinegraph::import::Outcome::Updated);
    // Only The Matrix Reloaded's page changed: the others keep their places.
    assert_eq!(history(&app, &eddie, "the-matrix").await.1.len(), 2);
    let (_, revisions) = history(&app, &eddie, "the-matrix-reloaded").await;
    assert_eq!(paths(&revisions[0]), ["collection"]);
    let collection = app.data(matrix, json!({})).await["film"]["collection"].clone();
    assert_eq!(collection["name"], "The Matrix Collection");
    let titles: Vec<&str> = collection["films"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "The Matrix",
            "The Matrix Reloaded",
            "The Matrix Revolutions"
        ]
    );

    // A file whose id names another film than its title says is refused
    // whole, with the path at fault; and so is a film in two collections.
    let lying = text.replace("\"The Matrix Reloaded\"", "\"Speed\"");
    let err = collections::import(&app.db, events, "lying.json", lying.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err.path, "collections[0].films[1].title", "{err}");
    let twice = json!({ "format": "cinegraph-collections/1", "collections": [
        { "slug": "a", "name": "A", "films": [{ "imdbId": "tt0133093", "title": "The Matrix" }] },
        { "slug": "b", "name": "B", "films": [{ "imdbId": "tt0133093", "title": "The Matrix" }] } ] });
    let err = collections::import(&app.db, events, "twice.json", twice.to_string().as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err.path, "collections[1].films[0].imdbId", "{err}");
    assert_eq!(app.count_rows("collection").await, 1);
    assert_eq!(app.count_rows("collection_film").await, 3);
    // `cinegraph import` tells a collections file from a page by its
    // format; the same file again changes nothing and writes no revision.
    let revisions = app.count_rows("film_revision").await;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let imported = app.import_paths(&[path]).await.unwrap();
    assert_eq!(imported[0].outcome, cinegraph::import::Outcome::Unchanged);
    assert_eq!(app.count_rows("collection_film").await, 3);
    assert_eq!(app.count_rows("film_revision").await, revisions);
}

on_both_databases!(the_matrix_belongs_to_its_collection);

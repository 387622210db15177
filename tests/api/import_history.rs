//! Bulk imports write revisions too (issue 23, part 3): the catalogue writes
//! one for each film whose page it changed (by the importer, naming the
//! file), raises the version of each existing film it changed, and leaves
//! the films it did not change as they were, out of the changes feed too.
//! (A collections file's revisions are in `collections`.)

use std::io::{Read, Write};

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{TestApp, catalogue_sample, on_both_databases};
use crate::revisions::{UPDATE, editor, history, paths};

/// The test catalogue with Moonstruck's line changed by `change`.
fn sample_with(change: impl Fn(&str) -> String) -> Vec<u8> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(catalogue_sample())
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|line| match line.contains("\"tt0093565\"") {
            true => change(line),
            false => line.to_string(),
        })
        .collect();
    assert_ne!(lines.join("\n"), text.trim_end());
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(lines.join("\n").as_bytes()).unwrap();
    encoder.finish().unwrap()
}

/// The films of the changes feed's newest `n` entries, by slug.
async fn newest_changes(app: &TestApp, n: usize) -> Vec<String> {
    let sql = format!(
        "SELECT f.slug FROM content_change c JOIN film f ON f.id = c.entity_id \
         ORDER BY c.id DESC LIMIT {n}"
    );
    let backend = app.connection.get_database_backend();
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(backend, sql))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get("", "slug").unwrap())
        .collect()
}

async fn the_catalogue_writes_a_revision_for_each_film_it_changes(app: TestApp) {
    let eddie = editor(&app).await;
    // The catalogue made Moonstruck (no page names it): its first revision.
    let (version, revisions) = history(&app, &eddie, "moonstruck").await;
    assert_eq!((version, revisions.len()), (1, 1), "{revisions:?}");
    let made = &revisions[0];
    assert_eq!(made["kind"], "IMPORTED");
    assert_eq!(made["author"], "importer");
    assert_eq!(made["source"], "catalogue-sample.jsonl.gz");
    assert_eq!(made["version"], 1);
    assert_eq!(paths(made), ["film", "format"]);
    assert_eq!(made["changes"][0]["after"]["runtimeMinutes"], 102);
    assert_eq!(made["document"]["film"]["title"], "Moonstruck");
    // One revision for each film the catalogue made, and the bundled page's.
    let films = app.count_rows("film").await;
    let written = app.count_rows("film_revision").await;
    assert_eq!(written, films + 1);

    // The same catalogue again changes nothing: no revision, no version, and
    // nothing in the changes feed (so no webhook delivery).
    let feed = app.count_rows("content_change").await;
    let again = app.import_catalogue("again.jsonl.gz", catalogue_sample());
    assert_eq!(again.await.unwrap().changed, 0);
    assert_eq!(app.count_rows("film_revision").await, written);
    assert_eq!(history(&app, &eddie, "moonstruck").await.0, 1);
    assert_eq!(app.count_rows("content_change").await, feed);

    // A catalogue that adds to Moonstruck's cast changes the film but not its
    // page: in the feed, and no revision (the catalogue's credits are not
    // the page's).
    let cast = |line: &str| line.replace("\"cast\":[", "\"cast\":[\"Zed Nobody\",");
    let more_cast = sample_with(cast);
    let report = app.import_catalogue("more-cast.jsonl.gz", &more_cast).await;
    assert_eq!(report.unwrap().changed, 1);
    assert_eq!(newest_changes(&app, 1).await, ["moonstruck"]);
    assert_eq!(app.count_rows("content_change").await, feed + 1);
    assert_eq!(app.count_rows("film_revision").await, written);

    // A catalogue that also corrects Moonstruck's runtime: its revision
    // alone, and its version raised.
    let runtime = |line: &str| cast(line).replace("\"runtime\":102,", "\"runtime\":103,");
    app.import_catalogue("corrected.jsonl.gz", &sample_with(runtime))
        .await
        .unwrap();
    assert_eq!(newest_changes(&app, 1).await, ["moonstruck"]);
    assert_eq!(app.count_rows("content_change").await, feed + 2);
    assert_eq!(app.count_rows("film_revision").await, written + 1);
    let (version, revisions) = history(&app, &eddie, "moonstruck").await;
    assert_eq!((version, revisions.len()), (2, 2));
    let corrected = &revisions[0];
    assert_eq!(
        (&corrected["source"], &corrected["version"]),
        (&json!("corrected.jsonl.gz"), &json!(2))
    );
    assert_eq!(
        corrected["changes"],
        json!([{ "path": "film.runtimeMinutes", "before": 102, "after": 103 }])
    );
    // So an editor who read version 1 cannot overwrite the correction.
    let id = app.film_id("moonstruck").await;
    let stale = json!({ "id": id, "v": 1, "film": { "runtimeMinutes": 90 } });
    assert_eq!(
        app.error_code_as(Some(&eddie), UPDATE, stale).await,
        "CONFLICT"
    );
}

on_both_databases!(the_catalogue_writes_a_revision_for_each_film_it_changes);

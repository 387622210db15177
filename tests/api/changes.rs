//! The changes feed (issue 23, part 4): `changes` lists every change to the
//! content in commit order with no gaps, even under concurrent writers, and
//! `contentChanged` pushes each as it commits, on any server.

use std::collections::BTreeSet;
use std::time::Duration;

use cinegraph::domain::roles::{self, Role};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};
use crate::subscriptions::{connect, next, send};

const CHANGES: &str = "query($after: Int, $since: DateTime, $kinds: [ContentChangeKind!], $first: Int, $cursor: String) {
    changes(afterSequence: $after, since: $since, kinds: $kinds, first: $first, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { sequence entity entityId kind at film { title } } } }";

const CREATE: &str =
    "mutation($film: NewFilmInput!) { createFilm(film: $film) { version film { id } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $film: FilmChangesInput!) {
    updateFilm(id: $id, expectedVersion: $v, film: $film) { version } }";
const DELETE: &str =
    "mutation($id: ID!, $v: Int!) { deleteFilm(id: $id, expectedVersion: $v) { filmId } }";
const IMPORT: &str = "mutation($doc: JSON!, $v: Int) { importFilmPage(document: $doc, expectedVersion: $v) { version } }";

async fn editor(app: &TestApp) -> String {
    let token = app.sign_up("eddie").await;
    roles::grant(&app.db, "eddie", Role::Editor).await.unwrap();
    token
}

/// The number of the latest change committed.
async fn latest(app: &TestApp) -> i64 {
    let row = app
        .connection
        .query_one_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT COALESCE(MAX(id), 0) AS n FROM content_change",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i32>("", "n").unwrap().into()
}

/// Every change after `after`, read a page of `first` at a time.
async fn all_after(app: &TestApp, after: i64, first: i64) -> Vec<Value> {
    let mut changes = Vec::new();
    let mut vars = json!({ "after": after, "first": first });
    loop {
        let data = app.data(CHANGES, vars.clone()).await;
        let page = &data["changes"];
        changes.extend(page["nodes"].as_array().unwrap().clone());
        if page["pageInfo"]["hasNextPage"] != true {
            return changes;
        }
        vars = json!({ "first": first, "cursor": page["pageInfo"]["endCursor"] });
    }
}

fn kinds_and_ids(changes: &[Value]) -> Vec<(String, Value)> {
    changes
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["entityId"].clone(),
            )
        })
        .collect()
}

/// An editor's create, update, page import and delete are four changes, in
/// that order, readable by anyone from a number, a time or a cursor.
async fn every_change_is_in_the_feed_in_commit_order(app: TestApp) {
    let eddie = editor(&app).await;
    // The setup's imports are in the feed already: the catalogue's films, then the page.
    let setup = all_after(&app, 0, 100).await;
    assert!(setup.len() > 10, "{setup:?}");
    let las_vegas = app.film_id("leaving-las-vegas").await;
    let last = setup.last().unwrap();
    assert_eq!(
        (&last["kind"], &last["entityId"]),
        (&json!("UPDATED"), &las_vegas)
    );
    let start = latest(&app).await;
    assert_eq!(last["sequence"], start);

    let film = json!({ "imdbId": "tt7654321", "title": "Fleeting" });
    let created = app.data_as(&eddie, CREATE, json!({ "film": film })).await;
    let id = created["createFilm"]["film"]["id"].clone();
    app.data_as(
        &eddie,
        UPDATE,
        json!({ "id": id, "v": 1, "film": { "title": "Fleeting Still" } }),
    )
    .await;
    let version = app
        .data(
            "query($slug: String!) { film(by: { slug: $slug }) { version } }",
            json!({ "slug": "leaving-las-vegas" }),
        )
        .await["film"]["version"]
        .clone();
    app.data_as(
        &eddie,
        IMPORT,
        json!({ "doc": leaving_las_vegas(), "v": version }),
    )
    .await;
    app.data_as(&eddie, DELETE, json!({ "id": id, "v": 2 }))
        .await;

    // Read anonymously, from the number read before the edits.
    let changes = all_after(&app, start, 100).await;
    assert_eq!(
        kinds_and_ids(&changes),
        [
            ("CREATED".to_string(), id.clone()),
            ("UPDATED".to_string(), id.clone()),
            ("UPDATED".to_string(), las_vegas.clone()),
            ("DELETED".to_string(), id.clone()),
        ]
    );
    let sequences: Vec<i64> = changes
        .iter()
        .map(|c| c["sequence"].as_i64().unwrap())
        .collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    assert!(changes.iter().all(|c| c["entity"] == "FILM"));
    // The deleted film is gone; the page's film is there.
    assert_eq!(changes[0]["film"], Value::Null);
    assert_eq!(changes[2]["film"]["title"], "Leaving Las Vegas");

    // Pages of one by cursor give the same; so does a filter by kind.
    assert_eq!(all_after(&app, start, 1).await, changes);
    let deleted = app
        .data(
            CHANGES,
            json!({ "after": start, "kinds": ["DELETED"], "first": 10 }),
        )
        .await;
    assert_eq!(
        kinds_and_ids(deleted["changes"]["nodes"].as_array().unwrap()),
        [("DELETED".to_string(), id.clone())]
    );
    // From a time: the first edit's time finds it and all after it; a later
    // time than any change finds none.
    let since = app
        .data(CHANGES, json!({ "since": changes[0]["at"], "first": 100 }))
        .await;
    let found = since["changes"]["nodes"].as_array().unwrap();
    assert_eq!(found[found.len() - 4..], changes[..]);
    let future = app
        .data(
            CHANGES,
            json!({ "since": "2999-01-01T00:00:00Z", "first": 10 }),
        )
        .await;
    assert_eq!(future["changes"]["nodes"], json!([]));

    // afterSequence with a cursor is a contradiction.
    let cursor = since["changes"]["pageInfo"]["endCursor"].clone();
    assert_eq!(
        app.error_code(CHANGES, json!({ "after": start, "cursor": cursor }))
            .await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.error_code(CHANGES, json!({ "first": 1000 })).await,
        "BAD_USER_INPUT"
    );
}

/// Editors change ten films at once while a reader follows the feed by
/// number: the reader ends with every change, none missed (a change
/// committed after one with a larger number would be skipped).
async fn concurrent_writers_leave_no_gaps(app: TestApp) {
    let eddie = editor(&app).await;
    let mut films = Vec::new();
    for i in 0..10 {
        let film = json!({ "imdbId": format!("tt70000{i:02}"), "title": format!("Busy {i}") });
        let created = app.data_as(&eddie, CREATE, json!({ "film": film })).await;
        films.push(created["createFilm"]["film"]["id"].clone());
    }
    let start = latest(&app).await;
    let writers = films
        .iter()
        .flat_map(|id| (1..=3).map(move |round| (id.clone(), round)));
    let done = std::sync::atomic::AtomicBool::new(false);
    let writing = async {
        let edits = writers.map(|(id, round)| {
            let (app, eddie) = (&app, &eddie);
            async move {
                // Each film's edits go one after another; films at once.
                let vars = json!({ "id": id, "v": round, "film": { "overview": format!("Round {round}") } });
                (round, app.post_as(Some(eddie), UPDATE, vars).await.1)
            }
        });
        let answers = futures_util::future::join_all(edits).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        answers
    };
    let reading = async {
        let mut seen = BTreeSet::new();
        let mut last = start;
        loop {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);
            for change in all_after(&app, last, 100).await {
                let sequence = change["sequence"].as_i64().unwrap();
                assert!(sequence > last);
                last = sequence;
                seen.insert(sequence);
            }
            if finished {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    let (answers, seen) = tokio::join!(writing, reading);
    let written = answers
        .iter()
        .filter(|(_, a)| a["errors"].is_null())
        .count() as i64;
    assert!(written >= 10, "{answers:?}");
    let every: BTreeSet<i64> = all_after(&app, start, 100)
        .await
        .iter()
        .map(|c| c["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(every.len() as i64, written);
    assert_eq!(seen, every);
}

/// A subscriber hears each change as it commits, from any server, and only
/// the kinds it asked for.
async fn changes_are_pushed_as_they_commit(app: &TestApp, writer: &TestApp) {
    let eddie = editor(writer).await;
    let address = app.serve().await;
    let mut socket = connect(address, "graphql-transport-ws", json!({})).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    let subscription = "subscription($kinds: [ContentChangeKind!]) {
        contentChanged(kinds: $kinds) { sequence entity entityId kind film { title } } }";
    send(
        &mut socket,
        json!({ "id": "all", "type": "subscribe",
        "payload": { "query": subscription } }),
    )
    .await;
    send(
        &mut socket,
        json!({ "id": "deletions", "type": "subscribe",
        "payload": { "query": subscription, "variables": { "kinds": ["DELETED"] } } }),
    )
    .await;
    // Both subscriptions are running before the writes.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let film = json!({ "imdbId": "tt7654321", "title": "Pushed" });
    let created = writer
        .data_as(&eddie, CREATE, json!({ "film": film }))
        .await;
    let id = created["createFilm"]["film"]["id"].clone();
    writer
        .data_as(&eddie, DELETE, json!({ "id": id, "v": 1 }))
        .await;

    let mut heard = Vec::new();
    while heard.len() < 3 {
        let message = tokio::time::timeout(Duration::from_secs(10), next(&mut socket))
            .await
            .expect("a change within 10 s")
            .unwrap();
        assert_eq!(message["type"], "next", "{message}");
        let change = &message["payload"]["data"]["contentChanged"];
        heard.push((
            message["id"].as_str().unwrap().to_string(),
            change["kind"].as_str().unwrap().to_string(),
            change["entityId"].as_str().unwrap().to_string(),
        ));
    }
    heard.sort();
    let id = id.as_str().unwrap().to_string();
    assert_eq!(
        heard,
        [
            ("all".to_string(), "CREATED".to_string(), id.clone()),
            ("all".to_string(), "DELETED".to_string(), id.clone()),
            ("deletions".to_string(), "DELETED".to_string(), id),
        ]
    );
}

async fn changes_are_pushed_over_websocket(app: TestApp) {
    changes_are_pushed_as_they_commit(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn changes_are_pushed_across_servers_on_postgres() {
    let app = TestApp::postgres().await;
    // Subscribed on the first server, written on a second one.
    let other = app.second_server().await;
    app.settle().await;
    changes_are_pushed_as_they_commit(&app, &other).await;
}

on_both_databases!(
    every_change_is_in_the_feed_in_commit_order,
    concurrent_writers_leave_no_gaps,
    changes_are_pushed_over_websocket,
);

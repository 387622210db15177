//! The rules every library mutation keeps (a viewer, a known film, the
//! limits, the rate limit), fifty concurrent writers, and `libraryChanged`
//! on the viewer's other devices and servers.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;
use crate::library::{ADD, FAVORITE, MARK_SEEN, REMOVE, UNMARK_SEEN, films, shelf};
use crate::subscriptions::{Socket, connect, next, send};

async fn library_mutations_refuse_anonymous_viewers_unknown_films_and_bad_ids(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let missing = json!(base64_id("Film:999999"));
    let person = app
        .data(
            r#"{ person(by: { slug: "nicolas-cage" }) { id } }"#,
            json!({}),
        )
        .await["person"]["id"]
        .clone();
    let ben = app.sign_up("ben").await;
    let calls = [
        (ADD, json!({})),
        (REMOVE, json!({})),
        (MARK_SEEN, json!({})),
        (UNMARK_SEEN, json!({})),
        (FAVORITE, json!({ "yes": true })),
    ];
    for (mutation, extra) in calls {
        let with = |id: &Value| {
            let mut vars = extra.clone();
            vars["f"] = id.clone();
            vars
        };
        assert_eq!(
            app.error_code(mutation, with(&film)).await,
            "UNAUTHENTICATED",
            "{mutation}"
        );
        assert_eq!(
            app.error_code_as(Some(&ben), mutation, with(&missing))
                .await,
            "NOT_FOUND",
            "{mutation}"
        );
        for bad in [json!("garbage"), person.clone()] {
            assert_eq!(
                app.error_code_as(Some(&ben), mutation, with(&bad)).await,
                "BAD_USER_INPUT",
                "{mutation} {bad}"
            );
        }
    }
    for table in ["watchlist_entry", "diary_entry", "favorite_film"] {
        assert_eq!(app.count_rows(table).await, 0, "{table}");
    }
    // The subscription needs a viewer too; `me` is null without one.
    assert_eq!(
        app.data("{ me { watchlist { totalCount } } }", json!({}))
            .await["me"],
        json!(null)
    );
}

async fn library_writes_share_the_mutation_rate_limit(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    app.data_as(&ben, ADD, json!({ "f": film })).await;
    app.data_as(&ben, REMOVE, json!({ "f": film })).await;
    assert_eq!(
        app.error_code_as(Some(&ben), ADD, json!({ "f": film }))
            .await,
        "RATE_LIMITED"
    );
    assert_eq!(app.count_rows("watchlist_entry").await, 0);
}

async fn the_favorites_limit_is_named_when_reached(app: TestApp) {
    let mut films = films(&app, 100).await;
    let last = app
        .data(
            "{ films(first: 1, orderBy: { field: TITLE, direction: DESC }) { nodes { id slug } } }",
            json!({}),
        )
        .await["films"]["nodes"][0]
        .clone();
    assert!(
        !films.iter().any(|(id, _)| *id == last["id"]),
        "more than 100 films"
    );
    films.push((
        last["id"].clone(),
        last["slug"].as_str().unwrap().to_string(),
    ));
    let ben = app.sign_up("ben").await;
    for (id, _) in &films[..100] {
        app.data_as(&ben, FAVORITE, json!({ "f": id, "yes": true }))
            .await;
    }
    let (_, refused) = app
        .post_as(
            Some(&ben),
            FAVORITE,
            json!({ "f": films[100].0, "yes": true }),
        )
        .await;
    let error = &refused["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("favorites limit") && message.contains("100"),
        "{message}"
    );
    assert_eq!(app.count_rows("favorite_film").await, 100);
    // A film already there is still fine (nothing to add).
    let again = app
        .data_as(&ben, FAVORITE, json!({ "f": films[0].0, "yes": true }))
        .await;
    assert_eq!(again["setFavorite"]["changed"], false);
}

async fn fifty_concurrent_writers_leave_a_consistent_library(app: TestApp) {
    let films = films(&app, 25).await;
    let ben = app.sign_up("ben").await;
    // Fifty writers at once, each film added by two of them.
    let writes = (0..50).map(|i| app.post_as(Some(&ben), ADD, json!({ "f": films[i % 25].0 })));
    let answers = futures_util::future::join_all(writes).await;
    let mut changed = 0;
    for (_, answer) in &answers {
        assert!(answer.get("errors").is_none(), "{answer}");
        if answer["data"]["addToWatchlist"]["changed"] == true {
            changed += 1;
        }
    }
    assert_eq!(changed, 25, "each film added once, the second add a no-op");
    assert_eq!(app.count_rows("watchlist_entry").await, 25);
    // Fifty marking seen at once, each film twice on one day: every film is
    // seen once, none is left on the watchlist.
    let writes = (0..50).map(|i| {
        let vars = json!({ "f": films[i % 25].0, "on": "2023-03-03" });
        app.post_as(Some(&ben), MARK_SEEN, vars)
    });
    for (_, answer) in futures_util::future::join_all(writes).await {
        assert!(answer.get("errors").is_none(), "{answer}");
    }
    assert_eq!(app.count_rows("diary_entry").await, 25);
    assert_eq!(app.count_rows("watchlist_entry").await, 0);
    let (_, page) = shelf(&app, &ben, "seen", "(first: 100)").await;
    assert_eq!(page["totalCount"], 25);
    assert_eq!(page["edges"].as_array().unwrap().len(), 25);
}

on_both_databases!(
    library_mutations_refuse_anonymous_viewers_unknown_films_and_bad_ids,
    the_favorites_limit_is_named_when_reached,
    fifty_concurrent_writers_leave_a_consistent_library,
);

on_both_databases!(
    configured(|config| config.mutations_per_minute = 3):
    library_writes_share_the_mutation_rate_limit
);

const LIBRARY_CHANGED: &str = "subscription { libraryChanged { kind film { slug } } }";

/// A socket signed in as `token` with `libraryChanged` running as
/// operation 1 (registered: an operation sent after it has answered).
async fn listening(address: std::net::SocketAddr, token: &str) -> Socket {
    let init = json!({ "Authorization": format!("Bearer {token}") });
    let mut socket = connect(address, "graphql-transport-ws", init).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": LIBRARY_CHANGED } }),
    )
    .await;
    send(
        &mut socket,
        json!({ "id": "2", "type": "subscribe", "payload": { "query": "{ me { username } }" } }),
    )
    .await;
    loop {
        let message = next(&mut socket).await.unwrap();
        if message["id"] == "2" && message["type"] == "next" {
            assert!(
                message["payload"]["data"]["me"]["username"].is_string(),
                "{message}"
            );
            return socket;
        }
    }
}

/// Ben listens on `app`; Sera and Ben's second device write through `writer`.
async fn changes_reach_the_viewers_other_devices(app: &TestApp, writer: &TestApp) {
    let address = app.serve().await;
    let films = films(app, 2).await;
    let ben = app.sign_up("ben").await;
    let sera = writer.sign_up("sera").await;
    let sign_in = "mutation { signIn(input: { username: \"ben\", password: \"correct-horse-battery\" }) { token } }";
    let phone = writer.data(sign_in, json!({})).await["signIn"]["token"]
        .as_str()
        .unwrap()
        .to_string();

    let mut laptop = listening(address, &ben).await;

    // Someone else's change is not Ben's.
    writer.data_as(&sera, ADD, json!({ "f": films[1].0 })).await;
    writer
        .data_as(&phone, ADD, json!({ "f": films[0].0 }))
        .await;
    writer
        .data_as(
            &phone,
            MARK_SEEN,
            json!({ "f": films[0].0, "on": "2022-02-02" }),
        )
        .await;
    let mut pushed = Vec::new();
    while pushed.len() < 3 {
        let message = next(&mut laptop).await.unwrap();
        if message["id"] == "1" {
            assert_eq!(message["type"], "next", "{message}");
            let change = &message["payload"]["data"]["libraryChanged"];
            pushed.push((
                change["kind"].as_str().unwrap().to_string(),
                change["film"]["slug"].as_str().unwrap().to_string(),
            ));
        }
    }
    let slug = films[0].1.clone();
    assert_eq!(
        pushed,
        vec![
            ("WATCHLIST_ADDED".to_string(), slug.clone()),
            ("SEEN".to_string(), slug.clone()),
            ("WATCHLIST_REMOVED".to_string(), slug),
        ]
    );

    // Without a viewer there is nothing to follow.
    let mut anonymous = connect(address, "graphql-transport-ws", json!({})).await;
    assert_eq!(
        next(&mut anonymous).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut anonymous,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": LIBRARY_CHANGED } }),
    )
    .await;
    let refused = next(&mut anonymous).await.unwrap();
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_changes_reach_the_viewers_other_devices_on_sqlite() {
    let app = TestApp::sqlite_file().await;
    changes_reach_the_viewers_other_devices(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn library_changes_reach_the_viewers_other_devices_across_servers_on_postgres() {
    let app = TestApp::postgres().await;
    let other = app.second_server().await;
    app.settle().await;
    changes_reach_the_viewers_other_devices(&app, &other).await;
}

/// A socket signs in once, at `connection_init`: when that session ends
/// (here by a password change on the phone), its subscription stops with
/// UNAUTHENTICATED at the next event and new operations are refused.
async fn an_ended_session_stops_its_socket(app: TestApp) {
    let address = app.serve().await;
    let films = films(&app, 1).await;
    let laptop_token = app.sign_up("ben").await;
    let sign_in = "mutation { signIn(input: { username: \"ben\", password: \"correct-horse-battery\" }) { token } }";
    let phone = app.data(sign_in, json!({})).await["signIn"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut laptop = listening(address, &laptop_token).await;

    let change = "mutation { changePassword(current: \"correct-horse-battery\", new: \"another-horse-battery\") { endedSessions } }";
    let changed = app.data_as(&phone, change, json!({})).await;
    assert_eq!(changed["changePassword"]["endedSessions"], 1);
    app.data_as(&phone, ADD, json!({ "f": films[0].0 })).await;
    let mut ended = false;
    let mut completed = false;
    while !(ended && completed) {
        let message = next(&mut laptop).await.unwrap();
        if message["id"] != "1" {
            continue;
        }
        match message["type"].as_str().unwrap() {
            "next" => {
                assert_eq!(
                    message["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                    "no event reaches an ended session: {message}"
                );
                ended = true;
            }
            "complete" => completed = true,
            other => panic!("{other}: {message}"),
        }
    }
    send(
        &mut laptop,
        json!({ "id": "3", "type": "subscribe", "payload": { "query": "{ me { username } }" } }),
    )
    .await;
    loop {
        let message = next(&mut laptop).await.unwrap();
        if message["id"] == "3" {
            assert_eq!(
                message["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "{message}"
            );
            break;
        }
    }
}

on_both_databases!(an_ended_session_stops_its_socket);

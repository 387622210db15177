//! Users' lists of films: creating, filling, ordering and moving (one row
//! written per move), who sees and changes what (a private list is NOT_FOUND
//! to anyone else), the limits, and fifty concurrent writers.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;
use crate::library::films;
use crate::response_cache::response_cache_on;

const CREATE: &str = "mutation($name: String!, $v: ListVisibility, $ranked: Boolean) { createList(name: $name, description: \"The year's best\", visibility: $v, ranked: $ranked) { list { id name visibility ranked itemCount viewerCanEdit owner { username } } } }";
const ADD: &str = "mutation($l: ID!, $f: ID!, $p: Int, $note: String) { addToList(listId: $l, filmId: $f, position: $p, note: $note) { changed list { itemCount } film { slug } } }";
const MOVE: &str = "mutation($l: ID!, $f: ID!, $p: Int!) { moveInList(listId: $l, filmId: $f, position: $p) { changed list { itemCount } } }";
const REMOVE: &str = "mutation($l: ID!, $f: ID!) { removeFromList(listId: $l, filmId: $f) { changed list { itemCount } } }";
const UPDATE: &str = "mutation($l: ID!, $name: String, $d: String, $v: ListVisibility) { updateList(listId: $l, name: $name, description: $d, visibility: $v) { list { name description visibility } } }";
const DELETE: &str = "mutation($l: ID!) { deleteList(listId: $l) { listId } }";
const ITEMS: &str = "query($l: ID!, $first: Int, $after: String) { node(id: $l) { ... on List { itemCount items(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { rank note node { slug } } } } } }";

async fn create(app: &TestApp, token: &str, name: &str, visibility: &str) -> Value {
    let vars = json!({ "name": name, "v": visibility, "ranked": true });
    app.data_as(token, CREATE, vars).await["createList"]["list"].clone()
}

/// The slugs of the list's items in order, checking their ranks run 1, 2, ...
async fn order(app: &TestApp, token: &str, list: &Value) -> Vec<String> {
    let data = app
        .data_as(token, ITEMS, json!({ "l": list, "first": 100 }))
        .await;
    let edges = data["node"]["items"]["edges"].as_array().unwrap();
    for (i, edge) in edges.iter().enumerate() {
        assert_eq!(edge["rank"], i as i64 + 1, "{edges:?}");
    }
    assert_eq!(data["node"]["items"]["totalCount"], edges.len());
    edges
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
        .collect()
}

/// Every item's stored key, by film slug order of ids.
async fn keys(app: &TestApp) -> Vec<(i64, String)> {
    use sea_orm::ConnectionTrait;
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT film_id, position FROM film_list_item ORDER BY film_id".to_string(),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<i32>("", "film_id").unwrap().into(),
                r.try_get("", "position").unwrap(),
            )
        })
        .collect()
}

fn slugs(films: &[(Value, String)], order: &[usize]) -> Vec<String> {
    order.iter().map(|i| films[*i].1.clone()).collect()
}

async fn lists_are_filled_ordered_and_moved_one_row_at_a_time(app: TestApp) {
    let films = films(&app, 30).await;
    let ben = app.sign_up("ben").await;
    let list = create(&app, &ben, "Best of 1995", "PUBLIC").await;
    assert_eq!(list["visibility"], "PUBLIC");
    assert_eq!(list["viewerCanEdit"], true);
    assert_eq!(list["owner"]["username"], "ben");
    let id = list["id"].clone();
    for film in &films[..3] {
        let added = app
            .data_as(&ben, ADD, json!({ "l": id, "f": film.0 }))
            .await;
        assert_eq!(added["addToList"]["changed"], true);
    }
    let first = app
        .data_as(
            &ben,
            ADD,
            json!({ "l": id, "f": films[3].0, "p": 1, "note": "  Start here " }),
        )
        .await;
    assert_eq!(first["addToList"]["list"]["itemCount"], 4);
    assert_eq!(order(&app, &ben, &id).await, slugs(&films, &[3, 0, 1, 2]));
    let again = app
        .data_as(&ben, ADD, json!({ "l": id, "f": films[0].0, "p": 1 }))
        .await;
    assert_eq!(again["addToList"]["changed"], false);
    assert_eq!(again["addToList"]["list"]["itemCount"], 4);
    let notes = app.data_as(&ben, ITEMS, json!({ "l": id })).await;
    assert_eq!(notes["node"]["items"]["edges"][0]["note"], "Start here");

    // A move rewrites the moved item's key alone.
    let before = keys(&app).await;
    app.data_as(&ben, MOVE, json!({ "l": id, "f": films[2].0, "p": 1 }))
        .await;
    assert_eq!(order(&app, &ben, &id).await, slugs(&films, &[2, 3, 0, 1]));
    let after = keys(&app).await;
    let changed: Vec<_> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 1, "{before:?} {after:?}");
    app.data_as(&ben, MOVE, json!({ "l": id, "f": films[3].0, "p": 4 }))
        .await;
    assert_eq!(order(&app, &ben, &id).await, slugs(&films, &[2, 0, 1, 3]));
    app.data_as(&ben, MOVE, json!({ "l": id, "f": films[0].0, "p": 2 }))
        .await;
    assert_eq!(order(&app, &ben, &id).await, slugs(&films, &[2, 0, 1, 3]));

    // A move costs as many statements in a long list as in a short one.
    let (short, _) = app
        .count_statements(app.post_as(
            Some(&ben),
            MOVE,
            json!({ "l": id, "f": films[1].0, "p": 1 }),
        ))
        .await;
    for film in &films[4..30] {
        app.data_as(&ben, ADD, json!({ "l": id, "f": film.0 }))
            .await;
    }
    let (long, _) = app
        .count_statements(app.post_as(
            Some(&ben),
            MOVE,
            json!({ "l": id, "f": films[29].0, "p": 1 }),
        ))
        .await;
    assert_eq!(short, long);

    // Pages continue after their cursor, ranks with them.
    let page = app
        .data_as(&ben, ITEMS, json!({ "l": id, "first": 20 }))
        .await;
    let cursor = page["node"]["items"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .data_as(
            &ben,
            ITEMS,
            json!({ "l": id, "first": 20, "after": cursor }),
        )
        .await;
    let edges = rest["node"]["items"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 10);
    assert_eq!(edges[0]["rank"], 21);
    assert_eq!(rest["node"]["items"]["pageInfo"]["hasNextPage"], false);

    let removed = app
        .data_as(&ben, REMOVE, json!({ "l": id, "f": films[1].0 }))
        .await;
    assert_eq!(removed["removeFromList"]["changed"], true);
    assert_eq!(removed["removeFromList"]["list"]["itemCount"], 29);
    let removed = app
        .data_as(&ben, REMOVE, json!({ "l": id, "f": films[1].0 }))
        .await;
    assert_eq!(removed["removeFromList"]["changed"], false);

    let updated = app
        .data_as(
            &ben,
            UPDATE,
            json!({ "l": id, "name": "  Best of the 90s ", "d": null, "v": "UNLISTED" }),
        )
        .await;
    assert_eq!(
        updated["updateList"]["list"],
        json!({ "name": "Best of the 90s", "description": null, "visibility": "UNLISTED" })
    );
    let deleted = app.data_as(&ben, DELETE, json!({ "l": id })).await;
    assert_eq!(deleted["deleteList"]["listId"], id);
    assert_eq!(
        app.data_as(&ben, ITEMS, json!({ "l": id })).await["node"],
        json!(null)
    );
    assert_eq!(app.count_rows("film_list_item").await, 0);
}

async fn a_private_list_is_nobody_elses_business(app: TestApp) {
    let films = films(&app, 2).await;
    let ben = app.sign_up("ben").await;
    let sera = app.sign_up("sera").await;
    let list = create(&app, &ben, "Guilty pleasures", "PRIVATE").await;
    let id = list["id"].clone();
    app.data_as(&ben, ADD, json!({ "l": id, "f": films[0].0 }))
        .await;

    // Private: NOT_FOUND (or null) to everyone else, whatever they try.
    assert_eq!(
        app.data_as(&sera, ITEMS, json!({ "l": id })).await["node"],
        json!(null)
    );
    assert_eq!(
        app.data(ITEMS, json!({ "l": id })).await["node"],
        json!(null)
    );
    for (mutation, vars) in [
        (ADD, json!({ "l": id, "f": films[1].0 })),
        (MOVE, json!({ "l": id, "f": films[0].0, "p": 1 })),
        (REMOVE, json!({ "l": id, "f": films[0].0 })),
        (UPDATE, json!({ "l": id, "name": "Mine now" })),
        (DELETE, json!({ "l": id })),
    ] {
        assert_eq!(
            app.error_code_as(Some(&sera), mutation, vars.clone()).await,
            "NOT_FOUND",
            "{mutation}"
        );
        assert_eq!(
            app.error_code(mutation, vars).await,
            "UNAUTHENTICATED",
            "{mutation}"
        );
    }
    let film_lists =
        "query($f: ID!) { node(id: $f) { ... on Film { lists { totalCount nodes { name } } } } }";
    let of_film = |token: String| {
        let app = &app;
        let film = films[0].0.clone();
        async move {
            app.data_as(&token, film_lists, json!({ "f": film })).await["node"]["lists"].clone()
        }
    };
    assert_eq!(of_film(ben.clone()).await["totalCount"], 0);

    // Public: anyone sees it, only Ben changes it (FORBIDDEN: no secret to keep).
    app.data_as(&ben, UPDATE, json!({ "l": id, "v": "PUBLIC" }))
        .await;
    let seen = "query($l: ID!) { node(id: $l) { ... on List { name viewerCanEdit owner { username lists { totalCount } } } } }";
    let shown = app.data_as(&sera, seen, json!({ "l": id })).await["node"].clone();
    assert_eq!(
        shown,
        json!({ "name": "Guilty pleasures", "viewerCanEdit": false, "owner": { "username": "ben", "lists": { "totalCount": 1 } } })
    );
    for (mutation, vars) in [
        (ADD, json!({ "l": id, "f": films[1].0 })),
        (UPDATE, json!({ "l": id, "name": "Mine now" })),
        (DELETE, json!({ "l": id })),
    ] {
        assert_eq!(
            app.error_code_as(Some(&sera), mutation, vars).await,
            "FORBIDDEN",
            "{mutation}"
        );
    }
    let lists = of_film(sera.clone()).await;
    assert_eq!(
        lists,
        json!({ "totalCount": 1, "nodes": [{ "name": "Guilty pleasures" }] })
    );
    // The owner's library and ratings stay the owner's.
    for private in ["watchlist { totalCount }", "ratings { edges { cursor } }"] {
        let query = format!(
            "query($l: ID!) {{ node(id: $l) {{ ... on List {{ owner {{ {private} }} }} }} }}"
        );
        assert_eq!(
            app.error_code_as(Some(&sera), &query, json!({ "l": id }))
                .await,
            "FORBIDDEN",
            "{private}"
        );
    }

    // Anonymous answers are cached; a list made private leaves them at once.
    let anonymous = "query($l: ID!) { node(id: $l) { ... on List { name } } }";
    let public = app.data(anonymous, json!({ "l": id })).await;
    assert_eq!(public["node"]["name"], "Guilty pleasures");
    assert_eq!(app.data(anonymous, json!({ "l": id })).await, public);
    app.data_as(&ben, UPDATE, json!({ "l": id, "v": "PRIVATE" }))
        .await;
    assert_eq!(
        app.data(anonymous, json!({ "l": id })).await["node"],
        json!(null)
    );
    app.data_as(&ben, UPDATE, json!({ "l": id, "v": "PUBLIC" }))
        .await;

    // Unlisted: reachable by id, listed nowhere for anyone else.
    app.data_as(&ben, UPDATE, json!({ "l": id, "v": "UNLISTED" }))
        .await;
    let shown = app.data_as(&sera, seen, json!({ "l": id })).await["node"].clone();
    assert_eq!(shown["owner"]["lists"]["totalCount"], 0);
    assert_eq!(of_film(sera.clone()).await["totalCount"], 0);
    let mine = app
        .data_as(&ben, "{ me { lists { totalCount } } }", json!({}))
        .await;
    assert_eq!(mine["me"]["lists"]["totalCount"], 1);
}

async fn list_input_is_checked_and_limits_are_named(app: TestApp) {
    let films = films(&app, 2).await;
    let ben = app.sign_up("ben").await;
    let list = create(&app, &ben, "Checked", "PUBLIC").await;
    let id = list["id"].clone();
    app.data_as(&ben, ADD, json!({ "l": id, "f": films[0].0 }))
        .await;
    let missing_film = json!(base64_id("Film:999999"));
    let missing_list = json!(base64_id("List:999999"));
    for (mutation, vars, code) in [
        (CREATE, json!({ "name": "   " }), "BAD_USER_INPUT"),
        (CREATE, json!({ "name": "x".repeat(101) }), "BAD_USER_INPUT"),
        (
            ADD,
            json!({ "l": id, "f": films[1].0, "note": "n".repeat(1001) }),
            "BAD_USER_INPUT",
        ),
        (
            ADD,
            json!({ "l": id, "f": films[1].0, "p": 0 }),
            "BAD_USER_INPUT",
        ),
        (
            ADD,
            json!({ "l": id, "f": films[1].0, "p": 3 }),
            "BAD_USER_INPUT",
        ),
        (ADD, json!({ "l": id, "f": missing_film }), "NOT_FOUND"),
        (
            ADD,
            json!({ "l": missing_list, "f": films[1].0 }),
            "NOT_FOUND",
        ),
        (
            ADD,
            json!({ "l": "garbage", "f": films[1].0 }),
            "BAD_USER_INPUT",
        ),
        (
            ADD,
            json!({ "l": films[0].0, "f": films[1].0 }),
            "BAD_USER_INPUT",
        ),
        (
            MOVE,
            json!({ "l": id, "f": films[1].0, "p": 1 }),
            "NOT_FOUND",
        ),
        (
            MOVE,
            json!({ "l": id, "f": films[0].0, "p": 2 }),
            "BAD_USER_INPUT",
        ),
    ] {
        assert_eq!(
            app.error_code_as(Some(&ben), mutation, vars.clone()).await,
            code,
            "{mutation} {vars}"
        );
    }
    assert_eq!(app.count_rows("film_list_item").await, 1);

    // A full list takes no more films.
    use sea_orm::ConnectionTrait;
    app.connection
        .execute_unprepared("UPDATE film_list SET item_count = 5000")
        .await
        .unwrap();
    let (_, full) = app
        .post_as(Some(&ben), ADD, json!({ "l": id, "f": films[1].0 }))
        .await;
    assert_eq!(full["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let message = full["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("items limit") && message.contains("5000"),
        "{message}"
    );

    // Nor does a user with 500 lists get another (499 more written at once:
    // the limit is what is checked here, not 499 round trips).
    app.connection
        .execute_unprepared(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 499)
             INSERT INTO film_list (user_id, name, visibility, ranked, item_count, created_at, updated_at)
             SELECT l.user_id, 'List ' || n.i, 'PRIVATE', l.ranked, 0, l.created_at, l.updated_at
             FROM n, film_list l WHERE l.name = 'Checked'",
        )
        .await
        .unwrap();
    assert_eq!(app.count_rows("film_list").await, 500);
    let (_, refused) = app
        .post_as(Some(&ben), CREATE, json!({ "name": "One too many" }))
        .await;
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("lists limit") && message.contains("500"),
        "{message}"
    );
    assert_eq!(app.count_rows("film_list").await, 500);
}

async fn fifty_concurrent_writers_leave_a_consistent_list(app: TestApp) {
    let films = films(&app, 35).await;
    let ben = app.sign_up("ben").await;
    let id = create(&app, &ben, "Busy", "PUBLIC").await["id"].clone();
    for film in &films[..10] {
        app.data_as(&ben, ADD, json!({ "l": id, "f": film.0 }))
            .await;
    }
    // Two devices at once: 25 adds (at the top or the end) and 25 moves.
    let writes = (0..50).map(|i| {
        let (mutation, vars) = if i < 25 {
            let place = if i % 2 == 0 { json!(1) } else { json!(null) };
            (ADD, json!({ "l": id, "f": films[10 + i].0, "p": place }))
        } else {
            (
                MOVE,
                json!({ "l": id, "f": films[i % 10].0, "p": i % 5 + 1 }),
            )
        };
        app.post_as(Some(&ben), mutation, vars)
    });
    for (_, answer) in futures_util::future::join_all(writes).await {
        assert!(answer.get("errors").is_none(), "{answer}");
    }
    let slugs = order(&app, &ben, &id).await;
    assert_eq!(slugs.len(), 35);
    let mut unique = slugs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 35, "every film once");
    let count = app.data_as(&ben, ITEMS, json!({ "l": id })).await["node"]["itemCount"].clone();
    assert_eq!(count, 35);
    assert_eq!(app.count_rows("film_list_item").await, 35);
}

/// Moving items into the same gap again and again lengthens keys; past a
/// bound the list is respaced, so keys stay short whatever clients do, and
/// the order is the one the moves made. A move to where the film already is
/// changes nothing.
async fn endless_moves_into_one_gap_keep_keys_short(app: TestApp) {
    let films = films(&app, 4).await;
    let ben = app.sign_up("ben").await;
    let id = create(&app, &ben, "Churn", "PRIVATE").await["id"].clone();
    for film in &films {
        app.data_as(&ben, ADD, json!({ "l": id, "f": film.0 }))
            .await;
    }
    // [0, 1, 2, 3]: alternately move 2 and 1 to the second place.
    let mut longest = 0;
    for round in 0..300 {
        let film = if round % 2 == 0 { &films[2] } else { &films[1] };
        let moved = app
            .data_as(&ben, MOVE, json!({ "l": id, "f": film.0, "p": 2 }))
            .await;
        assert_eq!(moved["moveInList"]["changed"], true);
        longest = longest.max(keys(&app).await.iter().map(|(_, k)| k.len()).max().unwrap());
    }
    assert!(longest <= 40, "keys stay short: {longest}");
    // 300 moves: the last moved 1 to the second place.
    assert_eq!(order(&app, &ben, &id).await, slugs(&films, &[0, 1, 2, 3]));
    let stay = app
        .data_as(&ben, MOVE, json!({ "l": id, "f": films[1].0, "p": 2 }))
        .await;
    assert_eq!(stay["moveInList"]["changed"], false);
    assert_eq!(stay["moveInList"]["list"]["itemCount"], 4);
    assert_eq!(order(&app, &ben, &id).await, slugs(&films, &[0, 1, 2, 3]));
}

on_both_databases!(
    endless_moves_into_one_gap_keep_keys_short,
    lists_are_filled_ordered_and_moved_one_row_at_a_time,
    list_input_is_checked_and_limits_are_named,
    fifty_concurrent_writers_leave_a_consistent_list,
);

// Its answers are cached: a list made private must leave them at once.
on_both_databases!(configured(response_cache_on): a_private_list_is_nobody_elses_business);

//! Managing an account: sessions (listed, ended one by one or everywhere),
//! a new password ending every other session, deleting the account with
//! exact recounts of what others see, and the export of everything it owns.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

const PASSWORD: &str = "correct-horse-battery";
const SESSIONS: &str =
    "{ me { sessions { id current userAgent address createdAt lastUsedAt expiresAt } } }";
const CHANGE: &str =
    "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) { endedSessions } }";
const END: &str = "mutation($id: ID!) { endSession(id: $id) }";
const DELETE: &str = "mutation($p: String!) { deleteAccount(password: $p) { deletedUserId ratingsRemoved reviewsRemoved } }";

/// Signs in as `username` with `password`, sending `user_agent`; the token.
async fn sign_in(app: &TestApp, username: &str, password: &str, user_agent: &str) -> String {
    let body = json!({
        "query": "mutation($i: Credentials!) { signIn(input: $i) { token } }",
        "variables": { "i": { "username": username, "password": password } },
    });
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("user-agent", user_agent)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (_, answer) = app.send(request).await;
    answer["data"]["signIn"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_string()
}

async fn a_new_password_ends_every_other_session(app: TestApp) {
    let laptop = app.sign_up("ben").await;
    let phone = sign_in(&app, "ben", PASSWORD, "CinegraphPhone/1.0 (iOS 18)").await;
    let sessions = app.data_as(&laptop, SESSIONS, json!({})).await["me"]["sessions"].clone();
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    // Newest first: the phone's, which this request does not use.
    assert_eq!(sessions[0]["current"], false);
    assert_eq!(sessions[0]["userAgent"], "CinegraphPhone/1.0 (iOS 18)");
    assert_eq!(sessions[1]["current"], true);
    assert!(sessions[1]["lastUsedAt"].is_string());
    // The tests call the router without a socket: no address is known.
    assert!(sessions.iter().all(|s| s["address"].is_null()));

    for (current, new, code) in [
        (
            "wrong-horse-battery",
            "a-much-better-password-1",
            "FORBIDDEN",
        ),
        (PASSWORD, "short", "BAD_USER_INPUT"),
        (PASSWORD, PASSWORD, "BAD_USER_INPUT"),
    ] {
        assert_eq!(
            app.error_code_as(Some(&laptop), CHANGE, json!({ "c": current, "n": new }))
                .await,
            code,
            "{current} -> {new}"
        );
    }
    assert_eq!(
        app.error_code(
            CHANGE,
            json!({ "c": PASSWORD, "n": "a-much-better-password-1" })
        )
        .await,
        "UNAUTHENTICATED"
    );
    let changed = app
        .data_as(
            &laptop,
            CHANGE,
            json!({ "c": PASSWORD, "n": "a-much-better-password-1" }),
        )
        .await;
    assert_eq!(changed["changePassword"]["endedSessions"], 1);
    assert_eq!(
        app.error_code_as(Some(&phone), "{ me { username } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.data_as(&laptop, "{ me { username } }", json!({})).await["me"]["username"],
        "ben"
    );
    let old = json!({ "i": { "username": "ben", "password": PASSWORD } });
    assert_eq!(
        app.error_code(
            "mutation($i: Credentials!) { signIn(input: $i) { token } }",
            old
        )
        .await,
        "UNAUTHENTICATED"
    );
    sign_in(&app, "ben", "a-much-better-password-1", "curl/8").await;
}

async fn sessions_end_one_at_a_time_or_everywhere(app: TestApp) {
    let laptop = app.sign_up("ben").await;
    let phone = sign_in(&app, "ben", PASSWORD, "phone").await;
    let tablet = sign_in(&app, "ben", PASSWORD, "tablet").await;
    let sera = app.sign_up("sera").await;
    let sessions = app.data_as(&phone, SESSIONS, json!({})).await["me"]["sessions"].clone();
    let phone_id = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .clone();

    // Someone else's session does not exist for Sera.
    assert_eq!(
        app.error_code_as(Some(&sera), END, json!({ "id": phone_id }))
            .await,
        "NOT_FOUND"
    );
    assert_eq!(
        app.data_as(&laptop, END, json!({ "id": phone_id })).await["endSession"],
        true
    );
    assert_eq!(
        app.data_as(&laptop, END, json!({ "id": phone_id })).await["endSession"],
        false
    );
    assert_eq!(
        app.error_code_as(Some(&phone), "{ me { username } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );
    let left = app.data_as(&laptop, SESSIONS, json!({})).await["me"]["sessions"].clone();
    assert_eq!(left.as_array().unwrap().len(), 2);

    let everywhere = app
        .data_as(&tablet, "mutation { signOutEverywhere }", json!({}))
        .await;
    assert_eq!(everywhere["signOutEverywhere"], 2);
    for token in [&laptop, &tablet] {
        assert_eq!(
            app.error_code_as(Some(token), "{ me { username } }", json!({}))
                .await,
            "UNAUTHENTICATED"
        );
    }
    // Sera's session is hers, untouched.
    assert_eq!(
        app.data_as(&sera, "{ me { username } }", json!({})).await["me"]["username"],
        "sera"
    );
}

async fn deleting_an_account_removes_all_it_owns_and_recounts_the_rest(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    let sera = app.sign_up("sera").await;
    let rate = "mutation($f: ID!, $s: Int!) { rateFilm(input: { filmId: $f, score: $s }) { film { userRatingCount } } }";
    app.data_as(&ben, rate, json!({ "f": film, "s": 10 })).await;
    app.data_as(&sera, rate, json!({ "f": film, "s": 4 })).await;
    let write = "mutation($f: ID!) { writeReview(input: { filmId: $f, body: \"Twenty characters at the very least.\" }) { review { id } } }";
    app.data_as(&ben, write, json!({ "f": film })).await;
    let hers = app.data_as(&sera, write, json!({ "f": film })).await["writeReview"]["review"]["id"]
        .clone();
    app.data_as(
        &ben,
        "mutation($id: ID!) { markReviewHelpful(id: $id) { review { helpfulCount } } }",
        json!({ "id": hers }),
    )
    .await;
    app.data_as(&ben, "mutation($f: ID!) { addToWatchlist(filmId: $f) { changed } markSeen(filmId: $f, on: \"2020-01-01\") { entry { seenOn } } setFavorite(filmId: $f) { changed } }", json!({ "f": film }))
        .await;
    let list = app
        .data_as(
            &ben,
            "mutation { createList(name: \"Mine\", visibility: PUBLIC) { list { id } } }",
            json!({}),
        )
        .await["createList"]["list"]["id"]
        .clone();
    app.data_as(
        &ben,
        "mutation($l: ID!, $f: ID!) { addToList(listId: $l, filmId: $f) { changed } }",
        json!({ "l": list, "f": film }),
    )
    .await;

    // A wrong password deletes nothing.
    assert_eq!(
        app.error_code_as(Some(&ben), DELETE, json!({ "p": "wrong-horse-battery" }))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(app.count_rows("app_user").await, 2);
    let deleted =
        app.data_as(&ben, DELETE, json!({ "p": PASSWORD })).await["deleteAccount"].clone();
    assert_eq!(deleted["ratingsRemoved"], 1);
    assert_eq!(deleted["reviewsRemoved"], 1);

    // What others see is recounted exactly.
    let shown = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { userRatingAverage userRatingCount ratingSummary { count average } reviews(kinds: [USER]) { totalCount nodes { byline helpfulCount } } lists { totalCount } } }"#,
            json!({}),
        )
        .await["film"]
        .clone();
    assert_eq!(shown["userRatingAverage"], 4.0);
    assert_eq!(shown["userRatingCount"], 1);
    assert_eq!(
        shown["ratingSummary"],
        json!({ "count": 1, "average": 4.0 })
    );
    assert_eq!(
        shown["reviews"],
        json!({ "totalCount": 1, "nodes": [{ "byline": "sera", "helpfulCount": 0 }] })
    );
    assert_eq!(shown["lists"]["totalCount"], 0);
    for table in [
        "user_session WHERE user_id NOT IN (SELECT id FROM app_user)",
        "watchlist_entry",
        "diary_entry",
        "favorite_film",
        "film_list",
        "film_list_item",
        "review_vote",
    ] {
        assert_eq!(app.count_rows(table).await, 0, "{table}");
    }
    assert_eq!(
        app.error_code_as(Some(&ben), "{ me { username } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );
    // The name is free again.
    app.sign_up("ben").await;
}

async fn the_export_holds_everything_the_account_owns_and_no_secret(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    app.data_as(&ben, "mutation($f: ID!) { rateFilm(input: { filmId: $f, score: 9 }) { rating { score } } addToWatchlist(filmId: $f) { changed } }", json!({ "f": film }))
        .await;
    let list = app
        .data_as(
            &ben,
            "mutation { createList(name: \"Mine\") { list { id } } }",
            json!({}),
        )
        .await["createList"]["list"]["id"]
        .clone();
    app.data_as(&ben, "mutation($l: ID!, $f: ID!) { addToList(listId: $l, filmId: $f, note: \"Top\") { changed } }", json!({ "l": list, "f": film }))
        .await;
    let export: Value = app
        .data_as(&ben, "mutation { exportMyData }", json!({}))
        .await["exportMyData"]
        .clone();
    assert_eq!(export["format"], "cinegraph-account-export");
    assert_eq!(export["account"]["username"], "ben");
    assert_eq!(export["account"]["role"], "viewer");
    assert_eq!(export["ratings"][0]["score"], 9);
    assert_eq!(export["ratings"][0]["film_slug"], "leaving-las-vegas");
    assert_eq!(export["watchlist"][0]["film_title"], "Leaving Las Vegas");
    assert_eq!(export["lists"][0]["name"], "Mine");
    assert_eq!(export["list_items"][0]["note"], "Top");
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    for section in ["reviews", "diary", "favorites", "helpful_votes"] {
        assert_eq!(export[section], json!([]), "{section}");
    }
    let text = export.to_string();
    assert!(
        !text.contains("token") && !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
    assert!(
        !text.contains(&ben),
        "the bearer token is not in the export"
    );
    assert_eq!(
        app.error_code("mutation { exportMyData }", json!({})).await,
        "UNAUTHENTICATED"
    );
}

on_both_databases!(
    a_new_password_ends_every_other_session,
    sessions_end_one_at_a_time_or_everywhere,
    deleting_an_account_removes_all_it_owns_and_recounts_the_rest,
    the_export_holds_everything_the_account_owns_and_no_secret,
);

//! Accounts and ratings: every mutation's success and failure paths, the
//! authorization rules, and exact aggregates.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;

const SIGN_IN: &str =
    "mutation($i: Credentials!) { signIn(input: $i) { token user { username } } }";
const RATE: &str = r#"mutation($i: RateFilmInput!) { rateFilm(input: $i) {
  rating { score film { title } }
  film { userRatingCount ratingSummary { average count histogram { score count } } viewerRating { score } } } }"#;
const REMOVE: &str = "mutation($f: ID!) { removeRating(filmId: $f) { removed film { ratingSummary { count average } } } }";
const FILM: &str = r#"{ film(by: { slug: "leaving-las-vegas" }) { id ratingSummary { average count histogram { score count } } viewerRating { score } } }"#;

fn histogram(summary: &Value) -> Vec<i64> {
    summary["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .collect()
}

async fn accounts_sign_up_in_and_out(app: TestApp) {
    let token = app.sign_up("ben_sanderson").await;
    let me = app
        .data_as(
            &token,
            "{ me { username ratings { edges { node { score } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(me["me"]["username"], "ben_sanderson");
    assert_eq!(
        app.data("{ me { username } }", json!({})).await["me"],
        json!(null)
    );

    let good = json!({ "i": { "username": "ben_sanderson", "password": "correct-horse-battery" } });
    let second = app.data(SIGN_IN, good).await["signIn"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(second, token);

    // A wrong password and an unknown user answer alike.
    let (_, wrong) = app
        .post(
            SIGN_IN,
            json!({ "i": { "username": "ben_sanderson", "password": "wrong-horse-battery" } }),
        )
        .await;
    let (_, unknown) = app
        .post(
            SIGN_IN,
            json!({ "i": { "username": "nobody_here", "password": "correct-horse-battery" } }),
        )
        .await;
    assert_eq!(wrong["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(
        wrong["errors"][0]["extensions"],
        unknown["errors"][0]["extensions"]
    );

    // Signing out revokes that token only.
    assert_eq!(
        app.data_as(&token, "mutation { signOut }", json!({})).await["signOut"],
        true
    );
    assert_eq!(
        app.error_code_as(Some(&token), "{ me { username } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.data_as(&second, "{ me { username } }", json!({})).await["me"]["username"],
        "ben_sanderson"
    );
    assert_eq!(
        app.error_code_as(Some("forged-token"), "{ me { username } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.error_code("mutation { signOut }", json!({})).await,
        "UNAUTHENTICATED"
    );
}

async fn bad_usernames_weak_passwords_and_taken_names_are_refused(app: TestApp) {
    app.sign_up("sera").await;
    let sign_up = "mutation($i: Credentials!) { signUp(input: $i) { token } }";
    for (username, password, code) in [
        ("Sera!", "correct-horse-battery", "BAD_USER_INPUT"),
        ("ab", "correct-horse-battery", "BAD_USER_INPUT"),
        ("yuri", "short", "BAD_USER_INPUT"),
        ("yuri", "aaaaaaaaaaaaaaaa", "BAD_USER_INPUT"),
        ("yuri", "yuri-yuri-yuri-1", "BAD_USER_INPUT"),
        ("sera", "correct-horse-battery", "CONFLICT"),
    ] {
        let vars = json!({ "i": { "username": username, "password": password } });
        assert_eq!(
            app.error_code(sign_up, vars).await,
            code,
            "{username} / {password}"
        );
    }
}

async fn rating_creates_replaces_and_removes_with_exact_summaries(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    let sera = app.sign_up("sera").await;
    let rate = |score: i64| json!({ "i": { "filmId": film, "score": score } });

    let first = app.data_as(&ben, RATE, rate(9)).await["rateFilm"].clone();
    assert_eq!(first["rating"]["score"], 9);
    assert_eq!(first["rating"]["film"]["title"], "Leaving Las Vegas");
    assert_eq!(first["film"]["viewerRating"]["score"], 9);
    assert_eq!(first["film"]["ratingSummary"]["count"], 1);

    let again = app.data_as(&ben, RATE, rate(7)).await["rateFilm"].clone();
    assert_eq!(
        again["film"]["ratingSummary"]["count"], 1,
        "a second rating replaces the first"
    );
    assert_eq!(again["film"]["ratingSummary"]["average"], 7.0);

    let both = app.data_as(&sera, RATE, rate(10)).await["rateFilm"]["film"].clone();
    assert_eq!(both["ratingSummary"]["count"], 2);
    assert_eq!(both["ratingSummary"]["average"], 8.5);
    assert_eq!(both["userRatingCount"], 2);
    assert_eq!(
        histogram(&both["ratingSummary"]),
        [0, 0, 0, 0, 0, 0, 1, 0, 0, 1]
    );
    assert_eq!(
        both["viewerRating"]["score"], 10,
        "each viewer sees their own rating"
    );

    // Ben's own rating is untouched by Sera's; signed out, there is no viewer rating.
    let mine = app.data_as(&ben, FILM, json!({})).await;
    assert_eq!(mine["film"]["viewerRating"]["score"], 7);
    assert_eq!(
        app.data(FILM, json!({})).await["film"]["viewerRating"],
        json!(null)
    );
    let ratings = app
        .data_as(
            &ben,
            "{ me { ratings { edges { node { score film { title } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(ratings["me"]["ratings"]["edges"][0]["node"]["score"], 7);
    // Re-rating another film, then this one again, puts this one back on top.
    let other = app
        .data(r#"{ film(by: { imdbId: "tt0037884" }) { id } }"#, json!({}))
        .await["film"]["id"]
        .clone();
    app.data_as(&ben, RATE, json!({ "i": { "filmId": other, "score": 8 } }))
        .await;
    app.data_as(&ben, RATE, rate(7)).await;
    let ratings = app
        .data_as(
            &ben,
            "{ me { ratings { edges { node { score film { title } } } } } }",
            json!({}),
        )
        .await;
    let titles: Vec<&str> = ratings["me"]["ratings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["film"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Leaving Las Vegas", "The Lost Weekend"]);

    // The film list sorts and filters on the counted columns.
    let list = app.data(r#"{ films(filter: { userRatingAverage: { min: 8 } }) { edges { node { title userRatingAverage } } } }"#, json!({})).await;
    assert_eq!(
        list["films"]["edges"][0]["node"]["title"],
        "Leaving Las Vegas"
    );

    let removed = app.data_as(&ben, REMOVE, json!({ "f": film })).await["removeRating"].clone();
    assert_eq!(removed["removed"], true);
    assert_eq!(
        removed["film"]["ratingSummary"],
        json!({ "count": 1, "average": 10.0 })
    );
    let again = app.data_as(&ben, REMOVE, json!({ "f": film })).await["removeRating"].clone();
    assert_eq!(again["removed"], false);
}

async fn rating_mutations_refuse_bad_input_and_anonymous_viewers(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    assert_eq!(
        app.error_code(RATE, json!({ "i": { "filmId": film, "score": 8 } }))
            .await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.error_code(REMOVE, json!({ "f": film })).await,
        "UNAUTHENTICATED"
    );
    for score in [0, 11, -3] {
        let code = app
            .error_code_as(
                Some(&ben),
                RATE,
                json!({ "i": { "filmId": film, "score": score } }),
            )
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "score {score}");
    }
    let code = app
        .error_code_as(
            Some(&ben),
            RATE,
            json!({ "i": { "filmId": film, "score": 7.5 } }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let missing = base64_id("Film:999999");
    assert_eq!(
        app.error_code_as(
            Some(&ben),
            RATE,
            json!({ "i": { "filmId": missing, "score": 5 } })
        )
        .await,
        "NOT_FOUND"
    );
    assert_eq!(
        app.error_code_as(Some(&ben), REMOVE, json!({ "f": "garbage" }))
            .await,
        "BAD_USER_INPUT"
    );
    // Nothing was written by any of them.
    assert_eq!(app.count_rows("rating").await, 0);
    // Mutations are refused over GET even with a token.
    let request = axum::http::Request::get("/graphql?query=mutation%20%7BsignOut%7D")
        .header("authorization", format!("Bearer {ben}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(
        app.send_raw(request).await.0,
        axum::http::StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        app.data_as(&ben, "{ me { username } }", json!({})).await["me"]["username"],
        "ben"
    );
}

on_both_databases!(
    accounts_sign_up_in_and_out,
    bad_usernames_weak_passwords_and_taken_names_are_refused,
    rating_creates_replaces_and_removes_with_exact_summaries,
    rating_mutations_refuse_bad_input_and_anonymous_viewers
);

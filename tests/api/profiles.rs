//! Public profiles: a review's author as a `User` (username, display name,
//! when joined, counts; nothing private), `viewerCanEdit`, a user's reviews,
//! and the display name.

use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

const WRITE: &str = r#"mutation($f: ID!, $body: String!) { writeReview(input: { filmId: $f, body: $body, score: 8 }) { review { id } } }"#;
const REVIEWS: &str = r#"{ film(by: { slug: "leaving-las-vegas" }) { reviews(first: 50) { edges { node { kind byline viewerCanEdit author { username displayName createdAt reviewCount listCount } } } } } }"#;
const PROFILE: &str =
    "mutation($name: String) { updateProfile(displayName: $name) { username displayName } }";

async fn reviews_name_their_author_by_public_profile(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    let sera = app.sign_up("sera").await;
    let body = "Raw and desperate; Cage and Shue give everything here.";
    app.data_as(&ben, WRITE, json!({ "f": film, "body": body }))
        .await;
    app.data_as(
        &ben,
        "mutation { createList(name: \"Open\", visibility: PUBLIC) { list { id } } }",
        json!({}),
    )
    .await;
    app.data_as(
        &ben,
        "mutation { createList(name: \"Hidden\") { list { id } } }",
        json!({}),
    )
    .await;
    let named = app
        .data_as(&ben, PROFILE, json!({ "name": "  Ben S. " }))
        .await;
    assert_eq!(
        named["updateProfile"],
        json!({ "username": "ben", "displayName": "Ben S." })
    );

    let edges_for = |token: Option<String>| {
        let app = &app;
        async move {
            let (_, answer) = app.post_as(token.as_deref(), REVIEWS, json!({})).await;
            assert!(answer.get("errors").is_none(), "{answer}");
            answer["data"]["film"]["reviews"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone())
                .collect::<Vec<_>>()
        }
    };
    let as_ben = edges_for(Some(ben.clone())).await;
    let his = as_ben.iter().find(|r| r["byline"] == "ben").unwrap();
    assert_eq!(his["viewerCanEdit"], true);
    let author = &his["author"];
    assert_eq!(author["username"], "ben");
    assert_eq!(author["displayName"], "Ben S.");
    assert_eq!(author["reviewCount"], 1);
    // Only the public list counts.
    assert_eq!(author["listCount"], 1);
    assert!(author["createdAt"].as_str().unwrap().starts_with("20"));
    // Critics are no users: no profile, a byline.
    let critic = as_ben.iter().find(|r| r["kind"] == "CRITIC").unwrap();
    assert_eq!(critic["author"], json!(null));
    assert_eq!(critic["viewerCanEdit"], false);
    assert!(critic["byline"].is_string());
    // Anyone else sees the profile, and may not edit.
    for token in [Some(sera.clone()), None] {
        let edges = edges_for(token).await;
        let his = edges.iter().find(|r| r["byline"] == "ben").unwrap();
        assert_eq!(his["viewerCanEdit"], false);
        assert_eq!(his["author"]["displayName"], "Ben S.");
    }

    // A profile shows the user's reviews and public lists, never the library or ratings.
    let profile = r#"{ film(by: { slug: "leaving-las-vegas" }) { reviews(kinds: [USER]) { nodes { author { reviews { edges { node { byline } } } lists { totalCount nodes { name } } } } } } }"#;
    let shown = app.data_as(&sera, profile, json!({})).await;
    let author = &shown["film"]["reviews"]["nodes"][0]["author"];
    assert_eq!(
        author["lists"],
        json!({ "totalCount": 1, "nodes": [{ "name": "Open" }] })
    );
    assert_eq!(author["reviews"]["edges"][0]["node"]["byline"], "ben");
    for private in [
        "watchlist { totalCount }",
        "favorites { totalCount }",
        "seen { totalCount }",
        "ratings { edges { cursor } }",
    ] {
        let query = format!(
            r#"{{ film(by: {{ slug: "leaving-las-vegas" }}) {{ reviews(kinds: [USER]) {{ nodes {{ author {{ {private} }} }} }} }} }}"#
        );
        assert_eq!(
            app.error_code_as(Some(&sera), &query, json!({})).await,
            "FORBIDDEN",
            "{private}"
        );
    }
    // No field of a profile names anything private.
    let fields = app
        .data(r#"{ __type(name: "User") { fields { name } } }"#, json!({}))
        .await;
    let names: Vec<&str> = fields["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for secret in ["password", "passwordHash", "email", "token", "tokenHash"] {
        assert!(!names.contains(&secret), "{names:?}");
    }

    // The viewer's own reviews.
    let mine = app
        .data_as(
            &ben,
            "{ me { reviews { edges { node { byline film { title } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine["me"]["reviews"]["edges"][0]["node"]["film"]["title"],
        "Leaving Las Vegas"
    );
    let none = app
        .data_as(
            &sera,
            "{ me { reviews { edges { cursor } } reviewCount } }",
            json!({}),
        )
        .await;
    assert_eq!(none["me"]["reviews"]["edges"], json!([]));
    assert_eq!(none["me"]["reviewCount"], 0);
}

async fn display_names_are_checked_and_can_be_removed(app: TestApp) {
    let ben = app.sign_up("ben").await;
    for bad in [json!("x".repeat(51)), json!("Ben\u{7}")] {
        assert_eq!(
            app.error_code_as(Some(&ben), PROFILE, json!({ "name": bad }))
                .await,
            "BAD_USER_INPUT"
        );
    }
    assert_eq!(
        app.error_code(PROFILE, json!({ "name": "Ben" })).await,
        "UNAUTHENTICATED"
    );
    app.data_as(&ben, PROFILE, json!({ "name": "Ben" })).await;
    for cleared in [json!(null), json!("   ")] {
        app.data_as(&ben, PROFILE, json!({ "name": "Ben" })).await;
        let answer = app.data_as(&ben, PROFILE, json!({ "name": cleared })).await;
        assert_eq!(answer["updateProfile"]["displayName"], json!(null));
    }
}

on_both_databases!(
    reviews_name_their_author_by_public_profile,
    display_names_are_checked_and_can_be_removed,
);

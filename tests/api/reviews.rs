//! User reviews: write, edit, delete, the authorization rules and the listing.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::ids::base64_id;

const WRITE: &str = r#"mutation($i: WriteReviewInput!) { writeReview(input: $i) {
  review { id kind byline author { username } viewerCanEdit title body score spoiler } film { title reviews(kinds: [USER]) { totalCount } } } }"#;
const EDIT: &str = "mutation($i: EditReviewInput!) { editReview(input: $i) { review { id title body score spoiler } } }";
const DELETE: &str = "mutation($id: ID!) { deleteReview(id: $id) { deletedId film { reviews(kinds: [USER]) { totalCount } } } }";
const LIST: &str = r#"query($order: ReviewOrder) { film(by: { slug: "leaving-las-vegas" }) {
  reviews(orderBy: $order, first: 20) { totalCount edges { node { kind byline } } } } }"#;

const BODY: &str = "Raw, desperate and unforgettable; Cage and Shue are extraordinary.";

const VOTE: &str = "mutation($id: ID!, $helpful: Boolean) { markReviewHelpful(id: $id, helpful: $helpful) { review { byline helpfulCount } } }";

async fn helpful_votes_count_once_per_user_and_order_the_reviews(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    let sera = app.sign_up("sera").await;
    let peter = app.sign_up("peter").await;
    let bens = app
        .data_as(
            &ben,
            WRITE,
            json!({ "i": { "filmId": film, "body": BODY } }),
        )
        .await["writeReview"]["review"]["id"]
        .clone();
    app.data_as(
        &sera,
        WRITE,
        json!({ "i": { "filmId": film, "body": BODY } }),
    )
    .await;

    for voter in [&sera, &peter, &sera] {
        let voted = app.data_as(voter, VOTE, json!({ "id": bens })).await;
        assert_eq!(voted["markReviewHelpful"]["review"]["byline"], "ben");
    }
    let list = app.data(LIST, json!({ "order": "MOST_HELPFUL" })).await;
    let first = &list["film"]["reviews"]["edges"][0]["node"];
    assert_eq!(first["byline"], "ben", "the most helpful first: {list}");
    let count = app
        .data_as(&peter, VOTE, json!({ "id": bens, "helpful": false }))
        .await;
    assert_eq!(
        count["markReviewHelpful"]["review"]["helpfulCount"], 1,
        "a second vote by the same user does not count"
    );

    assert_eq!(
        app.error_code_as(Some(&ben), VOTE, json!({ "id": bens }))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(VOTE, json!({ "id": bens })).await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.error_code_as(
            Some(&sera),
            VOTE,
            json!({ "id": base64_id("Review:999999") })
        )
        .await,
        "NOT_FOUND"
    );
}

async fn a_user_writes_edits_and_deletes_their_review(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    let written = app
        .data_as(
            &ben,
            WRITE,
            json!({ "i": { "filmId": film, "title": "Wrecked me", "body": BODY, "score": 9 } }),
        )
        .await["writeReview"]
        .clone();
    assert_eq!(written["review"]["kind"], "USER");
    assert_eq!(written["review"]["byline"], "ben");
    assert_eq!(written["review"]["score"], 9.0);
    assert_eq!(written["film"]["reviews"]["totalCount"], 1);
    let id = written["review"]["id"].clone();

    let edited = app
        .data_as(
            &ben,
            EDIT,
            json!({ "i": { "id": id, "score": null, "spoiler": true } }),
        )
        .await["editReview"]["review"]
        .clone();
    assert_eq!(edited["score"], json!(null), "null clears the score");
    assert_eq!(edited["title"], "Wrecked me", "left-out fields stay");
    assert_eq!(edited["spoiler"], true);

    // One review per user and film.
    let again = app
        .error_code_as(
            Some(&ben),
            WRITE,
            json!({ "i": { "filmId": film, "body": BODY } }),
        )
        .await;
    assert_eq!(again, "CONFLICT");

    let deleted = app.data_as(&ben, DELETE, json!({ "id": id })).await["deleteReview"].clone();
    assert_eq!(deleted["deletedId"], id);
    assert_eq!(deleted["film"]["reviews"]["totalCount"], 0);
    assert_eq!(
        app.error_code_as(Some(&ben), DELETE, json!({ "id": id }))
            .await,
        "NOT_FOUND"
    );
}

async fn nobody_changes_or_deletes_another_users_review(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    let yuri = app.sign_up("yuri").await;
    let id = app
        .data_as(
            &ben,
            WRITE,
            json!({ "i": { "filmId": film, "body": BODY } }),
        )
        .await["writeReview"]["review"]["id"]
        .clone();

    assert_eq!(
        app.error_code_as(
            Some(&yuri),
            EDIT,
            json!({ "i": { "id": id, "body": "Mine now, all mine, every word of it." } })
        )
        .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code_as(Some(&yuri), DELETE, json!({ "id": id }))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(
            EDIT,
            json!({ "i": { "id": id, "body": "Anonymous edits are not welcome here." } })
        )
        .await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.error_code(DELETE, json!({ "id": id })).await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.error_code(WRITE, json!({ "i": { "filmId": film, "body": BODY } }))
            .await,
        "UNAUTHENTICATED"
    );

    // Critic reviews are public and nobody's to change: FORBIDDEN, not
    // NOT_FOUND (everyone can see they exist).
    let critic = app.data(r#"{ film(by: { slug: "leaving-las-vegas" }) { reviews(kinds: [CRITIC], first: 1) { edges { node { id } } } } }"#, json!({})).await;
    let critic_id = critic["film"]["reviews"]["edges"][0]["node"]["id"].clone();
    assert_eq!(
        app.error_code_as(Some(&yuri), DELETE, json!({ "id": critic_id }))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code_as(
            Some(&yuri),
            EDIT,
            json!({ "i": { "id": critic_id, "body": "Critics should have liked it more than this." } })
        )
        .await,
        "FORBIDDEN"
    );

    let body = app.data(LIST, json!({ "order": "NEWEST" })).await;
    assert!(
        body["film"]["reviews"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["byline"] == "ben")
    );
    assert_eq!(
        app.count_rows("review").await,
        5,
        "four page reviews and Ben's"
    );
}

async fn bad_reviews_are_bad_user_input(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    let ben = app.sign_up("ben").await;
    let long = "x".repeat(10_001);
    let long_title = "t".repeat(201);
    for input in [
        json!({ "filmId": film, "body": "too short" }),
        json!({ "filmId": film, "body": long }),
        json!({ "filmId": film, "body": BODY, "title": long_title }),
        json!({ "filmId": film, "body": BODY, "score": 11 }),
        json!({ "filmId": film, "body": BODY, "score": 0 }),
        json!({ "filmId": "garbage", "body": BODY }),
    ] {
        assert_eq!(
            app.error_code_as(Some(&ben), WRITE, json!({ "i": input }))
                .await,
            "BAD_USER_INPUT",
            "{input}"
        );
    }
    let missing = base64_id("Film:999999");
    assert_eq!(
        app.error_code_as(
            Some(&ben),
            WRITE,
            json!({ "i": { "filmId": missing, "body": BODY } })
        )
        .await,
        "NOT_FOUND"
    );
    assert_eq!(app.count_rows("review").await, 4);
}

async fn reviews_list_in_page_order_or_newest_first(app: TestApp) {
    let film = app.film_id("leaving-las-vegas").await;
    for name in ["ben", "sera", "peter"] {
        let token = app.sign_up(name).await;
        app.data_as(
            &token,
            WRITE,
            json!({ "i": { "filmId": film, "body": format!("{name} says: {BODY}") } }),
        )
        .await;
    }
    let page = app.data(LIST, json!({})).await;
    let authors: Vec<Value> = page["film"]["reviews"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["byline"].clone())
        .collect();
    assert_eq!(
        authors[1], "Roger Ebert",
        "the page's own reviews come first"
    );
    assert_eq!(&authors[4..], [json!("ben"), json!("sera"), json!("peter")]);
    let newest = app.data(LIST, json!({ "order": "NEWEST" })).await;
    let authors: Vec<Value> = newest["film"]["reviews"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["byline"].clone())
        .collect();
    assert_eq!(&authors[..3], [json!("peter"), json!("sera"), json!("ben")]);
    assert_eq!(newest["film"]["reviews"]["totalCount"], 7);
    let helpful = app.data(LIST, json!({ "order": "MOST_HELPFUL" })).await;
    assert_eq!(helpful["film"]["reviews"]["totalCount"], 7);
}

on_both_databases!(
    helpful_votes_count_once_per_user_and_order_the_reviews,
    a_user_writes_edits_and_deletes_their_review,
    nobody_changes_or_deletes_another_users_review,
    bad_reviews_are_bad_user_input,
    reviews_list_in_page_order_or_newest_first
);

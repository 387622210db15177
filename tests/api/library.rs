//! The users' own library: watchlist, diary and favourites, their pages in
//! every order, and `Film.viewerState` (the rules, concurrency and
//! `libraryChanged` are in `library_rules`).

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

pub(crate) const ADD: &str = "mutation($f: ID!) { addToWatchlist(filmId: $f) { changed film { slug viewerState { inWatchlist } } } }";
pub(crate) const REMOVE: &str = "mutation($f: ID!) { removeFromWatchlist(filmId: $f) { changed film { viewerState { inWatchlist } } } }";
pub(crate) const MARK_SEEN: &str = "mutation($f: ID!, $on: NaiveDate, $rewatch: Boolean) { markSeen(filmId: $f, on: $on, rewatch: $rewatch) { entry { seenOn rewatch addedAt } film { viewerState { inWatchlist seen seenCount lastSeenOn } } } }";
pub(crate) const UNMARK_SEEN: &str = "mutation($f: ID!, $on: NaiveDate) { unmarkSeen(filmId: $f, on: $on) { removed film { viewerState { seenCount } } } }";
pub(crate) const FAVORITE: &str = "mutation($f: ID!, $yes: Boolean!) { setFavorite(filmId: $f, favorite: $yes) { changed film { viewerState { favorite } } } }";
pub(crate) const RATE: &str = "mutation($f: ID!, $s: Int!) { rateFilm(input: { filmId: $f, score: $s }) { rating { score } } }";

/// The first `n` films of the catalogue by title: (global id, slug).
pub(crate) async fn films(app: &TestApp, n: usize) -> Vec<(Value, String)> {
    let data = app
        .data(
            "query($n: Int!) { films(first: $n, orderBy: { field: TITLE }) { nodes { id slug } } }",
            json!({ "n": n }),
        )
        .await;
    let nodes = data["films"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), n, "the sample has {n} films");
    nodes
        .iter()
        .map(|f| (f["id"].clone(), f["slug"].as_str().unwrap().to_string()))
        .collect()
}

/// The slugs of a page of a `me` list, and the page itself.
pub(crate) async fn shelf(
    app: &TestApp,
    token: &str,
    list: &str,
    args: &str,
) -> (Vec<String>, Value) {
    let query = format!(
        "{{ me {{ {list}{args} {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ slug }} }} }} }} }}"
    );
    let page = app.data_as(token, &query, json!({})).await["me"][list].clone();
    let slugs = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
        .collect();
    (slugs, page)
}

fn slugs_of(films: &[(Value, String)], order: &[usize]) -> Vec<String> {
    order.iter().map(|i| films[*i].1.clone()).collect()
}

async fn the_watchlist_adds_removes_and_pages_in_every_order(app: TestApp) {
    let films = films(&app, 3).await;
    let ben = app.sign_up("ben").await;
    for (id, _) in &films {
        let added = app.data_as(&ben, ADD, json!({ "f": id })).await;
        assert_eq!(added["addToWatchlist"]["changed"], true);
        assert_eq!(
            added["addToWatchlist"]["film"]["viewerState"]["inWatchlist"],
            true
        );
    }
    // Adding again changes nothing.
    let again = app.data_as(&ben, ADD, json!({ "f": films[0].0 })).await;
    assert_eq!(again["addToWatchlist"]["changed"], false);
    assert_eq!(app.count_rows("watchlist_entry").await, 3);

    // Newest first by default; each edge says when.
    let (slugs, page) = shelf(&app, &ben, "watchlist", "").await;
    assert_eq!(slugs, slugs_of(&films, &[2, 1, 0]));
    assert_eq!(page["totalCount"], 3);
    let added_at = app
        .data_as(
            &ben,
            "{ me { watchlist { edges { addedAt } } } }",
            json!({}),
        )
        .await;
    let times: Vec<&str> = added_at["me"]["watchlist"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["addedAt"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    let (by_title, _) = shelf(&app, &ben, "watchlist", "(orderBy: { field: TITLE })").await;
    assert_eq!(by_title, slugs_of(&films, &[0, 1, 2]));
    let (oldest, _) = shelf(&app, &ben, "watchlist", "(orderBy: { field: ADDED })").await;
    assert_eq!(oldest, slugs_of(&films, &[0, 1, 2]));

    // By the viewer's own score: unrated films last in either direction.
    app.data_as(&ben, RATE, json!({ "f": films[1].0, "s": 9 }))
        .await;
    app.data_as(&ben, RATE, json!({ "f": films[2].0, "s": 4 }))
        .await;
    let (best, _) = shelf(
        &app,
        &ben,
        "watchlist",
        "(orderBy: { field: YOUR_SCORE, direction: DESC })",
    )
    .await;
    assert_eq!(best, slugs_of(&films, &[1, 2, 0]));
    let (worst, _) = shelf(&app, &ben, "watchlist", "(orderBy: { field: YOUR_SCORE })").await;
    assert_eq!(worst, slugs_of(&films, &[2, 1, 0]));

    // Pages continue after their cursor.
    let (first, page) = shelf(&app, &ben, "watchlist", "(first: 2)").await;
    assert_eq!(first, slugs_of(&films, &[2, 1]));
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor = page["pageInfo"]["endCursor"].as_str().unwrap().to_string();
    let (rest, page) = shelf(
        &app,
        &ben,
        "watchlist",
        &format!("(first: 2, after: \"{cursor}\")"),
    )
    .await;
    assert_eq!(rest, slugs_of(&films, &[0]));
    assert_eq!(page["pageInfo"]["hasNextPage"], false);

    // Another user's list is theirs: empty for Sera, and Ben's cursor is not hers.
    let sera = app.sign_up("sera").await;
    let (hers, page) = shelf(&app, &sera, "watchlist", "").await;
    assert!(hers.is_empty());
    assert_eq!(page["totalCount"], 0);
    let query = format!("{{ me {{ watchlist(after: \"{cursor}\") {{ totalCount }} }} }}");
    assert_eq!(
        app.error_code_as(Some(&sera), &query, json!({})).await,
        "BAD_USER_INPUT"
    );

    let removed = app.data_as(&ben, REMOVE, json!({ "f": films[1].0 })).await;
    assert_eq!(removed["removeFromWatchlist"]["changed"], true);
    assert_eq!(
        removed["removeFromWatchlist"]["film"]["viewerState"]["inWatchlist"],
        false
    );
    let removed = app.data_as(&ben, REMOVE, json!({ "f": films[1].0 })).await;
    assert_eq!(removed["removeFromWatchlist"]["changed"], false);
    let (left, page) = shelf(&app, &ben, "watchlist", "").await;
    assert_eq!(left, slugs_of(&films, &[2, 0]));
    assert_eq!(page["totalCount"], 2);
}

async fn the_diary_keeps_every_viewing_and_empties_the_watchlist(app: TestApp) {
    let films = films(&app, 2).await;
    let (a, b) = (&films[0].0, &films[1].0);
    let ben = app.sign_up("ben").await;
    app.data_as(&ben, ADD, json!({ "f": a })).await;

    let first = app
        .data_as(&ben, MARK_SEEN, json!({ "f": a, "on": "2024-05-01" }))
        .await["markSeen"]
        .clone();
    assert_eq!(first["entry"]["seenOn"], "2024-05-01");
    assert_eq!(first["entry"]["rewatch"], false);
    assert_eq!(
        first["film"]["viewerState"],
        json!({ "inWatchlist": false, "seen": true, "seenCount": 1, "lastSeenOn": "2024-05-01" })
    );
    // A later viewing is a rewatch unless told otherwise; the same day again is the same viewing.
    let second = app
        .data_as(&ben, MARK_SEEN, json!({ "f": a, "on": "2025-01-02" }))
        .await["markSeen"]
        .clone();
    assert_eq!(second["entry"]["rewatch"], true);
    let again = app
        .data_as(&ben, MARK_SEEN, json!({ "f": a, "on": "2025-01-02" }))
        .await["markSeen"]
        .clone();
    assert_eq!(again["entry"]["addedAt"], second["entry"]["addedAt"]);
    assert_eq!(again["film"]["viewerState"]["seenCount"], 2);
    assert_eq!(again["film"]["viewerState"]["lastSeenOn"], "2025-01-02");
    // Today by default.
    let today = app
        .data_as(&ben, MARK_SEEN, json!({ "f": b, "rewatch": true }))
        .await["markSeen"]
        .clone();
    assert_eq!(today["entry"]["rewatch"], true);
    let today_date = today["entry"]["seenOn"].as_str().unwrap().to_string();
    assert_eq!(
        today_date,
        chrono::Utc::now().date_naive().to_string(),
        "seen today (UTC)"
    );

    // Latest day first, every viewing an edge.
    let page = app
        .data_as(
            &ben,
            "{ me { seen { totalCount edges { seenOn rewatch node { slug } } } } }",
            json!({}),
        )
        .await["me"]["seen"]
        .clone();
    assert_eq!(page["totalCount"], 3);
    let edges: Vec<(String, String)> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["slug"].as_str().unwrap().to_string(),
                e["seenOn"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            (films[1].1.clone(), today_date.clone()),
            (films[0].1.clone(), "2025-01-02".to_string()),
            (films[0].1.clone(), "2024-05-01".to_string()),
        ]
    );
    let (oldest, _) = shelf(&app, &ben, "seen", "(orderBy: { field: ADDED }, first: 1)").await;
    assert_eq!(oldest, vec![films[0].1.clone()]);

    // Days in the future or before cinema are refused, and write nothing.
    for day in ["2999-01-01", "1887-06-01"] {
        assert_eq!(
            app.error_code_as(Some(&ben), MARK_SEEN, json!({ "f": a, "on": day }))
                .await,
            "BAD_USER_INPUT",
            "{day}"
        );
    }
    assert_eq!(app.count_rows("diary_entry").await, 3);

    let one = app
        .data_as(&ben, UNMARK_SEEN, json!({ "f": a, "on": "2024-05-01" }))
        .await;
    assert_eq!(one["unmarkSeen"]["removed"], 1);
    assert_eq!(one["unmarkSeen"]["film"]["viewerState"]["seenCount"], 1);
    let all = app.data_as(&ben, UNMARK_SEEN, json!({ "f": a })).await;
    assert_eq!(all["unmarkSeen"]["removed"], 1);
    let none = app.data_as(&ben, UNMARK_SEEN, json!({ "f": a })).await;
    assert_eq!(none["unmarkSeen"]["removed"], 0);
    assert_eq!(app.count_rows("diary_entry").await, 1);
}

async fn favorites_and_the_viewer_state_of_a_page_in_one_statement(app: TestApp) {
    let films = films(&app, 20).await;
    let ben = app.sign_up("ben").await;
    let yes = app
        .data_as(&ben, FAVORITE, json!({ "f": films[3].0, "yes": true }))
        .await;
    assert_eq!(yes["setFavorite"]["changed"], true);
    assert_eq!(yes["setFavorite"]["film"]["viewerState"]["favorite"], true);
    let again = app
        .data_as(&ben, FAVORITE, json!({ "f": films[3].0, "yes": true }))
        .await;
    assert_eq!(again["setFavorite"]["changed"], false);
    app.data_as(&ben, FAVORITE, json!({ "f": films[5].0, "yes": true }))
        .await;
    let (favorites, page) = shelf(&app, &ben, "favorites", "").await;
    assert_eq!(favorites, slugs_of(&films, &[5, 3]));
    assert_eq!(page["totalCount"], 2);
    let no = app
        .data_as(&ben, FAVORITE, json!({ "f": films[5].0, "yes": false }))
        .await;
    assert_eq!(no["setFavorite"]["changed"], true);
    assert_eq!(no["setFavorite"]["film"]["viewerState"]["favorite"], false);

    app.data_as(&ben, ADD, json!({ "f": films[7].0 })).await;
    app.data_as(
        &ben,
        MARK_SEEN,
        json!({ "f": films[8].0, "on": "2020-02-02" }),
    )
    .await;
    app.data_as(&ben, RATE, json!({ "f": films[8].0, "s": 7 }))
        .await;

    // The state of 20 films costs one statement more than the films alone.
    let plain = "{ films(first: 20, orderBy: { field: TITLE }) { nodes { slug } } }";
    let with_state = "{ films(first: 20, orderBy: { field: TITLE }) { nodes { slug viewerState { inWatchlist seen seenCount lastSeenOn favorite rating { score } } } } }";
    let (without, _) = app
        .count_statements(app.post_as(Some(&ben), plain, json!({})))
        .await;
    let (with, (_, answer)) = app
        .count_statements(app.post_as(Some(&ben), with_state, json!({})))
        .await;
    assert_eq!(with, without + 1, "{answer}");
    let states: Vec<Value> = answer["data"]["films"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["viewerState"].clone())
        .collect();
    let nothing = json!({ "inWatchlist": false, "seen": false, "seenCount": 0, "lastSeenOn": null, "favorite": false, "rating": null });
    for (i, state) in states.iter().enumerate() {
        let expected = match i {
            3 => {
                json!({ "inWatchlist": false, "seen": false, "seenCount": 0, "lastSeenOn": null, "favorite": true, "rating": null })
            }
            7 => {
                json!({ "inWatchlist": true, "seen": false, "seenCount": 0, "lastSeenOn": null, "favorite": false, "rating": null })
            }
            8 => {
                json!({ "inWatchlist": false, "seen": true, "seenCount": 1, "lastSeenOn": "2020-02-02", "favorite": false, "rating": { "score": 7 } })
            }
            _ => nothing.clone(),
        };
        assert_eq!(state, &expected, "film {i}");
    }
    // Signed out, there is no viewer state; another viewer has their own.
    let anonymous = app.data(with_state, json!({})).await;
    assert_eq!(anonymous["films"]["nodes"][3]["viewerState"], json!(null));
    let sera = app.sign_up("sera").await;
    let hers = app.data_as(&sera, with_state, json!({})).await;
    assert_eq!(hers["films"]["nodes"][8]["viewerState"], nothing);
}

on_both_databases!(
    the_watchlist_adds_removes_and_pages_in_every_order,
    the_diary_keeps_every_viewing_and_empties_the_watchlist,
    favorites_and_the_viewer_state_of_a_page_in_one_statement,
);

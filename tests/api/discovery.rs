//! Discovery: `trending` (incremental, decaying, paged), `Film.similarFilms`
//! computed for every film (each reason true of the data), and
//! `me.recommendations` (co-ratings, cold starts, nothing known).

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::library::{ADD, FAVORITE, MARK_SEEN, RATE, films};
use crate::response_cache::response_cache_on;

const TRENDING: &str = "query($w: TrendingWindow, $n: Int, $after: String) { trending(window: $w, first: $n, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor score node { slug } } } }";
const RECOMMENDATIONS: &str = "query($n: Int) { me { recommendations(first: $n) { reason basis film { slug } becauseOf { slug } } } }";

fn slugs(edges: &Value) -> Vec<String> {
    edges
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
        .collect()
}

async fn trending(app: &TestApp, window: &str, n: i64, after: Option<&str>) -> Value {
    app.data(TRENDING, json!({ "w": window, "n": n, "after": after }))
        .await["trending"]
        .clone()
}

async fn trending_ranks_films_by_recent_activity(app: TestApp) {
    // Nothing happened yet: nothing trends.
    let empty = trending(&app, "DAY", 10, None).await;
    assert_eq!(empty["edges"], json!([]));

    let films = films(&app, 4).await;
    let (ann, bob, cat) = (
        app.sign_up("ann").await,
        app.sign_up("bob").await,
        app.sign_up("cat").await,
    );
    // Film 0: three ratings (6); film 1: a viewing and a watchlist add (3);
    // film 2: one watchlist add (1); film 3: nothing.
    for token in [&ann, &bob, &cat] {
        app.data_as(token, RATE, json!({ "f": films[0].0, "s": 8 }))
            .await;
    }
    app.data_as(&ann, MARK_SEEN, json!({ "f": films[1].0 }))
        .await;
    app.data_as(&bob, ADD, json!({ "f": films[1].0 })).await;
    app.data_as(&cat, ADD, json!({ "f": films[2].0 })).await;
    // Marking the same viewing again and a repeated add count once; within
    // a week an account counts once per film, however it acts again.
    app.data_as(&ann, MARK_SEEN, json!({ "f": films[1].0 }))
        .await;
    app.data_as(&cat, ADD, json!({ "f": films[2].0 })).await;
    for score in [3, 9, 4] {
        app.data_as(&ann, RATE, json!({ "f": films[0].0, "s": score }))
            .await;
    }
    let remove = "mutation($f: ID!) { removeFromWatchlist(filmId: $f) { changed } }";
    for _ in 0..3 {
        app.data_as(&cat, remove, json!({ "f": films[2].0 })).await;
        app.data_as(&cat, ADD, json!({ "f": films[2].0 })).await;
    }
    app.data_as(
        &ann,
        MARK_SEEN,
        json!({ "f": films[1].0, "on": "2020-01-01" }),
    )
    .await;

    for window in ["DAY", "WEEK"] {
        let ranking = trending(&app, window, 10, None).await;
        assert_eq!(
            slugs(&ranking["edges"]),
            vec![films[0].1.clone(), films[1].1.clone(), films[2].1.clone()],
            "{window}"
        );
        let scores: Vec<f64> = ranking["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["score"].as_f64().unwrap())
            .collect();
        // Seconds have passed: a little under 6, 3 and 1.
        for (score, fresh) in scores.iter().zip([6.0, 3.0, 1.0]) {
            assert!(
                *score <= fresh && *score > fresh * 0.99,
                "{window}: {scores:?}"
            );
        }
    }

    // Pages continue after their cursor.
    let first = trending(&app, "WEEK", 2, None).await;
    assert_eq!(first["pageInfo"]["hasNextPage"], json!(true));
    let after = first["pageInfo"]["endCursor"].as_str().unwrap().to_string();
    let rest = trending(&app, "WEEK", 2, Some(&after)).await;
    assert_eq!(slugs(&rest["edges"]), vec![films[2].1.clone()]);
    assert_eq!(rest["pageInfo"]["hasNextPage"], json!(false));
    // A cursor of one window is refused by the other.
    let code = app
        .error_code(TRENDING, json!({ "w": "DAY", "n": 2, "after": after }))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let code = app
        .error_code(TRENDING, json!({ "w": "DAY", "n": 101 }))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");

    // What was kept incrementally is what a rebuild from the history computes.
    let stored = trend_rows(&app).await;
    cinegraph::domain::trending::rebuild(&app.db).await.unwrap();
    let rebuilt = trend_rows(&app).await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_eq!(stored.len(), rebuilt.len());
    for ((film, day, week), (film2, day2, week2)) in stored.iter().zip(&rebuilt) {
        assert_eq!(film, film2);
        // Equal but for when cat's watchlist entry was last added (the
        // rebuild knows only the entry that stands): a few milliseconds,
        // where counting anything twice would be ln 2 off.
        assert!((day - day2).abs() < 1e-3 && (week - week2).abs() < 1e-3);
    }
}

async fn trend_rows(app: &TestApp) -> Vec<(i32, f64, f64)> {
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT film_id, day_score, week_score FROM film_trend ORDER BY film_id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "film_id").unwrap(),
                r.try_get("", "day_score").unwrap(),
                r.try_get("", "week_score").unwrap(),
            )
        })
        .collect()
}

async fn trending_answers_are_not_kept_by_the_response_cache(app: TestApp) {
    let films = films(&app, 1).await;
    let ann = app.sign_up("ann").await;
    app.data_as(&ann, ADD, json!({ "f": films[0].0 })).await;
    let first = trending(&app, "DAY", 5, None).await;
    // The same query a moment later is computed again: the score has decayed.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let second = trending(&app, "DAY", 5, None).await;
    let score = |answer: &Value| answer["edges"][0]["score"].as_f64().unwrap();
    assert!(score(&second) < score(&first), "{first} then {second}");
}

const SIMILAR: &str = "query($slug: String!, $n: Int) { film(by: { slug: $slug }) { id similarFilms(first: $n) { computed reason film { id slug } } } }";

async fn every_film_has_similar_films_and_each_reason_is_true(app: TestApp) {
    // The bundled page names its own similar films first.
    let page = app
        .data(SIMILAR, json!({ "slug": "leaving-las-vegas", "n": 30 }))
        .await;
    let similar = page["film"]["similarFilms"].as_array().unwrap().clone();
    let named = similar
        .iter()
        .take_while(|s| s["computed"] == json!(false))
        .count();
    assert!(named >= 3, "{similar:?}");
    assert!(similar.len() > named, "computed ones follow: {similar:?}");
    let ids: std::collections::HashSet<&str> = similar
        .iter()
        .map(|s| s["film"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), similar.len(), "no film twice");
    assert!(
        similar[named..]
            .iter()
            .all(|s| s["computed"] == json!(true))
    );
    assert_eq!(
        app.data(SIMILAR, json!({ "slug": "leaving-las-vegas", "n": 2 }))
            .await["film"]["similarFilms"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A catalogue film without a page: computed ones only, every reason
    // checked against the credits and genres.
    let backend = app.connection.get_database_backend();
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT f.slug AS a, g.slug AS b, s.reason FROM film_similarity s \
             JOIN film f ON f.id = s.film_id JOIN film g ON g.id = s.other_film_id ORDER BY s.id",
        ))
        .await
        .unwrap();
    assert!(
        rows.len() > 100,
        "the sample's films have similar films: {}",
        rows.len()
    );
    let films_with = app.count_rows("film").await;
    let mut checked = 0;
    for row in rows.iter().step_by(7) {
        let a: String = row.try_get("", "a").unwrap();
        let b: String = row.try_get("", "b").unwrap();
        let reason: String = row.try_get("", "reason").unwrap();
        assert_reason_holds(&app, &a, &b, &reason).await;
        checked += 1;
    }
    assert!(checked > 10 && films_with > 0);
    let loner = rows[0].try_get::<String>("", "a").unwrap();
    let answer = app.data(SIMILAR, json!({ "slug": loner, "n": 5 })).await;
    assert!(
        !answer["film"]["similarFilms"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// "Also directed by X" means X directed both films; "Also stars X" that X
/// is in both casts; "Also <genres>" that both films have those genres.
async fn assert_reason_holds(app: &TestApp, a: &str, b: &str, reason: &str) {
    let (kind, names) = if let Some(rest) = reason.strip_prefix("Also directed by ") {
        ("DIRECTOR", rest)
    } else if let Some(rest) = reason.strip_prefix("Also stars ") {
        ("CAST", rest)
    } else if let Some(rest) = reason.strip_prefix("Also written by ") {
        ("WRITER", rest)
    } else {
        ("GENRES", reason.strip_prefix("Also ").expect(reason))
    };
    let query = "query($a: String!, $b: String!, $k: [CreditKind!]) { \
        a: film(by: { slug: $a }) { genres { name } credits(kinds: $k, first: 100) { nodes { name } } } \
        b: film(by: { slug: $b }) { genres { name } credits(kinds: $k, first: 100) { nodes { name } } } }";
    let kinds = if kind == "GENRES" {
        json!(null)
    } else {
        json!([kind])
    };
    let data = app.data(query, json!({ "a": a, "b": b, "k": kinds })).await;
    let listed = |film: &Value, list: &str, field: &str| -> Vec<String> {
        let items = if list == "genres" {
            &film["genres"]
        } else {
            &film["credits"]["nodes"]
        };
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item[field].as_str().unwrap().to_string())
            .collect()
    };
    let (list, expected): (&str, Vec<&str>) = if kind == "GENRES" {
        let shared = names.split(", from the ").next().unwrap();
        (
            "genres",
            shared.split(", ").flat_map(|g| g.split(" and ")).collect(),
        )
    } else {
        ("credits", names.split(" and ").collect())
    };
    for name in expected {
        for (slug, film) in [(a, &data["a"]), (b, &data["b"])] {
            assert!(
                listed(film, list, "name").contains(&name.to_string()),
                "{slug}: {reason}"
            );
        }
    }
}

async fn recommendations_come_from_co_ratings_then_similar_films(app: TestApp) {
    let films = films(&app, 4).await;
    // Four people love films 0 and 1 and dislike film 2.
    for name in ["ann", "bob", "cat", "dan"] {
        let token = app.sign_up(name).await;
        for (film, score) in [(0, 9), (1, 10), (2, 2)] {
            app.data_as(&token, RATE, json!({ "f": films[film].0, "s": score }))
                .await;
        }
    }
    cinegraph::domain::recommendations::rebuild_model(&app.db)
        .await
        .unwrap();
    let viewer = app.sign_up("viewer").await;
    app.data_as(&viewer, RATE, json!({ "f": films[0].0, "s": 9 }))
        .await;
    let picks = app
        .data_as(&viewer, RECOMMENDATIONS, json!({ "n": 5 }))
        .await["me"]["recommendations"]
        .clone();
    let picks = picks.as_array().unwrap();
    assert_eq!(picks[0]["film"]["slug"], json!(films[1].1), "{picks:?}");
    assert_eq!(picks[0]["basis"], json!("CO_RATINGS"));
    assert_eq!(picks[0]["becauseOf"]["slug"], json!(films[0].1));
    let title = app
        .data(
            "query($s: String!) { film(by: { slug: $s }) { title } }",
            json!({ "s": films[0].1 }),
        )
        .await["film"]["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        picks[0]["reason"],
        json!(format!("Because you rated {title} 9/10"))
    );
    // Never a film the viewer rated, nor one the model says they would dislike.
    assert!(picks.iter().all(|p| p["film"]["slug"] != json!(films[0].1)));
    assert!(
        !picks
            .iter()
            .any(|p| p["film"]["slug"] == json!(films[2].1) && p["basis"] == json!("CO_RATINGS"))
    );
    assert_eq!(
        picks.len(),
        5,
        "the rest filled from other sources: {picks:?}"
    );

    // A cold start: a favourite brings its similar films, with their reasons.
    let newcomer = app.sign_up("newcomer").await;
    let vegas = app.film_id("leaving-las-vegas").await;
    app.data_as(&newcomer, FAVORITE, json!({ "f": vegas, "yes": true }))
        .await;
    let picks = app
        .data_as(&newcomer, RECOMMENDATIONS, json!({ "n": 3 }))
        .await["me"]["recommendations"]
        .clone();
    for pick in picks.as_array().unwrap() {
        assert_eq!(pick["basis"], json!("SIMILAR_FILM"), "{picks}");
        assert_eq!(pick["becauseOf"]["slug"], json!("leaving-las-vegas"));
        let reason = pick["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("Because Leaving Las Vegas is one of your favourites ("),
            "{reason}"
        );
    }

    // Nobody knows anything about this one: trending, then the best rated.
    let stranger = app.sign_up("stranger").await;
    let picks = app
        .data_as(&stranger, RECOMMENDATIONS, json!({ "n": 10 }))
        .await["me"]["recommendations"]
        .clone();
    let picks = picks.as_array().unwrap();
    assert_eq!(picks.len(), 10);
    assert_eq!(picks[0]["basis"], json!("TRENDING"), "{picks:?}");
    assert!(picks.iter().any(|p| p["basis"] == json!("BEST_RATED")));
    assert!(picks.iter().all(|p| p["becauseOf"].is_null()));

    // Limits and privacy.
    let none = app
        .data_as(&stranger, RECOMMENDATIONS, json!({ "n": 0 }))
        .await;
    assert_eq!(none["me"]["recommendations"], json!([]));
    let code = app
        .error_code_as(Some(&stranger), RECOMMENDATIONS, json!({ "n": 51 }))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(
        app.data(RECOMMENDATIONS, json!({ "n": 3 })).await["me"],
        Value::Null
    );
}

on_both_databases!(
    trending_ranks_films_by_recent_activity,
    every_film_has_similar_films_and_each_reason_is_true,
    recommendations_come_from_co_ratings_then_similar_films,
);

on_both_databases!(configured(response_cache_on): trending_answers_are_not_kept_by_the_response_cache);

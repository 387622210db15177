//! `cinegraph generate`: a deterministic synthetic catalogue with realistic
//! shapes, written in one transaction beside the real catalogue.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

const FILMS: usize = 400;

/// Every synthetic film with its year, IMDb rating and credited names in order:
/// what two runs with the same seed must agree on (ids may differ).
async fn fingerprint(app: &TestApp) -> Vec<String> {
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT f.slug, f.release_year, f.rating_imdb, c.kind, c.billing_order, p.name \
             FROM film f JOIN credit c ON c.film_id = f.id JOIN person p ON p.id = c.person_id \
             WHERE c.origin = 'SYNTHETIC' ORDER BY f.slug, c.kind, c.id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            format!(
                "{} {:?} {:?} {} {:?} {}",
                row.try_get::<String>("", "slug").unwrap(),
                row.try_get::<Option<i32>>("", "release_year").unwrap(),
                row.try_get::<Option<f64>>("", "rating_imdb").unwrap(),
                row.try_get::<String>("", "kind").unwrap(),
                row.try_get::<Option<i32>>("", "billing_order").unwrap(),
                row.try_get::<String>("", "name").unwrap(),
            )
        })
        .collect()
}

async fn largest(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .connection
        .query_one_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn generate_adds_a_deterministic_realistic_catalogue(app: TestApp) {
    let films = app.count_rows("film").await;
    let report = app.generate(FILMS, 7).await.expect("generate");
    assert_eq!((report.films, report.people), (FILMS, FILMS));
    assert_eq!(app.count_rows("film").await, films + FILMS as i64);
    assert!(report.credits > FILMS * 8, "{report:?}");

    // Shapes: a long cast, and people credited far more often than most.
    let longest_cast = largest(
        &app,
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM credit \
            WHERE origin = 'SYNTHETIC' AND kind = 'CAST' GROUP BY film_id) casts",
    )
    .await;
    assert!(longest_cast >= 50, "longest cast {longest_cast}");
    let most_credits = largest(
        &app,
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM credit \
            WHERE origin = 'SYNTHETIC' GROUP BY person_id) people",
    )
    .await;
    let people = largest(
        &app,
        "SELECT COUNT(DISTINCT person_id) FROM credit WHERE origin = 'SYNTHETIC'",
    )
    .await;
    let average = report.credits as i64 / people;
    assert!(
        most_credits >= 3 * average,
        "most {most_credits}, average {average}"
    );

    // The API serves them like any film: found by title, counted, with their credits.
    let first = fingerprint(&app).await;
    let slug = first[0].split(' ').next().unwrap().to_string();
    let data = app
        .data(
            "query($slug: String!) { film(by: { slug: $slug }) { title releaseYear
            genres { name } credits(first: 3) { totalCount edges { node { name } } } } }",
            json!({ "slug": slug }),
        )
        .await;
    let film = &data["film"];
    assert!(film["releaseYear"].as_i64().unwrap() > 1880, "{film}");
    assert!(!film["genres"].as_array().unwrap().is_empty(), "{film}");
    assert!(
        film["credits"]["totalCount"].as_i64().unwrap() >= 3,
        "{film}"
    );
    let data = app
        .data(
            "query($t: String!) { films(filter: { title: $t }) { totalCount } }",
            json!({ "t": film["title"] }),
        )
        .await;
    assert!(data["films"]["totalCount"].as_i64().unwrap() >= 1);

    // The same seed on a fresh database of the same kind writes the same rows.
    let twin = if app.url.starts_with("postgres") {
        TestApp::postgres().await
    } else {
        TestApp::sqlite().await
    };
    twin.generate(FILMS, 7).await.expect("generate again");
    assert_eq!(fingerprint(&twin).await, first);

    // A second run refuses and writes nothing.
    let films = app.count_rows("film").await;
    let credits = app.count_rows("credit").await;
    let err = app.generate(10, 8).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("already holds 400 synthetic films"),
        "{err}"
    );
    assert_eq!(
        (app.count_rows("film").await, app.count_rows("credit").await),
        (films, credits)
    );

    // Re-importing the catalogue keeps the synthetic credits (they are not the catalogue's).
    app.import_catalogue(
        "catalogue-sample.jsonl.gz",
        crate::helpers::catalogue_sample(),
    )
    .await
    .unwrap();
    assert_eq!(fingerprint(&app).await, first);
}

on_both_databases!(generate_adds_a_deterministic_realistic_catalogue);

/// Every synthetic rating as "user film score", in order: what two runs with
/// the same seed must agree on.
async fn ratings_fingerprint(app: &TestApp) -> Vec<String> {
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT u.username, f.slug, r.score FROM rating r JOIN app_user u ON u.id = r.user_id \
             JOIN film f ON f.id = r.film_id ORDER BY u.username, f.slug",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            format!(
                "{} {} {}",
                row.try_get::<String>("", "username").unwrap(),
                row.try_get::<String>("", "slug").unwrap(),
                row.try_get::<i16>("", "score").unwrap(),
            )
        })
        .collect()
}

async fn generate_adds_users_who_rate_like_people(app: TestApp) {
    use cinegraph::import::synthetic::activity::generate;
    let events = &app.state.events;
    let report = generate(&app.db, events, 300, 3_000, 5).await.unwrap();
    assert_eq!((report.users, report.ratings), (300, 3_000));
    assert_eq!(app.count_rows("rating").await, 3_000);
    // Skewed: the heaviest rater gives many times the median's ratings.
    let heaviest = largest(
        &app,
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM rating GROUP BY user_id) per_user",
    )
    .await;
    assert!(heaviest >= 50, "heaviest rater {heaviest}");
    // Films' summaries were recounted; scores stay on the scale.
    let mismatched = largest(
        &app,
        "SELECT COUNT(*) FROM film f WHERE f.user_rating_count <> \
         (SELECT COUNT(*) FROM rating r WHERE r.film_id = f.id)",
    )
    .await;
    assert_eq!(mismatched, 0);
    let out_of_range = largest(
        &app,
        "SELECT COUNT(*) FROM rating WHERE score < 1 OR score > 10",
    )
    .await;
    assert_eq!(out_of_range, 0);
    // Trending and the recommendation model were built from them.
    let trending = app
        .data(
            "{ trending(window: WEEK, first: 5) { edges { score } } }",
            json!({}),
        )
        .await;
    assert_eq!(trending["trending"]["edges"].as_array().unwrap().len(), 5);
    assert!(app.count_rows("film_neighbour").await > 0);
    // The accounts exist but nobody can sign in to them.
    let code = app
        .error_code(
            "mutation { signIn(input: { username: \"syn-user-000001\", password: \"correct-horse-battery\" }) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "UNAUTHENTICATED");

    // The same seed on the same start gives the same ratings; a second run is refused.
    let first = ratings_fingerprint(&app).await;
    let again = TestApp::with_config(app.db.is_postgres(), |_| {}).await;
    generate(&again.db, &again.state.events, 300, 3_000, 5)
        .await
        .unwrap();
    assert_eq!(ratings_fingerprint(&again).await, first);
    let refused = generate(&app.db, events, 10, 10, 5).await.unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("already holds 300 synthetic users"),
        "{refused}"
    );
    let refused = generate(&again.db, &again.state.events, 10, 5, 1)
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("at least as many ratings as users"),
        "{refused}"
    );
}

on_both_databases!(generate_adds_users_who_rate_like_people);

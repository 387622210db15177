//! The `films` and `people` connections: filters, orderings, pages in both
//! directions, facets, cursors and the statement bound of nested pages.
//! Long because each filter, ordering and facet is checked against the rows
//! themselves, on both databases.

use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};

const FILMS: &str = r#"query($filter: FilmFilter, $order: FilmOrder, $first: Int, $after: String, $last: Int, $before: String) {
  films(filter: $filter, orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title releaseYear releaseDate runtimeMinutes certification
      genres { slug } countries languages boxOffice { kind amount { amount } }
      externalRatings { source value provider } userRatingAverage userRatingCount } }
  }
}"#;

/// Every film of the list, walking forward `size` at a time.
async fn walk_forward(
    app: &TestApp,
    filter: &Value,
    order: &Value,
    size: i64,
) -> (Vec<Value>, i64) {
    let mut films = Vec::new();
    let mut after = Value::Null;
    loop {
        let vars = json!({ "filter": filter, "order": order, "first": size, "after": after });
        let page = app.data(FILMS, vars).await["films"].clone();
        let total = page["totalCount"].as_i64().unwrap();
        films.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            return (films, total);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Every film of the list, walking backward from the end.
async fn walk_backward(app: &TestApp, filter: &Value, order: &Value, size: i64) -> Vec<Value> {
    let mut films: Vec<Value> = Vec::new();
    let mut before = Value::Null;
    loop {
        let vars = json!({ "filter": filter, "order": order, "last": size, "before": before });
        let page = app.data(FILMS, vars).await["films"].clone();
        let mut chunk: Vec<Value> = page["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect();
        chunk.extend(films);
        films = chunk;
        if page["pageInfo"]["hasPreviousPage"] == false {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
    films
}

fn ids(films: &[Value]) -> Vec<String> {
    films
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

fn fold(text: &str) -> String {
    cinegraph::text::fold(text)
}

/// The value a film is ordered by, as a comparable key (None = unknown, sorted last).
fn key(film: &Value, field: &str) -> Option<f64> {
    match field {
        // A film known only by its year sorts before that year's dated films.
        "RELEASE_DATE" => film["releaseDate"]
            .as_str()
            .map(|d| d.replace('-', "").parse().unwrap())
            .or_else(|| film["releaseYear"].as_f64().map(|year| year * 10_000.0)),
        "RUNTIME" => film["runtimeMinutes"].as_f64(),
        "USER_RATING_COUNT" => film["userRatingCount"].as_f64(),
        "EXTERNAL_RATING" => film["externalRatings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["source"] == "ROTTEN_TOMATOES")
            .min_by_key(|r| if r["provider"] == "film page" { 0 } else { 1 })
            .and_then(|r| r["value"].as_f64()),
        "BOX_OFFICE" => film["boxOffice"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["kind"] != "BUDGET")
            .filter_map(|b| b["amount"]["amount"].as_f64())
            .reduce(f64::max),
        other => panic!("no key for {other}"),
    }
}

async fn every_ordering_pages_forward_and_backward_without_gaps_or_duplicates(app: TestApp) {
    let filter = json!({ "releaseYear": { "min": 1980, "max": 1999 } });
    for field in [
        "TITLE",
        "RELEASE_DATE",
        "RUNTIME",
        "EXTERNAL_RATING",
        "BOX_OFFICE",
        "USER_RATING_COUNT",
        "USER_RATING_AVERAGE",
    ] {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction, "ratingSource": "ROTTEN_TOMATOES" });
            let (forward, total) = walk_forward(&app, &filter, &order, 13).await;
            assert_eq!(
                forward.len() as i64,
                total,
                "{field} {direction}: pages lost or repeated films"
            );
            let mut unique = ids(&forward);
            unique.sort();
            unique.dedup();
            assert_eq!(
                unique.len(),
                forward.len(),
                "{field} {direction}: duplicates"
            );
            let backward = walk_backward(&app, &filter, &order, 13).await;
            assert_eq!(
                ids(&backward),
                ids(&forward),
                "{field} {direction}: backward pages differ"
            );

            // The order itself, with unknown values last in both directions.
            if field == "TITLE" {
                let titles: Vec<String> = forward
                    .iter()
                    .map(|f| fold(f["title"].as_str().unwrap()))
                    .collect();
                let mut sorted = titles.clone();
                sorted.sort();
                if direction == "DESC" {
                    sorted.reverse();
                }
                assert_eq!(titles, sorted);
            } else if field != "USER_RATING_AVERAGE" {
                let keys: Vec<Option<f64>> = forward.iter().map(|f| key(f, field)).collect();
                let known = keys.iter().take_while(|k| k.is_some()).count();
                assert!(
                    keys[known..].iter().all(Option::is_none),
                    "{field} {direction}: unknown values are not last"
                );
                let values: Vec<f64> = keys[..known].iter().map(|k| k.unwrap()).collect();
                let ordered = values.windows(2).all(|w| {
                    if direction == "ASC" {
                        w[0] <= w[1]
                    } else {
                        w[0] >= w[1]
                    }
                });
                assert!(ordered, "{field} {direction} out of order: {values:?}");
                assert!(
                    known > 0 || field == "USER_RATING_COUNT",
                    "{field}: no known values to order"
                );
            }
        }
    }
}

async fn filters_combine_and_every_result_matches(app: TestApp) {
    let check = |films: &[Value], what: &str, ok: &dyn Fn(&Value) -> bool| {
        assert!(!films.is_empty(), "{what}: no films");
        for film in films {
            assert!(ok(film), "{what}: {film} does not match");
        }
    };
    let order = json!({ "field": "TITLE" });
    let has_genre = |f: &Value, g: &str| {
        f["genres"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["slug"] == g)
    };

    let (films, _) =
        walk_forward(&app, &json!({ "genres": ["Drama", "Comedy"] }), &order, 100).await;
    check(&films, "any genre", &|f| {
        has_genre(f, "drama") || has_genre(f, "comedy")
    });
    let (all, _) = walk_forward(
        &app,
        &json!({ "genres": ["drama", "comedy"], "genreMatch": "ALL" }),
        &order,
        100,
    )
    .await;
    check(&all, "all genres", &|f| {
        has_genre(f, "drama") && has_genre(f, "comedy")
    });
    assert!(all.len() < films.len());

    let filter = json!({ "releaseYear": { "min": 1990, "max": 1999 }, "runtimeMinutes": { "min": 100 }, "languages": ["English"], "countries": ["United States"] });
    let (films, _) = walk_forward(&app, &filter, &order, 100).await;
    check(&films, "year, runtime, language, country", &|f| {
        let year = f["releaseYear"].as_i64().unwrap();
        (1990..=1999).contains(&year)
            && f["runtimeMinutes"].as_i64().unwrap() >= 100
            && f["languages"]
                .as_array()
                .unwrap()
                .contains(&json!("English"))
            && f["countries"]
                .as_array()
                .unwrap()
                .contains(&json!("United States"))
    });

    let (films, _) = walk_forward(&app, &json!({ "certifications": ["R"] }), &order, 100).await;
    check(&films, "certification", &|f| f["certification"] == "R");

    let (films, _) = walk_forward(
        &app,
        &json!({ "externalRatings": [{ "source": "ROTTEN_TOMATOES", "min": 90 }] }),
        &order,
        100,
    )
    .await;
    check(&films, "rating range", &|f| {
        key(f, "EXTERNAL_RATING").is_some_and(|v| v >= 90.0)
    });

    let (films, _) = walk_forward(&app, &json!({ "title": "LAS VEGAS" }), &order, 100).await;
    let titles: Vec<&str> = films.iter().map(|f| f["title"].as_str().unwrap()).collect();
    assert!(
        titles.contains(&"Leaving Las Vegas") && titles.contains(&"Fear and Loathing in Las Vegas"),
        "{titles:?}"
    );

    // "Films directed by": a person filter with a credit kind.
    let figgis = app
        .data(
            r#"{ person(by: { slug: "mike-figgis" }) { id } }"#,
            json!({}),
        )
        .await["person"]["id"]
        .clone();
    let (directed, _) = walk_forward(
        &app,
        &json!({ "person": { "id": figgis, "kinds": ["DIRECTOR"] } }),
        &order,
        100,
    )
    .await;
    assert!(directed.iter().any(|f| f["title"] == "Leaving Las Vegas"));
    let cage = app
        .data(
            r#"{ person(by: { slug: "nicolas-cage" }) { id } }"#,
            json!({}),
        )
        .await["person"]["id"]
        .clone();
    let (directed_by_cage, _) = walk_forward(
        &app,
        &json!({ "person": { "id": cage.clone(), "kinds": ["DIRECTOR"] } }),
        &order,
        100,
    )
    .await;
    let (with_cage, _) =
        walk_forward(&app, &json!({ "person": { "id": cage } }), &order, 100).await;
    assert!(directed_by_cage.len() < with_cage.len());

    // Nobody has rated anything yet.
    let vars = json!({ "filter": { "userRatingAverage": { "min": 1 } }, "first": 5 });
    assert_eq!(app.data(FILMS, vars).await["films"]["totalCount"], 0);
}

async fn bad_list_arguments_are_bad_user_input(app: TestApp) {
    let cases = [
        json!({ "first": 101 }),
        json!({ "last": 101 }),
        json!({ "first": -1 }),
        json!({ "first": 5, "last": 5 }),
        json!({ "first": 5, "after": "garbage" }),
        json!({ "filter": { "releaseYear": { "min": 2000, "max": 1990 } } }),
        json!({ "order": { "field": "EXTERNAL_RATING" } }),
        json!({ "filter": { "person": { "id": "not-an-id" } } }),
    ];
    for vars in cases {
        assert_eq!(
            app.error_code(FILMS, vars.clone()).await,
            "BAD_USER_INPUT",
            "{vars}"
        );
    }
    // A cursor of another ordering is refused, not misread.
    let page = app
        .data(
            FILMS,
            json!({ "first": 2, "order": { "field": "RUNTIME" } }),
        )
        .await;
    let cursor = page["films"]["pageInfo"]["endCursor"].clone();
    let vars = json!({ "first": 2, "after": cursor, "order": { "field": "TITLE" } });
    assert_eq!(app.error_code(FILMS, vars).await, "BAD_USER_INPUT");
}

async fn facets_count_films_per_genre_and_decade_under_the_filters(app: TestApp) {
    let query = r#"query($filter: FilmFilter) { films(filter: $filter, first: 1) { totalCount facets {
            genres { genre { slug name } count } decades { decade count } } } }"#;
    let filter = json!({ "countries": ["United States"] });
    let data = app.data(query, json!({ "filter": filter })).await["films"].clone();
    let total = data["totalCount"].as_i64().unwrap();
    let decades = data["facets"]["decades"].as_array().unwrap();
    assert_eq!(
        decades
            .iter()
            .map(|d| d["count"].as_i64().unwrap())
            .sum::<i64>(),
        total,
        "every film has a year"
    );
    assert!(
        decades
            .windows(2)
            .all(|w| w[0]["decade"].as_i64() < w[1]["decade"].as_i64())
    );
    let drama = data["facets"]["genres"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["genre"]["slug"] == "drama")
        .unwrap()["count"]
        .clone();
    let narrowed = app
        .data(
            query,
            json!({ "filter": { "countries": ["United States"], "genres": ["drama"] } }),
        )
        .await;
    assert_eq!(narrowed["films"]["totalCount"], drama);
}

async fn counts_follow_imports_and_ratings(app: TestApp) {
    // Counts are cached per filter: an import must make them current again,
    // and counts under a user-rating filter must follow every rating.
    let query = r#"query($filter: FilmFilter) { films(filter: $filter, first: 1) { totalCount facets {
            genres { genre { slug } count } decades { decade count } } } }"#;
    let atlantis = json!({ "filter": { "countries": ["Atlantis"] } });
    assert_eq!(
        app.data(query, atlantis.clone()).await["films"]["totalCount"],
        0
    );
    let mut document = leaving_las_vegas();
    document["film"]["imdbId"] = json!("tt9999991");
    document["film"]["slug"] = json!("an-atlantis-story");
    document["film"]["title"] = json!("An Atlantis Story");
    document["film"]["countries"] = json!(["Atlantis"]);
    app.import_bytes("atlantis.json", document.to_string().as_bytes())
        .await
        .unwrap();
    let after = app.data(query, atlantis).await["films"].clone();
    assert_eq!(after["totalCount"], 1);
    assert_eq!(
        after["facets"]["decades"],
        json!([{ "decade": 1990, "count": 1 }])
    );
    let drama = after["facets"]["genres"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["genre"]["slug"] == "drama")
        .cloned();
    assert_eq!(drama.unwrap()["count"], 1);

    let rated = json!({ "filter": { "userRatingAverage": { "min": 8 } } });
    assert_eq!(
        app.data(query, rated.clone()).await["films"]["totalCount"],
        0
    );
    let token = app.sign_up("counter").await;
    let rate = r#"mutation($i: RateFilmInput!) { rateFilm(input: $i) { rating { score } } }"#;
    let film = app.film_id("an-atlantis-story").await;
    app.data_as(&token, rate, json!({ "i": { "filmId": film, "score": 9 } }))
        .await;
    assert_eq!(app.data(query, rated).await["films"]["totalCount"], 1);
}

async fn a_list_ordered_by_the_rating_it_filters_on_runs_one_statement(app: TestApp) {
    let query = |fields: &str| {
        format!(
            r#"{{ films(first: 100, filter: {{ externalRatings: [{{ source: IMDB, min: 8.7 }}] }},
            orderBy: {{ field: EXTERNAL_RATING, ratingSource: IMDB, direction: DESC }}) {{ edges {{ node {{ {fields} }} }} }} }}"#
        )
    };
    // Fewer films match than the page holds. Films without an IMDb rating
    // would follow the rated ones, but the filter leaves none, so no second
    // statement looks for them.
    let (statements, titles) = app
        .count_statements(app.data(&query("title"), json!({})))
        .await;
    assert_eq!(statements, 1);
    let data = app
        .data(&query("title externalRatings { source value }"), json!({}))
        .await;
    let edges = data["films"]["edges"].as_array().unwrap();
    assert!(
        !edges.is_empty() && edges.len() < 100,
        "{} films",
        edges.len()
    );
    assert_eq!(
        titles["films"]["edges"].as_array().unwrap().len(),
        edges.len()
    );
    for edge in edges {
        let ratings = edge["node"]["externalRatings"].as_array().unwrap();
        let imdb = ratings.iter().filter(|r| r["source"] == "IMDB");
        let best = imdb
            .map(|r| r["value"].as_f64().unwrap())
            .fold(f64::MIN, f64::max);
        assert!(best >= 8.7, "{edge}");
    }
}

async fn a_page_of_films_with_casts_and_directors_costs_a_fixed_number_of_statements(app: TestApp) {
    let query = r#"query($first: Int) { films(first: $first, filter: { genres: ["drama"] }, orderBy: { field: RELEASE_DATE }) {
            edges { node { title directors { name } credits(first: 5, kinds: [CAST]) { edges { billingOrder node { name } } } } } } }"#;
    let (small, _) = app
        .count_statements(app.data(query, json!({ "first": 2 })))
        .await;
    let (large, data) = app
        .count_statements(app.data(query, json!({ "first": 20 })))
        .await;
    let edges = data["films"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 20);
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["credits"]["edges"].as_array().unwrap().len() <= 5)
    );
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["credits"]["edges"].as_array().unwrap().len() == 5)
    );
    // The page with its films' directors (planned for its filter on
    // PostgreSQL, outside sea-orm, and still counted), then the casts with
    // their people joined in; a second list statement when the films with a
    // date run out.
    for count in [small, large] {
        assert!(
            (2..=3).contains(&count),
            "a page of films with casts and directors took {count} statements"
        );
    }

    let filmography = r#"{ person(by: { slug: "nicolas-cage" }) { credits(first: 20) { edges { kind node { title directors { name } } } } } }"#;
    let (count, data) = app.count_statements(app.data(filmography, json!({}))).await;
    assert_eq!(
        data["person"]["credits"]["edges"].as_array().unwrap().len(),
        20
    );
    // The person, then the credits with their films and the films' directors.
    assert_eq!(count, 2, "a filmography page took {count} statements");
}

async fn people_are_listed_by_name_or_credits_with_their_coworkers(app: TestApp) {
    let query = r#"query($filter: PersonFilter, $order: PersonOrder, $first: Int, $after: String) {
            people(filter: $filter, orderBy: $order, first: $first, after: $after) {
              totalCount pageInfo { hasNextPage endCursor } edges { node { name slug creditCount } } } }"#;
    let data = app
        .data(query, json!({ "filter": { "name": "CAGE" } }))
        .await;
    let names: Vec<&str> = data["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Nicolas Cage"), "{names:?}");

    let data = app
        .data(
            query,
            json!({ "order": { "field": "CREDIT_COUNT", "direction": "DESC" }, "first": 50 }),
        )
        .await;
    let counts: Vec<i64> = data["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["creditCount"].as_i64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let after = data["people"]["pageInfo"]["endCursor"].clone();
    let next = app.data(query, json!({ "order": { "field": "CREDIT_COUNT", "direction": "DESC" }, "first": 50, "after": after })).await;
    let next_counts: Vec<i64> = next["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["creditCount"].as_i64().unwrap())
        .collect();
    assert!(next_counts[0] <= *counts.last().unwrap());

    let names = app.data(query, json!({ "first": 30 })).await;
    let sorted: Vec<String> = names["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| fold(e["node"]["name"].as_str().unwrap()))
        .collect();
    assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "{sorted:?}");

    let coworkers = app.data(r#"{ person(by: { slug: "nicolas-cage" }) { coworkers(first: 5) { sharedFilms person { name } } } }"#, json!({})).await;
    let list = coworkers["person"]["coworkers"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    let shared: Vec<i64> = list
        .iter()
        .map(|c| c["sharedFilms"].as_i64().unwrap())
        .collect();
    assert!(
        shared.windows(2).all(|w| w[0] >= w[1]) && shared[0] >= 2,
        "{shared:?}"
    );
    assert!(list.iter().all(|c| c["person"]["name"] != "Nicolas Cage"));
}

async fn genres_and_awards_are_listed_with_film_counts(app: TestApp) {
    let data = app.data("{ genres { genre { name } filmCount } awards { award { name } filmCount winningFilmCount nominationCount } }", json!({})).await;
    let genres = data["genres"].as_array().unwrap();
    let counts: Vec<i64> = genres
        .iter()
        .map(|g| g["filmCount"].as_i64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
    let drama = genres
        .iter()
        .find(|g| g["genre"]["name"] == "Drama")
        .unwrap();
    let via_filter = app
        .data(
            r#"{ films(filter: { genres: ["drama"] }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(drama["filmCount"], via_filter["films"]["totalCount"]);
    let academy = &data["awards"][0];
    assert_eq!(academy["award"]["name"], "Academy Award");
    assert_eq!(
        (
            academy["filmCount"].as_i64(),
            academy["winningFilmCount"].as_i64(),
            academy["nominationCount"].as_i64()
        ),
        (Some(1), Some(1), Some(2))
    );
}

/// The filter's plain values (slugs, codes, numbers) are written into the
/// statement so its plan can be kept; any other value is bound. A value with
/// a quote, a backslash or letters outside ASCII still matches exactly the
/// films that have it, and a value built to end the quotes matches nothing
/// and changes nothing.
async fn filter_values_that_are_not_plain_names_are_bound(app: TestApp) {
    let count = |filter: Value| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "query($filter: FilmFilter) { films(filter: $filter, first: 100) { totalCount edges { node { countries languages certification } } } }",
                    json!({ "filter": filter }),
                )
                .await;
            let films = &data["films"];
            (
                films["totalCount"].as_i64().unwrap(),
                films["edges"].as_array().unwrap().clone(),
            )
        }
    };
    let films_before = app.count_rows("film").await;

    // Real values that are not plain, each on films of the catalogue.
    let (total, films) = count(json!({ "countries": ["People's Republic of China"] })).await;
    assert!(total > 0, "a country with an apostrophe matched nothing");
    for film in &films {
        let countries = film["node"]["countries"].as_array().unwrap();
        assert!(
            countries.contains(&json!("People's Republic of China")),
            "{film}"
        );
    }
    // Every other value of the sample that is not plain (letters outside
    // ASCII, a slash...): as many films as its facet counts.
    let facets = app
        .data(
            "{ films(first: 1) { facets { countries { country count } languages { language count } certifications { certification count } } } }",
            json!({}),
        )
        .await;
    let plain = |v: &str| {
        v.chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_.".contains(c))
    };
    let mut checked = 0;
    for (facet, key, field) in [
        ("countries", "country", "countries"),
        ("languages", "language", "languages"),
        ("certifications", "certification", "certifications"),
    ] {
        for entry in facets["films"]["facets"][facet].as_array().unwrap() {
            let value = entry[key].as_str().unwrap();
            if plain(value) {
                continue;
            }
            let (total, _) = count(json!({ field: [value] })).await;
            assert_eq!(total, entry["count"].as_i64().unwrap(), "{facet}: {value}");
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "the sample has no value that is not plain: {facets}"
    );

    // Values built to end the quotes: text like any other.
    for filter in [
        json!({ "countries": ["United States' OR '1'='1"] }),
        json!({ "countries": ["United States\\' OR 1=1 --"] }),
        json!({ "certifications": ["R'); DELETE FROM film; --"] }),
        json!({ "languages": ["English' UNION SELECT 1 --"] }),
        json!({ "certifications": ["R", "x' OR 'a'='a"], "releaseYear": { "min": 1990, "max": 1990 } }),
    ] {
        let (total, films) = count(filter.clone()).await;
        let only_r = filter["certifications"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("R")));
        if only_r {
            assert!(
                total > 0,
                "{filter}: the plain value beside it should still match"
            );
            assert!(
                films.iter().all(|f| f["node"]["certification"] == "R"),
                "{filter}"
            );
        } else {
            assert_eq!(total, 0, "{filter} matched films");
        }
    }
    assert_eq!(app.count_rows("film").await, films_before);
}

on_both_databases!(
    filter_values_that_are_not_plain_names_are_bound,
    every_ordering_pages_forward_and_backward_without_gaps_or_duplicates,
    filters_combine_and_every_result_matches,
    bad_list_arguments_are_bad_user_input,
    facets_count_films_per_genre_and_decade_under_the_filters,
    counts_follow_imports_and_ratings,
    a_page_of_films_with_casts_and_directors_costs_a_fixed_number_of_statements,
    a_list_ordered_by_the_rating_it_filters_on_runs_one_statement,
    people_are_listed_by_name_or_credits_with_their_coworkers,
    genres_and_awards_are_listed_with_film_counts
);

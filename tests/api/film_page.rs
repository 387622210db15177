//! The whole Leaving Las Vegas page, served from the bundled document.

use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases, playground};

/// The item of `items` whose `field` and `provider` (or `source`) are as given.
fn find_from<'a>(
    items: &'a Value,
    field: &str,
    value: &str,
    by: &str,
    provider: &str,
) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|item| {
            item.pointer(field).and_then(Value::as_str) == Some(value)
                && item.pointer(by).and_then(Value::as_str) == Some(provider)
        })
        .unwrap_or_else(|| {
            panic!("no item with {field} = {value:?} and {by} = {provider:?} in {items}")
        })
}

fn find<'a>(items: &'a Value, field: &str, value: &str) -> &'a Value {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .find(|item| item.pointer(field).and_then(Value::as_str) == Some(value))
        .unwrap_or_else(|| panic!("no item with {field} = {value:?} in {items}"))
}

/// The most statements the whole film page query may cost, however long its lists.
const STATEMENT_BOUND: usize = 45;

/// The most round trips to the database the film page may cost: its twenty
/// small sections (trivia, FAQ, offers...) go in one batch, not one each.
const ROUND_TRIP_BOUND: usize = ROUND_TRIPS_MEASURED + 3;
const ROUND_TRIPS_MEASURED: usize = 12;

async fn the_film_page_query_returns_every_fact_of_the_seed_page(app: TestApp) {
    let data = app.data(&playground("film-page.graphql"), json!({})).await;
    let film = &data["film"];
    assert_eq!(film["title"], "Leaving Las Vegas");
    assert_eq!(film["releaseYear"], 1995);
    assert_eq!(film["runtimeMinutes"], 111);
    assert_eq!(film["directors"], json!([{ "name": "Mike Figgis" }]));
    let genres: Vec<&str> = film["genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        genres,
        ["Drama", "Romance", "Psychological Drama", "Tragedy"]
    );

    // Cast and characters.
    let credits = film["credits"]["edges"].clone();
    let ben = find(&credits, "/character/name", "Ben Sanderson");
    assert_eq!(ben["node"]["name"], "Nicolas Cage");
    assert_eq!(ben["kind"], "CAST");
    assert_eq!(ben["billingOrder"], 1);
    assert_eq!(
        find(&credits, "/character/name", "Sera")["node"]["name"],
        "Elisabeth Shue"
    );
    assert_eq!(
        find(&credits, "/character/name", "Yuri Butso")["node"]["name"],
        "Julian Sands"
    );
    assert_eq!(
        find(&credits, "/character/name", "Peter")["node"]["name"],
        "Richard Lewis"
    );

    // Quotes with their speakers and the actors behind them.
    let quotes = film["quotes"]["edges"].clone();
    assert_eq!(film["quotes"]["totalCount"], 5);
    let die = find(&quotes, "/node/text", "I came here to die.");
    assert_eq!(die["node"]["speaker"]["name"], "Ben Sanderson");
    assert_eq!(
        die["node"]["speaker"]["performers"][0]["name"],
        "Nicolas Cage"
    );
    assert_eq!(
        find(&quotes, "/node/text", "I don't want you to die.")["node"]["speaker"]["name"],
        "Sera"
    );

    // Awards.
    let best_actor = find(&film["nominations"], "/category", "Best Actor");
    assert_eq!(best_actor["won"], true);
    assert_eq!(best_actor["year"], 1996);
    assert_eq!(best_actor["award"]["name"], "Academy Award");
    assert_eq!(
        best_actor["recipients"],
        json!([{ "name": "Nicolas Cage" }])
    );

    // Box office and outside ratings.
    let budget = find_from(
        &film["boxOffice"],
        "/kind",
        "BUDGET",
        "/source",
        "film page",
    );
    assert_eq!(
        budget["amount"],
        json!({ "amount": 3_600_000.0, "currency": "USD" })
    );
    let worldwide = find_from(
        &film["boxOffice"],
        "/kind",
        "WORLDWIDE_GROSS",
        "/source",
        "film page",
    );
    assert_eq!(
        worldwide["amount"],
        json!({ "amount": 32_030_000.0, "currency": "USD" })
    );
    let imdb = find_from(
        &film["externalRatings"],
        "/source",
        "IMDB",
        "/provider",
        "film page",
    );
    assert_eq!(
        (
            imdb["value"].as_f64(),
            imdb["scale"].as_f64(),
            imdb["votes"].as_i64()
        ),
        (Some(7.5), Some(10.0), Some(139_000))
    );
    let tomatometer = find_from(
        &film["externalRatings"],
        "/source",
        "ROTTEN_TOMATOES",
        "/provider",
        "film page",
    );
    assert_eq!(tomatometer["value"].as_f64(), Some(90.0));

    // The catalogue's figures for the same film stay beside the page's, each with its source.
    let vega_budget = find_from(
        &film["boxOffice"],
        "/kind",
        "BUDGET",
        "/source",
        "vega-datasets",
    );
    assert_eq!(vega_budget["amount"]["amount"], 4_000_000.0);
    find_from(
        &film["externalRatings"],
        "/source",
        "METACRITIC",
        "/provider",
        "wikidata",
    );

    // Products: the box set covers five films, which are films, not strings.
    let box_set = find(&film["products"], "/kind", "DVD");
    let titles: Vec<&str> = box_set["films"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Leaving Las Vegas",
            "Raising Arizona",
            "Moonstruck",
            "Adaptation",
            "The Weather Man"
        ]
    );

    // Similar films link to films with their reasons.
    let lost_weekend = find(&film["similarFilms"], "/film/title", "The Lost Weekend");
    assert_eq!(lost_weekend["film"]["imdbId"], "tt0037884");
    assert!(lost_weekend["reason"].as_str().unwrap().len() > 20);
    // The page's five first, then computed ones up to the default ten.
    let similar = film["similarFilms"].as_array().unwrap();
    assert_eq!(similar.len(), 10);
    assert!(
        similar[..5]
            .iter()
            .any(|s| s["film"]["title"] == "The Lost Weekend")
    );

    // Reviews: three critics by name, one editorial review.
    let reviews = film["reviews"]["edges"].clone();
    assert_eq!(film["reviews"]["totalCount"], 4);
    assert_eq!(
        find(&reviews, "/node/byline", "Roger Ebert")["node"]["kind"],
        "CRITIC"
    );
    find(&reviews, "/node/byline", "Janet Maslin");
    find(&reviews, "/node/byline", "Kenneth Turan");
    find(&reviews, "/node/kind", "EDITORIAL");

    // The novel and its author.
    assert_eq!(film["basedOn"]["kind"], "NOVEL");
    assert_eq!(
        film["basedOn"]["authors"],
        json!([{ "name": "John O'Brien" }])
    );

    // Every other section is there.
    for (section, expected) in [
        ("synopsis", 5),
        ("recommendedFor", 4),
        ("contentWarnings", 6),
        ("audienceReactions", 2),
        ("trivia", 4),
        ("faq", 4),
        ("videos", 4),
        ("filmingLocations", 2),
        ("products", 4),
    ] {
        assert_eq!(
            film[section].as_array().map(Vec::len),
            Some(expected),
            "{section}: {}",
            film[section]
        );
    }
    assert!(
        film["offers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["platform"] == "Apple TV" && o["kind"] == "RENT")
    );
    for text in [
        "badlyExplainedPlot",
        "overview",
        "endingExplained",
        "consensus",
        "whereToWatchNote",
        "soundtrackNote",
    ] {
        assert!(
            film[text].as_str().is_some_and(|t| t.len() > 20),
            "{text} is missing"
        );
    }
}

async fn spoiler_sections_are_left_out_unless_asked_for(app: TestApp) {
    let query = r#"{ film(by: { slug: "leaving-las-vegas" }) {
            safe: synopsis { spoiler }
            all: synopsis(includeSpoilers: true) { spoiler } } }"#;
    let data = app.data(query, json!({})).await;
    assert!(
        data["film"]["safe"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["spoiler"] == false)
    );
    assert!(
        data["film"]["all"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["spoiler"] == true)
    );
}

async fn the_film_page_costs_a_fixed_number_of_statements(app: TestApp) {
    let query = playground("film-page.graphql");
    let (small, _) = app.count_statements(app.data(&query, json!({}))).await;

    // A film with four times the cast, quotes and tracks costs the same.
    let mut big = leaving_las_vegas();
    big["film"]["imdbId"] = json!("tt9999991");
    big["film"]["slug"] = json!("a-bigger-page");
    let mut people = Vec::new();
    let mut characters = Vec::new();
    let mut credits = Vec::new();
    let mut quotes = Vec::new();
    let mut tracks = Vec::new();
    for i in 1..=16 {
        people.push(json!({ "slug": format!("actor-{i}"), "name": format!("Actor {i}") }));
        characters.push(json!({ "key": format!("c{i}"), "name": format!("Character {i}") }));
        credits.push(json!({ "person": format!("actor-{i}"), "kind": "CAST", "character": format!("c{i}"), "billingOrder": i }));
        quotes.push(json!({ "character": format!("c{i}"), "text": format!("Line {i}") }));
        tracks
            .push(json!({ "title": format!("Track {i}"), "artists": ["Someone", "Someone Else"] }));
    }
    people.push(json!({ "slug": "john-obrien", "name": "John O'Brien" }));
    people.push(json!({ "slug": "nicolas-cage", "name": "Nicolas Cage" }));
    people.push(json!({ "slug": "elisabeth-shue", "name": "Elisabeth Shue" }));
    big["people"] = json!(people);
    big["characters"] = json!(characters);
    big["credits"] = json!(credits);
    big["quotes"] = json!(quotes);
    big["soundtrack"] = json!(tracks);
    app.import_bytes("big.json", big.to_string().as_bytes())
        .await
        .unwrap();

    let big_query = query.replace("tt0113627", "tt9999991");
    let (large, data) = app.count_statements(app.data(&big_query, json!({}))).await;
    // 16 cast members and the source novel's author.
    assert_eq!(data["film"]["credits"]["totalCount"], 17);
    assert_eq!(
        data["film"]["quotes"]["edges"].as_array().unwrap().len(),
        10
    );
    assert_eq!(data["film"]["soundtrack"].as_array().unwrap().len(), 16);
    // One statement per relation and level; DataLoader batches by time, so a
    // relation may split in two, but the count never follows the row counts.
    for count in [small, large] {
        assert!(
            count <= STATEMENT_BOUND,
            "the film page took {count} statements (bound {STATEMENT_BOUND})"
        );
    }
}

async fn the_film_page_reads_its_sections_in_few_round_trips(app: TestApp) {
    let query = playground("film-page.graphql");
    let (statements, (trips, data)) = app
        .count_statements(app.count_round_trips(app.data(&query, json!({}))))
        .await;
    assert_eq!(data["film"]["trivia"].as_array().unwrap().len(), 4);
    assert!(
        trips <= ROUND_TRIP_BOUND,
        "the film page took {trips} round trips (bound {ROUND_TRIP_BOUND})"
    );
    // Sent one by one, the statements would need as many trips as there are statements.
    assert!(
        statements >= trips + 15,
        "{statements} statements in {trips} round trips"
    );
}

async fn a_batch_returns_each_statements_rows_in_order_empty_ones_included(app: TestApp) {
    use cinegraph::db::sql::Sql;
    let statements = [
        "SELECT name FROM genre WHERE slug = 'drama'".to_string(),
        "SELECT name FROM genre WHERE slug = 'no-such-genre'".to_string(),
        "SELECT title FROM film WHERE imdb_id = 'tt0113627'".to_string(),
    ];
    let (trips, results) = app
        .count_round_trips(Sql::query_batch(&app.db, &statements))
        .await;
    let results = results.unwrap();
    assert_eq!(trips, 1);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].len(), 1);
    assert_eq!(
        results[0][0].try_get::<String>("", "name").unwrap(),
        "Drama"
    );
    assert!(results[1].is_empty());
    assert_eq!(
        results[2][0].try_get::<String>("", "title").unwrap(),
        "Leaving Las Vegas"
    );

    // A failing statement fails the batch with the database's error.
    let broken = [
        "SELECT 1".to_string(),
        "SELECT nothing FROM no_such_table".to_string(),
    ];
    assert!(Sql::query_batch(&app.db, &broken).await.is_err());
}

async fn credit_pages_read_their_characters_in_the_same_statement(app: TestApp) {
    let film = r#"{ film(by: { imdbId: "tt0113627" }) { credits(first: 100) {
        edges { kind character { name } node { name } } } } }"#;
    let (statements, data) = app.count_statements(app.data(film, json!({}))).await;
    // The film, then its credits with their people and characters.
    assert_eq!(statements, 2, "{data}");
    let edges = data["film"]["credits"]["edges"].as_array().unwrap();
    let played = |name: &str| {
        let edge = edges.iter().find(|e| e["node"]["name"] == name).unwrap();
        edge["character"]["name"].clone()
    };
    assert_eq!(played("Nicolas Cage"), "Ben Sanderson");
    assert_eq!(played("Elisabeth Shue"), "Sera");
    // Crew plays no one.
    let director = edges.iter().find(|e| e["kind"] == "DIRECTOR").unwrap();
    assert_eq!(director["character"], Value::Null, "{director}");

    // A filmography says the same, from the other side.
    let person = r#"{ person(by: { slug: "nicolas-cage" }) { credits(first: 100, kinds: [CAST]) {
        edges { character { name } node { imdbId } } } } }"#;
    let (statements, data) = app.count_statements(app.data(person, json!({}))).await;
    assert_eq!(statements, 2, "{data}");
    let edges = data["person"]["credits"]["edges"].as_array().unwrap();
    let edge = edges
        .iter()
        .find(|e| e["node"]["imdbId"] == "tt0113627")
        .unwrap();
    assert_eq!(edge["character"]["name"], "Ben Sanderson");

    // Each character named is one of the film's own.
    let characters = app
        .data(
            r#"{ film(by: { imdbId: "tt0113627" }) { characters { name } } }"#,
            json!({}),
        )
        .await;
    let listed: Vec<&Value> = characters["film"]["characters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["name"])
        .collect();
    let film_data = app.data(film, json!({})).await;
    for edge in film_data["film"]["credits"]["edges"].as_array().unwrap() {
        if !edge["character"].is_null() {
            assert!(listed.contains(&&edge["character"]["name"]), "{edge}");
        }
    }
}

on_both_databases!(
    credit_pages_read_their_characters_in_the_same_statement,
    the_film_page_query_returns_every_fact_of_the_seed_page,
    spoiler_sections_are_left_out_unless_asked_for,
    the_film_page_costs_a_fixed_number_of_statements,
    the_film_page_reads_its_sections_in_few_round_trips,
    a_batch_returns_each_statements_rows_in_order_empty_ones_included
);

//! Every playground example runs against the real router and returns its data.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases, playground};

/// Asserts what an example's answer must show.
type Check = fn(&Value);

/// Each example with what its answer must show.
fn checks() -> Vec<(&'static str, Check)> {
    vec![
        ("film-page.graphql", |d| {
            assert_eq!(d["film"]["title"], "Leaving Las Vegas")
        }),
        ("actor-filmography.graphql", |d| {
            assert_eq!(d["person"]["name"], "Nicolas Cage");
            let edges = d["person"]["credits"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), 20);
            let years: Vec<i64> = edges
                .iter()
                .map(|e| e["node"]["releaseYear"].as_i64().unwrap())
                .collect();
            assert!(
                years.windows(2).all(|w| w[0] <= w[1]),
                "a filmography runs oldest first: {years:?}"
            );
            assert!(d["person"]["credits"]["totalCount"].as_i64().unwrap() > 20);
        }),
        ("films-browse.graphql", |d| {
            let edges = d["films"]["edges"].as_array().unwrap();
            assert!(!edges.is_empty());
            let first_score = edges[0]["node"]["externalRatings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["source"] == "ROTTEN_TOMATOES")
                .unwrap()["value"]
                .as_f64()
                .unwrap();
            assert!(first_score >= 90.0, "best rated first: {first_score}");
            let facets = &d["films"]["facets"];
            for facet in [
                "genres",
                "countries",
                "languages",
                "certifications",
                "runtimes",
            ] {
                assert!(!facets[facet].as_array().unwrap().is_empty(), "{facet}");
            }
            // Disjunctive: the decades ignore the 1990s filter, and the 1990s'
            // count is the list's.
            let decades = facets["decades"].as_array().unwrap();
            assert!(decades[0]["decade"].as_i64().unwrap() < 1990, "{decades:?}");
            let nineties = decades.iter().find(|d| d["decade"] == 1990).unwrap();
            assert_eq!(nineties["count"], d["films"]["totalCount"]);
        }),
        ("films-directed-by.graphql", |d| {
            let titles: Vec<&str> = d["films"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["title"].as_str().unwrap())
                .collect();
            assert!(titles.contains(&"Leaving Las Vegas"), "{titles:?}");
        }),
        ("people.graphql", |d| {
            let counts: Vec<i64> = d["people"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["creditCount"].as_i64().unwrap())
                .collect();
            assert!(counts.windows(2).all(|w| w[0] >= w[1]) && counts.len() == 10);
            assert_eq!(d["person"]["coworkers"].as_array().unwrap().len(), 5);
        }),
        ("search.graphql", |d| {
            assert_eq!(d["search"]["edges"][0]["node"]["name"], "Nicolas Cage");
        }),
        ("genres-and-awards.graphql", |d| {
            let genres = d["genres"].as_array().unwrap();
            assert!(genres.iter().any(|g| g["genre"]["name"] == "Drama"));
            assert_eq!(d["awards"][0]["award"]["name"], "Academy Award");
        }),
        ("changes-feed.graphql", |d| {
            // The latest five, oldest first, ending with the bundled page's import.
            let nodes = d["changes"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), 5, "{nodes:?}");
            let sequences: Vec<i64> = nodes
                .iter()
                .map(|n| n["sequence"].as_i64().unwrap())
                .collect();
            assert!(
                sequences.windows(2).all(|w| w[0] + 1 == w[1]),
                "{sequences:?}"
            );
            assert_eq!(nodes[4]["kind"], "UPDATED");
            assert_eq!(nodes[4]["film"]["title"], "Leaving Las Vegas");
            assert_eq!(d["changes"]["pageInfo"]["hasPreviousPage"], true);
        }),
        ("film-details.graphql", |d| {
            // The bundled data's details: the catalogue's US release and
            // distributor; no localised title, so the film's own.
            let film = &d["film"];
            assert_eq!(film["french"], "Leaving Las Vegas");
            assert_eq!(
                film["releases"],
                json!([{ "country": "US", "kind": "THEATRICAL", "date": "1995-10-27",
                         "certification": "R", "source": "catalogue" }])
            );
            assert_eq!(film["companies"][0]["company"]["name"], "MGM");
            assert_eq!(film["companies"][0]["role"], "DISTRIBUTION");
        }),
        ("set-film-section.graphql", |d| {
            let set = &d["setFilmSection"];
            assert_eq!(set["outcome"], "UPDATED");
            assert_eq!(set["film"]["keywords"][1]["name"], "Las Vegas");
        }),
        ("create-film.graphql", |d| {
            let created = &d["createFilm"];
            assert_eq!(created["version"], 1);
            assert_eq!(created["film"]["slug"], "spirited-away");
            assert_eq!(created["film"]["releaseYear"], 2001);
            assert_eq!(created["film"]["genres"].as_array().unwrap().len(), 3);
        }),
        ("edit-film.graphql", |d| {
            let edited = &d["updateFilm"];
            // Version 1 from the catalogue, 2 from the bundled page, 3 now.
            assert_eq!(edited["version"], 3);
            assert_eq!(edited["film"]["title"], "Leaving Las Vegas");
            assert_eq!(edited["film"]["tagline"], "A love story. Of sorts.");
            assert_eq!(edited["film"]["version"], 3);
        }),
        ("film-page-document.graphql", |d| {
            // Read after edit-film, whose change it shows.
            let page = &d["filmPageDocument"];
            assert_eq!(page["version"], 3);
            assert_eq!(page["document"]["format"], "cinegraph-film-page/1");
            assert_eq!(
                page["document"]["film"]["tagline"],
                "A love story. Of sorts."
            );
            assert!(page["document"]["credits"].as_array().unwrap().len() > 5);
        }),
        ("film-history.graphql", |d| {
            // Read after edit-film: its change, the bundled page's import,
            // then the catalogue's.
            let revisions = &d["film"]["revisions"];
            assert_eq!(revisions["totalCount"], 3);
            let edit = &revisions["nodes"][0];
            assert_eq!(edit["version"], 3);
            assert_eq!(edit["kind"], "UPDATED");
            assert_eq!(edit["comment"], "The tagline from the poster");
            assert_eq!(edit["changes"][0]["path"], "film.tagline");
            assert_eq!(edit["changes"][0]["after"], "A love story. Of sorts.");
            let import = &revisions["nodes"][1];
            assert_eq!(import["kind"], "IMPORTED");
            assert_eq!(import["author"], "importer");
            assert_eq!(import["source"], "leaving-las-vegas.json");
        }),
        ("sign-up.graphql", |d| {
            assert_eq!(d["signUp"]["user"]["username"], "playground_user");
            assert!(d["signUp"]["token"].as_str().unwrap().len() > 30);
        }),
        ("rate-film.graphql", |d| {
            assert_eq!(d["rateFilm"]["rating"]["score"], 9);
            assert_eq!(d["rateFilm"]["film"]["viewerRating"]["score"], 9);
            assert!(
                d["rateFilm"]["film"]["ratingSummary"]["count"]
                    .as_i64()
                    .unwrap()
                    >= 1
            );
        }),
        ("my-ratings.graphql", |d| {
            assert_eq!(d["me"]["username"], "playground_tester");
        }),
        ("write-review.graphql", |d| {
            let review = &d["writeReview"]["review"];
            assert_eq!(review["author"]["username"], "playground_tester");
            assert_eq!(review["author"]["reviewCount"], 1);
            assert_eq!(review["viewerCanEdit"], true);
            assert_eq!(d["writeReview"]["film"]["reviews"]["totalCount"], 1);
        }),
        ("rating-changes.graphql", |d| {
            assert_eq!(
                d["filmRatingChanged"]["histogram"]
                    .as_array()
                    .unwrap()
                    .len(),
                10
            );
        }),
        ("mark-seen.graphql", |d| {
            assert_eq!(d["markSeen"]["entry"]["seenOn"], "2024-12-24");
            assert_eq!(d["markSeen"]["film"]["viewerState"]["seen"], true);
        }),
        ("add-to-watchlist.graphql", |d| {
            assert_eq!(d["addToWatchlist"]["changed"], true);
            assert_eq!(
                d["addToWatchlist"]["film"]["viewerState"]["inWatchlist"],
                true
            );
        }),
        ("my-library.graphql", |d| {
            // Run after mark-seen (here in file order, in the picker's too).
            assert_eq!(d["me"]["seen"]["totalCount"], 1);
            let viewing = &d["me"]["seen"]["edges"][0];
            assert_eq!(viewing["seenOn"], "2024-12-24");
            assert_eq!(viewing["node"]["title"], "Leaving Las Vegas");
            let watchlist = &d["me"]["watchlist"];
            assert_eq!(
                watchlist["totalCount"].as_u64().unwrap() as usize,
                watchlist["edges"].as_array().unwrap().len()
            );
        }),
        ("create-list.graphql", |d| {
            let list = &d["createList"]["list"];
            assert_eq!(list["name"], "Best of 1995");
            assert_eq!(list["visibility"], "PUBLIC");
            assert_eq!(list["owner"]["username"], "playground_tester");
        }),
        ("my-sessions.graphql", |d| {
            let sessions = d["me"]["sessions"].as_array().unwrap();
            assert!(
                sessions.iter().any(|s| s["current"] == true),
                "{sessions:?}"
            );
        }),
        ("trending.graphql", |d| {
            // Run after rate-film and mark-seen: the film they touched trends.
            let edges = d["trending"]["edges"].as_array().unwrap();
            assert!(
                edges
                    .iter()
                    .any(|e| e["node"]["title"] == "Leaving Las Vegas"),
                "{edges:?}"
            );
            assert!(edges.iter().all(|e| e["score"].as_f64().unwrap() > 0.0));
        }),
        ("recommendations.graphql", |d| {
            // Run after rate-film rated Leaving Las Vegas 9: its similar films.
            let picks = d["me"]["recommendations"].as_array().unwrap();
            assert_eq!(picks.len(), 10, "{picks:?}");
            assert!(
                picks
                    .iter()
                    .all(|p| p["film"]["title"] != "Leaving Las Vegas"),
                "{picks:?}"
            );
            assert_eq!(picks[0]["becauseOf"]["title"], "Leaving Las Vegas");
        }),
        ("library-changed.graphql", |d| {
            let change = &d["libraryChanged"];
            assert_eq!(change["kind"], "FAVORITE_ADDED", "{change}");
            assert_eq!(change["film"]["title"], "Leaving Las Vegas");
            assert_eq!(change["film"]["viewerState"]["favorite"], true);
        }),
        ("box-set-films.graphql", |d| {
            assert_eq!(d["product"]["films"].as_array().unwrap().len(), 5)
        }),
        ("quote-speaker.graphql", |d| {
            let first = &d["film"]["quotes"]["edges"][0]["node"];
            assert_eq!(first["speaker"]["name"], "Ben Sanderson");
            assert_eq!(first["speaker"]["performers"][0]["name"], "Nicolas Cage");
        }),
    ]
}

async fn every_playground_example_runs_and_answers(app: TestApp) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playground");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".graphql"))
        .collect();
    files.sort();
    let checks = checks();
    let token = app.sign_up("playground_tester").await;
    // The editing examples need an editor.
    cinegraph::domain::roles::grant(
        &app.db,
        "playground_tester",
        cinegraph::domain::roles::Role::Editor,
    )
    .await
    .unwrap();
    let film_id = app.film_id("leaving-las-vegas").await;
    for file in &files {
        let check = checks
            .iter()
            .find(|(name, _)| name == file)
            .unwrap_or_else(|| panic!("playground/{file} has no check in tests/api/playground.rs"));
        // The examples run as a signed-in user, with the variables the
        // playground's comments tell a developer to set.
        // (`version` is the film's current one, which the comments say to read.)
        let version = app
            .data(
                "query($id: ID!) { node(id: $id) { ... on Film { version } } }",
                json!({ "id": film_id }),
            )
            .await["node"]["version"]
            .clone();
        let variables = json!({ "filmId": film_id, "version": version });
        let document = playground(file);
        let data = if is_subscription(&document) {
            first_event(&app, &document, variables, &token).await
        } else {
            app.data_as(&token, &document, variables).await
        };
        (check.1)(&data);
    }
    assert_eq!(files.len(), checks.len());
}

on_both_databases!(every_playground_example_runs_and_answers);

/// The first event of a subscription, over the real WebSocket endpoint,
/// signed in as the playground's headers would (`connection_init`). A
/// subscription that waits for a change (`libraryChanged`) gets one: the
/// user makes the film a favourite once the subscription is registered.
async fn first_event(app: &TestApp, document: &str, variables: Value, token: &str) -> Value {
    use crate::subscriptions::{connect, next, send};
    let address = app.serve().await;
    let init = json!({ "Authorization": format!("Bearer {token}") });
    let mut socket = connect(address, "graphql-transport-ws", init).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": document, "variables": variables } })).await;
    if document.contains("libraryChanged") {
        // Registered once an operation after it on the socket answers.
        send(&mut socket, json!({ "id": "2", "type": "subscribe", "payload": { "query": "{ me { username } }" } })).await;
        while next(&mut socket).await.unwrap()["id"] != "2" {}
        let favorite = "mutation($f: ID!) { setFavorite(filmId: $f, favorite: true) { changed } }";
        app.data_as(token, favorite, json!({ "f": variables["filmId"] }))
            .await;
    }
    loop {
        let event = next(&mut socket).await.unwrap();
        if event["id"] == "1" {
            assert_eq!(event["type"], "next", "{event}");
            return event["payload"]["data"].clone();
        }
    }
}

/// Whether a playground document's operation is a subscription (its first
/// line that is not a comment says so; a comment may mention one).
pub fn is_subscription(document: &str) -> bool {
    document
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .is_some_and(|line| line.starts_with("subscription"))
}

//! The HTTP surface: GET and POST, health, the SDL and the playground page.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

async fn queries_run_over_get_and_mutations_do_not(app: TestApp) {
    let (status, body) = app
        .send(get(
            "/graphql?query=%7Bfilm(by%3A%7Bslug%3A%22leaving-las-vegas%22%7D)%7Btitle%7D%7D",
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["film"]["title"], "Leaving Las Vegas");

    let (status, headers, _) = app
        .send_raw(get("/graphql?query=mutation%20%7B__typename%7D"))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
}

async fn health_readiness_and_the_sdl_are_served(app: TestApp) {
    let (status, _, body) = app.send_raw(get("/healthz")).await;
    assert_eq!(
        (status, body.as_slice()),
        (StatusCode::OK, b"ok".as_slice())
    );
    let (status, _, _) = app.send_raw(get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, sdl) = app.send_raw(get("/schema.graphql")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        String::from_utf8(sdl).unwrap(),
        cinegraph::graphql::export_sdl()
    );
}

async fn the_playground_opens_on_the_film_page_example(app: TestApp) {
    let (status, headers, body) = app.send_raw(get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("graphiql"));
    assert!(
        page.contains("query FilmPage"),
        "the default query is the film page"
    );
    assert!(!page.contains("__EXAMPLES__"));
    // The examples picker: every example, with Leaving Las Vegas's id
    // filled into the variables of those that take a film.
    let start = page
        .find(r#"<script id="cinegraph-examples" type="application/json">"#)
        .unwrap();
    let json_text = &page[page[start..].find('>').unwrap() + start + 1..];
    let json_text = &json_text[..json_text.find("</script>").unwrap()];
    let examples: serde_json::Value = serde_json::from_str(json_text).unwrap();
    let examples = examples.as_array().unwrap();
    assert_eq!(examples.len(), cinegraph::http::EXAMPLE_COUNT);
    let rate = examples.iter().find(|e| e["name"] == "rate-film").unwrap();
    assert_eq!(rate["title"], "Rate a film");
    let variables: serde_json::Value =
        serde_json::from_str(rate["variables"].as_str().unwrap()).unwrap();
    assert_eq!(variables["filmId"], app.film_id("leaving-las-vegas").await);
    assert_eq!(
        examples.iter().find(|e| e["name"] == "search").unwrap()["variables"],
        ""
    );
}

async fn the_playground_bundle_is_served_with_revalidation_and_gzip(app: TestApp) {
    let (status, headers, body) = app.send_raw(get("/playground/playground.js")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    assert!(body.len() > 100_000, "the GraphiQL bundle itself");
    let etag = headers[header::ETAG].clone();
    let again = Request::get("/playground/playground.js")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.send_raw(again).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    let gzip = Request::get("/playground/main.css")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = app.send_raw(gzip).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    let (status, _, _) = app.send_raw(get("/playground/no-such-file.js")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.send_raw(get("/playground/..%2FCargo.toml")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn answers_are_compressed_as_the_client_accepts(app: TestApp) {
    use std::io::Read;
    let query = crate::helpers::playground("film-page.graphql");
    let request = |encoding: &str| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::from(json!({ "query": query }).to_string()))
            .unwrap()
    };
    let (status, headers, raw) = app.send_raw(request("identity")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    let (_, headers, gzipped) = app.send_raw(request("gzip")).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, raw, "the same answer");
    assert!(
        gzipped.len() * 2 < raw.len(),
        "{} -> {}",
        raw.len(),
        gzipped.len()
    );
    for encoding in ["br", "zstd"] {
        let (_, headers, _) = app.send_raw(request(encoding)).await;
        assert_eq!(headers[header::CONTENT_ENCODING], encoding);
    }
    let (_, headers, _) = app.send_raw(request("br;q=0.5, gzip;q=1.0")).await;
    assert_eq!(
        headers[header::CONTENT_ENCODING],
        "gzip",
        "the client's preference"
    );
}

async fn response_fields_keep_the_order_the_query_asked_for(app: TestApp) {
    let query = r#"{ film(by: { slug: "leaving-las-vegas" }) { title releaseYear imdbId id } }"#;
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let (status, _, body) = app.send_raw(request).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    let positions: Vec<usize> = ["\"title\"", "\"releaseYear\"", "\"imdbId\"", "\"id\""]
        .iter()
        .map(|key| text.find(key).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

/// The nodes of lists, which the server resolves in place (`graphql::direct`),
/// answer as the spec's CollectFields and merging say: fragments that apply
/// to the type (a named one, inline ones on the type and on an interface it
/// implements); fields sharing a response key merged;
/// `__typename`; and every key in the query's order.
async fn list_nodes_merge_fragments_and_aliases_as_the_spec_says(app: TestApp) {
    let query = r#"{ film(by: { slug: "leaving-las-vegas" }) {
        credits(first: 5, kinds: [DIRECTOR]) { edges {
            __typename
            who: node { name }
            who: node { slug ... on Node { id } }
            node { __typename ... on Person { name } ...Named }
            kind
        } }
        directors { n: name ...Named __typename }
    } }
    fragment Named on Person { slug name }"#;
    let (status, body) = app.post(query, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let plain = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { directors { id slug name } } }"#,
            json!({}),
        )
        .await;
    let directors = plain["film"]["directors"].as_array().unwrap();
    assert!(!directors.is_empty());
    let edges: Vec<Value> = directors
        .iter()
        .map(|person| {
            json!({
                "__typename": "FilmCreditEdge",
                "who": { "name": person["name"], "slug": person["slug"], "id": person["id"] },
                "node": { "__typename": "Person", "name": person["name"], "slug": person["slug"] },
                "kind": "DIRECTOR",
            })
        })
        .collect();
    let named: Vec<Value> = directors
        .iter()
        .map(|person| {
            json!({ "n": person["name"], "slug": person["slug"], "name": person["name"], "__typename": "Person" })
        })
        .collect();
    let film = &body["data"]["film"];
    assert_eq!(film["credits"]["edges"], json!(edges));
    assert_eq!(film["directors"], json!(named));
    // The keys in the query's order, as sent.
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let (_, _, text) = app.send_raw(request).await;
    let text = String::from_utf8(text).unwrap();
    let keys = [
        r#"{"__typename":"FilmCreditEdge","who":{"name":"#,
        r#","slug":"#,
        r#","id":"#,
        r#"},"node":{"__typename":"Person","name":"#,
        r#"},"kind":"DIRECTOR"}"#,
        r#""directors":[{"n":"#,
        r#","__typename":"Person"}"#,
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|key| text.find(key).unwrap_or_else(|| panic!("{key} in {text}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

async fn malformed_requests_get_errors_not_crashes(app: TestApp) {
    let (_, body) = app.post("{ film(by: { slug: ", json!({})).await;
    assert!(body["errors"][0]["message"].is_string(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
    let (_, body) = app.post("{ nosuchfield }", json!({})).await;
    assert!(body["errors"][0]["message"].is_string(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    // An argument's own validator (similarFilms takes at most 100) is bad input.
    let code = app.error_code(r#"{ film(by: { slug: "leaving-las-vegas" }) { similarFilms(first: 1000) { reason } } }"#, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (status, _, _) = app.send_raw(request).await;
    assert!(status.is_client_error(), "{status}");
}

on_both_databases!(
    queries_run_over_get_and_mutations_do_not,
    health_readiness_and_the_sdl_are_served,
    the_playground_opens_on_the_film_page_example,
    the_playground_bundle_is_served_with_revalidation_and_gzip,
    answers_are_compressed_as_the_client_accepts,
    response_fields_keep_the_order_the_query_asked_for,
    list_nodes_merge_fragments_and_aliases_as_the_spec_says,
    malformed_requests_get_errors_not_crashes
);

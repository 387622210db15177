//! Search: word prefixes, case and accents ignored, ranked the same on both databases.

use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};

const SEARCH: &str = r#"query($q: String!, $kinds: [SearchKind!], $first: Int = 10) {
  search(query: $q, kinds: $kinds, first: $first) {
    score
    item {
      __typename
      ... on Film { title }
      ... on Person { name }
      ... on Character { name }
      ... on Quote { text }
    }
  }
}"#;

async fn hits(app: &TestApp, query: &str, kinds: Value) -> Vec<(String, String)> {
    let data = app
        .data(SEARCH, json!({ "q": query, "kinds": kinds, "first": 10 }))
        .await;
    data["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let item = &hit["item"];
            let label = ["title", "name", "text"]
                .iter()
                .find_map(|k| item[*k].as_str())
                .unwrap();
            (
                item["__typename"].as_str().unwrap().to_string(),
                label.to_string(),
            )
        })
        .collect()
}

async fn word_prefixes_find_people_and_films(app: TestApp) {
    assert_eq!(
        hits(&app, "nic cag", json!(null)).await[0],
        ("Person".into(), "Nicolas Cage".into())
    );
    assert_eq!(
        hits(&app, "leaving las", json!(null)).await[0],
        ("Film".into(), "Leaving Las Vegas".into())
    );
    assert_eq!(
        hits(&app, "LEAVING  las!", json!(["FILM"])).await[0].1,
        "Leaving Las Vegas"
    );
    let quotes = hits(&app, "came here to die", json!(["QUOTE"])).await;
    assert_eq!(
        quotes,
        [("Quote".to_string(), "I came here to die.".to_string())]
    );
    let characters = hits(&app, "sanderson", json!(["CHARACTER"])).await;
    assert_eq!(characters[0], ("Character".into(), "Ben Sanderson".into()));
    assert!(hits(&app, "zzzzqqq", json!(null)).await.is_empty());
}

async fn accents_and_case_do_not_matter(app: TestApp) {
    let mut page = leaving_las_vegas();
    page["film"]["imdbId"] = json!("tt9999993");
    page["film"]["slug"] = json!("accent-test");
    page["film"]["title"] = json!("Amélie à Paris");
    page["people"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "slug": "zoe-angstrom", "name": "Zoë Ångström" }));
    page["credits"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "person": "zoe-angstrom", "kind": "DIRECTOR" }));
    page["products"] = json!([]);
    app.import_bytes("accents.json", page.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(
        hits(&app, "zoe angst", json!(["PERSON"])).await[0].1,
        "Zoë Ångström"
    );
    assert_eq!(
        hits(&app, "ZOË ÅNGSTRÖM", json!(["PERSON"])).await[0].1,
        "Zoë Ångström"
    );
    assert_eq!(
        hits(&app, "amelie a paris", json!(["FILM"])).await[0].1,
        "Amélie à Paris"
    );
}

async fn bad_searches_are_bad_user_input(app: TestApp) {
    for (query, first) in [
        ("", 10),
        ("!!!", 10),
        ("cage", 0),
        ("cage", 51),
        ("a b c d e f g h i", 10),
    ] {
        assert_eq!(
            app.error_code(SEARCH, json!({ "q": query, "first": first }))
                .await,
            "BAD_USER_INPUT",
            "{query:?} {first}"
        );
    }
    let long = "x".repeat(201);
    assert_eq!(
        app.error_code(SEARCH, json!({ "q": long })).await,
        "BAD_USER_INPUT"
    );
}

/// A hit whose type the fragments do not select is `{}`, not `null`
/// (`item` is non-null; CollectFields collects nothing for it).
async fn an_item_no_fragment_selects_is_an_empty_object(app: TestApp) {
    let query = r#"{ search(query: "nic cag", first: 5) { item { ... on Film { title } } } }"#;
    let data = app.data(query, json!({})).await;
    let items: Vec<&Value> = data["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| &hit["item"])
        .collect();
    assert!(
        items.iter().any(|item| *item == &json!({})),
        "Nicolas Cage, a person, selects nothing: {data}"
    );
    assert!(items.iter().all(|item| item.is_object()), "{data}");
    let skipped =
        r#"{ film(by: { slug: "leaving-las-vegas" }) { directors { name @skip(if: true) } } }"#;
    let data = app.data(skipped, json!({})).await;
    assert_eq!(data["film"]["directors"][0], json!({}), "{data}");
}

/// The title and name filters fold text as imports do: a decomposed accent
/// or a ligature finds what the composed form finds, and a filter of
/// punctuation only (`%`, `_`) is no wildcard: it matches nothing.
async fn filters_fold_unicode_and_punctuation_is_no_wildcard(app: TestApp) {
    let titles = "query($t: String!) { films(filter: { title: $t }) { totalCount edges { node { title } } } }";
    for form in ["Fight Club", "FIGHT CLUB", "\u{fb01}ght club"] {
        let data = app.data(titles, json!({ "t": form })).await;
        assert_eq!(
            data["films"]["edges"][0]["node"]["title"], "Fight Club",
            "{form}: {data}"
        );
    }
    for wildcard in ["%", "_", "%%"] {
        let data = app.data(titles, json!({ "t": wildcard })).await;
        assert_eq!(
            data["films"]["totalCount"], 0,
            "{wildcard:?} is no wildcard"
        );
    }
    let names = "query($n: String!) { people(filter: { name: $n }) { edges { node { name } } } }";
    for form in [
        "Éric Rohmer",
        "E\u{301}ric Rohmer",
        "ERIC ROHMER",
        "eric rohmer",
    ] {
        let data = app.data(names, json!({ "n": form })).await;
        assert_eq!(
            data["people"]["edges"][0]["node"]["name"], "Éric Rohmer",
            "{form}: {data}"
        );
    }
    let data = app.data(names, json!({ "n": "%" })).await;
    assert_eq!(data["people"]["edges"], json!([]));
}

on_both_databases!(
    filters_fold_unicode_and_punctuation_is_no_wildcard,
    word_prefixes_find_people_and_films,
    accents_and_case_do_not_matter,
    bad_searches_are_bad_user_input,
    an_item_no_fragment_selects_is_an_empty_object
);

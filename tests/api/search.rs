//! Search: word prefixes, case and accents ignored, ranked the same on both databases.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};

const SEARCH: &str = r#"query($q: String!, $kinds: [SearchKind!], $first: Int = 10, $after: String) {
  search(query: $q, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor
      score
      withTypo
      node {
        __typename
        ... on Film { title }
        ... on Person { name }
        ... on Character { name }
        ... on Quote { text }
      }
    }
  }
}"#;

/// The hits of one search: (typename, title/name/text, withTypo).
fn labels(data: &Value) -> Vec<(String, String, bool)> {
    data["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let item = &edge["node"];
            let label = ["title", "name", "text"]
                .iter()
                .find_map(|k| item[*k].as_str())
                .unwrap();
            (
                item["__typename"].as_str().unwrap().to_string(),
                label.to_string(),
                edge["withTypo"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn hits(app: &TestApp, query: &str, kinds: Value) -> Vec<(String, String)> {
    let data = app
        .data(SEARCH, json!({ "q": query, "kinds": kinds, "first": 10 }))
        .await;
    labels(&data)
        .into_iter()
        .map(|(kind, label, _)| (kind, label))
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
        ("cage", -1),
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
    let query = r#"{ search(query: "nic cag", first: 5) { nodes { ... on Film { title } } } }"#;
    let data = app.data(query, json!({})).await;
    let items: Vec<&Value> = data["search"]["nodes"].as_array().unwrap().iter().collect();
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

/// `ß`, `æ` and `œ` fold to two letters everywhere, the title and name
/// filters match word prefixes as search does, and a database folded the
/// old way is folded again when a server starts.
async fn letters_for_two_fold_alike_and_filters_match_word_prefixes(app: TestApp) {
    let mut page = leaving_las_vegas();
    page["film"]["imdbId"] = json!("tt9999994");
    page["film"]["slug"] = json!("demi-soeur");
    page["film"]["title"] = json!("Demi-sœur aus der Straße");
    page["people"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "slug": "frank-vos", "name": "Frank Voß" }));
    page["credits"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "person": "frank-vos", "kind": "DIRECTOR" }));
    page["products"] = json!([]);
    app.import_bytes("soeur.json", page.to_string().as_bytes())
        .await
        .unwrap();
    let titles = "query($t: String!) { films(filter: { title: $t }) { edges { node { title } } } }";
    let names = "query($n: String!) { people(filter: { name: $n }) { edges { node { name } } } }";
    let found = |data: Value, list: &str, field: &str| -> Vec<String> {
        data[list]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"][field].as_str().unwrap().to_string())
            .collect()
    };
    for form in [
        "demi soeur",
        "SŒUR STRASSE",
        "Straße",
        "strasse demi",
        "de soe stras",
    ] {
        let data = app.data(titles, json!({ "t": form })).await;
        assert_eq!(
            found(data, "films", "title"),
            ["Demi-sœur aus der Straße"],
            "{form}"
        );
        assert_eq!(
            hits(&app, form, json!(["FILM"])).await[0].1,
            "Demi-sœur aus der Straße",
            "search {form}"
        );
    }
    for form in ["voss", "Frank VOSS", "voß"] {
        let data = app.data(names, json!({ "n": form })).await;
        assert_eq!(found(data, "people", "name"), ["Frank Voß"], "{form}");
    }
    // Word prefixes, not substrings: the rule of search.
    let data = app.data(titles, json!({ "t": "las veg" })).await;
    assert!(found(data, "films", "title").contains(&"Leaving Las Vegas".to_string()));
    for inside in ["eaving", "as vegas", "oeur"] {
        let data = app.data(titles, json!({ "t": inside })).await;
        assert_eq!(
            found(data, "films", "title"),
            Vec::<String>::new(),
            "{inside}"
        );
    }
    // The slug keeps its one-letter folding.
    let data = app
        .data(
            r#"{ person(by: { slug: "frank-vos" }) { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["person"]["name"], "Frank Voß");

    // A database written with the old folding is folded again at start.
    app.connection
        .execute_unprepared(
            "UPDATE film SET title_sort = 'demi sur aus der strase' WHERE slug = 'demi-soeur'",
        )
        .await
        .unwrap();
    app.connection
        .execute_unprepared("UPDATE person SET name_sort = 'frank vos' WHERE slug = 'frank-vos'")
        .await
        .unwrap();
    let data = app.data(titles, json!({ "t": "soeur" })).await;
    assert_eq!(found(data, "films", "title"), Vec::<String>::new());
    cinegraph::import::refold_text(&app.db, &app.state.events)
        .await
        .unwrap();
    let data = app.data(titles, json!({ "t": "soeur" })).await;
    assert_eq!(found(data, "films", "title"), ["Demi-sœur aus der Straße"]);
    let data = app.data(names, json!({ "n": "voss" })).await;
    assert_eq!(found(data, "people", "name"), ["Frank Voß"]);
}

/// Property: for titles drawn from the catalogue (every one with a letter
/// outside ASCII, and a seeded random draw of the others), the composed,
/// decomposed, upper-case, lower-case and accent-stripped forms of the title
/// find the same films, and those are exactly the films the folding rule
/// says (every folded word starts a word of the folded title), on both
/// databases alike.
async fn every_form_of_a_title_finds_the_same_films(app: TestApp) {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let fold = cinegraph::text::fold;
    let rows = app
        .connection
        .query_all_raw(sea_orm::Statement::from_string(
            app.connection.get_database_backend(),
            "SELECT id, title FROM film ORDER BY id",
        ))
        .await
        .unwrap();
    let films: Vec<(i32, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "title").unwrap(),
            )
        })
        .collect();
    let mut seed: u64 = 0x5eed_2026_1204;
    let mut drawn: Vec<&String> = films
        .iter()
        .map(|(_, t)| t)
        .filter(|t| !t.is_ascii())
        .collect();
    for _ in 0..25 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        drawn.push(&films[(seed >> 33) as usize % films.len()].1);
    }
    assert!(drawn.len() > 25, "{}", drawn.len());
    let query = "query($t: String!) { films(first: 100, filter: { title: $t }) { edges { node { title } } } }";
    for title in drawn {
        let words = fold(title);
        let mut expected: Vec<&str> = films
            .iter()
            .filter(|(_, other)| {
                let other = format!(" {}", fold(other));
                words.split(' ').all(|w| other.contains(&format!(" {w}")))
            })
            .map(|(_, t)| t.as_str())
            .collect();
        expected.sort_unstable();
        let forms = [
            title.nfc().collect::<String>(),
            title.nfd().collect(),
            title.to_uppercase(),
            title.to_lowercase(),
            title.nfd().filter(|c| !is_combining_mark(*c)).collect(),
        ];
        for form in forms {
            let data = app.data(query, json!({ "t": form })).await;
            let mut found: Vec<&str> = data["films"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["title"].as_str().unwrap())
                .collect();
            found.sort_unstable();
            assert_eq!(found, expected, "{title:?} as {form:?}");
        }
    }
}

/// One typo per word of five letters or more (two neighbours swapped in a
/// word of three or four), ranked after every exact hit and marked.
async fn a_typo_is_tolerated_and_ranks_below_exact_hits(app: TestApp) {
    for typo in ["nicolas cgae", "nicloas cage", "nicolas cagee", "nicolsa"] {
        let found = labels(
            &app.data(SEARCH, json!({ "q": typo, "kinds": ["PERSON"] }))
                .await,
        );
        assert_eq!(
            found.first(),
            Some(&("Person".into(), "Nicolas Cage".into(), true)),
            "{typo}: {found:?}"
        );
    }
    // Exact hits first, then the hits that needed a typo.
    let found = labels(&app.data(SEARCH, json!({ "q": "vegas", "first": 50 })).await);
    assert!(found.iter().any(|hit| !hit.2), "{found:?}");
    let first_typo = found.iter().position(|hit| hit.2).unwrap_or(found.len());
    assert!(found[first_typo..].iter().all(|hit| hit.2), "{found:?}");
    // Short words: a swap only, not a changed letter; no typo below three letters.
    let found = labels(
        &app.data(SEARCH, json!({ "q": "nicolas cafe", "kinds": ["PERSON"] }))
            .await,
    );
    assert!(
        !found.iter().any(|hit| hit.1 == "Nicolas Cage"),
        "{found:?}"
    );
    let data = app.data(SEARCH, json!({ "q": "zzzzqqq" })).await;
    assert_eq!(data["search"]["totalCount"], 0);
    assert_eq!(data["search"]["edges"], json!([]));
}

/// `first`/`after` page through one ranked list without gaps or repeats;
/// `totalCount` counts every hit; a cursor serves only its own search.
async fn search_pages_through_every_hit(app: TestApp) {
    let whole = app.data(SEARCH, json!({ "q": "la", "first": 50 })).await;
    let all = labels(&whole);
    let total = whole["search"]["totalCount"].as_i64().unwrap();
    assert!(total > 7, "{whole}");
    let mut paged = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .data(SEARCH, json!({ "q": "la", "first": 3, "after": after }))
            .await;
        paged.extend(labels(&page));
        assert_eq!(page["search"]["totalCount"], total);
        assert_eq!(
            page["search"]["pageInfo"]["hasPreviousPage"],
            !after.is_null()
        );
        if page["search"]["pageInfo"]["hasNextPage"] == false || paged.len() >= all.len() {
            break;
        }
        after = page["search"]["pageInfo"]["endCursor"].clone();
    }
    paged.truncate(all.len());
    assert_eq!(paged, all, "pages of 3 are the list of 50, in order");
    assert_eq!(all.len(), (total as usize).min(50));
    // The cursor of one search is refused by another.
    let cursor = whole["search"]["edges"][0]["cursor"].clone();
    for other in [
        json!({ "q": "las", "after": cursor }),
        json!({ "q": "la", "kinds": ["FILM"], "after": cursor }),
    ] {
        assert_eq!(app.error_code(SEARCH, other).await, "BAD_USER_INPUT");
    }
}

on_both_databases!(
    a_typo_is_tolerated_and_ranks_below_exact_hits,
    search_pages_through_every_hit,
    every_form_of_a_title_finds_the_same_films,
    letters_for_two_fold_alike_and_filters_match_word_prefixes,
    filters_fold_unicode_and_punctuation_is_no_wildcard,
    word_prefixes_find_people_and_films,
    accents_and_case_do_not_matter,
    bad_searches_are_bad_user_input,
    an_item_no_fragment_selects_is_an_empty_object
);

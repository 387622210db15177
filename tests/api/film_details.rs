//! A film's details (issue 23, part 5): localised titles chosen by argument
//! or `Accept-Language`, releases per country, images and the best poster
//! for a width, keywords, collections and companies; in the document format
//! (checked by the import's rules, read back by the export), through
//! `setFilmSection`, and from the bundled catalogue (US release, distributor).

use axum::body::Body;
use axum::http::Request;
use cinegraph::domain::roles::{self, Role};
use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};
use crate::response_cache::response_cache_on;

const IMPORT: &str = "mutation($doc: JSON!, $v: Int) {
    importFilmPage(document: $doc, expectedVersion: $v) { outcome version } }";

const SET: &str = "mutation($id: ID!, $v: Int!, $s: PageSection!, $c: JSON) {
    setFilmSection(id: $id, expectedVersion: $v, section: $s, content: $c, comment: \"details\") {
        outcome version film { keywords { name } } } }";

const VERSION: &str = "query($slug: String!) { film(by: { slug: $slug }) { id version } }";

const DETAILS: &str = "query {
    film(by: { slug: \"leaving-las-vegas\" }) {
        title fr: title(language: \"fr-CA\") overview
        titles { language title overview }
        releases { country kind date certification note source }
        us: releases(country: \"US\") { source }
        images { kind url width language person { slug } }
        small: poster(width: 300) { url width }
        large: poster { url width }
        french: poster(width: 300, language: \"fr\") { url language }
        keywords { slug name }
        collection { id slug name films { slug } }
        companies { company { slug name } role source }
        distributors: companies(role: DISTRIBUTION) { company { name } }
    } }";

/// Leaving Las Vegas's page with every detail section filled.
fn detailed_page() -> Value {
    let mut page = leaving_las_vegas();
    page["titles"] = json!([
        { "language": "fr", "title": "Leaving Las Vegas (VF)", "overview": "Un scénariste part pour Las Vegas." },
        { "language": "it", "title": "Via da Las Vegas" }
    ]);
    page["releases"] = json!([
        { "country": "US", "kind": "LIMITED_THEATRICAL", "date": "1995-10-27", "certification": "R" },
        { "country": "GB", "kind": "THEATRICAL", "date": "1996-01-19", "certification": "18", "note": "nationwide" }
    ]);
    page["images"] = json!([
        { "kind": "POSTER", "url": "https://img.example/llv-500.jpg", "width": 500, "height": 750, "language": "en", "source": "studio" },
        { "kind": "POSTER", "url": "https://img.example/llv-1000.jpg", "width": 1000, "height": 1500, "language": "en", "source": "studio" },
        { "kind": "POSTER", "url": "https://img.example/llv-fr.jpg", "width": 400, "height": 600, "language": "fr", "source": "studio" },
        { "kind": "BACKDROP", "url": "https://img.example/strip.jpg", "width": 1920, "height": 1080, "source": "studio" },
        { "kind": "PROFILE", "url": "https://img.example/figgis.jpg", "width": 200, "height": 300, "source": "press kit", "person": "mike-figgis" }
    ]);
    page["keywords"] = json!(["Alcoholism", "Las Vegas", "Unconditional love"]);
    page["collection"] =
        json!({ "slug": "figgis-las-vegas", "name": "Figgis in Las Vegas", "position": 1 });
    page["companies"] = json!([
        { "name": "Lumière Pictures", "role": "PRODUCTION" },
        { "name": "United Artists", "role": "DISTRIBUTION" }
    ]);
    page
}

/// `value` without the object members that are null (the export writes an
/// absent optional fact as null).
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

async fn editor(app: &TestApp) -> String {
    let token = app.sign_up("edna").await;
    roles::grant(&app.db, "edna", Role::Editor).await.unwrap();
    token
}

async fn version_of(app: &TestApp, slug: &str) -> (Value, i64) {
    let film = app.data(VERSION, json!({ "slug": slug })).await["film"].clone();
    (film["id"].clone(), film["version"].as_i64().unwrap())
}

/// A POST with an `Accept-Language` header.
async fn in_language(app: &TestApp, query: &str, accept_language: &str) -> Value {
    let body = json!({ "query": query }).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept-language", accept_language)
        .body(Body::from(body))
        .unwrap();
    let (_, answer) = app.send(request).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

async fn a_page_carries_every_detail(app: TestApp) {
    let token = editor(&app).await;
    let (_, version) = version_of(&app, "leaving-las-vegas").await;
    let written = app
        .data_as(
            &token,
            IMPORT,
            json!({ "doc": detailed_page(), "v": version }),
        )
        .await;
    assert_eq!(written["importFilmPage"]["outcome"], "UPDATED");
    let film = app.data(DETAILS, json!({})).await["film"].clone();

    // Titles: the film's own without a language; `fr-CA` finds `fr`; the
    // overview falls back to the film's own where a language has none.
    assert_eq!(film["title"], "Leaving Las Vegas");
    assert_eq!(film["fr"], "Leaving Las Vegas (VF)");
    assert_eq!(film["titles"].as_array().unwrap().len(), 2);
    assert_eq!(film["titles"][1]["overview"], Value::Null);

    // Releases: the page's, then the catalogue's US one (its day and its
    // distributor are vega-datasets').
    let releases = film["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 3, "{releases:?}");
    assert_eq!(
        releases[1],
        json!({ "country": "GB", "kind": "THEATRICAL", "date": "1996-01-19",
                "certification": "18", "note": "nationwide", "source": "film page" })
    );
    assert_eq!(
        releases[2],
        json!({ "country": "US", "kind": "THEATRICAL", "date": "1995-10-27",
                "certification": "R", "note": null, "source": "catalogue" })
    );
    assert_eq!(film["us"].as_array().unwrap().len(), 2);

    // Posters: the smallest at least 300 wide; the largest without a width;
    // in French when asked.
    assert_eq!(film["images"].as_array().unwrap().len(), 5);
    assert_eq!(film["images"][4]["person"]["slug"], "mike-figgis");
    assert_eq!(film["small"]["width"], 500);
    assert_eq!(film["large"]["width"], 1000);
    assert_eq!(film["french"]["language"], "fr");

    assert_eq!(
        film["keywords"][0],
        json!({ "slug": "alcoholism", "name": "Alcoholism" })
    );
    assert_eq!(film["collection"]["slug"], "figgis-las-vegas");
    assert_eq!(
        film["collection"]["films"],
        json!([{ "slug": "leaving-las-vegas" }])
    );
    let companies: Vec<(String, String)> = film["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["company"]["name"].as_str().unwrap().into(),
                c["source"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        companies,
        [
            ("Lumière Pictures".into(), "film page".into()),
            ("United Artists".into(), "film page".into()),
            ("MGM".into(), "catalogue".into())
        ]
    );
    assert_eq!(film["distributors"].as_array().unwrap().len(), 2);
    let photo =
        "{ person(by: { slug: \"mike-figgis\" }) { photo(width: 100) { url person { name } } } }";
    assert_eq!(
        app.data(photo, json!({})).await["person"]["photo"],
        json!({ "url": "https://img.example/figgis.jpg", "person": { "name": "Mike Figgis" } })
    );

    // The collection by slug and by id.
    let by_slug = app
        .data(
            "{ collection(slug: \"figgis-las-vegas\") { name films { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_slug["collection"]["films"][0]["title"],
        "Leaving Las Vegas"
    );
    let id = film["collection"]["id"].clone();
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Collection { slug } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["node"]["slug"], "figgis-las-vegas");

    // The page reads back with its details; written back, it reads the same.
    let read = "query($id: ID!) { filmPageDocument(id: $id) { version document } }";
    let (id, _) = version_of(&app, "leaving-las-vegas").await;
    let exported = app.data_as(&token, read, json!({ "id": id })).await["filmPageDocument"].clone();
    for key in [
        "titles",
        "releases",
        "images",
        "keywords",
        "collection",
        "companies",
    ] {
        let read_back = without_nulls(exported["document"][key].clone());
        assert_eq!(read_back, detailed_page()[key], "{key}");
    }
    let again = json!({ "doc": exported["document"], "v": exported["version"] });
    app.data_as(&token, IMPORT, again).await;
    let (id, _) = version_of(&app, "leaving-las-vegas").await;
    let reread = app.data_as(&token, read, json!({ "id": id })).await["filmPageDocument"].clone();
    assert_eq!(reread["document"], exported["document"]);
}

async fn accept_language_chooses_the_title_and_each_language_is_cached_apart(app: TestApp) {
    let token = editor(&app).await;
    let (_, version) = version_of(&app, "leaving-las-vegas").await;
    app.data_as(
        &token,
        IMPORT,
        json!({ "doc": detailed_page(), "v": version }),
    )
    .await;
    let query = "{ film(by: { slug: \"leaving-las-vegas\" }) { title overview poster(width: 100) { language } } }";
    for _ in 0..2 {
        let french = in_language(&app, query, "fr-FR, en;q=0.5").await;
        assert_eq!(french["film"]["title"], "Leaving Las Vegas (VF)");
        assert_eq!(
            french["film"]["overview"],
            "Un scénariste part pour Las Vegas."
        );
        assert_eq!(french["film"]["poster"]["language"], "fr");
        let italian = in_language(&app, query, "it").await;
        assert_eq!(italian["film"]["title"], "Via da Las Vegas");
        assert_ne!(italian["film"]["overview"], french["film"]["overview"]);
        // A language the film has no title in, or a header that says
        // nothing usable: the title it is known by.
        for header in ["ja", "*", "q=;;;"] {
            let other = in_language(&app, query, header).await;
            assert_eq!(other["film"]["title"], "Leaving Las Vegas", "{header}");
        }
        let plain = app.data(query, json!({})).await;
        assert_eq!(plain["film"]["title"], "Leaving Las Vegas");
    }
    // The argument wins over the header, and must be a language tag.
    let argued = in_language(
        &app,
        "{ film(by: { slug: \"leaving-las-vegas\" }) { title(language: \"it\") } }",
        "fr",
    )
    .await;
    assert_eq!(argued["film"]["title"], "Via da Las Vegas");
    let bad = "{ film(by: { slug: \"leaving-las-vegas\" }) { title(language: \"no such tag\") } }";
    assert_eq!(app.error_code(bad, json!({})).await, "BAD_USER_INPUT");
    let bad =
        "{ film(by: { slug: \"leaving-las-vegas\" }) { releases(country: \"usa\") { date } } }";
    assert_eq!(app.error_code(bad, json!({})).await, "BAD_USER_INPUT");
}

async fn details_are_checked_by_the_import_rules(app: TestApp) {
    let token = editor(&app).await;
    let (_, version) = version_of(&app, "leaving-las-vegas").await;
    let cases: [(&str, Value, &str); 9] = [
        (
            "titles",
            json!([{ "language": "French", "title": "x" }]),
            "titles[0].language",
        ),
        (
            "titles",
            json!([{ "language": "fr", "title": "a" }, { "language": "fr", "title": "b" }]),
            "titles[1].language",
        ),
        (
            "releases",
            json!([{ "country": "USA", "kind": "THEATRICAL", "date": "1995-10-27" }]),
            "releases[0].country",
        ),
        (
            "releases",
            json!([{ "country": "US", "kind": "CINEMA", "date": "1995-10-27" }]),
            "releases[0].kind",
        ),
        (
            "images",
            json!([{ "kind": "POSTER", "url": "javascript:alert(1)", "width": 1, "height": 1, "source": "s" }]),
            "images[0].url",
        ),
        (
            "images",
            json!([{ "kind": "POSTER", "url": "https://i.example/a.jpg", "width": 0, "height": 1, "source": "s" }]),
            "images[0].width",
        ),
        (
            "images",
            json!([{ "kind": "PROFILE", "url": "https://i.example/a.jpg", "width": 1, "height": 1, "source": "s" }]),
            "images[0].person",
        ),
        ("keywords", json!(["Love", "love!"]), "keywords[1]"),
        (
            "collection",
            json!({ "slug": "Not A Slug", "name": "x", "position": 1 }),
            "collection.slug",
        ),
    ];
    for (key, value, path) in cases {
        let mut page = leaving_las_vegas();
        page[key] = value;
        let (_, answer) = app
            .post_as(Some(&token), IMPORT, json!({ "doc": page, "v": version }))
            .await;
        let error = &answer["errors"][0]["extensions"];
        assert_eq!(error["code"], "BAD_USER_INPUT", "{path}: {answer}");
        assert_eq!(error["path"], path, "{answer}");
    }
    // Nothing was written.
    assert_eq!(version_of(&app, "leaving-las-vegas").await.1, version);
    assert_eq!(app.count_rows("image").await, 0);
}

async fn editors_set_one_section(app: TestApp) {
    let token = editor(&app).await;
    let viewer = app.sign_up("viv").await;
    // A catalogue film without a page gets one by its first section.
    let (id, version) = version_of(&app, "moonstruck").await;
    let keywords = json!({ "id": id, "v": version, "s": "KEYWORDS", "c": ["Opera", "Brooklyn"] });
    assert_eq!(
        app.error_code_as(Some(&viewer), SET, keywords.clone())
            .await,
        "FORBIDDEN"
    );
    let (statements, set) = app
        .count_statements(app.data_as(&token, SET, keywords.clone()))
        .await;
    // The page is read once, for the section and as the revision's
    // "before" (read twice, it cost 175).
    assert!(statements <= 141, "{statements} statements");
    let set = set["setFilmSection"].clone();
    assert_eq!(set["outcome"], "UPDATED");
    assert_eq!(set["version"], version + 1);
    assert_eq!(
        set["film"]["keywords"],
        json!([{ "name": "Opera" }, { "name": "Brooklyn" }])
    );
    // From a stale version: CONFLICT with the current one, nothing written.
    let (_, answer) = app.post_as(Some(&token), SET, keywords).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "CONFLICT",
        "{answer}"
    );
    assert_eq!(
        answer["errors"][0]["extensions"]["currentVersion"],
        version + 1
    );

    // A bad value names its document path; nothing changes.
    let bad = json!({ "id": id, "v": version + 1, "s": "RELEASES",
        "c": [{ "country": "US", "kind": "THEATRICAL", "date": "1987-12-16" }, { "country": "us", "kind": "THEATRICAL", "date": "1987-12-18" }] });
    let (_, answer) = app.post_as(Some(&token), SET, bad).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["path"], "releases[1].country",
        "{answer}"
    );
    let bad = json!({ "id": id, "v": version + 1, "s": "CAST_AND_CREW", "c": { "actors": [] } });
    let (_, answer) = app.post_as(Some(&token), SET, bad).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["path"], "content.actors",
        "{answer}"
    );
    assert_eq!(version_of(&app, "moonstruck").await.1, version + 1);

    // Two films in one collection, in its order; the section is emptied by null.
    for (slug, position) in [("moonstruck", 2), ("raising-arizona", 1)] {
        let (id, v) = version_of(&app, slug).await;
        let collection =
            json!({ "slug": "cage-1987", "name": "Cage in 1987", "position": position });
        let vars = json!({ "id": id, "v": v, "s": "COLLECTION", "c": collection });
        app.data_as(&token, SET, vars).await;
    }
    let order = app
        .data(
            "{ collection(slug: \"cage-1987\") { films { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        order["collection"]["films"],
        json!([{ "slug": "raising-arizona" }, { "slug": "moonstruck" }])
    );
    let (id, v) = version_of(&app, "moonstruck").await;
    app.data_as(
        &token,
        SET,
        json!({ "id": id, "v": v, "s": "COLLECTION", "c": null }),
    )
    .await;
    let order = app
        .data(
            "{ collection(slug: \"cage-1987\") { films { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        order["collection"]["films"],
        json!([{ "slug": "raising-arizona" }])
    );

    // Each change is a revision with its diff, and reaches the changes feed.
    let history = "query($slug: String!) { film(by: { slug: $slug }) {
        revisions(first: 5) { nodes { kind comment changes { path } } } } }";
    let revisions = app
        .data_as(&token, history, json!({ "slug": "moonstruck" }))
        .await["film"]["revisions"]["nodes"]
        .clone();
    assert_eq!(revisions[0]["kind"], "UPDATED");
    assert_eq!(revisions[0]["comment"], "details");
    assert!(
        revisions[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"].as_str().unwrap().starts_with("collection")),
        "{revisions}"
    );
    assert!(
        revisions[2]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"].as_str().unwrap().starts_with("keywords")),
        "{revisions}"
    );
}

on_both_databases!(
    a_page_carries_every_detail,
    details_are_checked_by_the_import_rules,
    editors_set_one_section,
);

on_both_databases!(
    configured(response_cache_on): accept_language_chooses_the_title_and_each_language_is_cached_apart
);

//! Only requested columns (issue 21, part 5): the loaders and the film list
//! read the columns a query's selection needs, and every field answers as it
//! does with the whole row.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};

/// The data of `query` and how many values (rows × columns) the database
/// returned for it.
async fn values_read(app: &TestApp, query: &str) -> (u64, Value) {
    let before = app.metrics.values_read_count();
    let data = app.data(query, json!({})).await;
    (app.metrics.values_read_count() - before, data)
}

/// Every film field that reads the film's row, with the selection it needs.
const FILM_FIELDS: &[&str] = &[
    "id",
    "slug",
    "imdbId",
    "title",
    "originalTitle",
    "releaseDate",
    "releaseYear",
    "runtimeMinutes",
    "certification",
    "tagline",
    "badlyExplainedPlot",
    "overview",
    "endingExplained",
    "consensus",
    "whereToWatchNote",
    "soundtrackNote",
    "wikidataId",
    "academyAwards { wins nominations }",
    "userRatingAverage",
    "userRatingCount",
];

const PERSON_FIELDS: &[&str] = &["id", "slug", "name", "bio", "birthDate", "creditCount"];

/// Every field of `fields` in one fragment on `on`: the reference a field
/// read alone is compared with (the row read for all of them at once).
fn whole(on: &str, fields: &[&str]) -> String {
    format!("... on {on} {{ {} }}", fields.join(" "))
}

/// `value` with only the keys the selections of `fields` answer.
fn only(value: &Value, fields: &[&str]) -> Value {
    let keys = fields.iter().map(|f| f.split([' ', '{']).next().unwrap());
    keys.map(|key| (key.to_string(), value[key].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

async fn a_list_of_titles_reads_a_fraction_of_the_film_rows(app: TestApp) {
    let titles = "{ films(first: 20) { edges { node { title } } } }";
    let whole = format!(
        "{{ films(first: 20) {{ edges {{ node {{ {} }} }} }} }}",
        FILM_FIELDS.join(" ")
    );
    let (few, narrow) = values_read(&app, titles).await;
    let (many, wide) = values_read(&app, &whole).await;
    let films = narrow["films"]["edges"].as_array().unwrap().len() as u64;
    assert_eq!(films, 20);
    // The id, the title and the sort key (`title_sort`) of each film, and
    // of the one more that says whether a next page follows.
    assert_eq!(few, (films + 1) * 3, "a title list read {few} values");
    // The 20 columns the fields show, the id and the sort key; never the
    // other 9 of a film's 31 (its document's hash, timestamps, and the copies
    // of its ratings and box office the list filters and sorts by).
    assert_eq!(many, (films + 1) * 22, "the whole card read {many} values");
    let titles_of = |data: &Value| {
        data["films"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles_of(&narrow), titles_of(&wide));
}

async fn a_film_page_credit_list_reads_names_not_biographies(app: TestApp) {
    let credits = |fields: &str| {
        format!(
            r#"{{ film(by: {{ slug: "leaving-las-vegas" }}) {{ credits(first: 20) {{ nodes {{ {fields} }} }} }} }}"#
        )
    };
    let (few, names) = values_read(&app, &credits("name")).await;
    let (many, whole) = values_read(&app, &credits(&PERSON_FIELDS.join(" "))).await;
    assert!(few < many, "names read {few} values, whole people {many}");
    let names_of = |data: &Value| {
        data["film"]["credits"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].clone())
            .collect::<Vec<_>>()
    };
    assert!(!names_of(&names).is_empty());
    assert_eq!(names_of(&names), names_of(&whole));
}

/// A page of credits whose edges show no role reads only the credits' ids
/// and the column that joins their people: seven values a row in all (with
/// the page's place and the person's id and name; SQLite adds the row's rank
/// in its window), not the credit's ten.
async fn a_credit_page_reads_only_the_roles_its_edges_show(app: TestApp) {
    let film = r#"film(by: { slug: "leaving-las-vegas" })"#;
    let (film_alone, _) = values_read(&app, &format!("{{ {film} {{ id }} }}")).await;
    let query = format!(
        "{{ {film} {{ id credits(first: 20) {{ pageInfo {{ hasNextPage }} edges {{ node {{ name }} }} }} }} }}"
    );
    let (read, data) = values_read(&app, &query).await;
    let credits = &data["film"]["credits"];
    let edges = credits["edges"].as_array().unwrap().len() as u64;
    assert_eq!(edges, 20, "{data}");
    // The page reads one row past its end to tell whether more follow.
    let rows = edges + u64::from(credits["pageInfo"]["hasNextPage"] == true);
    let per_row = if app.url.starts_with("postgres") {
        7
    } else {
        8
    };
    assert_eq!(
        read - film_alone,
        rows * per_row,
        "{rows} credits read {read} values, the film {film_alone}"
    );
}

/// Each role an edge shows (`kind`, `job`, `billingOrder`, `character`),
/// asked for alone, answers as it does beside every other, on a film's
/// credits and on a person's; a role whose column was left out would panic
/// in this debug build.
async fn each_credit_role_alone_answers_as_beside_the_others(app: TestApp) {
    const ROLES: &[&str] = &["kind", "job", "billingOrder", "character { name }"];
    let pages = [
        ("film", r#"film(by: { slug: "leaving-las-vegas" })"#, "name"),
        ("person", r#"person(by: { slug: "nicolas-cage" })"#, "title"),
    ];
    for (root, by, name) in pages {
        let edges = |roles: &str| {
            format!(
                "{{ {by} {{ credits(first: 40) {{ edges {{ node {{ {name} }} {roles} }} }} }} }}"
            )
        };
        let (_, all) = values_read(&app, &edges(&ROLES.join(" "))).await;
        let all = all[root]["credits"]["edges"].as_array().unwrap().clone();
        assert!(all.len() > 10, "{root}: {all:?}");
        for role in ROLES {
            let (_, alone) = values_read(&app, &edges(role)).await;
            let expected: Vec<Value> = all
                .iter()
                .map(|edge| {
                    let mut fields = only(edge, &[role]);
                    fields["node"] = edge["node"].clone();
                    fields
                })
                .collect();
            assert_eq!(
                alone[root]["credits"]["edges"],
                json!(expected),
                "{root}: {role}"
            );
        }
    }
}

/// Each film field alone, read through the narrowed list, answers as the
/// same field read from the whole row (`node` reads every column); a field
/// whose columns were left out would panic in this debug build.
async fn every_film_field_alone_answers_as_from_the_whole_row(app: TestApp) {
    for field in FILM_FIELDS {
        let list = format!(
            "{{ films(first: 40, orderBy: {{ field: RELEASE_DATE, direction: DESC }}) {{ edges {{ node {{ id {field} }} }} }} }}"
        );
        let (_, data) = values_read(&app, &list).await;
        for edge in data["films"]["edges"].as_array().unwrap() {
            let node = &edge["node"];
            let whole = format!(
                r#"{{ node(id: "{}") {{ {} }} }}"#,
                node["id"].as_str().unwrap(),
                whole("Film", FILM_FIELDS)
            );
            let (_, expected) = values_read(&app, &whole).await;
            assert_eq!(
                node,
                &only(&expected["node"], &["id", field]),
                "Film.{field}"
            );
        }
    }
}

/// The same for each person field, read through a film's narrowed credits.
async fn every_person_field_alone_answers_as_from_the_whole_row(app: TestApp) {
    for field in PERSON_FIELDS {
        let credits = format!(
            r#"{{ film(by: {{ slug: "leaving-las-vegas" }}) {{ credits(first: 30) {{ nodes {{ id {field} }} }} directors {{ id {field} }} }} }}"#
        );
        let (_, data) = values_read(&app, &credits).await;
        let film = &data["film"];
        let people = film["credits"]["nodes"].as_array().unwrap();
        assert!(!people.is_empty());
        for person in people.iter().chain(film["directors"].as_array().unwrap()) {
            let whole = format!(
                r#"{{ node(id: "{}") {{ {} }} }}"#,
                person["id"].as_str().unwrap(),
                whole("Person", PERSON_FIELDS)
            );
            let (_, expected) = values_read(&app, &whole).await;
            let expected = only(&expected["node"], &["id", field]);
            assert_eq!(person, &expected, "Person.{field}");
        }
    }
}

/// Requests asking for different columns of the same rows at once (in one
/// batch of the loader) each get their own columns, not the other's.
async fn concurrent_selections_of_the_same_films_do_not_mix(app: TestApp) {
    let similar = |fields: &str| {
        format!(
            r#"{{ film(by: {{ slug: "leaving-las-vegas" }}) {{ similarFilms {{ film {{ id {fields} }} }} }} }}"#
        )
    };
    let (narrow, wide) = (similar("slug"), similar("slug overview tagline"));
    let (slugs, overviews) = tokio::join!(app.data(&narrow, json!({})), app.data(&wide, json!({})));
    let films = |data: &Value| data["film"]["similarFilms"].as_array().unwrap().clone();
    assert!(!films(&slugs).is_empty());
    for (narrow, wide) in films(&slugs).iter().zip(films(&overviews)) {
        let whole = format!(
            r#"{{ node(id: "{}") {{ ... on Film {{ slug overview tagline }} }} }}"#,
            wide["film"]["id"].as_str().unwrap()
        );
        let expected = app.data(&whole, json!({})).await["node"].clone();
        assert_eq!(narrow["film"]["slug"], expected["slug"]);
        assert_eq!(narrow["film"].as_object().unwrap().len(), 2);
        assert_eq!(wide["film"]["overview"], expected["overview"]);
        assert_eq!(wide["film"]["tagline"], expected["tagline"]);
    }
}

/// `film(by:)` reads the columns its selection needs, whichever key finds
/// the film, and each field answers as from the whole row.
async fn a_film_looked_up_by_key_reads_only_its_columns(app: TestApp) {
    let id = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { id } }"#,
            json!({}),
        )
        .await["film"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let keys = [
        r#"slug: "leaving-las-vegas""#.to_string(),
        r#"imdbId: "tt0113627""#.to_string(),
        format!(r#"id: "{id}""#),
    ];
    for key in &keys {
        let (read, data) =
            values_read(&app, &format!("{{ film(by: {{ {key} }}) {{ title }} }}")).await;
        assert_eq!(data["film"]["title"], "Leaving Las Vegas", "by {key}");
        // The id, the title and the key it was found by, not the film's 31 columns.
        let expected = if key.starts_with("id:") { 2 } else { 3 };
        assert_eq!(
            read, expected,
            "film(by: {{ {key} }}) {{ title }} read {read} values"
        );
    }
    for field in FILM_FIELDS {
        let (_, expected) = values_read(
            &app,
            &format!(
                r#"{{ node(id: "{id}") {{ {} }} }}"#,
                whole("Film", FILM_FIELDS)
            ),
        )
        .await;
        let expected = json!({ "node": only(&expected["node"], &[field]) });
        for key in &keys {
            let (_, data) =
                values_read(&app, &format!("{{ film(by: {{ {key} }}) {{ {field} }} }}")).await;
            assert_eq!(data["film"], expected["node"], "Film.{field} by {key}");
        }
    }
}

/// `person(by:)` too: by slug or by id, only the columns asked for.
async fn a_person_looked_up_by_key_reads_only_their_columns(app: TestApp) {
    let slug = r#"slug: "nicolas-cage""#;
    let (read, data) = values_read(
        &app,
        &format!("{{ person(by: {{ {slug} }}) {{ id name }} }}"),
    )
    .await;
    assert_eq!(data["person"]["name"], "Nicolas Cage");
    // The id, the name and the slug it was found by.
    assert_eq!(read, 3, "person(by: {{ {slug} }}) read {read} values");
    let id = data["person"]["id"].as_str().unwrap().to_string();
    let by_id = format!(r#"id: "{id}""#);
    let (read, data) =
        values_read(&app, &format!("{{ person(by: {{ {by_id} }}) {{ name }} }}")).await;
    assert_eq!(data["person"]["name"], "Nicolas Cage");
    assert_eq!(read, 2, "person(by: {{ {by_id} }}) read {read} values");
    for field in PERSON_FIELDS {
        let (_, expected) = values_read(
            &app,
            &format!(
                r#"{{ node(id: "{id}") {{ {} }} }}"#,
                whole("Person", PERSON_FIELDS)
            ),
        )
        .await;
        let expected = json!({ "node": only(&expected["node"], &[field]) });
        for key in [slug, by_id.as_str()] {
            let (_, data) = values_read(
                &app,
                &format!("{{ person(by: {{ {key} }}) {{ {field} }} }}"),
            )
            .await;
            assert_eq!(data["person"], expected["node"], "Person.{field} by {key}");
        }
    }
}

/// `node(id:)` reads the columns of the type its fragment selects, and
/// nothing for other types' fragments.
async fn a_node_reads_only_the_columns_its_fragment_asks_for(app: TestApp) {
    let ids = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { id } person(by: { slug: "nicolas-cage" }) { id } }"#,
            json!({}),
        )
        .await;
    let (film, person) = (ids["film"]["id"].clone(), ids["person"]["id"].clone());
    let (read, data) = values_read(
        &app,
        &format!(r#"{{ node(id: {film}) {{ ... on Film {{ title }} }} }}"#),
    )
    .await;
    assert_eq!(data["node"]["title"], "Leaving Las Vegas");
    assert_eq!(read, 2, "the id and the title: {read} values");
    let (read, data) = values_read(
        &app,
        &format!(r#"{{ nodes(ids: [{person}]) {{ ... on Person {{ name }} }} }}"#),
    )
    .await;
    assert_eq!(data["nodes"][0]["name"], "Nicolas Cage");
    assert_eq!(read, 2, "the id and the name: {read} values");
    // Another type's fields (`bio` is a person's) read nothing of a film.
    let (read, data) = values_read(
        &app,
        &format!(r#"{{ node(id: {film}) {{ ... on Film {{ title }} ... on Person {{ bio }} }} }}"#),
    )
    .await;
    assert_eq!(data["node"]["title"], "Leaving Las Vegas");
    assert_eq!(read, 2, "the id and the title: {read} values");
}

/// A search's hits read the columns their fragments ask for, each type its
/// own, and answer as from the whole row.
async fn search_hits_read_only_the_columns_their_fragments_ask_for(app: TestApp) {
    let search = |fragments: &str| {
        format!(
            r#"{{ search(query: "las vegas", first: 20, kinds: [FILM, PERSON]) {{ edges {{ node {{ __typename {fragments} }} }} }} }}"#
        )
    };
    // The ranked hits are kept while the content holds: rank them first.
    let (_, first) = values_read(&app, &search("")).await;
    let hits = first["search"]["edges"].as_array().unwrap().len() as u64;
    assert!(hits >= 2, "{first}");
    let (few, narrow) = values_read(
        &app,
        &search("... on Film { title } ... on Person { name }"),
    )
    .await;
    // Each hit's id and its title or name.
    assert!(few <= hits * 2, "{hits} hits read {few} values");
    let everything = format!(
        "{} {}",
        whole("Film", FILM_FIELDS),
        whole("Person", PERSON_FIELDS)
    );
    let (many, wide) = values_read(&app, &search(&everything)).await;
    assert!(few < many, "{few} values, and {many} for every field");
    let edges = |data: &Value| data["search"]["edges"].as_array().unwrap().clone();
    for (narrow, wide) in edges(&narrow).iter().zip(edges(&wide)) {
        let fields: &[&str] = if wide["node"]["__typename"] == "Film" {
            &["__typename", "title"]
        } else {
            &["__typename", "name"]
        };
        assert_eq!(narrow["node"], only(&wide["node"], fields));
    }
}

/// A mutation's payload reads the columns its `film` selects, and answers
/// as a query does.
async fn a_payload_film_reads_only_its_columns(app: TestApp) {
    let token = app.sign_up("columns").await;
    let film = app.film_id("leaving-las-vegas").await;
    let rate = |fields: &str| {
        format!(
            "mutation($film: ID!) {{ rateFilm(input: {{ filmId: $film, score: 8 }}) {{ film {{ {fields} }} }} }}"
        )
    };
    let before = app.metrics.values_read_count();
    let data = app
        .data_as(
            &token,
            &rate("title userRatingCount"),
            json!({ "film": film }),
        )
        .await;
    let read = app.metrics.values_read_count() - before;
    assert_eq!(data["rateFilm"]["film"]["title"], "Leaving Las Vegas");
    // The film's id, title and count; nothing else of its row.
    assert!(read <= 3, "the payload read {read} values");
    let query =
        r#"query($film: ID!) { node(id: $film) { ... on Film { title userRatingCount } } }"#;
    let expected = app.data(query, json!({ "film": film })).await;
    assert_eq!(data["rateFilm"]["film"], expected["node"]);
}

/// A connection asked only for `totalCount` (a list of films with their
/// cast counts) counts each film's rows, and reads none of them.
async fn a_count_alone_reads_no_rows_of_its_list(app: TestApp) {
    let list = |connection: &str| {
        format!(
            "{{ films(first: 10, orderBy: {{ field: RELEASE_DATE, direction: DESC }}) {{ edges {{ node {{ id cast: credits(kinds: [CAST]{connection} }} }} }} }}"
        )
    };
    let (few, counted) = values_read(&app, &list(") { totalCount }")).await;
    let (many, paged) =
        values_read(&app, &list(", first: 100) { totalCount edges { cursor } }")).await;
    let totals = |data: &Value| {
        data["films"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["cast"]["totalCount"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let films = totals(&counted).len() as u64;
    assert_eq!(films, 10);
    assert!(totals(&counted).iter().any(|n| *n > 0), "{counted}");
    assert_eq!(totals(&counted), totals(&paged));
    for edge in paged["films"]["edges"].as_array().unwrap() {
        let cast = &edge["node"]["cast"];
        assert_eq!(
            cast["edges"].as_array().unwrap().len() as i64,
            cast["totalCount"].as_i64().unwrap()
        );
    }
    // The list's id and sort key (and one more film's), then a film id and
    // its count for each film with a cast: no credit or person columns.
    assert!(
        few <= (films + 1) * 2 + films * 2,
        "the counts read {few} values"
    );
    assert!(few < many, "counts read {few} values, the pages {many}");
}

on_both_databases!(
    a_payload_film_reads_only_its_columns,
    search_hits_read_only_the_columns_their_fragments_ask_for,
    a_node_reads_only_the_columns_its_fragment_asks_for,
    a_film_looked_up_by_key_reads_only_its_columns,
    a_person_looked_up_by_key_reads_only_their_columns,
    a_count_alone_reads_no_rows_of_its_list,
    a_list_of_titles_reads_a_fraction_of_the_film_rows,
    a_film_page_credit_list_reads_names_not_biographies,
    a_credit_page_reads_only_the_roles_its_edges_show,
    each_credit_role_alone_answers_as_beside_the_others,
    every_film_field_alone_answers_as_from_the_whole_row,
    every_person_field_alone_answers_as_from_the_whole_row,
    concurrent_selections_of_the_same_films_do_not_mix,
);

//! The importers (film page documents and the catalogue): idempotent, update in
//! place, refuse bad input precisely and leave the database as it was.
//! Long because it lists every kind of bad document and catalogue line the
//! importers refuse, each with the path and message expected.

use std::io::Write;

use cinegraph::import::{ImportError, MAX_CATALOGUE_BYTES, MAX_DOCUMENT_BYTES, Outcome};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, catalogue_sample, leaving_las_vegas, on_both_databases, playground};

/// Everything a rejected file must leave as it was: the row count of every
/// table, the whole film page and the first films of the list.
async fn snapshot(app: &TestApp) -> Value {
    let backend = app.connection.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT name AS n FROM sqlite_master WHERE type = 'table'",
        _ => {
            "SELECT table_name::text AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let rows = app
        .connection
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    let mut counts = serde_json::Map::new();
    for row in rows {
        let table: String = row.try_get("", "n").unwrap();
        counts.insert(table.clone(), json!(app.count_rows(&table).await));
    }
    assert!(counts.len() > 30, "{counts:?}");
    let page = app.data(&playground("film-page.graphql"), json!({})).await;
    let films = app
        .data(
            "{ films(first: 100) { totalCount edges { node { slug title releaseYear } } } }",
            json!({}),
        )
        .await;
    json!({ "counts": counts, "page": page, "films": films })
}

async fn import(app: &TestApp, document: &Value) -> Result<Outcome, ImportError> {
    app.import_bytes("test.json", document.to_string().as_bytes())
        .await
}

/// The bundled document with a tagline, so that accepting it would show.
fn document() -> Value {
    let mut document = leaving_las_vegas();
    document["film"]["tagline"] = json!("must not be written");
    document
}

fn edited(edit: impl Fn(&mut Value)) -> Vec<u8> {
    let mut document = document();
    edit(&mut document);
    document.to_string().into_bytes()
}

/// The document as compact text (keys sorted), edited as text.
fn text_edited(edit: impl Fn(String) -> String) -> Vec<u8> {
    edit(document().to_string()).into_bytes()
}

/// Bad documents: (case, bytes, expected error path, part of the expected message).
#[rustfmt::skip]
fn bad_documents() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let text = document().to_string();
    let mut latin1 = text.clone().into_bytes();
    latin1[text.find("Las Vegas").unwrap() + 5] = 0xe9;
    let mut too_big = text.clone().into_bytes();
    too_big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
    let cut_in_tagline = text.as_bytes()[..text.find("must not be written").unwrap() + 8].to_vec();
    // serde_json stops at 128 levels, long before the stack would overflow.
    let deep_path: &'static str = "[0]".repeat(127).leak();
    vec![
        // Shape and types.
        ("wrong type", edited(|d| d["film"]["runtimeMinutes"] = json!("long")), "film.runtimeMinutes", "invalid type: string \"long\", expected i32"),
        ("number out of range", edited(|d| d["film"]["runtimeMinutes"] = json!(1u64 << 40)), "film.runtimeMinutes", "expected i32"),
        ("missing required field", edited(|d| { d["film"].as_object_mut().unwrap().remove("title"); }), "film", "missing field `title`"),
        ("missing format", edited(|d| { d.as_object_mut().unwrap().remove("format"); }), "", "missing field `format`"),
        ("unknown field", edited(|d| d["film"]["rating"] = json!(5)), "film.rating", "unknown field `rating`"),
        ("null for a list", edited(|d| d["credits"] = json!(null)), "credits", "invalid type: null, expected a sequence"),
        ("bad date", edited(|d| d["film"]["releaseDate"] = json!("1995-02-30")), "film.releaseDate", "input is out of range"),
        ("not an object", b"\"a film\"".to_vec(), "", "invalid type: string \"a film\", expected struct FilmPage"),
        ("wrong format", edited(|d| d["format"] = json!("other/2")), "format", "unsupported format \"other/2\""),
        // References to what the document does not define.
        ("unknown person", edited(|d| d["credits"][0]["person"] = json!("nobody")), "credits[0].person", "unknown person \"nobody\"; declare it first"),
        ("unknown character of a credit", edited(|d| d["credits"][4]["character"] = json!("ghost")), "credits[4].character", "unknown character \"ghost\""),
        ("unknown character of a quote", edited(|d| d["quotes"][1]["character"] = json!("ghost")), "quotes[1].character", "unknown character \"ghost\""),
        ("unknown author", edited(|d| d["basedOn"]["authors"][0] = json!("nobody")), "basedOn.authors[0]", "unknown person \"nobody\""),
        ("unknown recipient", edited(|d| d["nominations"][0]["recipients"][0] = json!("nobody")), "nominations[0].recipients[0]", "unknown person \"nobody\""),
        // Closed vocabularies and plausible values.
        ("unknown kind", edited(|d| d["credits"][0]["kind"] = json!("CATERING")), "credits[0].kind", "unknown value \"CATERING\"; expected one of CAST"),
        ("rating out of range", edited(|d| d["externalRatings"][0]["value"] = json!(11)), "externalRatings[0].value", "11 is outside 0..=10"),
        ("bad imdb id", edited(|d| d["similarFilms"][0]["film"]["imdbId"] = json!("0037884")), "similarFilms[0].film.imdbId", "is not an IMDb id"),
        ("wild release date", edited(|d| { d["film"]["releaseDate"] = json!("+250000-01-01"); d["film"].as_object_mut().unwrap().remove("releaseYear"); }), "film.releaseDate", "250000 is not a plausible year"),
        ("genre without a letter", edited(|d| d["film"]["genres"][0] = json!("!!")), "film.genres[0]", "must contain a letter or a digit"),
        ("catalogue's provider", edited(|d| d["boxOffice"][0]["source"] = json!("wikidata")), "boxOffice[0].source", "reserved for the catalogue"),
        // Entries whose keys must be unique.
        ("duplicate person", edited(|d| { let p = d["people"][0].clone(); d["people"].as_array_mut().unwrap().push(p); }), "people[6].slug", "duplicate person \"mike-figgis\""),
        ("duplicate character key", edited(|d| d["characters"][1]["key"] = d["characters"][0]["key"].clone()), "characters[1].key", "duplicate character key"),
        ("duplicate genre", edited(|d| d["film"]["genres"][1] = json!("DRAMA")), "film.genres[1]", "duplicate genre \"DRAMA\""),
        ("duplicate credit", edited(|d| { let c = d["credits"][0].clone(); d["credits"].as_array_mut().unwrap().push(c); }), "credits[8]", "DIRECTOR credit of \"mike-figgis\" is given twice"),
        ("duplicate billing order", edited(|d| d["credits"][5]["billingOrder"] = d["credits"][4]["billingOrder"].clone()), "credits[5].billingOrder", "is used twice"),
        ("duplicate product", edited(|d| d["products"][1]["slug"] = d["products"][0]["slug"].clone()), "products[1].slug", "duplicate product"),
        ("duplicate similar film", edited(|d| d["similarFilms"][1]["film"] = d["similarFilms"][0]["film"].clone()), "similarFilms[1].film.imdbId", "duplicate similar film \"tt0037884\""),
        // Strict JSON.
        ("duplicate key", text_edited(|t| t.replacen(r#""film":{"#, r#""film":{"title":"Another title","#, 1)), "film.title", "duplicate key \"title\""),
        ("duplicate top-level key", text_edited(|t| format!(r#"{{"format":"cinegraph-film-page/1",{}"#, &t[1..])), "format", "duplicate key \"format\""),
        ("duplicate key in a list", text_edited(|t| t.replacen(r#""people":[{"#, r#""people":[{"name":"X","#, 1)), "people[0].name", "duplicate key \"name\""),
        ("NUL character", edited(|d| d["trivia"][0] = json!("a\u{0}b")), "trivia[0]", "text contains a NUL character"),
        ("NUL character in a key", text_edited(|t| t.replacen(r#""film":{"#, r#""film":{"x\u0000":1,"#, 1)), "film.x\u{0}", "key contains a NUL character"),
        ("a second document after the first", format!("{text}\n{text}").into_bytes(), "", "trailing characters at line 2 column 1"),
        ("garbage after the document", format!("{text} ,").into_bytes(), "", "trailing characters"),
        ("lone surrogate", text_edited(|t| t.replacen("Leaving Las Vegas", r"Leaving \ud800", 1)), "basedOn.title", "unexpected end of hex escape"),
        ("nested too deep", "[".repeat(100_000).into_bytes(), deep_path, "recursion limit exceeded"),
        // Cut, not text, empty, too big.
        ("truncated in a value", cut_in_tagline, "film.tagline", "EOF while parsing a string"),
        ("truncated at the end", text.as_bytes()[..text.len() - 1].to_vec(), "", "EOF while parsing an object"),
        ("empty", Vec::new(), "", "EOF while parsing a value at line 1 column 0"),
        ("only whitespace", b" \n ".to_vec(), "", "EOF while parsing a value"),
        ("invalid UTF-8", b"{\n  \"format\": \"\xff\"\n}".to_vec(), "", "not valid UTF-8: bad byte 0xff at line 2 column 14"),
        ("UTF-8 cut in a character", b"{\"format\":\"\xc3".to_vec(), "", "not valid UTF-8: bad byte 0xc3 at line 1 column 12"),
        ("Latin-1 text", latin1, "", "not valid UTF-8: bad byte 0xe9 at line 1 column"),
        ("too big", too_big, "", "file is 4194305 bytes; the limit is 4194304"),
    ]
}

async fn importing_the_same_document_twice_changes_nothing(app: TestApp) {
    let before = snapshot(&app).await;
    let text = cinegraph::data::FILM_PAGES[0].1;
    let outcome = app
        .import_bytes("again.json", text.as_bytes())
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Unchanged);
    assert_eq!(snapshot(&app).await, before);
}

async fn a_corrected_document_updates_the_film_in_place(app: TestApp) {
    let query = r#"{ film(by: { imdbId: "tt0113627" }) { id title characters { id name } quotes { totalCount } } }"#;
    let before = app.data(query, json!({})).await;
    let films = app.count_rows("film").await;
    let mut corrected = leaving_las_vegas();
    corrected["film"]["tagline"] = json!("A corrected tagline");
    corrected["quotes"].as_array_mut().unwrap().pop();
    assert_eq!(import(&app, &corrected).await.unwrap(), Outcome::Updated);
    let after = app.data(query, json!({})).await;
    assert_eq!(after["film"]["id"], before["film"]["id"]);
    assert_eq!(
        after["film"]["characters"], before["film"]["characters"],
        "characters keep their ids"
    );
    assert_eq!(after["film"]["quotes"]["totalCount"], 4);
    let tagline = app
        .data(
            r#"{ film(by: { imdbId: "tt0113627" }) { tagline } }"#,
            json!({}),
        )
        .await;
    assert_eq!(tagline["film"]["tagline"], "A corrected tagline");
    assert_eq!(app.count_rows("film").await, films);
}

async fn bad_documents_are_refused_with_their_path_and_change_nothing(app: TestApp) {
    let before = snapshot(&app).await;
    for (case, bytes, path, message) in bad_documents() {
        let err = app.import_bytes("test.json", &bytes).await.expect_err(case);
        assert_eq!(err.source, "test.json", "{case}");
        assert_eq!(err.path, path, "{case}: {err}");
        assert!(
            err.message.contains(message),
            "{case}: {err:?} does not say {message:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!(
                "test.json: {}",
                if path.is_empty() {
                    String::new()
                } else {
                    format!("at {path}: ")
                }
            )),
            "{case}: {shown}"
        );
    }
    assert_eq!(snapshot(&app).await, before);
}

async fn a_slug_of_another_film_is_refused_and_changes_nothing(app: TestApp) {
    let before = snapshot(&app).await;
    let mut other = document();
    other["film"]["imdbId"] = json!("tt9999999");
    let err = import(&app, &other)
        .await
        .expect_err("the slug belongs to Leaving Las Vegas");
    assert_eq!(err.path, "film.slug");
    assert_eq!(
        err.to_string(),
        r#"test.json: at film.slug: "leaving-las-vegas" is already the slug of another film ("Leaving Las Vegas", IMDb id tt0113627)"#
    );
    assert_eq!(snapshot(&app).await, before);
}

async fn a_document_the_database_refuses_half_way_leaves_nothing_behind(app: TestApp) {
    // The write has updated the film, cleared its sections and written its
    // credits and quotes when trivia, near the end, is refused.
    refuse_inserts(&app, "trivia").await;
    let before = snapshot(&app).await;
    let err = import(&app, &document())
        .await
        .expect_err("trivia are refused");
    assert_eq!(err.path, "");
    assert!(
        err.message
            .starts_with("the database refused the document ("),
        "{err}"
    );
    assert!(err.message.ends_with("; nothing was written"), "{err}");
    assert_eq!(snapshot(&app).await, before);
}

async fn a_catalogue_the_database_refuses_half_way_leaves_nothing_behind(app: TestApp) {
    // Box office figures are written after people, films and credits.
    refuse_inserts(&app, "box_office_figure").await;
    let before = snapshot(&app).await;
    let err = app
        .import_catalogue("sample.jsonl.gz", catalogue_sample())
        .await
        .expect_err("figures are refused");
    assert!(
        err.to_string()
            .starts_with("sample.jsonl.gz: the database refused the catalogue ("),
        "{err}"
    );
    assert_eq!(snapshot(&app).await, before);
}

async fn a_rejected_catalogue_changes_nothing(app: TestApp) {
    let before = snapshot(&app).await;
    for (case, bytes, message) in bad_catalogues() {
        let err = app
            .import_catalogue("bad.jsonl.gz", &bytes)
            .await
            .expect_err(case);
        assert!(err.to_string().contains(message), "{case}: {err}");
    }
    assert_eq!(snapshot(&app).await, before);
}

async fn films_a_page_mentions_get_free_slugs(app: TestApp) {
    // Two new films titled like an existing one, and one whose title has no Latin letters.
    let mut page = json!({
        "format": "cinegraph-film-page/1",
        "film": { "imdbId": "tt9999990", "slug": "second-page", "title": "Second Page" },
        "similarFilms": [
            { "film": { "imdbId": "tt9999991", "title": "Leaving Las Vegas", "releaseYear": 1995 }, "reason": "same title" },
            { "film": { "imdbId": "tt9999992", "title": "Leaving Las Vegas", "releaseYear": 1995 }, "reason": "same title" },
            { "film": { "imdbId": "tt9999993", "title": "七人の侍", "releaseYear": 1954 }, "reason": "no Latin letters" }
        ]
    });
    assert_eq!(import(&app, &page).await.unwrap(), Outcome::Created);
    for (imdb, slug) in [
        ("tt9999991", "leaving-las-vegas-1995"),
        ("tt9999992", "leaving-las-vegas-tt9999992"),
        ("tt9999993", "tt9999993"),
    ] {
        let data = app
            .data(
                "query($imdb: String!) { film(by: { imdbId: $imdb }) { slug } }",
                json!({ "imdb": imdb }),
            )
            .await;
        assert_eq!(data["film"]["slug"], slug, "{imdb}");
    }
    page["film"]["tagline"] = json!("updated");
    assert_eq!(import(&app, &page).await.unwrap(), Outcome::Updated);
}

async fn import_paths_takes_catalogues_and_pages_and_refuses_big_files_unread(app: TestApp) {
    let dir = std::env::temp_dir().join(format!(
        "cinegraph-import-{}-{:?}",
        std::process::id(),
        app.connection.get_database_backend()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.jsonl.gz"), catalogue_sample()).unwrap();
    std::fs::write(dir.join("b.json"), cinegraph::data::FILM_PAGES[0].1).unwrap();
    let outcomes = app.import_paths(std::slice::from_ref(&dir)).await.unwrap();
    let outcomes: Vec<Outcome> = outcomes.into_iter().map(|f| f.outcome).collect();
    assert!(
        matches!(outcomes[..], [Outcome::Catalogue(n), Outcome::Unchanged] if n > 100),
        "{outcomes:?}"
    );

    // Sparse files: refused by their size, before a byte is read.
    let before = snapshot(&app).await;
    for (name, limit) in [
        ("big.json", MAX_DOCUMENT_BYTES),
        ("big.jsonl.gz", MAX_CATALOGUE_BYTES),
    ] {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .set_len(limit as u64 + 1)
            .unwrap();
        let err = app
            .import_paths(std::slice::from_ref(&path))
            .await
            .expect_err(name);
        assert_eq!(
            err.to_string(),
            format!(
                "{}: file is {} bytes; the limit is {limit}",
                path.display(),
                limit + 1
            )
        );
    }
    assert_eq!(snapshot(&app).await, before);
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn mentioned_films_become_films_once(app: TestApp) {
    // Each film the page mentions is one row, shared with the catalogue by IMDb id.
    for imdb in ["tt0113627", "tt0037884", "tt0093822", "tt0384680"] {
        let data = app
            .data(
                "query($imdb: String!) { film(by: { imdbId: $imdb }) { title wikidataId } }",
                json!({ "imdb": imdb }),
            )
            .await;
        assert!(
            data["film"]["wikidataId"].is_string(),
            "{imdb} did not merge with the catalogue: {data}"
        );
    }
    let films = app.count_rows("film").await;
    let data = app
        .data(r#"{ films(first: 1) { totalCount } }"#, json!({}))
        .await;
    assert_eq!(data["films"]["totalCount"], films);
    let data = app
        .data(
            r#"{ film(by: { imdbId: "tt0093822" }) { title releaseYear products { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["film"]["title"], "Raising Arizona");
    assert_eq!(
        data["film"]["products"][0]["name"],
        "Nicolas Cage: 5-Film Collection [DVD]"
    );
}

async fn a_persons_films_follow_the_years_imports_give_them(app: TestApp) {
    // Credits carry their film's year (the filmography is ordered by it in
    // an index); no import may leave one behind.
    assert_eq!(stale_credit_years(&app).await, 0);

    // Two catalogue films by one director; then, in a second import, A
    // moves before B and the director is also credited on the page's film.
    let a = |year: i32| film_with(r#""year":2000"#, &format!(r#""year":{year}"#));
    let b = film_with(
        r#""Q1","imdbId":"tt7777777","title":"A","year":2000"#,
        r#""Q2","imdbId":"tt7777778","title":"B","year":1990"#,
    );
    let page_film = film_with(
        r#""Q1","imdbId":"tt7777777","title":"A","year":2000"#,
        r#""Q280918","imdbId":"tt0113627","title":"Leaving Las Vegas","year":1995"#,
    );
    let catalogue = |lines: Vec<String>| gzip(lines.join("\n").as_bytes());
    app.import_catalogue("two.jsonl.gz", &catalogue(vec![a(2000), b.clone()]))
        .await
        .unwrap();
    assert_eq!(
        filmography(&app, "someone").await,
        [("B".to_string(), 1990), ("A".to_string(), 2000)]
    );
    app.import_catalogue("three.jsonl.gz", &catalogue(vec![a(1980), b, page_film]))
        .await
        .unwrap();
    assert_eq!(
        filmography(&app, "someone").await,
        [
            ("A".to_string(), 1980),
            ("B".to_string(), 1990),
            ("Leaving Las Vegas".to_string(), 1995)
        ]
    );
    assert_eq!(stale_credit_years(&app).await, 0);

    // A film page that changes its film's year moves the film in its people's
    // filmographies, through the page's credits and the catalogue's alike.
    let mut moved = leaving_las_vegas();
    moved["film"]["releaseYear"] = json!(1950);
    moved["film"]["releaseDate"] = json!("1950-10-27");
    import(&app, &moved).await.unwrap();
    assert_eq!(
        filmography(&app, "nicolas-cage").await[0],
        ("Leaving Las Vegas".to_string(), 1950)
    );
    assert_eq!(
        filmography(&app, "someone").await[0],
        ("Leaving Las Vegas".to_string(), 1950)
    );
    assert_eq!(stale_credit_years(&app).await, 0);
}

on_both_databases!(
    importing_the_same_document_twice_changes_nothing,
    a_corrected_document_updates_the_film_in_place,
    bad_documents_are_refused_with_their_path_and_change_nothing,
    a_slug_of_another_film_is_refused_and_changes_nothing,
    a_document_the_database_refuses_half_way_leaves_nothing_behind,
    a_catalogue_the_database_refuses_half_way_leaves_nothing_behind,
    a_rejected_catalogue_changes_nothing,
    films_a_page_mentions_get_free_slugs,
    import_paths_takes_catalogues_and_pages_and_refuses_big_files_unread,
    mentioned_films_become_films_once,
    a_persons_films_follow_the_years_imports_give_them
);

/// Makes every insert into `table` fail, as a database refusing a write would.
async fn refuse_inserts(app: &TestApp, table: &str) {
    let statements = match app.connection.get_database_backend() {
        DbBackend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        _ => vec![
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$".to_string(),
            format!("CREATE TRIGGER refuse BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()"),
        ],
    };
    for statement in statements {
        app.connection.execute_unprepared(&statement).await.unwrap();
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Credits whose `film_year` is not their film's year.
async fn stale_credit_years(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) AS n FROM credit c JOIN film f ON f.id = c.film_id \
               WHERE c.film_year <> COALESCE(f.release_year, 0)";
    let statement = Statement::from_string(app.connection.get_database_backend(), sql);
    let rows = app.connection.query_all_raw(statement).await.unwrap();
    rows[0].try_get("", "n").unwrap()
}

/// The first three films of a person's filmography: (title, year).
async fn filmography(app: &TestApp, slug: &str) -> Vec<(String, i64)> {
    let query = "query($slug: String!) { person(by: { slug: $slug }) { credits(first: 3) { edges { node { title releaseYear } } } } }";
    let data = app.data(query, json!({ "slug": slug })).await;
    let edges = data["person"]["credits"]["edges"].as_array().unwrap();
    edges
        .iter()
        .map(|edge| {
            let film = &edge["node"];
            (
                film["title"].as_str().unwrap().to_string(),
                film["releaseYear"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// One valid catalogue line.
const FILM: &str = r#"{"wikidataId":"Q1","imdbId":"tt7777777","title":"A","year":2000,"released":null,"runtime":null,"certification":null,"genres":["Drama"],"countries":[],"languages":[],"directors":["Someone"],"writers":[],"cast":[],"ratings":[{"source":"IMDB","value":7.5,"scale":10,"votes":null,"from":"vega-datasets"}],"boxOffice":[{"kind":"BUDGET","amount":1000,"currency":"USD","source":"wikidata"}],"academyAwardsText":null}"#;

fn film_with(from: &str, to: &str) -> String {
    assert!(FILM.contains(from), "{from}");
    FILM.replacen(from, to, 1)
}

/// Bad catalogues: (case, gzip'd bytes, part of the expected error).
#[rustfmt::skip]
fn bad_catalogues() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = gzip(FILM.as_bytes());
    let second = film_with(r#""Q1","imdbId":"tt7777777""#, r#""Q2","imdbId":"tt7777778""#);
    let mut junk_after = good.clone();
    junk_after.extend_from_slice(b"junk");
    let mut bad_utf8 = format!("{FILM}\n{second}").into_bytes();
    let title = bad_utf8.len() - second.len() + second.find(r#""A""#).unwrap() + 1;
    bad_utf8[title] = 0xff;
    // 1 MiB of spaces compresses to about a kilobyte: 257 members make a 257 MiB file.
    let mebibyte = gzip(" ".repeat(1 << 20).as_bytes());
    let bomb = mebibyte.repeat(MAX_CATALOGUE_BYTES / (1 << 20) + 1);
    let line = |text: String| gzip(text.as_bytes());
    vec![
        // The gzip stream.
        ("not gzip", b"plain text".to_vec(), "bad.jsonl.gz: not a complete gzip file (cut short or corrupt)"),
        ("cut in the header", good[..5].to_vec(), "not a complete gzip file (cut short or corrupt)"),
        ("cut in the data", good[..good.len() / 2].to_vec(), "not a complete gzip file (cut short or corrupt)"),
        ("cut in the trailer", good[..good.len() - 3].to_vec(), "not a complete gzip file (cut short or corrupt)"),
        ("junk after the stream", junk_after, "not a complete gzip file (cut short or corrupt)"),
        ("empty file", Vec::new(), "not a complete gzip file (cut short or corrupt)"),
        ("no films", gzip(b"\n\n"), "bad.jsonl.gz: has no films"),
        ("gzip bomb", bomb, "bad.jsonl.gz: decompresses to more than 268435456 bytes, the limit"),
        ("invalid UTF-8", gzip(&bad_utf8), "bad.jsonl.gz: not valid UTF-8: bad byte 0xff at line 2 column 50"),
        // Shape and types, with the line and the JSON path.
        ("cut line", gzip(&FILM.as_bytes()[..100]), "bad.jsonl.gz: at line 1: EOF while parsing"),
        ("wrong type", line(film_with(r#""year":2000"#, r#""year":"2000""#)), "at line 1: year: invalid type: string \"2000\", expected i32"),
        ("missing field", line(film_with(r#""title":"A","#, "")), "at line 1: missing field `title`"),
        ("unknown field", line(film_with(r#""title":"A","#, r#""title":"A","budget":1,"#)), "at line 1: budget: unknown field `budget`"),
        ("duplicate key", line(film_with(r#""title":"A","#, r#""title":"A","title":"B","#)), "at line 1: title: duplicate key \"title\""),
        ("two values on a line", line(format!("{FILM} {FILM}")), "at line 1: trailing characters"),
        ("NUL character", line(film_with(r#""Someone""#, r#""Some\u0000one""#)), "at line 1: directors[0]: text contains a NUL character"),
        // Rules.
        ("duplicate wikidata id", line(format!("{FILM}\n{}", film_with("tt7777777", "tt7777778"))), "at line 2: wikidataId: duplicate Q1"),
        ("duplicate imdb id", line(format!("{FILM}\n{}", film_with("Q1", "Q2"))), "at line 2: imdbId: duplicate tt7777777"),
        ("bad wikidata id", line(film_with("Q1", "Q01")), "at line 1: wikidataId: \"Q01\" is not a Wikidata id"),
        ("bad imdb id", line(film_with("tt7777777", "7777777")), "at line 1: imdbId: \"7777777\" is not an IMDb id"),
        ("empty title", line(film_with(r#""title":"A""#, r#""title":" ""#)), "at line 1: title: must not be empty"),
        ("wild year", line(film_with(r#""year":2000"#, r#""year":300000"#)), "at line 1: year: 300000 is not a plausible year"),
        ("runtime", line(film_with(r#""runtime":null"#, r#""runtime":0"#)), "at line 1: runtime: must be between 1 and 1000"),
        ("duplicate genre", line(film_with(r#"["Drama"]"#, r#"["Drama","drama"]"#)), "at line 1: genres[1]: duplicate \"drama\""),
        ("empty name", line(film_with(r#"["Someone"]"#, r#"["Someone",""]"#)), "at line 1: directors[1]: must not be empty"),
        ("rating out of range", line(film_with(r#""value":7.5"#, r#""value":11"#)), "at line 1: ratings[0].value: 11 is outside 0..=10"),
        ("rating source", line(film_with(r#""source":"IMDB""#, r#""source":"LETTERBOXD""#)), "at line 1: ratings[0].source: unknown source \"LETTERBOXD\""),
        ("rating provider", line(film_with(r#""from":"vega-datasets""#, r#""from":"a blog""#)), "at line 1: ratings[0].from: unknown provider \"a blog\""),
        ("duplicate rating", line(film_with(r#""ratings":["#, r#""ratings":[{"source":"IMDB","value":7,"scale":10,"votes":null,"from":"vega-datasets"},"#)), "at line 1: ratings[1]: IMDB from vega-datasets is given twice"),
        ("figure kind", line(film_with(r#""kind":"BUDGET""#, r#""kind":"TAKINGS""#)), "at line 1: boxOffice[0].kind: unknown kind \"TAKINGS\""),
        ("negative figure", line(film_with(r#""amount":1000"#, r#""amount":-1"#)), "at line 1: boxOffice[0].amount: must not be negative"),
        ("figure provider", line(film_with(r#""source":"wikidata""#, r#""source":"film page""#)), "at line 1: boxOffice[0].source: unknown provider \"film page\""),
    ]
}

#[test]
fn bad_catalogues_are_refused_with_their_line_and_path() {
    let mut wrong = Vec::new();
    for (case, bytes, message) in bad_catalogues() {
        match cinegraph::import::catalogue::parse("bad.jsonl.gz", &bytes) {
            Ok(_) => wrong.push(format!("{case}: accepted")),
            Err(err) if !err.to_string().contains(message) => wrong.push(format!("{case}: {err}")),
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_catalogue_may_be_several_gzip_members() {
    let second = FILM.replacen(r#""Q1","imdbId":"tt7777777""#, r#""Q2","imdbId":null"#, 1);
    let mut bytes = gzip(FILM.as_bytes());
    bytes.extend(gzip(format!("\n{second}\n").as_bytes()));
    let films = cinegraph::import::catalogue::parse("two.jsonl.gz", &bytes)
        .unwrap()
        .films;
    let ids: Vec<&str> = films.iter().map(|f| f.wikidata_id.as_str()).collect();
    assert_eq!(ids, ["Q1", "Q2"]);
}

#[test]
fn the_document_parser_needs_no_database() {
    let bundled = cinegraph::data::FILM_PAGES[0].1.as_bytes();
    let page = cinegraph::import::parse_document("page.json", bundled).unwrap();
    assert_eq!(page.film.imdb_id, "tt0113627");
    // Every bad document but the slug of another film is refused before the database.
    let mut wrong = Vec::new();
    for (case, bytes, path, message) in bad_documents() {
        match cinegraph::import::parse_document("page.json", &bytes) {
            Ok(_) => wrong.push(format!("{case}: accepted")),
            Err(err) if err.path != path || !err.message.contains(message) => {
                wrong.push(format!("{case}: {err:?}"))
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

//! The `films` facets are disjunctive: each facet counts under every filter
//! of the list but its own. For each facet, on both databases: picking one
//! of its values leaves its counts as they were (the other values stay);
//! another facet's filter narrows them; and each count is the `totalCount`
//! the list has once that value is picked. Every answer is also checked for
//! its order (most films first then by name; decades oldest first; runtime
//! bands shortest first) and for holding no empty or unknown values.

use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, on_both_databases};

const FACETS: &str = r#"query($filter: FilmFilter) { films(filter: $filter, first: 1) { totalCount facets {
    genres { genre { slug name } count }
    decades { decade count }
    countries { country count }
    languages { language count }
    certifications { certification count }
    runtimes { band minMinutes maxMinutes count } } } }"#;

const TOTAL: &str =
    r#"query($filter: FilmFilter) { films(filter: $filter, first: 1) { totalCount } }"#;

/// The runtime bands in order, with their bounds.
const BANDS: [(&str, i64, Option<i64>); 4] = [
    ("UNDER_90", 0, Some(89)),
    ("FROM_90_TO_119", 90, Some(119)),
    ("FROM_120_TO_149", 120, Some(149)),
    ("FROM_150", 150, None),
];

/// One facet under test.
struct Case {
    /// Its field under `facets`.
    facet: &'static str,
    /// A selection of some of its values, as filter fields.
    pick: Value,
    /// Another facet's filter, which must narrow this facet's counts.
    other: Value,
    /// The filter fields that select the value of one facet entry.
    select: fn(&Value) -> Value,
}

/// The filter with `extra`'s fields added (replacing any of the same name).
fn merged(filter: &Value, extra: &Value) -> Value {
    let mut out: Map<String, Value> = filter.as_object().cloned().unwrap_or_default();
    for (key, value) in extra.as_object().unwrap() {
        out.insert(key.clone(), value.clone());
    }
    Value::Object(out)
}

/// `films` with every facet under `filter`, each facet checked for its order.
async fn facets(app: &TestApp, filter: &Value) -> Value {
    let films = app.data(FACETS, json!({ "filter": filter })).await["films"].clone();
    for facet in [
        "genres",
        "decades",
        "countries",
        "languages",
        "certifications",
        "runtimes",
    ] {
        check_order(facet, list(&films, facet));
    }
    films
}

async fn total(app: &TestApp, filter: &Value) -> i64 {
    app.data(TOTAL, json!({ "filter": filter })).await["films"]["totalCount"]
        .as_i64()
        .unwrap()
}

fn list<'a>(films: &'a Value, facet: &str) -> &'a Vec<Value> {
    films["facets"][facet]
        .as_array()
        .unwrap_or_else(|| panic!("no {facet} in {films}"))
}

fn count(entry: &Value) -> i64 {
    entry["count"].as_i64().unwrap()
}

fn sum(entries: &[Value]) -> i64 {
    entries.iter().map(count).sum()
}

/// What an entry counts: the genre's slug, the decade, the band, the name.
fn value_of(facet: &str, entry: &Value) -> String {
    let value = match facet {
        "genres" => &entry["genre"]["slug"],
        "decades" => &entry["decade"],
        "countries" => &entry["country"],
        "languages" => &entry["language"],
        "certifications" => &entry["certification"],
        "runtimes" => &entry["band"],
        other => panic!("no facet {other}"),
    };
    assert!(
        !value.is_null(),
        "{facet}: an entry without a value: {entry}"
    );
    value.to_string().trim_matches('"').to_string()
}

/// Counts above zero and values once each; most films first then by name,
/// decades oldest first, runtime bands shortest first.
fn check_order(facet: &str, entries: &[Value]) {
    assert!(entries.iter().all(|e| count(e) > 0), "{facet}: {entries:?}");
    match facet {
        "decades" => {
            let decades: Vec<i64> = entries
                .iter()
                .map(|e| e["decade"].as_i64().unwrap())
                .collect();
            assert!(
                decades.windows(2).all(|w| w[0] < w[1]),
                "decades: {decades:?}"
            );
            assert!(decades.iter().all(|d| d % 10 == 0), "decades: {decades:?}");
        }
        "runtimes" => {
            let positions: Vec<usize> = entries
                .iter()
                .map(|e| {
                    let at = BANDS.iter().position(|(band, ..)| e["band"] == *band);
                    let (_, min, max) = BANDS[at.unwrap_or_else(|| panic!("band {e}"))];
                    assert_eq!(e["minMinutes"], min, "{e}");
                    assert_eq!(e["maxMinutes"], json!(max), "{e}");
                    at.unwrap()
                })
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "runtimes: {entries:?}"
            );
        }
        _ => {
            let name = |e: &Value| match facet {
                "genres" => e["genre"]["name"].as_str().unwrap().to_string(),
                _ => value_of(facet, e),
            };
            let ordered = entries.windows(2).all(|w| {
                count(&w[0]) > count(&w[1])
                    || (count(&w[0]) == count(&w[1]) && name(&w[0]) < name(&w[1]))
            });
            assert!(ordered, "{facet} out of order: {entries:?}");
            assert!(
                entries.iter().all(|e| !name(e).is_empty()),
                "{facet}: {entries:?}"
            );
        }
    }
}

/// The three properties of a disjunctive facet (see the module doc).
async fn check_disjunctive(app: &TestApp, case: Case) {
    let facet = case.facet;
    let everything = facets(app, &json!({})).await;
    let picked = facets(app, &case.pick).await;

    // (a) Picking values of the facet narrows the list, but not the facet's
    // own counts: every value is still there with its count, the picked
    // ones and the others.
    assert!(
        picked["totalCount"].as_i64() < everything["totalCount"].as_i64(),
        "{facet}: the pick {} does not narrow the list",
        case.pick
    );
    assert_eq!(
        list(&picked, facet),
        list(&everything, facet),
        "{facet}: picking {} changed the facet's own counts",
        case.pick
    );
    assert!(
        list(&picked, facet).len() > 2,
        "{facet}: too few values to tell"
    );
    // ... while it does narrow the other facets.
    let moved = [
        "genres",
        "decades",
        "countries",
        "languages",
        "certifications",
        "runtimes",
    ]
    .into_iter()
    .filter(|other| *other != facet && list(&picked, other) != list(&everything, other))
    .count();
    assert!(
        moved > 0,
        "{facet}: the pick {} narrowed no other facet",
        case.pick
    );

    // (b) Another facet's filter narrows it: no count grows, the sum shrinks.
    let narrowed = facets(app, &case.other).await;
    let before = list(&everything, facet);
    let after = list(&narrowed, facet);
    assert!(
        sum(after) < sum(before),
        "{facet}: {} did not narrow it",
        case.other
    );
    for entry in after {
        let value = value_of(facet, entry);
        let was = before
            .iter()
            .find(|e| value_of(facet, e) == value)
            .unwrap_or_else(|| panic!("{facet}: {value} appeared under {}", case.other));
        assert!(count(entry) <= count(was), "{facet}: {value} grew");
    }

    // (c) Under the other filter and the pick, each count is the list's
    // totalCount once that value is picked instead.
    let filter = merged(&case.other, &case.pick);
    let both = facets(app, &filter).await;
    assert_eq!(
        list(&both, facet),
        after,
        "{facet}: the pick changed its counts"
    );
    assert!(
        after.len() > 1,
        "{facet}: too few values under {}",
        case.other
    );
    for entry in after {
        let selected = merged(&filter, &(case.select)(entry));
        assert_eq!(
            count(entry),
            total(app, &selected).await,
            "{facet}: the count of {} is not the totalCount of {selected}",
            value_of(facet, entry)
        );
    }
}

async fn genres_facet_ignores_the_genre_filter_and_follows_the_others(app: TestApp) {
    let case = Case {
        facet: "genres",
        pick: json!({ "genres": ["drama", "comedy"], "genreMatch": "ALL" }),
        other: json!({ "countries": ["France"] }),
        select: |e| json!({ "genres": [e["genre"]["slug"]] }),
    };
    check_disjunctive(&app, case).await;
}

async fn decades_facet_ignores_the_release_year_filter_and_follows_the_others(app: TestApp) {
    let case = Case {
        facet: "decades",
        pick: json!({ "releaseYear": { "min": 1990, "max": 1999 } }),
        other: json!({ "genres": ["comedy"] }),
        select: |e| {
            let decade = e["decade"].as_i64().unwrap();
            json!({ "releaseYear": { "min": decade, "max": decade + 9 } })
        },
    };
    check_disjunctive(&app, case).await;
}

async fn countries_facet_ignores_the_country_filter_and_follows_the_others(app: TestApp) {
    let case = Case {
        facet: "countries",
        pick: json!({ "countries": ["France"] }),
        other: json!({ "genres": ["drama"], "releaseYear": { "min": 1990 } }),
        select: |e| json!({ "countries": [e["country"]] }),
    };
    check_disjunctive(&app, case).await;
}

async fn languages_facet_ignores_the_language_filter_and_follows_the_others(app: TestApp) {
    let case = Case {
        facet: "languages",
        pick: json!({ "languages": ["English", "Italian"] }),
        other: json!({ "countries": ["France", "Italy"] }),
        select: |e| json!({ "languages": [e["language"]] }),
    };
    check_disjunctive(&app, case).await;
}

async fn certifications_facet_ignores_the_certification_filter_and_follows_the_others(
    app: TestApp,
) {
    let case = Case {
        facet: "certifications",
        pick: json!({ "certifications": ["R"] }),
        other: json!({ "runtimeMinutes": { "min": 110 } }),
        select: |e| json!({ "certifications": [e["certification"]] }),
    };
    check_disjunctive(&app, case).await;
}

async fn runtimes_facet_ignores_the_runtime_filter_and_follows_the_others(app: TestApp) {
    let case = Case {
        facet: "runtimes",
        pick: json!({ "runtimeMinutes": { "min": 90, "max": 119 } }),
        other: json!({ "countries": ["United Kingdom"] }),
        select: |e| json!({ "runtimeMinutes": { "min": e["minMinutes"], "max": e["maxMinutes"] } }),
    };
    check_disjunctive(&app, case).await;
}

async fn decades_and_runtime_bands_count_every_film_whose_value_is_known(app: TestApp) {
    // Every band and decade is counted once: together they are the films of
    // the list whose length (year) is known, whatever the range picked.
    let filter = json!({ "countries": ["United States"], "runtimeMinutes": { "max": 100 }, "releaseYear": { "min": 2000 } });
    let films = facets(&app, &filter).await;
    let known_length = merged(&filter, &json!({ "runtimeMinutes": { "min": 0 } }));
    assert_eq!(
        sum(list(&films, "runtimes")),
        total(&app, &known_length).await
    );
    let known_year = merged(&filter, &json!({ "releaseYear": { "min": 0 } }));
    assert_eq!(sum(list(&films, "decades")), total(&app, &known_year).await);
    let bands: Vec<&str> = list(&films, "runtimes")
        .iter()
        .map(|e| e["band"].as_str().unwrap())
        .collect();
    assert!(bands.len() >= 3, "{bands:?}");
    // Films with no certification (most of the sample) are not counted in
    // that facet: a film has one certification at most.
    let us = facets(&app, &json!({ "countries": ["United States"] })).await;
    assert!(sum(list(&us, "certifications")) < us["totalCount"].as_i64().unwrap());
}

on_both_databases!(
    genres_facet_ignores_the_genre_filter_and_follows_the_others,
    decades_facet_ignores_the_release_year_filter_and_follows_the_others,
    countries_facet_ignores_the_country_filter_and_follows_the_others,
    languages_facet_ignores_the_language_filter_and_follows_the_others,
    certifications_facet_ignores_the_certification_filter_and_follows_the_others,
    runtimes_facet_ignores_the_runtime_filter_and_follows_the_others,
    decades_and_runtime_bands_count_every_film_whose_value_is_known
);

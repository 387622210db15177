//! The playground: GraphiQL with the explorer plugin at `/`, its built bundle
//! under `/playground/`, and every example of `playground/*.graphql` in its
//! picker. The bundle is embedded in the binary (built from `playground/ui`
//! with `npm run build`), so the playground needs no network.

use std::sync::OnceLock;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use include_dir::{Dir, include_dir};
use serde::Serialize;

use super::state::AppState;
use crate::cache::etag::Fnv1a;
use crate::db::queries::film as films;
use crate::ids::{NodeKind, encode};

const PAGE: &str = include_str!("../../playground/index.html");
static BUNDLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/playground/ui/dist");

/// The examples in the order of a first tour: read, browse, then sign up and
/// write. `examples!` reads each `playground/<name>.graphql` at compile time.
macro_rules! examples {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../playground/", $name, ".graphql")))),*]
    };
}
pub const EXAMPLES: [(&str, &str); EXAMPLE_COUNT] = examples![
    "film-page",
    "search",
    "films-browse",
    "films-directed-by",
    "people",
    "actor-filmography",
    "genres-and-awards",
    "quote-speaker",
    "box-set-films",
    "film-details",
    "sign-up",
    "rate-film",
    "rating-changes",
    "my-ratings",
    "write-review",
    "mark-seen",
    "add-to-watchlist",
    "my-library",
    "library-changed",
    "create-list",
    "trending",
    "recommendations",
    "my-sessions",
    "create-film",
    "edit-film",
    "film-page-document",
    "set-film-section",
    "film-history",
    "changes-feed",
];

/// How many examples the picker offers (a test compares it with the page).
pub const EXAMPLE_COUNT: usize = 29;

/// The film the examples that take a `$filmId` start with.
const EXAMPLE_FILM_SLUG: &str = "leaving-las-vegas";

#[derive(Serialize)]
struct Example {
    name: &'static str,
    title: String,
    query: &'static str,
    variables: String,
}

pub async fn page(State(state): State<AppState>) -> Html<String> {
    let film_id = example_film_id(&state).await;
    let examples: Vec<Example> = EXAMPLES
        .iter()
        .map(|(name, query)| Example {
            name,
            title: title_of(query).unwrap_or_else(|| name.to_string()),
            query,
            variables: variables_for(query, film_id.as_deref()),
        })
        .collect();
    // JSON inside <script>: escaping `<` keeps `</script>` out of the page.
    let examples = serde_json::to_string(&examples)
        .unwrap_or_else(|_| "[]".to_string())
        .replace('<', "\\u003c");
    Html(PAGE.replace("__EXAMPLES__", &examples))
}

/// A file of the embedded bundle. Names carry no content hash, so clients
/// revalidate (`no-cache`) and get 304 while the ETag (the build) matches.
/// The tag is weak: the compression layer serves the same file as gzip, br
/// or identity, equivalent but not byte-identical (RFC 9110 §8.8.1).
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = BUNDLE.get_file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = bundle_etag();
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::ETAG, etag.clone()),
    ];
    if super::conditional::client_has(&headers, etag.to_str().unwrap_or_default()) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let content_type = HeaderValue::from_static(content_type_of(&file));
    (
        [(header::CONTENT_TYPE, content_type)],
        cache,
        asset.contents(),
    )
        .into_response()
}

/// One ETag for the whole bundle: a hash of every file, computed once.
fn bundle_etag() -> HeaderValue {
    static ETAG: OnceLock<HeaderValue> = OnceLock::new();
    ETAG.get_or_init(|| {
        let mut hash = Fnv1a::default();
        let mut length = 0;
        for file in BUNDLE.files() {
            hash.write(file.path().to_string_lossy().as_bytes());
            hash.write(file.contents());
            length += file.contents().len();
        }
        HeaderValue::from_str(&format!("W/{}", hash.etag(length))).expect("hex is a valid header")
    })
    .clone()
}

fn content_type_of(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("ttf") => "font/ttf",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The names of the examples' operations: the server's own, which the
/// metrics always label by name.
pub fn example_operation_names() -> Vec<String> {
    EXAMPLES
        .iter()
        .filter_map(|(_, query)| async_graphql::parser::parse_query(query).ok())
        .flat_map(|document| match document.operations {
            async_graphql::parser::types::DocumentOperations::Single(_) => Vec::new(),
            async_graphql::parser::types::DocumentOperations::Multiple(named) => {
                named.keys().map(|name| name.to_string()).collect()
            }
        })
        .collect()
}

/// The example's title: its first comment line, up to the first `:`, `(` or `.`.
fn title_of(query: &str) -> Option<String> {
    let first = query.lines().next()?.strip_prefix('#')?.trim();
    let end = first.find([':', '(', '.']).unwrap_or(first.len());
    let title = first[..end].trim();
    (!title.is_empty()).then(|| title.to_string())
}

/// Variables ready to run: examples taking `$filmId` get Leaving Las Vegas.
fn variables_for(query: &str, film_id: Option<&str>) -> String {
    if !query.contains("$filmId") {
        return String::new();
    }
    let id = film_id.unwrap_or("the id of a film from the film page example");
    serde_json::to_string_pretty(&serde_json::json!({ "filmId": id })).unwrap_or_default()
}

/// The global id of the example film, or None before the import has run.
async fn example_film_id(state: &AppState) -> Option<String> {
    if !state.is_ready() {
        return None;
    }
    let row_id = films::id_by_slug(&state.db, EXAMPLE_FILM_SLUG)
        .await
        .ok()
        .flatten();
    row_id.map(|id| encode(NodeKind::Film, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_names_its_operation() {
        let names = example_operation_names();
        assert!(names.contains(&"FilmPage".to_string()), "{names:?}");
        assert!(names.len() >= EXAMPLE_COUNT, "{names:?}");
    }

    #[test]
    fn titles_come_from_the_first_comment_line() {
        assert_eq!(
            title_of("# Rate a film (needs a token).\nmutation").as_deref(),
            Some("Rate a film")
        );
        assert_eq!(
            title_of("# An actor's filmography: every credit").as_deref(),
            Some("An actor's filmography")
        );
        assert_eq!(title_of("query { x }"), None);
    }

    #[test]
    fn every_example_file_is_offered_and_the_bundle_has_its_entry() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playground");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".graphql").map(str::to_string))
            .collect();
        files.sort();
        let mut offered: Vec<String> = EXAMPLES.iter().map(|(n, _)| n.to_string()).collect();
        offered.sort();
        assert_eq!(files, offered, "playground/*.graphql and EXAMPLES differ");
        assert!(BUNDLE.get_file("playground.js").is_some());
        assert!(BUNDLE.get_file("main.css").is_some());
    }
}

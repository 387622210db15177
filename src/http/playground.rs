//! The GraphiQL playground at `/`, opening on the film page example.

use axum::response::Html;

const PAGE: &str = include_str!("../../playground/index.html");
const FILM_PAGE_QUERY: &str = include_str!("../../playground/film-page.graphql");

pub async fn page() -> Html<String> {
    // JSON is valid JavaScript; escaping `<` keeps `</script>` out of the page.
    let query = serde_json::to_string(FILM_PAGE_QUERY)
        .unwrap_or_else(|_| "\"\"".to_string())
        .replace('<', "\\u003c");
    Html(PAGE.replace("__DEFAULT_QUERY__", &query))
}

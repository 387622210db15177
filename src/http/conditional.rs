//! Conditional GET (RFC 9110 §13.1.2): `If-None-Match` against an entity tag.

use axum::http::{HeaderMap, header};

/// Whether `If-None-Match` says the client holds the representation tagged
/// `etag`: `*`, or a list naming it, compared weakly (`W/"x"` matches `"x"`).
/// Several header lines count as one list.
pub fn client_has(headers: &HeaderMap, etag: &str) -> bool {
    let ours = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|list| list.trim() == "*" || entity_tags(list).any(|tag| tag == ours))
}

/// The quoted part of an entity tag, without the weak prefix.
fn opaque(tag: &str) -> &str {
    tag.trim().strip_prefix("W/").unwrap_or(tag.trim())
}

/// The entity tags of a comma-separated list, each as its quoted opaque part
/// (commas inside quotes are part of a tag). Stops at the first malformed entry.
fn entity_tags(list: &str) -> impl Iterator<Item = &str> {
    let mut rest = list;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        let tag = rest.strip_prefix("W/").unwrap_or(rest);
        let inner = tag.strip_prefix('"')?;
        let end = inner.find('"')?;
        let (quoted, after) = tag.split_at(end + 2);
        rest = after;
        Some(quoted)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn asking(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn weak_comparison_lists_and_the_star() {
        let tag = "\"abc-12\"";
        assert!(client_has(&asking(&["\"abc-12\""]), tag));
        assert!(client_has(&asking(&["W/\"abc-12\""]), tag), "weak");
        assert!(client_has(&asking(&["\"x\", W/\"abc-12\""]), tag), "a list");
        assert!(client_has(&asking(&["\"x\"", "\"abc-12\""]), tag), "lines");
        assert!(client_has(&asking(&["*"]), tag));
        assert!(
            client_has(&asking(&["\"a,b\", \"abc-12\""]), tag),
            "comma inside"
        );
        assert!(!client_has(&asking(&["\"abc-1\""]), tag));
        assert!(!client_has(&asking(&["abc-12"]), tag), "unquoted is no tag");
        assert!(!client_has(&asking(&["\"abc-12"]), tag), "unterminated");
        assert!(!client_has(&HeaderMap::new(), tag));
        assert!(
            client_has(&asking(&["\"abc-12\""]), "W/\"abc-12\""),
            "our tag weak"
        );
    }
}

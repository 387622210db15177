//! Cursors: a row's place in one list, opaque to clients (base64url). A
//! cursor names its list (and, for the top-level lists, the ordering), so a
//! cursor of another list is BAD_USER_INPUT, never a page from a wrong place.
//!
//! Two spellings are read and written, both as they always were, so cursors
//! clients hold stay valid: relation pages (`Film.credits`, ...) write
//! `tag:sort:id`; the top-level lists write the JSON `[ordering, value, id]`
//! (their sort values can be text or decimals).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value as Json, json};

use crate::db::queries::keyset::{self, Ordering, SortValue, ValueKind};
use crate::db::queries::pages::{PagedRelation, Position};
use crate::error::{AppError, AppResult};

/// The name of a relation inside its cursors.
fn tag(relation: PagedRelation) -> &'static str {
    match relation {
        PagedRelation::FilmCredits => "fc",
        PagedRelation::PersonCredits => "pc",
        PagedRelation::FilmQuotes => "fq",
        PagedRelation::FilmReviews => "fr",
        PagedRelation::FilmReviewsNewest => "frn",
        PagedRelation::FilmReviewsMostHelpful => "frh",
    }
}

/// The text inside a cursor, or None when it is not base64url of UTF-8.
fn opened(raw: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    String::from_utf8(bytes).ok()
}

/// A row's cursor in a relation's page.
pub fn encode_position(relation: PagedRelation, at: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}:{}", tag(relation), at.sort, at.id))
}

/// The position a relation cursor names; a cursor from another list, or
/// anything that is not a cursor, is BAD_USER_INPUT.
pub fn decode_position(relation: PagedRelation, raw: &str) -> AppResult<Position> {
    let invalid = || AppError::bad_input(format!("{raw:?} is not a cursor of this list"));
    let text = opened(raw).ok_or_else(invalid)?;
    let mut parts = text.split(':');
    let (Some(found), Some(sort), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if found != tag(relation) {
        return Err(invalid());
    }
    Ok(Position {
        sort: sort.parse().map_err(|_| invalid())?,
        id: id.parse().map_err(|_| invalid())?,
    })
}

/// A row's cursor in a top-level list under `ordering`.
pub fn encode_list_position(ordering: &Ordering, at: &keyset::Position) -> String {
    let value = match &at.value {
        SortValue::Null => Json::Null,
        SortValue::Int(v) => json!(v),
        SortValue::Float(v) => json!(v),
        SortValue::Text(v) => json!(v),
    };
    URL_SAFE_NO_PAD.encode(json!([ordering.tag, value, at.id]).to_string())
}

/// The position a list cursor names under `ordering`; a cursor of another
/// list or ordering is BAD_USER_INPUT.
pub fn decode_list_position(ordering: &Ordering, raw: &str) -> AppResult<keyset::Position> {
    let invalid =
        || AppError::bad_input(format!("{raw:?} is not a cursor of this list and ordering"));
    let text = opened(raw).ok_or_else(invalid)?;
    let parsed: Json = serde_json::from_str(&text).map_err(|_| invalid())?;
    let [tag, value, id] = parsed.as_array().map(Vec::as_slice).unwrap_or_default() else {
        return Err(invalid());
    };
    if tag.as_str() != Some(ordering.tag.as_str()) {
        return Err(invalid());
    }
    let value = match (value, ordering.kind) {
        (Json::Null, _) => SortValue::Null,
        (Json::Number(n), ValueKind::Int) => SortValue::Int(n.as_i64().ok_or_else(invalid)?),
        (Json::Number(n), ValueKind::Float) => SortValue::Float(n.as_f64().ok_or_else(invalid)?),
        (Json::String(s), ValueKind::Text) => SortValue::Text(s.clone()),
        _ => return Err(invalid()),
    };
    Ok(keyset::Position {
        value,
        id: id
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .ok_or_else(invalid)?,
    })
}

/// An edge's cursor in a relation's page, encoded only when a client selects
/// it (most queries never do: encoding every edge's cursor was 3% of the deep
/// query's server instructions).
pub struct EdgeCursor {
    pub relation: PagedRelation,
    pub at: Position,
}

impl async_graphql::connection::CursorType for EdgeCursor {
    type Error = AppError;

    fn decode_cursor(raw: &str) -> AppResult<Self> {
        let found = opened(raw).and_then(|text| text.split(':').next().map(str::to_string));
        let relation = PagedRelation::ALL
            .into_iter()
            .find(|relation| found.as_deref() == Some(tag(*relation)))
            .ok_or_else(|| AppError::bad_input(format!("{raw:?} is not a cursor")))?;
        Ok(Self {
            relation,
            at: decode_position(relation, raw)?,
        })
    }

    fn encode_cursor(&self) -> String {
        encode_position(self.relation, self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::connection::CursorType;

    #[test]
    fn edge_cursors_decode_to_what_they_encode() {
        let at = Position { sort: -7, id: 42 };
        for relation in PagedRelation::ALL {
            let encoded = EdgeCursor { relation, at }.encode_cursor();
            let decoded = EdgeCursor::decode_cursor(&encoded).unwrap();
            assert_eq!((decoded.relation, decoded.at), (relation, at));
        }
        for not_a_cursor in ["", "!!", &URL_SAFE_NO_PAD.encode("xx:1:2")] {
            assert!(
                EdgeCursor::decode_cursor(not_a_cursor).is_err(),
                "{not_a_cursor}"
            );
        }
    }

    #[test]
    fn list_cursors_belong_to_their_ordering() {
        let ordering = |tag: &str, kind| Ordering {
            tag: tag.to_string(),
            column: "f.x".to_string(),
            kind,
            descending: false,
            nullable: true,
        };
        let by_title = ordering("films:Title", ValueKind::Text);
        for value in [SortValue::Null, SortValue::Text("leaving las vegas".into())] {
            let at = keyset::Position { value, id: 60 };
            let raw = encode_list_position(&by_title, &at);
            assert_eq!(decode_list_position(&by_title, &raw).unwrap(), at);
            assert!(
                decode_list_position(&ordering("films:Runtime", ValueKind::Int), &raw).is_err()
            );
        }
        assert!(decode_list_position(&by_title, "garbage").is_err());
        let relation = encode_position(PagedRelation::FilmCredits, Position { sort: 1, id: 2 });
        assert!(decode_list_position(&by_title, &relation).is_err());
    }
}

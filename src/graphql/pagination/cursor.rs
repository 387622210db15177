//! Cursors: a row's place in one list, opaque to clients and signed, so a
//! client can neither forge one nor carry one to another list. Each cursor
//! is `base64url(place).base64url(mac)`, the MAC an HMAC-SHA256 (cut to 128
//! bits) of the place and of what the cursor is bound to: the list (a
//! relation, or a top-level list and its ordering) and its parent (the film
//! whose credits these are, the user whose ratings). A cursor presented
//! anywhere else, or altered, is BAD_USER_INPUT saying so.
//!
//! Keys: the first of [`CursorKeys`] signs, every one verifies, so a key is
//! rotated by putting the new one first and dropping the old one later.

use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::db::queries::keyset::{self, Ordering, SortValue, ValueKind};
use crate::db::queries::pages::{PagedRelation, Position};
use crate::error::{AppError, AppResult};

/// Bytes of the MAC a cursor carries.
const MAC_BYTES: usize = 16;

/// The keys cursors are signed and checked with; installed once the server
/// knows them (configured, or kept in the database: see `server::prepare`).
#[derive(Clone, Default)]
pub struct CursorKeys(Arc<OnceLock<Vec<[u8; 32]>>>);

impl CursorKeys {
    /// Installs the keys made from `secrets` (each hashed to 32 bytes, so a
    /// secret of any length serves); the first signs. Later calls change
    /// nothing.
    pub fn install(&self, secrets: &[impl AsRef<[u8]>]) {
        let keys = secrets
            .iter()
            .map(|secret| Sha256::digest(secret.as_ref()).into())
            .collect();
        let _ = self.0.set(keys);
    }

    /// Whether keys are installed.
    pub fn installed(&self) -> bool {
        self.0.get().is_some_and(|keys| !keys.is_empty())
    }

    fn mac(key: &[u8; 32], binding: &str, place: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(binding.as_bytes());
        mac.update(b"\n");
        mac.update(place.as_bytes());
        mac
    }

    /// A cursor for `place` in the list `binding` names. Requests are served
    /// only once the keys are installed (before that they are
    /// SERVICE_UNAVAILABLE), so the first key is always there.
    fn seal(&self, binding: &str, place: &str) -> String {
        let key = self
            .0
            .get()
            .and_then(|keys| keys.first())
            .copied()
            .unwrap_or_default();
        let tag = Self::mac(&key, binding, place).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(place),
            URL_SAFE_NO_PAD.encode(&tag[..MAC_BYTES])
        )
    }

    /// The place inside a cursor of the list `binding` names, checked in
    /// constant time against every key.
    fn open(&self, binding: &str, raw: &str) -> AppResult<String> {
        let not_a_cursor = || AppError::bad_input(format!("{raw:?} is not a cursor"));
        let (place, tag) = raw.split_once('.').ok_or_else(not_a_cursor)?;
        let place = URL_SAFE_NO_PAD
            .decode(place)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(not_a_cursor)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| not_a_cursor())?;
        let keys = self.0.get().map_or(&[][..], Vec::as_slice);
        let genuine = keys.iter().any(|key| {
            Self::mac(key, binding, &place)
                .verify_truncated_left(&tag)
                .is_ok()
        });
        if tag.len() != MAC_BYTES || !genuine {
            return Err(AppError::bad_input(format!(
                "{raw:?} is not a cursor of this list: it belongs to another list, parent or \
                 ordering, or it was altered"
            )));
        }
        Ok(place)
    }
}

/// The name of a relation inside its cursors' binding.
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

fn relation_binding(relation: PagedRelation, parent: i32) -> String {
    format!("{}/{parent}", tag(relation))
}

/// A row's cursor in `parent`'s page of a relation.
pub fn encode_position(
    keys: &CursorKeys,
    relation: PagedRelation,
    parent: i32,
    at: Position,
) -> String {
    keys.seal(
        &relation_binding(relation, parent),
        &format!("{}:{}", at.sort, at.id),
    )
}

/// The position a cursor of `parent`'s page of a relation names; a cursor
/// of anything else is BAD_USER_INPUT.
pub fn decode_position(
    keys: &CursorKeys,
    relation: PagedRelation,
    parent: i32,
    raw: &str,
) -> AppResult<Position> {
    let place = keys.open(&relation_binding(relation, parent), raw)?;
    let invalid = || AppError::bad_input(format!("{raw:?} is not a cursor"));
    let (sort, id) = place.split_once(':').ok_or_else(invalid)?;
    Ok(Position {
        sort: sort.parse().map_err(|_| invalid())?,
        id: id.parse().map_err(|_| invalid())?,
    })
}

/// What a top-level list's cursor is bound to: the list and ordering (the
/// ordering's tag names both) and, for a list of someone's, whose.
fn list_binding(ordering: &Ordering, owner: Option<i32>) -> String {
    match owner {
        Some(owner) => format!("{}/{owner}", ordering.tag),
        None => ordering.tag.clone(),
    }
}

/// A row's cursor in the top-level list `binding` names.
fn seal_list_position(keys: &CursorKeys, binding: &str, at: &keyset::Position) -> String {
    let value = match &at.value {
        SortValue::Null => Json::Null,
        SortValue::Int(v) => json!(v),
        SortValue::Float(v) => json!(v),
        SortValue::Text(v) => json!(v),
    };
    keys.seal(binding, &json!([value, at.id]).to_string())
}

/// The position a list cursor names under `ordering`; a cursor of another
/// list, owner or ordering is BAD_USER_INPUT.
pub fn decode_list_position(
    keys: &CursorKeys,
    ordering: &Ordering,
    owner: Option<i32>,
    raw: &str,
) -> AppResult<keyset::Position> {
    let place = keys.open(&list_binding(ordering, owner), raw)?;
    let invalid = || AppError::bad_input(format!("{raw:?} is not a cursor"));
    let parsed: Json = serde_json::from_str(&place).map_err(|_| invalid())?;
    let [value, id] = parsed.as_array().map(Vec::as_slice).unwrap_or_default() else {
        return Err(invalid());
    };
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

/// A cursor for the `offset`-th item (0-based) of a ranked list that is
/// not kept in the database, such as a search's hits; `binding` names the
/// list (the search's words and kinds), so the cursor serves no other.
pub fn encode_offset(keys: &CursorKeys, binding: &str, offset: usize) -> String {
    keys.seal(binding, &offset.to_string())
}

/// The offset a cursor of the ranked list `binding` names; a cursor of any
/// other list is BAD_USER_INPUT.
pub fn decode_offset(keys: &CursorKeys, binding: &str, raw: &str) -> AppResult<usize> {
    let place = keys.open(binding, raw)?;
    place
        .parse()
        .map_err(|_| AppError::bad_input(format!("{raw:?} is not a cursor")))
}

/// The refusal of async-graphql's own cursor decoding: a cursor is read only
/// by the list that knows what it must be bound to.
fn read_only_by_its_list(raw: &str) -> AppError {
    AppError::bad_input(format!(
        "{raw:?} can only be read by the list it belongs to"
    ))
}

/// An edge's cursor in a top-level list, signed only when a client selects
/// it (B7's twenty films spent 13% of the server's instructions signing
/// cursors nobody asked for). The binding is shared by a page's edges.
pub struct ListCursor {
    keys: CursorKeys,
    binding: Arc<str>,
    at: keyset::Position,
}

impl ListCursor {
    /// The cursors of one page of a list under `ordering` (`owner`: the
    /// user whose list it is, if it is someone's): one per position.
    pub fn for_page(
        keys: &CursorKeys,
        ordering: &Ordering,
        owner: Option<i32>,
    ) -> impl FnMut(keyset::Position) -> ListCursor {
        let keys = keys.clone();
        let binding: Arc<str> = list_binding(ordering, owner).into();
        move |at| ListCursor {
            keys: keys.clone(),
            binding: binding.clone(),
            at,
        }
    }
}

impl async_graphql::connection::CursorType for ListCursor {
    type Error = AppError;

    /// Never called: a list's cursor is read by [`decode_list_position`],
    /// which knows the ordering and owner it must be bound to.
    fn decode_cursor(raw: &str) -> AppResult<Self> {
        Err(read_only_by_its_list(raw))
    }

    fn encode_cursor(&self) -> String {
        seal_list_position(&self.keys, &self.binding, &self.at)
    }
}

/// An edge's cursor in a relation's page, signed only when a client selects
/// it (most queries never do: encoding every edge's cursor was 3% of the deep
/// query's server instructions).
pub struct EdgeCursor {
    pub keys: CursorKeys,
    pub relation: PagedRelation,
    pub parent: i32,
    pub at: Position,
}

impl async_graphql::connection::CursorType for EdgeCursor {
    type Error = AppError;

    /// Never called: async-graphql decodes cursors only in its `query`
    /// helper, which the lists do not use; a relation's cursor is read by
    /// [`decode_position`], which knows the parent it must be bound to.
    fn decode_cursor(raw: &str) -> AppResult<Self> {
        Err(read_only_by_its_list(raw))
    }

    fn encode_cursor(&self) -> String {
        encode_position(&self.keys, self.relation, self.parent, self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secrets: &[&str]) -> CursorKeys {
        let keys = CursorKeys::default();
        keys.install(secrets);
        keys
    }

    /// A row's cursor as a page of the list under `ordering` signs it.
    fn encode_list_position(
        keys: &CursorKeys,
        ordering: &Ordering,
        owner: Option<i32>,
        at: &keyset::Position,
    ) -> String {
        use async_graphql::connection::CursorType;
        ListCursor::for_page(keys, ordering, owner)(at.clone()).encode_cursor()
    }

    #[test]
    fn float_positions_come_back_to_the_bit() {
        let keys = keys(&["k1"]);
        let ordering = Ordering {
            tag: "trending:week_score".into(),
            column: "e.score".into(),
            kind: ValueKind::Float,
            descending: true,
            nullable: false,
        };
        // Scores like trending's (large, every digit significant), and odd bits.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let value = if i % 2 == 0 {
                100.0 + (seed >> 11) as f64 / (1u64 << 53) as f64 * 1e4
            } else {
                f64::from_bits(seed >> 2)
            };
            let at = keyset::Position {
                value: SortValue::Float(value),
                id: 7,
            };
            let cursor = encode_list_position(&keys, &ordering, None, &at);
            let back = decode_list_position(&keys, &ordering, None, &cursor).unwrap();
            assert_eq!(back, at, "{value:e}");
        }
    }

    #[test]
    fn relation_cursors_are_bound_to_their_list_and_parent() {
        let keys = keys(&["k1"]);
        let at = Position { sort: -7, id: 42 };
        for relation in PagedRelation::ALL {
            let raw = encode_position(&keys, relation, 9, at);
            assert_eq!(decode_position(&keys, relation, 9, &raw).unwrap(), at);
            assert!(
                decode_position(&keys, relation, 10, &raw).is_err(),
                "another parent"
            );
        }
        let credits = encode_position(&keys, PagedRelation::FilmCredits, 9, at);
        assert!(decode_position(&keys, PagedRelation::FilmQuotes, 9, &credits).is_err());
        let offset = encode_offset(&keys, "search/FILM/nicolas cage", 20);
        assert_eq!(
            decode_offset(&keys, "search/FILM/nicolas cage", &offset).unwrap(),
            20
        );
        assert!(
            decode_offset(&keys, "search//nicolas cage", &offset).is_err(),
            "other kinds"
        );
        assert!(
            decode_offset(&keys, "search/FILM/nicolas", &offset).is_err(),
            "other words"
        );
        for not_a_cursor in ["", "!!", "eGF4", "eGF4.eGF4"] {
            assert!(
                decode_position(&keys, PagedRelation::FilmCredits, 9, not_a_cursor).is_err(),
                "{not_a_cursor}"
            );
        }
    }

    #[test]
    fn a_forged_or_altered_cursor_is_refused_and_old_keys_still_verify() {
        let old = keys(&["old"]);
        let at = Position { sort: 1, id: 2 };
        let raw = encode_position(&old, PagedRelation::FilmCredits, 9, at);
        let (place, tag) = raw.split_once('.').unwrap();
        let forged_place = URL_SAFE_NO_PAD.encode("1:3");
        let forged = format!("{forged_place}.{tag}");
        let error = decode_position(&old, PagedRelation::FilmCredits, 9, &forged).unwrap_err();
        assert!(error.to_string().contains("altered"), "{error}");
        assert!(decode_position(&keys(&["other"]), PagedRelation::FilmCredits, 9, &raw).is_err());
        let rotated = keys(&["new", "old"]);
        assert_eq!(
            decode_position(&rotated, PagedRelation::FilmCredits, 9, &raw).unwrap(),
            at,
            "a cursor signed with the old key still reads"
        );
        let resigned = encode_position(&rotated, PagedRelation::FilmCredits, 9, at);

        assert_ne!(
            resigned.split_once('.').unwrap().1,
            tag,
            "the new key signs"
        );
        assert_eq!(place, resigned.split_once('.').unwrap().0);
    }

    #[test]
    fn list_cursors_belong_to_their_ordering_and_owner() {
        let keys = keys(&["k"]);
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
            let raw = encode_list_position(&keys, &by_title, None, &at);
            assert_eq!(
                decode_list_position(&keys, &by_title, None, &raw).unwrap(),
                at
            );
            let by_runtime = ordering("films:Runtime", ValueKind::Int);
            assert!(decode_list_position(&keys, &by_runtime, None, &raw).is_err());
            assert!(decode_list_position(&keys, &by_title, Some(1), &raw).is_err());
        }
        let mine = encode_list_position(
            &keys,
            &by_title,
            Some(1),
            &keyset::Position {
                value: SortValue::Int(5),
                id: 5,
            },
        );
        assert!(
            decode_list_position(&keys, &by_title, Some(2), &mine).is_err(),
            "another user's"
        );
    }
}

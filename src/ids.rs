//! Opaque global ids: base64url of `Type:rowid`. Clients treat them as strings;
//! `node(id)` decodes them back to a type and a row. Error messages name rows
//! by them too, so every layer can encode one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{AppError, AppResult};

/// Every type that implements `Node`, as it appears inside a global id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Film,
    Person,
    Character,
    Quote,
    Review,
    Award,
    Nomination,
    Product,
    Genre,
    User,
    List,
    Session,
    Revision,
    Webhook,
    Collection,
}

impl NodeKind {
    const ALL: [NodeKind; 15] = [
        NodeKind::Film,
        NodeKind::Person,
        NodeKind::Character,
        NodeKind::Quote,
        NodeKind::Review,
        NodeKind::Award,
        NodeKind::Nomination,
        NodeKind::Product,
        NodeKind::Genre,
        NodeKind::User,
        NodeKind::List,
        NodeKind::Session,
        NodeKind::Revision,
        NodeKind::Webhook,
        NodeKind::Collection,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Film => "Film",
            NodeKind::Person => "Person",
            NodeKind::Character => "Character",
            NodeKind::Quote => "Quote",
            NodeKind::Review => "Review",
            NodeKind::Award => "Award",
            NodeKind::Nomination => "Nomination",
            NodeKind::Product => "Product",
            NodeKind::Genre => "Genre",
            NodeKind::User => "User",
            NodeKind::List => "List",
            NodeKind::Session => "Session",
            NodeKind::Revision => "Revision",
            NodeKind::Webhook => "Webhook",
            NodeKind::Collection => "Collection",
        }
    }
}

pub fn encode(kind: NodeKind, row_id: i32) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{row_id}", kind.name()))
}

/// Decodes any global id; a malformed one is BAD_USER_INPUT.
pub fn decode(id: &str) -> AppResult<(NodeKind, i32)> {
    let invalid = || AppError::bad_input(format!("{id:?} is not a valid id"));
    let raw = URL_SAFE_NO_PAD.decode(id).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let (kind, row) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .ok_or_else(invalid)?;
    let row = row
        .parse::<i32>()
        .ok()
        .filter(|r| *r > 0)
        .ok_or_else(invalid)?;
    Ok((kind, row))
}

/// Decodes an id that must be of one type (a film id passed where a film is expected).
pub fn decode_as(kind: NodeKind, id: &str) -> AppResult<i32> {
    match decode(id)? {
        (found, row) if found == kind => Ok(row),
        (found, _) => Err(AppError::bad_input(format!(
            "{id:?} is the id of a {}, not of a {}",
            found.name(),
            kind.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let id = encode(NodeKind::Quote, 42);
        assert_eq!(decode(&id).unwrap(), (NodeKind::Quote, 42));
        assert!(decode("not-base64!").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("Spaceship:1")).is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("Film:-3")).is_err());
        assert!(decode_as(NodeKind::Person, &id).is_err());
    }
}

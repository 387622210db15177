//! A film's history (issue 23): every change to a film, an editor's or an
//! import's, is written as a revision in the change's own transaction. A
//! revision keeps the film's page as the change left it (its document, as
//! `filmPageDocument` reads it) and what the change changed, field by field:
//! the difference between the page read just before the change and just
//! after it. `revertFilm` writes an earlier revision's page back.
//!
//! A film a document cannot name (it, or a film its page mentions, has no
//! IMDb id) is kept as its own facts alone, under `film`; its changes are
//! then those of its facts.

use serde::Serialize;
use serde_json::{Map, Value};

use super::film_page::FilmFacts;
use super::film_page::export::{facts_of, page_of};
use crate::db::queries::page_export::{self, PageRows};
use crate::db::queries::revisions;
use crate::db::{DbErr, Transaction};
use crate::domain::account::Viewer;
use crate::error::{AppError, AppResult};
use crate::kinds::RevisionKind;

/// The author an import's revisions name.
pub const IMPORTER: &str = "importer";

/// Who made a change, and why.
#[derive(Debug, Clone)]
pub struct Author {
    /// The editor's account; `None` for an import.
    pub user_id: Option<i32>,
    /// The editor's username, or [`IMPORTER`].
    pub name: String,
    /// The imported file's name.
    pub source: Option<String>,
    pub comment: Option<String>,
}

impl Author {
    /// An import of the file at `path` (a revision names the file, not
    /// where the server keeps it).
    pub fn importer(path: &str) -> Self {
        let name = std::path::Path::new(path)
            .file_name()
            .map_or(path.to_string(), |name| name.to_string_lossy().into_owned());
        Author {
            user_id: None,
            name: IMPORTER.to_string(),
            source: Some(name),
            comment: None,
        }
    }

    /// The signed-in editor, with their comment ([`checked_comment`]).
    pub async fn editor(
        txn: &Transaction,
        viewer: &Viewer,
        comment: Option<String>,
    ) -> Result<Self, DbErr> {
        let name = revisions::username(txn, viewer.user_id)
            .await?
            .unwrap_or_else(|| format!("user {}", viewer.user_id));
        Ok(Author {
            user_id: Some(viewer.user_id),
            name,
            source: None,
            comment,
        })
    }

    /// The row of a revision this author made: the film at `version`, as
    /// `after`, with what the change changed.
    pub fn revision(
        &self,
        film_id: i32,
        version: i32,
        kind: RevisionKind,
        after: &FilmState,
        changes: &[FieldChange],
    ) -> Result<revisions::NewRevision, DbErr> {
        Ok(revisions::NewRevision {
            film_id,
            version,
            kind: kind.as_str(),
            author_id: self.user_id,
            author_name: self.name.clone(),
            source: self.source.clone(),
            comment: self.comment.clone(),
            state: after.value().to_string(),
            changes: serde_json::to_string(changes)
                .map_err(|err| DbErr::Custom(format!("a revision's changes as JSON: {err}")))?,
        })
    }
}

/// The most characters an editor's comment may have.
pub const LONGEST_COMMENT: usize = 1000;

/// An editor's comment, trimmed (blank is none); BAD_USER_INPUT past
/// [`LONGEST_COMMENT`] characters.
pub fn checked_comment(comment: Option<String>) -> AppResult<Option<String>> {
    let Some(comment) = comment.map(|c| c.trim().to_string()) else {
        return Ok(None);
    };
    if comment.chars().count() > LONGEST_COMMENT {
        return Err(AppError::Invalid {
            path: "comment".into(),
            message: format!("a comment has at most {LONGEST_COMMENT} characters"),
        });
    }
    Ok(Some(comment).filter(|c| !c.is_empty()))
}

/// A film as a revision keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum FilmState {
    /// Its whole page document.
    Page(Value),
    /// `{"film": facts}`: its own facts alone (no document can name it).
    Facts(Value),
}

impl FilmState {
    /// As stored: the JSON value.
    pub fn value(&self) -> &Value {
        match self {
            FilmState::Page(value) | FilmState::Facts(value) => value,
        }
    }

    /// A stored state: a document carries its `format`; facts alone do not.
    pub fn from_value(value: Value) -> Self {
        if value.get("format").is_some() {
            FilmState::Page(value)
        } else {
            FilmState::Facts(value)
        }
    }

    /// The film's own facts.
    pub fn facts(&self) -> Result<FilmFacts, serde_json::Error> {
        serde_json::from_value(self.value().get("film").cloned().unwrap_or(Value::Null))
    }
}

/// The film as it is in `txn` now; `None` when there is no such film.
pub async fn state_of(txn: &Transaction, film_id: i32) -> Result<Option<FilmState>, DbErr> {
    match page_export::page_rows(txn, film_id).await? {
        Some(rows) => Ok(Some(state_of_rows(rows)?)),
        None => Ok(None),
    }
}

/// A film as its page's rows have it.
pub fn state_of_rows(rows: PageRows) -> Result<FilmState, DbErr> {
    let facts = facts_of(&rows.film, rows.lists.clone());
    Ok(match page_of(rows) {
        Ok(page) => FilmState::Page(to_json(&page)?),
        Err(_) => FilmState::Facts(serde_json::json!({ "film": to_json(&facts)? })),
    })
}

fn to_json(value: &impl Serialize) -> Result<Value, DbErr> {
    serde_json::to_value(value).map_err(|err| DbErr::Custom(format!("a film as JSON: {err}")))
}

/// Writes the revision of a change that left the film at `version`, from
/// `before` (the film read just before the change; `None` for a new film).
pub async fn record(
    txn: &Transaction,
    film_id: i32,
    version: i32,
    kind: RevisionKind,
    author: &Author,
    before: Option<FilmState>,
) -> Result<(), DbErr> {
    let after = state_of(txn, film_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("film {film_id} after its change")))?;
    let changes = changes_between(before.as_ref(), &after);
    let revision = author.revision(film_id, version, kind, &after, &changes)?;
    revisions::insert(txn, revision).await?;
    Ok(())
}

/// One field a change changed: where in the document, and its value before
/// and after (null: absent).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// Such as `film.title` or `quotes[2].text`.
    pub path: String,
    pub before: Value,
    pub after: Value,
}

/// The fields that differ between two states of a film, ordered by path
/// (an object's members by name, a list's items by place). Objects are
/// compared member by member and lists item by item, so each change is the
/// smallest part of the document that differs; a member that is missing is
/// null, and no different from an empty list or object. When either state
/// is facts alone, only the facts are compared.
pub fn changes_between(before: Option<&FilmState>, after: &FilmState) -> Vec<FieldChange> {
    let empty = Value::Object(Map::new());
    let facts_only =
        matches!(after, FilmState::Facts(_)) || matches!(before, Some(FilmState::Facts(_)));
    let pick = |value: &Value| -> Value {
        if facts_only {
            serde_json::json!({ "film": value.get("film").cloned().unwrap_or(Value::Null) })
        } else {
            value.clone()
        }
    };
    let before = before.map_or(empty, |state| pick(state.value()));
    let after = pick(after.value());
    let mut changes = Vec::new();
    compare("", &before, &after, &mut changes);
    changes
}

fn compare(path: &str, before: &Value, after: &Value, changes: &mut Vec<FieldChange>) {
    // An empty list or object states nothing more than a missing member.
    if before == after || (is_empty(before) && is_empty(after)) {
        return;
    }
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let none = Value::Null;
                compare(
                    &inner,
                    a.get(key).unwrap_or(&none),
                    b.get(key).unwrap_or(&none),
                    changes,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let none = Value::Null;
                compare(
                    &format!("{path}[{i}]"),
                    a.get(i).unwrap_or(&none),
                    b.get(i).unwrap_or(&none),
                    changes,
                );
            }
        }
        _ => changes.push(FieldChange {
            path: path.to_string(),
            before: before.clone(),
            after: after.clone(),
        }),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn page(value: Value) -> FilmState {
        FilmState::Page(value)
    }

    fn paths(changes: &[FieldChange]) -> Vec<&str> {
        changes.iter().map(|c| c.path.as_str()).collect()
    }

    #[test]
    fn each_change_is_the_smallest_part_that_differs() {
        let before = page(json!({
            "format": "f", "film": {"title": "A", "tagline": "t", "genres": ["Drama"]},
            "quotes": [{"text": "x"}, {"text": "y"}]
        }));
        let after = page(json!({
            "format": "f", "film": {"title": "B", "genres": ["Drama", "Romance"], "runtimeMinutes": 90},
            "quotes": [{"text": "x"}]
        }));
        let changes = changes_between(Some(&before), &after);
        // Members by name, items by place.
        assert_eq!(
            paths(&changes),
            [
                "film.genres[1]",
                "film.runtimeMinutes",
                "film.tagline",
                "film.title",
                "quotes[1]"
            ]
        );
        assert_eq!(changes[3].before, json!("A"));
        assert_eq!(changes[3].after, json!("B"));
        assert_eq!(changes[2].after, Value::Null);
        assert_eq!(changes[4].before, json!({"text": "y"}));
        assert!(changes_between(Some(&after), &after).is_empty());
    }

    #[test]
    fn a_new_film_changes_each_part_of_its_page() {
        let after = page(json!({"format": "f", "film": {"title": "A"}, "trivia": [1], "faq": []}));
        let changes = changes_between(None, &after);
        // An empty section states nothing: it is no change.
        assert_eq!(paths(&changes), ["film", "format", "trivia"]);
        assert_eq!(changes[0].before, Value::Null);
    }

    #[test]
    fn facts_alone_are_compared_as_facts() {
        let before = page(json!({"format": "f", "film": {"title": "A"}, "quotes": [1]}));
        let after = FilmState::from_value(json!({"film": {"title": "B"}}));
        assert!(matches!(after, FilmState::Facts(_)));
        assert_eq!(
            paths(&changes_between(Some(&before), &after)),
            ["film.title"]
        );
    }
}

//! The revisions of a bulk import (the catalogue, a collections file), which
//! touches thousands of films in one transaction: each film's state is read
//! for hundreds of films at once ([`page_export::pages_rows`]), before the
//! import writes and after, and a revision is written, all of them in bulk,
//! for each film whose page the import changed (for a new film, from
//! nothing). An existing film the import changed has its version raised by
//! one, as every change raises it; one it left as it was keeps its version
//! and gets no revision.

use std::collections::HashMap;

use chrono::Utc;

use super::revisions::{Author, FilmState, changes_between, state_of_rows};
use crate::db::queries::editing;
use crate::db::queries::page_export::{self, PAGES_PER_READ};
use crate::db::queries::revisions;
use crate::db::{DbErr, Transaction};
use crate::kinds::RevisionKind;

/// The films an import is about to change, as they were before it.
pub struct BulkHistory {
    author: Author,
    /// Each existing film's state as stored (JSON text), by film id.
    before: HashMap<i32, String>,
}

impl BulkHistory {
    /// Reads the state of the existing films among `film_ids` (the import
    /// has not written yet).
    pub async fn before(
        txn: &Transaction,
        author: Author,
        film_ids: &[i32],
    ) -> Result<Self, DbErr> {
        let mut before = HashMap::with_capacity(film_ids.len());
        for chunk in film_ids.chunks(PAGES_PER_READ) {
            for rows in page_export::pages_rows(txn, chunk).await? {
                let film_id = rows.film.id;
                before.insert(film_id, state_of_rows(rows)?.value().to_string());
            }
        }
        Ok(BulkHistory { author, before })
    }

    /// Writes a revision of each of `film_ids` (the films the import wrote)
    /// that the import changed, and raises the versions of the existing
    /// ones; the films it changed.
    pub async fn record(self, txn: &Transaction, film_ids: &[i32]) -> Result<Vec<i32>, DbErr> {
        let mut revisions = Vec::new();
        let (mut changed, mut raised) = (Vec::new(), Vec::new());
        for chunk in film_ids.chunks(PAGES_PER_READ) {
            for rows in page_export::pages_rows(txn, chunk).await? {
                let (film_id, version) = (rows.film.id, rows.film.version);
                let after = state_of_rows(rows)?;
                // Most films are as they were: compared as stored, unparsed.
                let text = after.value().to_string();
                let before = match self.before.get(&film_id) {
                    Some(before) if *before == text => continue,
                    Some(before) => Some(parse_state(before)?),
                    None => None,
                };
                let changes = changes_between(before.as_ref(), &after);
                if changes.is_empty() {
                    continue;
                }
                changed.push(film_id);
                // An existing film's version is raised with its revision.
                let version = if before.is_some() {
                    raised.push(film_id);
                    version + 1
                } else {
                    version
                };
                let kind = RevisionKind::Imported;
                revisions.push(
                    self.author
                        .revision(film_id, version, kind, &after, &changes)?,
                );
            }
        }
        editing::raise_versions(txn, &raised).await?;
        revisions::insert_all(txn, revisions, Utc::now()).await?;
        Ok(changed)
    }
}

fn parse_state(text: &str) -> Result<FilmState, DbErr> {
    serde_json::from_str(text)
        .map(FilmState::from_value)
        .map_err(|err| DbErr::Custom(format!("a film's state before the import: {err}")))
}

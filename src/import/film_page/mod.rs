//! Film page documents: parsing and checking one (`document`, `validate`),
//! then writing it in one transaction, a section at a time: the film and its
//! genres (`film`), people, characters and credits (`people`), the page's own
//! lists (`sections`), and what pages share with other films (`links`:
//! awards, similar films, products).

mod document;
mod film;
mod links;
mod people;
mod sections;
mod validate;

use std::fmt;

use sha2::{Digest, Sha256};

pub use document::FilmPage;
pub(crate) use validate::is_imdb_id;

use super::{ImportError, MAX_DOCUMENT_BYTES, json, too_big};
use crate::db::queries::{content_version, film_page as statements, summaries};
use crate::db::{Db, DbErr, Transaction};
use crate::domain::events::Events;

/// What an import did to its film.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// The same document was imported before: nothing was written.
    Unchanged,
    /// A catalogue file with this many films was imported.
    Catalogue(usize),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Created => f.write_str("created"),
            Outcome::Updated => f.write_str("updated"),
            Outcome::Unchanged => f.write_str("unchanged"),
            Outcome::Catalogue(films) => write!(f, "catalogue of {films} films imported"),
        }
    }
}

/// Turns a document's bytes into a checked film page without touching a
/// database: size, UTF-8, strict JSON, shape, then every rule of `validate`.
/// Only rules that need the database (a slug taken by another film) are left.
pub fn parse_document(source: &str, bytes: &[u8]) -> Result<FilmPage, ImportError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ImportError::whole(
            source,
            too_big(bytes.len(), MAX_DOCUMENT_BYTES),
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ImportError::whole(source, json::utf8_error(bytes, e)))?;
    validate::parse(source, text)
}

/// Parses, validates and imports one document given as bytes.
pub async fn import_bytes(
    db: &Db,
    events: &Events,
    source: &str,
    bytes: &[u8],
) -> Result<Outcome, ImportError> {
    let page = parse_document(source, bytes)?;
    write(db, events, source, &page, bytes).await
}

/// Writes a checked page in one transaction: all of it, or (refused) nothing.
async fn write(
    db: &Db,
    events: &Events,
    source: &str,
    page: &FilmPage,
    bytes: &[u8],
) -> Result<Outcome, ImportError> {
    let hash = hex::encode(Sha256::digest(bytes));
    let fail = |err: DbErr| {
        tracing::error!(file = source, error = %err, "import failed; rolled back");
        ImportError {
            source: source.to_string(),
            path: String::new(),
            message: format!("the database refused the document ({err}); nothing was written"),
        }
    };
    let txn = db.begin().await.map_err(fail)?;
    // Another film holding the document's slug: the write would fail on the
    // unique slug without saying which film is in the way. Dropping the
    // transaction on this early return rolls it back.
    let owner = statements::film_by_slug(&txn, &page.film.slug)
        .await
        .map_err(fail)?
        .filter(|f| f.imdb_id.as_deref() != Some(page.film.imdb_id.as_str()));
    if let Some(other) = owner {
        return Err(ImportError {
            source: source.to_string(),
            path: "film.slug".to_string(),
            message: format!(
                "{:?} is already the slug of another film ({:?}, IMDb id {})",
                page.film.slug,
                other.title,
                other.imdb_id.as_deref().unwrap_or("none")
            ),
        });
    }
    let outcome = write_in(&txn, page, &hash).await.map_err(fail)?;
    txn.commit().await.map_err(fail)?;
    if outcome != Outcome::Unchanged {
        events.content_imported();
    }
    Ok(outcome)
}

async fn write_in(txn: &Transaction, page: &FilmPage, hash: &str) -> Result<Outcome, DbErr> {
    let existing = statements::film_by_imdb_id(txn, &page.film.imdb_id).await?;
    if existing
        .as_ref()
        .is_some_and(|f| f.document_hash.as_deref() == Some(hash))
    {
        return Ok(Outcome::Unchanged);
    }
    let outcome = if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    };
    content_version::bump(txn).await?;
    let film = film::write(txn, &page.film, existing, hash).await?;
    statements::clear_sections(txn, film.id).await?;
    film::write_lists(txn, film.id, &page.film).await?;
    let keys = people::write(txn, &film, page).await?;
    sections::write(txn, film.id, page, &keys).await?;
    links::write(txn, &film, page, &keys).await?;
    summaries::refresh_films(txn, Some(film.id)).await?;
    summaries::refresh_people(txn).await?;
    summaries::refresh_credit_order(txn).await?;
    // The catalogue's credits of this film, if the page changed its year.
    summaries::refresh_credit_years(txn, Some(film.id)).await?;
    summaries::rebuild_search(txn).await?;
    Ok(outcome)
}

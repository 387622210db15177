//! Film page documents: parsing and checking one (`document`, `validate`),
//! then writing it in one transaction, a section at a time: the film and its
//! genres (`film`), people, characters and credits (`people`), the page's own
//! lists (`sections`), its details (`details`: titles, releases, images,
//! keywords, collection, companies), and what pages share with other films (`links`:
//! awards, similar films, products). `export` reads a film back as its
//! document.

mod details;
mod document;
pub mod export;
pub mod film;
mod links;
mod people;
mod sections;
mod validate;

use std::fmt;

use sha2::{Digest, Sha256};

pub use document::FilmFacts;
pub use document::FilmPage;
pub use validate::{film_facts, is_country_code, is_language_tag};
pub(crate) use validate::{is_imdb_id, is_slug};

use super::revisions::{self, Author, FilmState};
use super::{ImportError, document_text};
use crate::db::queries::{changes, content_version, editing, film_page as statements, summaries};
use crate::db::{Db, DbErr, Transaction};
use crate::domain::events::Events;
use crate::kinds::{ChangeKind, RevisionKind};

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
    let text = document_text(source, bytes)?;
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
    let fail = |err: DbErr| {
        tracing::error!(file = source, error = %err, "import failed; rolled back");
        ImportError {
            source: source.to_string(),
            path: String::new(),
            message: format!("the database refused the document ({err}); nothing was written"),
        }
    };
    let txn = db.begin().await.map_err(fail)?;
    let how = PageWrite {
        source,
        author: &Author::importer(source),
        kind: RevisionKind::Imported,
        expected: Expected::Anything,
        film_id: None,
        read: None,
    };
    // Dropping the transaction on an early return rolls it back.
    let written = match write_page(&txn, page, bytes, &how).await {
        Ok(written) => written,
        Err(PageRefused::Invalid(err)) => return Err(err),
        Err(PageRefused::Database(err)) => return Err(fail(err)),
        Err(unexpected @ (PageRefused::Stale { .. } | PageRefused::Missing(_))) => {
            return Err(fail(DbErr::Custom(format!("unexpected {unexpected:?}"))));
        }
    };
    txn.commit().await.map_err(fail)?;
    if written.outcome != Outcome::Unchanged {
        events.content_imported();
    }
    Ok(written.outcome)
}

/// A page written: what happened, to which film, now at which version.
#[derive(Debug, Clone, Copy)]
pub struct WrittenPage {
    pub outcome: Outcome,
    pub film_id: i32,
    pub version: i32,
}

/// Why a checked page was not written.
#[derive(Debug)]
pub enum PageRefused {
    /// A rule that needs the database: its slug is another film's.
    Invalid(ImportError),
    /// The film is not at the version the writer read (`None`: the writer
    /// read none, but the film exists).
    Stale {
        expected: Option<i32>,
        current: i32,
    },
    /// The writer read a version of a film there is none of (by this IMDb id).
    Missing(String),
    Database(DbErr),
}

impl From<DbErr> for PageRefused {
    fn from(err: DbErr) -> Self {
        PageRefused::Database(err)
    }
}

/// How a page is written, and by whom.
pub struct PageWrite<'a> {
    /// Names the document in validation errors: the file, or the editor.
    pub source: &'a str,
    /// Whom the film's revision names.
    pub author: &'a Author,
    pub kind: RevisionKind,
    /// What the writer expects of the film.
    pub expected: Expected,
    /// The film to write whatever IMDb id it has now (a revert); without,
    /// the film with the document's IMDb id, or a new one.
    pub film_id: Option<i32>,
    /// The film as the writer already read it in this transaction (its
    /// revision's "before"), so it is not read again; `None` reads it.
    pub read: Option<&'a FilmState>,
}

/// What a writer expects of the film a page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Nothing: a file overwrites whatever is there.
    Anything,
    /// No such film yet (an editor's new film).
    Absent,
    /// The film at the version the writer read.
    Version(i32),
}

impl Expected {
    fn version(self) -> Option<i32> {
        match self {
            Expected::Version(version) => Some(version),
            Expected::Anything | Expected::Absent => None,
        }
    }
}

/// Writes a checked page in the caller's transaction (a file's import, an
/// editor's `importFilmPage` or `revertFilm`), with the film's revision.
/// Every write raises the film's version; the same document again writes
/// nothing.
pub async fn write_page(
    txn: &Transaction,
    page: &FilmPage,
    bytes: &[u8],
    how: &PageWrite<'_>,
) -> Result<WrittenPage, PageRefused> {
    let (source, expected) = (how.source, how.expected);
    let hash = hex::encode(Sha256::digest(bytes));
    let by_imdb_id = statements::film_by_imdb_id(txn, &page.film.imdb_id).await?;
    let existing = match how.film_id {
        None => by_imdb_id,
        Some(film_id) => {
            if let Some(other) = by_imdb_id.filter(|other| other.id != film_id) {
                return Err(PageRefused::Invalid(ImportError {
                    source: source.to_string(),
                    path: "film.imdbId".to_string(),
                    message: format!(
                        "{:?} is the IMDb id of another film now ({:?})",
                        page.film.imdb_id, other.title
                    ),
                }));
            }
            editing::film_row(txn, film_id).await?
        }
    };
    match (expected, &existing) {
        (Expected::Absent, Some(film)) => {
            return Err(PageRefused::Stale {
                expected: None,
                current: film.version,
            });
        }
        (Expected::Version(_), None) => {
            return Err(PageRefused::Missing(page.film.imdb_id.clone()));
        }
        (Expected::Version(version), Some(film)) if film.version != version => {
            return Err(PageRefused::Stale {
                expected: Some(version),
                current: film.version,
            });
        }
        _ => {}
    }
    let expected = expected.version();
    if let Some(film) = &existing
        && film.document_hash.as_deref() == Some(hash.as_str())
    {
        return Ok(WrittenPage {
            outcome: Outcome::Unchanged,
            film_id: film.id,
            version: film.version,
        });
    }
    check_slug_free(
        txn,
        source,
        &page.film.slug,
        existing.as_ref().map(|f| f.id),
    )
    .await?;
    let before = match (&existing, how.read) {
        (Some(_), Some(read)) => Some(read.clone()),
        (Some(film), None) => revisions::state_of(txn, film.id).await?,
        (None, _) => None,
    };
    let (outcome, version) = match &existing {
        Some(film) => match editing::raise_version(txn, film.id, expected).await? {
            Some(version) => (Outcome::Updated, version),
            // Another writer committed in between.
            None => {
                let current = editing::version_of(txn, film.id).await?.unwrap_or(0);
                return Err(PageRefused::Stale { expected, current });
            }
        },
        None => (Outcome::Created, 1),
    };
    content_version::bump(txn).await?;
    let film = film::write(txn, &page.film, existing, &hash).await?;
    statements::clear_sections(txn, film.id).await?;
    film::write_lists(txn, film.id, &page.film).await?;
    let keys = people::write(txn, &film, page).await?;
    sections::write(txn, film.id, page, &keys).await?;
    details::write(txn, film.id, page, &keys).await?;
    links::write(txn, &film, page, &keys).await?;
    summaries::refresh_films(txn, Some(film.id)).await?;
    summaries::refresh_people(txn).await?;
    summaries::refresh_credit_order(txn).await?;
    // The catalogue's credits of this film, if the page changed its year.
    summaries::refresh_credit_years(txn, Some(film.id)).await?;
    summaries::rebuild_search(txn).await?;
    revisions::record(txn, film.id, version, how.kind, how.author, before).await?;
    let change = match outcome {
        Outcome::Created => ChangeKind::Created,
        _ => ChangeKind::Updated,
    };
    changes::films_changed(txn, change, &[film.id]).await?;
    Ok(WrittenPage {
        outcome,
        film_id: film.id,
        version,
    })
}

/// Refuses a slug another film holds (`film_id` is the film being written,
/// if it exists): the write would fail on the unique slug without saying
/// which film is in the way.
pub async fn check_slug_free(
    txn: &Transaction,
    source: &str,
    slug: &str,
    film_id: Option<i32>,
) -> Result<(), PageRefused> {
    let owner = statements::film_by_slug(txn, slug)
        .await?
        .filter(|other| Some(other.id) != film_id);
    match owner {
        Some(other) => Err(PageRefused::Invalid(ImportError {
            source: source.to_string(),
            path: "film.slug".to_string(),
            message: format!(
                "{slug:?} is already the slug of another film ({:?}, IMDb id {})",
                other.title,
                other.imdb_id.as_deref().unwrap_or("none")
            ),
        })),
        None => Ok(()),
    }
}

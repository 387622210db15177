//! Editors' changes to films (issue 23): create a film, change its own facts,
//! delete it, or write its whole page document. Each needs the editor role,
//! runs the same validator and writers as an imported document (one set of
//! rules, two callers: `film_page`), and changes a film only from the version
//! the editor read: a stale `expectedVersion` is CONFLICT with the current
//! one, and nothing is written. Each write is one transaction; once it
//! commits, every cache starts over as after an import.

use chrono::NaiveDate;

use super::ImportError;
use super::film_page::export::{self, facts_of};
use super::film_page::film::{self as film_row, EDITED};
use super::film_page::{
    Expected, FilmFacts, Outcome, PageRefused, PageWrite, WrittenPage, check_slug_free, film_facts,
    parse_document, write_page,
};
use super::revisions::{self, Author, FilmState};
use crate::db::entities::film;
use crate::db::queries::{
    changes, content_version, editing, film_page as statements, page_export, revisions as history,
    summaries,
};
use crate::db::{Db, Transaction};
use crate::domain::account::Viewer;
use crate::domain::events::Events;
use crate::domain::roles::{self, Role};
use crate::domain::similarity;
use crate::error::{AppError, AppResult};
use crate::import::film_page::is_imdb_id;
use crate::kinds::{ChangeKind, RevisionKind};

/// What a validation error says came from (the document's `source`).
pub(super) const SOURCE: &str = "editor";

/// A change to a film's own facts: `None` leaves a fact as it is; for the
/// facts a film may lack, `Some(None)` removes it.
#[derive(Debug, Default)]
pub struct FilmChange {
    pub imdb_id: Option<String>,
    pub slug: Option<String>,
    pub title: Option<String>,
    pub original_title: Option<Option<String>>,
    pub release_date: Option<Option<NaiveDate>>,
    pub release_year: Option<Option<i32>>,
    pub runtime_minutes: Option<Option<i32>>,
    pub certification: Option<Option<String>>,
    pub tagline: Option<Option<String>>,
    pub badly_explained_plot: Option<Option<String>>,
    pub overview: Option<Option<String>>,
    pub ending_explained: Option<Option<String>>,
    pub consensus: Option<Option<String>>,
    pub where_to_watch_note: Option<Option<String>>,
    pub soundtrack_note: Option<Option<String>>,
    pub genres: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
}

impl FilmChange {
    /// The facts after the change. A new release date without a year drops
    /// the old year, which the date then gives.
    fn apply(self, mut facts: FilmFacts) -> FilmFacts {
        macro_rules! replace {
            ($($fact:ident),*) => {$(
                if let Some(value) = self.$fact {
                    facts.$fact = value;
                }
            )*};
        }
        if self.release_date.is_some() && self.release_year.is_none() {
            facts.release_year = None;
        }
        replace!(
            imdb_id,
            slug,
            title,
            original_title,
            release_date,
            release_year,
            runtime_minutes,
            certification,
            tagline,
            badly_explained_plot,
            overview,
            ending_explained,
            consensus,
            where_to_watch_note,
            soundtrack_note,
            genres,
            countries,
            languages
        );
        facts
    }

    /// Whether the change touches what similar films are computed from.
    fn changes_similarity(&self) -> bool {
        self.genres.is_some() || self.release_date.is_some() || self.release_year.is_some()
    }
}

/// A film an editor wrote, at its new version.
#[derive(Debug, Clone, Copy)]
pub struct Edited {
    pub film_id: i32,
    pub version: i32,
}

/// Creates a film from its own facts (its sections come later, by
/// `importFilmPage` or the section mutations). It starts at version 1.
pub async fn create_film(
    db: &Db,
    events: &Events,
    viewer: &Viewer,
    facts: FilmFacts,
    comment: Option<String>,
) -> AppResult<Edited> {
    roles::require(db, viewer, Role::Editor).await?;
    let comment = revisions::checked_comment(comment)?;
    film_facts(SOURCE, &facts, true).map_err(invalid)?;
    let txn = db.begin().await?;
    imdb_id_free(&txn, &facts.imdb_id, None).await?;
    check_slug_free(&txn, SOURCE, &facts.slug, None)
        .await
        .map_err(refused)?;
    content_version::bump(&txn).await?;
    let written = film_row::write(&txn, &facts, None, EDITED).await?;
    film_row::write_lists(&txn, written.id, &facts).await?;
    editing::reindex_film(&txn, written.id).await?;
    let author = Author::editor(&txn, viewer, comment).await?;
    revisions::record(&txn, written.id, 1, RevisionKind::Created, &author, None).await?;
    changes::films_changed(&txn, ChangeKind::Created, &[written.id]).await?;
    txn.commit().await?;
    committed(db, events, true).await;
    Ok(Edited {
        film_id: written.id,
        version: 1,
    })
}

/// Changes a film's own facts (those `change` gives), from `expected`, the
/// version the editor read.
pub async fn update_film(
    db: &Db,
    events: &Events,
    viewer: &Viewer,
    film_id: i32,
    expected: i32,
    change: FilmChange,
    comment: Option<String>,
) -> AppResult<Edited> {
    roles::require(db, viewer, Role::Editor).await?;
    let comment = revisions::checked_comment(comment)?;
    let txn = db.begin().await?;
    // First, so the transaction holds the film (and on SQLite the database)
    // before it reads what it changes.
    let version = claim(&txn, film_id, expected).await?;
    let (row, before) = film_and_state(&txn, film_id).await?;
    let facts_before = facts_of(&row, editing::film_lists(&txn, film_id).await?);
    let imdb_id_given = change.imdb_id.is_some();
    let similarity = change.changes_similarity();
    write_facts(&txn, row, &change.apply(facts_before), imdb_id_given).await?;
    let author = Author::editor(&txn, viewer, comment).await?;
    revisions::record(
        &txn,
        film_id,
        version,
        RevisionKind::Updated,
        &author,
        before,
    )
    .await?;
    changes::films_changed(&txn, ChangeKind::Updated, &[film_id]).await?;
    txn.commit().await?;
    committed(db, events, similarity).await;
    Ok(Edited { film_id, version })
}

/// The film's row and its state for its revision, before a change.
async fn film_and_state(
    txn: &Transaction,
    film_id: i32,
) -> AppResult<(film::Model, Option<FilmState>)> {
    let row = editing::film_row(txn, film_id)
        .await?
        .ok_or_else(|| AppError::not_found("film", film_id))?;
    Ok((row, revisions::state_of(txn, film_id).await?))
}

/// Writes a film's own facts in place of `row`'s, by the rules of a
/// document's `film`: a film that has an IMDb id keeps one, and one given
/// (`imdb_id_given`) must be no other film's.
async fn write_facts(
    txn: &Transaction,
    row: film::Model,
    facts: &FilmFacts,
    imdb_id_given: bool,
) -> AppResult<()> {
    let film_id = row.id;
    film_facts(SOURCE, facts, row.imdb_id.is_some() || imdb_id_given).map_err(invalid)?;
    if imdb_id_given {
        imdb_id_free(txn, &facts.imdb_id, Some(film_id)).await?;
    }
    check_slug_free(txn, SOURCE, &facts.slug, Some(film_id))
        .await
        .map_err(refused)?;
    content_version::bump(txn).await?;
    film_row::write(txn, facts, Some(row), EDITED).await?;
    editing::clear_film_lists(txn, film_id).await?;
    film_row::write_lists(txn, film_id, facts).await?;
    // The film's credits carry its year (a person's filmography sorts on it).
    summaries::refresh_credit_years(txn, Some(film_id)).await?;
    editing::reindex_film(txn, film_id).await?;
    Ok(())
}

/// Deletes a film, from `expected`, the version the editor read. Everything
/// that hangs off it goes with it, users' ratings, reviews and library
/// entries of it included; the people it credited stay.
pub async fn delete_film(
    db: &Db,
    events: &Events,
    viewer: &Viewer,
    film_id: i32,
    expected: i32,
) -> AppResult<()> {
    roles::require(db, viewer, Role::Editor).await?;
    let txn = db.begin().await?;
    if !editing::delete_film(&txn, film_id, expected).await? {
        return Err(stale_or_missing(&txn, film_id, expected).await);
    }
    content_version::bump(&txn).await?;
    changes::films_changed(&txn, ChangeKind::Deleted, &[film_id]).await?;
    summaries::refresh_people(&txn).await?;
    summaries::rebuild_search(&txn).await?;
    txn.commit().await?;
    committed(db, events, true).await;
    Ok(())
}

/// Writes a whole film page document, checked and written exactly as an
/// imported file is. A document for a film that exists needs `expected`, the
/// version the editor read; one for a new film needs none.
pub async fn import_page(
    db: &Db,
    events: &Events,
    viewer: &Viewer,
    document: &[u8],
    expected: Option<i32>,
    comment: Option<String>,
) -> AppResult<WrittenPage> {
    roles::require(db, viewer, Role::Editor).await?;
    let comment = revisions::checked_comment(comment)?;
    let page = parse_document(SOURCE, document).map_err(invalid)?;
    let txn = db.begin().await?;
    let author = Author::editor(&txn, viewer, comment).await?;
    let how = PageWrite {
        source: SOURCE,
        author: &author,
        kind: RevisionKind::Imported,
        expected: expected.map_or(Expected::Absent, Expected::Version),
        film_id: None,
        read: None,
    };
    let written = write_page(&txn, &page, document, &how)
        .await
        .map_err(refused)?;
    txn.commit().await?;
    if written.outcome != Outcome::Unchanged {
        committed(db, events, true).await;
    }
    Ok(written)
}

/// Puts a film back as one of its revisions left it, from `expected`, the
/// version the editor read: its whole page, or its own facts when that
/// revision kept no more. The revert is a revision of its own.
pub async fn revert_film(
    db: &Db,
    events: &Events,
    viewer: &Viewer,
    revision_id: i32,
    expected: i32,
    comment: Option<String>,
) -> AppResult<Edited> {
    roles::require(db, viewer, Role::Editor).await?;
    let comment = revisions::checked_comment(comment)?;
    let txn = db.begin().await?;
    let revision = history::by_id(&txn, revision_id)
        .await?
        .ok_or_else(|| AppError::not_found("revision", revision_id))?;
    let film_id = revision.film_id;
    let state: serde_json::Value =
        serde_json::from_str(&revision.state).map_err(|err| AppError::Internal(err.into()))?;
    let author = Author::editor(&txn, viewer, comment).await?;
    let version = match FilmState::from_value(state) {
        FilmState::Page(document) => {
            let bytes =
                serde_json::to_vec(&document).map_err(|err| AppError::Internal(err.into()))?;
            // Checked again: the rules may have grown since it was written.
            let page = parse_document(SOURCE, &bytes).map_err(invalid)?;
            let how = PageWrite {
                source: SOURCE,
                author: &author,
                kind: RevisionKind::Reverted,
                expected: Expected::Version(expected),
                film_id: Some(film_id),
                read: None,
            };
            write_page(&txn, &page, &bytes, &how)
                .await
                .map_err(refused)?
                .version
        }
        facts @ FilmState::Facts(_) => {
            let facts = facts
                .facts()
                .map_err(|err| AppError::Internal(err.into()))?;
            let version = claim(&txn, film_id, expected).await?;
            let (row, before) = film_and_state(&txn, film_id).await?;
            write_facts(&txn, row, &facts, !facts.imdb_id.is_empty()).await?;
            revisions::record(
                &txn,
                film_id,
                version,
                RevisionKind::Reverted,
                &author,
                before,
            )
            .await?;
            changes::films_changed(&txn, ChangeKind::Updated, &[film_id]).await?;
            version
        }
    };
    txn.commit().await?;
    committed(db, events, true).await;
    Ok(Edited { film_id, version })
}

/// A film's page as a document, with the version it is of: what an editor
/// changes and sends back through `importFilmPage`. `None` when there is no
/// such film; CONFLICT when the film cannot be named in a document.
pub async fn page_document(
    db: &Db,
    viewer: &Viewer,
    film_id: i32,
) -> AppResult<Option<PageDocument>> {
    roles::require(db, viewer, Role::Editor).await?;
    // One snapshot: the rows agree with each other and with the version.
    let txn = db.begin_snapshot().await?;
    let document = document_in(&txn, film_id).await?;
    txn.commit().await?;
    Ok(document)
}

/// A film's page document as `txn` sees it, with the film's version;
/// `None` when there is no such film, CONFLICT when no document can name it.
pub(super) async fn document_in(
    txn: &Transaction,
    film_id: i32,
) -> AppResult<Option<PageDocument>> {
    let Some(rows) = page_export::page_rows(txn, film_id).await? else {
        return Ok(None);
    };
    let version = rows.film.version;
    let page = export::page_of(rows).map_err(|refused| AppError::Conflict(refused.0))?;
    let document = serde_json::to_value(&page).map_err(|err| AppError::Internal(err.into()))?;
    Ok(Some(PageDocument { document, version }))
}

/// A film's page document and the version of the film it was read from.
#[derive(Debug)]
pub struct PageDocument {
    pub document: serde_json::Value,
    pub version: i32,
}

/// Raises the film's version from `expected`: the new version, or why not.
async fn claim(txn: &Transaction, film_id: i32, expected: i32) -> AppResult<i32> {
    match editing::raise_version(txn, film_id, Some(expected)).await? {
        Some(version) => Ok(version),
        None => Err(stale_or_missing(txn, film_id, expected).await),
    }
}

/// Why a change from `expected` found nothing to change: the film is gone
/// (NOT_FOUND) or at another version (CONFLICT).
async fn stale_or_missing(txn: &Transaction, film_id: i32, expected: i32) -> AppError {
    match editing::version_of(txn, film_id).await {
        Ok(Some(current)) => AppError::StaleVersion {
            expected: Some(expected),
            current,
        },
        Ok(None) => AppError::not_found("film", film_id),
        Err(err) => err.into(),
    }
}

/// Refuses an IMDb id another film has (a film is found by it).
async fn imdb_id_free(txn: &Transaction, imdb_id: &str, film_id: Option<i32>) -> AppResult<()> {
    debug_assert!(is_imdb_id(imdb_id), "checked by the validator first");
    match statements::film_by_imdb_id(txn, imdb_id).await? {
        Some(other) if Some(other.id) != film_id => Err(AppError::Invalid {
            path: "film.imdbId".into(),
            message: format!(
                "{imdb_id:?} is already the IMDb id of another film ({:?})",
                other.title
            ),
        }),
        _ => Ok(()),
    }
}

/// After a commit: every cache starts over (here, on other servers through
/// the content version, at the edge), and similar films are computed again
/// when the change touched what they come from. The write stands if that
/// fails; the next import or edit computes them.
pub(super) async fn committed(db: &Db, events: &Events, similarity: bool) {
    if similarity && let Err(err) = similarity::rebuild(db).await {
        tracing::warn!(error = %err, "edited, but cannot compute similar films");
    }
    events.content_imported();
}

pub(super) fn invalid(err: ImportError) -> AppError {
    AppError::Invalid {
        path: err.path,
        message: err.message,
    }
}

pub(super) fn refused(err: PageRefused) -> AppError {
    match err {
        PageRefused::Invalid(err) => invalid(err),
        PageRefused::Stale { expected, current } => AppError::StaleVersion { expected, current },
        PageRefused::Missing(imdb_id) => AppError::not_found("film", imdb_id),
        PageRefused::Database(err) => err.into(),
    }
}

//! An editor's change to one section of a film's page (`setFilmSection`):
//! the film is read back as its page document, the section is replaced by
//! the editor's value, and the whole document is checked and written as an
//! imported one is (one validator, one writer: `film_page`), from the
//! version the editor read, with a revision of its own.

use super::editor::{PageDocument, SOURCE, committed, document_in, invalid, refused};
use super::film_page::{Expected, PageWrite, WrittenPage, parse_document, write_page};
use super::revisions::{self, Author, FilmState};
use crate::db::Db;
use crate::domain::account::Viewer;
use crate::domain::events::Events;
use crate::domain::roles::{self, Role};
use crate::error::{AppError, AppResult};
use crate::kinds::{PageSection, RevisionKind};

/// An editor's new value of one section of a film's page.
pub struct SectionChange {
    pub film_id: i32,
    /// The film's version the editor read.
    pub expected: i32,
    pub section: PageSection,
    /// The section as the document format writes it; an empty list or null
    /// empties it.
    pub value: serde_json::Value,
    pub comment: Option<String>,
}

/// Replaces a section of the film's page.
pub async fn set_section(
    db: &Db,
    events: &Events,
    viewer: &Viewer,
    change: SectionChange,
) -> AppResult<WrittenPage> {
    let SectionChange {
        film_id,
        expected,
        section,
        value,
        comment,
    } = change;
    roles::require(db, viewer, Role::Editor).await?;
    let comment = revisions::checked_comment(comment)?;
    let txn = db.begin().await?;
    let PageDocument {
        mut document,
        version,
    } = document_in(&txn, film_id)
        .await?
        .ok_or_else(|| AppError::not_found("film", film_id))?;
    // A stale editor's section must not be checked against a page it has not seen.
    if version != expected {
        return Err(AppError::StaleVersion {
            expected: Some(expected),
            current: version,
        });
    }
    // The page as read: the revision's "before", not read a second time.
    let read = FilmState::Page(document.clone());
    replace(&mut document, section, value)?;
    let bytes = serde_json::to_vec(&document).map_err(|err| AppError::Internal(err.into()))?;
    let page = parse_document(SOURCE, &bytes).map_err(invalid)?;
    let author = Author::editor(&txn, viewer, comment).await?;
    let how = PageWrite {
        source: SOURCE,
        author: &author,
        kind: RevisionKind::Updated,
        expected: Expected::Version(expected),
        film_id: Some(film_id),
        read: Some(&read),
    };
    let written = write_page(&txn, &page, &bytes, &how)
        .await
        .map_err(refused)?;
    txn.commit().await?;
    // Similar films are computed from credits.
    committed(db, events, section == PageSection::CastAndCrew).await;
    Ok(written)
}

/// Puts `value` in the document as `section`: a one-key section's value is
/// that key's; a section of several keys (cast and crew) takes an object
/// with those keys, each missing one empty.
fn replace(
    document: &mut serde_json::Value,
    section: PageSection,
    value: serde_json::Value,
) -> AppResult<()> {
    let keys = keys(section);
    let document = document
        .as_object_mut()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a page document is an object")))?;
    // Null empties the section: every key of a document may be left out.
    if value.is_null() {
        for key in keys {
            document.remove(*key);
        }
        return Ok(());
    }
    if let [key] = keys {
        document.insert((*key).to_string(), value);
        return Ok(());
    }
    let serde_json::Value::Object(mut parts) = value else {
        return Err(AppError::Invalid {
            path: "content".into(),
            message: format!(
                "{} takes an object with {}",
                section.as_str(),
                keys.join(", ")
            ),
        });
    };
    for key in keys {
        let part = parts.remove(*key).unwrap_or(serde_json::json!([]));
        document.insert((*key).to_string(), part);
    }
    if let Some(unknown) = parts.keys().next() {
        return Err(AppError::Invalid {
            path: format!("content.{unknown}"),
            message: format!("{} takes only {}", section.as_str(), keys.join(", ")),
        });
    }
    Ok(())
}

/// The document keys each section is made of.
fn keys(section: PageSection) -> &'static [&'static str] {
    match section {
        PageSection::BasedOn => &["basedOn"],
        PageSection::CastAndCrew => &["people", "characters", "credits"],
        PageSection::Quotes => &["quotes"],
        PageSection::Synopsis => &["synopsis"],
        PageSection::ExternalRatings => &["externalRatings"],
        PageSection::BoxOffice => &["boxOffice"],
        PageSection::Reviews => &["reviews"],
        PageSection::AudienceReactions => &["audienceReactions"],
        PageSection::RecommendedFor => &["recommendedFor"],
        PageSection::ContentWarnings => &["contentWarnings"],
        PageSection::Awards => &["nominations"],
        PageSection::Trivia => &["trivia"],
        PageSection::Faq => &["faq"],
        PageSection::Videos => &["videos"],
        PageSection::Soundtrack => &["soundtrack"],
        PageSection::Locations => &["filmingLocations"],
        PageSection::Offers => &["offers"],
        PageSection::SimilarFilms => &["similarFilms"],
        PageSection::Products => &["products"],
        PageSection::Titles => &["titles"],
        PageSection::Releases => &["releases"],
        PageSection::Images => &["images"],
        PageSection::Keywords => &["keywords"],
        PageSection::Collection => &["collection"],
        PageSection::Companies => &["companies"],
    }
}

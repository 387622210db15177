//! Editors' mutations on films (`createFilm`, `updateFilm`, `deleteFilm`,
//! `importFilmPage`; `revertFilm` is with the revisions) and the query that reads a page back as a document
//! (`filmPageDocument`). The rules (role, validation, versions) are
//! `import::editor`'s; this module turns inputs into its changes.

use async_graphql::{Context, Enum, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject};
use chrono::NaiveDate;

use super::film::{Film, payload_film};
use super::vocabulary::PageSection;
use crate::error::AppError;
use crate::graphql::context::{GqlResult, db, editing_viewer, events, viewer};
use crate::ids::{self, NodeKind};
use crate::import::editor::{self, FilmChange};
use crate::import::film_page::{FilmFacts, Outcome, WrittenPage};
use crate::import::film_sections::{self, SectionChange};
use crate::text::slugify;

/// A new film's own facts, by the rules of a film page document's `film`.
#[derive(InputObject)]
pub struct NewFilmInput {
    /// `tt` followed by 7 to 9 digits; no other film may have it.
    pub imdb_id: String,
    /// Not empty.
    pub title: String,
    /// Lowercase letters, digits and inner hyphens, no other film's; made
    /// from the title when omitted.
    pub slug: Option<String>,
    /// The title in the film's first language, when it differs.
    pub original_title: Option<String>,
    /// The first release (its year must be the release year's, when both are given).
    pub release_date: Option<NaiveDate>,
    /// 1870 to 2100; the date's year when only a date is given.
    pub release_year: Option<i32>,
    /// 1 to 1000.
    pub runtime_minutes: Option<i32>,
    /// Such as `R` or `PG-13`.
    pub certification: Option<String>,
    /// The poster's line.
    pub tagline: Option<String>,
    /// A short summary.
    pub overview: Option<String>,
    /// The plot told badly, for fun.
    pub badly_explained_plot: Option<String>,
    /// How it ends, and what that means.
    pub ending_explained: Option<String>,
    /// The critics' consensus.
    pub consensus: Option<String>,
    /// A note shown with where to watch it.
    pub where_to_watch_note: Option<String>,
    /// A note shown with its soundtrack.
    pub soundtrack_note: Option<String>,
    /// Genre names, in order (genres that differ only in case, accents or punctuation are one).
    pub genres: Option<Vec<String>>,
    /// Production countries, in order.
    pub countries: Option<Vec<String>>,
    /// Spoken languages, in order.
    pub languages: Option<Vec<String>>,
}

impl From<NewFilmInput> for FilmFacts {
    fn from(input: NewFilmInput) -> Self {
        FilmFacts {
            slug: input.slug.unwrap_or_else(|| slugify(&input.title)),
            imdb_id: input.imdb_id,
            title: input.title,
            original_title: input.original_title,
            release_date: input.release_date,
            release_year: input.release_year,
            runtime_minutes: input.runtime_minutes,
            certification: input.certification,
            tagline: input.tagline,
            badly_explained_plot: input.badly_explained_plot,
            overview: input.overview,
            ending_explained: input.ending_explained,
            consensus: input.consensus,
            where_to_watch_note: input.where_to_watch_note,
            soundtrack_note: input.soundtrack_note,
            genres: input.genres.unwrap_or_default(),
            countries: input.countries.unwrap_or_default(),
            languages: input.languages.unwrap_or_default(),
        }
    }
}

/// Changes to a film's own facts: a field omitted stays as it is; null
/// removes a fact a film may lack. The result must pass the rules of a film
/// page document's `film`.
#[derive(InputObject)]
pub struct FilmChangesInput {
    /// `tt` followed by 7 to 9 digits; no other film's.
    pub imdb_id: Option<String>,
    /// A new slug; the old one keeps leading to the film (`film(by: {slug})`).
    pub slug: Option<String>,
    /// Not empty.
    pub title: Option<String>,
    /// The title in the film's first language; null removes it.
    pub original_title: MaybeUndefined<String>,
    /// The first release; null removes it. A new date without `releaseYear`
    /// makes the year the date's.
    pub release_date: MaybeUndefined<NaiveDate>,
    /// 1870 to 2100; null removes it.
    pub release_year: MaybeUndefined<i32>,
    /// 1 to 1000; null removes it.
    pub runtime_minutes: MaybeUndefined<i32>,
    /// Null removes it.
    pub certification: MaybeUndefined<String>,
    /// Null removes it.
    pub tagline: MaybeUndefined<String>,
    /// Null removes it.
    pub overview: MaybeUndefined<String>,
    /// Null removes it.
    pub badly_explained_plot: MaybeUndefined<String>,
    /// Null removes it.
    pub ending_explained: MaybeUndefined<String>,
    /// Null removes it.
    pub consensus: MaybeUndefined<String>,
    /// Null removes it.
    pub where_to_watch_note: MaybeUndefined<String>,
    /// Null removes it.
    pub soundtrack_note: MaybeUndefined<String>,
    /// Every genre, in order (in place of the film's).
    pub genres: Option<Vec<String>>,
    /// Every production country, in order.
    pub countries: Option<Vec<String>>,
    /// Every spoken language, in order.
    pub languages: Option<Vec<String>>,
}

/// `Some(None)` for null, `Some(value)` for a value, `None` when omitted.
fn change<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(value)),
    }
}

impl From<FilmChangesInput> for FilmChange {
    fn from(input: FilmChangesInput) -> Self {
        FilmChange {
            imdb_id: input.imdb_id,
            slug: input.slug,
            title: input.title,
            original_title: change(input.original_title),
            release_date: change(input.release_date),
            release_year: change(input.release_year),
            runtime_minutes: change(input.runtime_minutes),
            certification: change(input.certification),
            tagline: change(input.tagline),
            badly_explained_plot: change(input.badly_explained_plot),
            overview: change(input.overview),
            ending_explained: change(input.ending_explained),
            consensus: change(input.consensus),
            where_to_watch_note: change(input.where_to_watch_note),
            soundtrack_note: change(input.soundtrack_note),
            genres: input.genres,
            countries: input.countries,
            languages: input.languages,
        }
    }
}

/// A film an editor wrote.
#[derive(SimpleObject)]
pub struct FilmEditPayload {
    /// The film as it is now.
    pub film: Film,
    /// Its version now: the `expectedVersion` of the next change.
    pub version: i32,
}

/// A deleted film.
#[derive(SimpleObject)]
pub struct DeleteFilmPayload {
    /// The global id the film had.
    pub film_id: ID,
}

/// What writing a page document did.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PageOutcome {
    /// A new film.
    Created,
    /// The film's page was replaced by the document.
    Updated,
    /// The film's page already was this document: nothing was written.
    Unchanged,
}

/// A page document written (`importFilmPage`), or a section of one (`setFilmSection`).
#[derive(SimpleObject)]
pub struct ImportFilmPagePayload {
    /// The film as it is now.
    pub film: Film,
    /// What the write did.
    pub outcome: PageOutcome,
    /// The film's version now: the `expectedVersion` of the next change.
    pub version: i32,
}

/// A film's page as a document (the format `cinegraph import` and
/// `importFilmPage` read), with the version of the film it was read from.
#[derive(SimpleObject)]
pub struct FilmPageDocument {
    /// The film.
    pub film: Film,
    /// The film's version the document was read from: the `expectedVersion`
    /// to send with the document changed.
    pub version: i32,
    /// The document. Importing it again writes the page as it is: only what
    /// a document states is here (not the catalogue's credits, ratings and
    /// figures, nor users' reviews).
    pub document: Json<serde_json::Value>,
}

#[derive(Default)]
pub struct EditingQuery;

#[Object]
impl EditingQuery {
    /// A film's page as a document, to change and send back through
    /// `importFilmPage`; null when there is no such film. Editors only
    /// (FORBIDDEN otherwise); CONFLICT when the film or a film its page
    /// mentions has no IMDb id for the document to name it by.
    async fn film_page_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
    ) -> async_graphql::Result<Option<FilmPageDocument>> {
        let viewer = viewer(ctx).gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &id).gql()?;
        let Some(page) = editor::page_document(db(ctx), viewer, film_id)
            .await
            .gql()?
        else {
            return Ok(None);
        };
        Ok(Some(FilmPageDocument {
            film: payload_film(ctx, film_id).await?,
            version: page.version,
            document: Json(page.document),
        }))
    }
}

#[derive(Default)]
pub struct EditingMutation;

#[Object]
impl EditingMutation {
    /// Creates a film from its own facts, at version 1 (its page's sections
    /// come with `importFilmPage`). Editors only (FORBIDDEN otherwise); a
    /// fact that breaks a rule is BAD_USER_INPUT with `extensions.path`.
    async fn create_film(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's facts.")] film: NewFilmInput,
        #[graphql(
            desc = "Why, for the film's history (`Film.revisions`): at most 1000 characters."
        )]
        comment: Option<String>,
    ) -> async_graphql::Result<FilmEditPayload> {
        let viewer = editing_viewer(ctx).await.gql()?;
        let edited = editor::create_film(db(ctx), events(ctx), viewer, film.into(), comment)
            .await
            .gql()?;
        edit_payload(ctx, edited).await
    }

    /// Changes a film's own facts (those given), from the version the editor
    /// read: a stale `expectedVersion` is CONFLICT with
    /// `extensions.currentVersion`, and nothing changes. Editors only.
    async fn update_film(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The film's `version` when the editor read it.")] expected_version: i32,
        #[graphql(desc = "What to change.")] film: FilmChangesInput,
        #[graphql(
            desc = "Why, for the film's history (`Film.revisions`): at most 1000 characters."
        )]
        comment: Option<String>,
    ) -> async_graphql::Result<FilmEditPayload> {
        let viewer = editing_viewer(ctx).await.gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &id).gql()?;
        let edited = editor::update_film(
            db(ctx),
            events(ctx),
            viewer,
            film_id,
            expected_version,
            film.into(),
            comment,
        )
        .await
        .gql()?;
        edit_payload(ctx, edited).await
    }

    /// Deletes a film and everything of it (its page, users' ratings,
    /// reviews and library entries of it), from the version the editor read.
    /// Editors only.
    async fn delete_film(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The film's `version` when the editor read it.")] expected_version: i32,
    ) -> async_graphql::Result<DeleteFilmPayload> {
        let viewer = editing_viewer(ctx).await.gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &id).gql()?;
        editor::delete_film(db(ctx), events(ctx), viewer, film_id, expected_version)
            .await
            .gql()?;
        Ok(DeleteFilmPayload { film_id: id })
    }

    /// Writes a whole film page document (the format `cinegraph import`
    /// reads, checked by the same rules), creating the film or replacing
    /// its page. A film that exists needs `expectedVersion`. Editors only.
    async fn import_film_page(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document, as JSON (`format: \"cinegraph-film-page/1\"`).")]
        document: Json<serde_json::Value>,
        #[graphql(desc = "The film's `version` when the editor read it; omitted for a new film.")]
        expected_version: Option<i32>,
        #[graphql(
            desc = "Why, for the film's history (`Film.revisions`): at most 1000 characters."
        )]
        comment: Option<String>,
    ) -> async_graphql::Result<ImportFilmPagePayload> {
        let viewer = editing_viewer(ctx).await.gql()?;
        let bytes = serde_json::to_vec(&document.0)
            .map_err(|err| AppError::Internal(err.into()))
            .gql()?;
        let written = editor::import_page(
            db(ctx),
            events(ctx),
            viewer,
            &bytes,
            expected_version,
            comment,
        )
        .await
        .gql()?;
        page_payload(ctx, written).await
    }

    /// Replaces one section of a film's page (an empty list or null
    /// empties it) with its value in the page document format, checked
    /// with the whole page by the import's rules (BAD_USER_INPUT with the
    /// document path at fault in `extensions.path`). Needs the film's
    /// `expectedVersion` (CONFLICT when stale). Editors only.
    #[allow(clippy::too_many_arguments)]
    async fn set_film_section(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id.")] id: ID,
        #[graphql(desc = "The film's `version` when the editor read it.")] expected_version: i32,
        #[graphql(desc = "Which section to replace.")] section: PageSection,
        #[graphql(
            desc = "The section's new value, as `filmPageDocument` shows it (for CAST_AND_CREW an object with `people`, `characters` and `credits`); null empties the section."
        )]
        content: Option<Json<serde_json::Value>>,
        #[graphql(
            desc = "Why, for the film's history (`Film.revisions`): at most 1000 characters."
        )]
        comment: Option<String>,
    ) -> async_graphql::Result<ImportFilmPagePayload> {
        let viewer = editing_viewer(ctx).await.gql()?;
        let film_id = ids::decode_as(NodeKind::Film, &id).gql()?;
        let change = SectionChange {
            film_id,
            expected: expected_version,
            section: section.into(),
            value: content.map_or(serde_json::Value::Null, |content| content.0),
            comment,
        };
        let written = film_sections::set_section(db(ctx), events(ctx), viewer, change)
            .await
            .gql()?;
        page_payload(ctx, written).await
    }
}

async fn page_payload(
    ctx: &Context<'_>,
    written: WrittenPage,
) -> async_graphql::Result<ImportFilmPagePayload> {
    let outcome = match written.outcome {
        Outcome::Created => PageOutcome::Created,
        Outcome::Unchanged => PageOutcome::Unchanged,
        Outcome::Updated | Outcome::Catalogue(_) => PageOutcome::Updated,
    };
    Ok(ImportFilmPagePayload {
        film: payload_film(ctx, written.film_id).await?,
        outcome,
        version: written.version,
    })
}

async fn edit_payload(
    ctx: &Context<'_>,
    edited: editor::Edited,
) -> async_graphql::Result<FilmEditPayload> {
    Ok(FilmEditPayload {
        film: payload_film(ctx, edited.film_id).await?,
        version: edited.version,
    })
}

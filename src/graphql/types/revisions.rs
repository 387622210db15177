//! A film's history for editors: `Film.revisions`, the `FilmRevision` type
//! with its field-by-field changes, and `revertFilm`. The revisions are
//! written by `import::revisions`, in the transaction of each change.

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::account::User;
use super::editing::FilmEditPayload;
use super::film::payload_film;
use super::global_id;
use super::vocabulary::RevisionKind;
use crate::db::entities::{app_user, film_revision};
use crate::db::queries::keyset::Position;
use crate::db::queries::revisions as statements;
use crate::domain::roles::{self, Role};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, editing_viewer, events, loader, viewer};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window,
};
use crate::ids::{self, NodeKind};
use crate::import::editor;
use crate::import::revisions::FieldChange as Change;

connection_names!(
    FilmRevisionConnection / FilmRevisionEdge = "A page of a film's revisions, the newest first.",
);

/// A row of a film's history.
pub struct FilmRevision(pub film_revision::Model);

/// One field a change changed.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// Where in the film's page document, such as `film.title` or
    /// `quotes[2].text` (a list's item by its place, from 0).
    pub path: String,
    /// The value before the change; null when there was none.
    pub before: Json<serde_json::Value>,
    /// The value after the change; null when it was removed.
    pub after: Json<serde_json::Value>,
}

/// A change to a film: who made it, when and why, what it changed, and the
/// film's page as it left it.
#[Object]
impl FilmRevision {
    /// The revision's global id, for `revertFilm`.
    async fn id(&self) -> ID {
        global_id(NodeKind::Revision, self.0.id)
    }
    /// The film's version this change made.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What made the change.
    async fn kind(&self) -> async_graphql::Result<RevisionKind> {
        crate::kinds::RevisionKind::parse(&self.0.kind)
            .map(RevisionKind::from)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("revision kind {:?}", self.0.kind)))
            .gql()
    }
    /// Who made it: the editor's username (as it was then), or `importer`.
    async fn author(&self) -> &str {
        &self.0.author_name
    }
    /// The editor's account; null for an import, or when the account is gone.
    async fn editor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.0.author_id else {
            return Ok(None);
        };
        let found = loader(ctx).by_id::<app_user::Entity>(id).await.gql()?;
        Ok(found.map(User))
    }
    /// The imported file's name, for an import of a file.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Why, in the editor's words.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    /// When the change was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// What the change changed, field by field, ordered by path (an
    /// object's members by name, a list's items by place); a new film's:
    /// each part of its page.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn changes(&self) -> async_graphql::Result<Vec<FieldChange>> {
        let changes: Vec<Change> = serde_json::from_str(&self.0.changes)
            .map_err(|err| AppError::Internal(err.into()))
            .gql()?;
        Ok(changes
            .into_iter()
            .map(|change| FieldChange {
                path: change.path,
                before: Json(change.before),
                after: Json(change.after),
            })
            .collect())
    }
    /// The film's page as the change left it: a document `importFilmPage`
    /// reads (only the film's own facts, under `film`, when the film could
    /// not be named in a document).
    async fn document(&self) -> async_graphql::Result<Json<serde_json::Value>> {
        serde_json::from_str(&self.0.state)
            .map(Json)
            .map_err(|err| AppError::Internal(err.into()))
            .gql()
    }
}

/// How many revisions a page is cut from.
pub struct RevisionSummary(i32);

#[Object]
impl RevisionSummary {
    /// How many revisions the film has in all.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        statements::count_revisions(db(ctx), self.0)
            .await
            .map_err(AppError::from)
            .gql()
    }
}

pub type RevisionList = Connection<
    FilmRevision,
    RevisionSummary,
    EmptyFields,
    FilmRevisionConnection,
    FilmRevisionEdge,
>;

/// `Film.revisions`: the film's revisions, the newest first. Editors only.
pub async fn revisions_of_film(
    ctx: &Context<'_>,
    film_id: i32,
    request: PageRequest,
) -> AppResult<RevisionList> {
    roles::require(db(ctx), viewer(ctx)?, Role::Editor).await?;
    let ordering = statements::revision_order(film_id);
    let keys = cursor_keys(ctx);
    let window = list_window(keys, &ordering, None, request)?;
    let page = statements::revisions_page(db(ctx), film_id, &ordering, &window).await?;
    Ok(list_connection(
        keys,
        &ordering,
        None,
        page,
        RevisionSummary(film_id),
        |revision| {
            let at = Position {
                value: statements::revision_position(&revision),
                id: revision.id,
            };
            (at, FilmRevision(revision), EmptyFields)
        },
    ))
}

#[derive(Default)]
pub struct RevisionMutation;

#[Object]
impl RevisionMutation {
    /// Puts a film back as one of its revisions left it (its whole page, or
    /// its own facts when that is all the revision kept), from the version
    /// the editor read: a stale `expectedVersion` is CONFLICT with
    /// `extensions.currentVersion`. The revert is a revision of its own.
    /// Editors only.
    async fn revert_film(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision's global id (`FilmRevision.id`).")] revision_id: ID,
        #[graphql(desc = "The film's `version` when the editor read it.")] expected_version: i32,
        #[graphql(desc = "Why, for the film's history: at most 1000 characters.")] comment: Option<
            String,
        >,
    ) -> async_graphql::Result<FilmEditPayload> {
        let viewer = editing_viewer(ctx).await.gql()?;
        let revision_id = ids::decode_as(NodeKind::Revision, &revision_id).gql()?;
        let edited = editor::revert_film(
            db(ctx),
            events(ctx),
            viewer,
            revision_id,
            expected_version,
            comment,
        )
        .await
        .gql()?;
        Ok(FilmEditPayload {
            film: payload_film(ctx, edited.film_id).await?,
            version: edited.version,
        })
    }
}

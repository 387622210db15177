//! The viewer's own library: the watchlist, diary and favourites mutations,
//! `Film.viewerState`, the `watchlist`, `seen` and `favorites` connections of
//! `me` (the `libraryChanged` subscription is in `library_changed`).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::film::{Film, OrderDirection, film_columns, payload_film};
use super::rating::Rating;
use crate::db::entities::film;
use crate::db::queries::keyset::Position;
use crate::db::queries::library::{self as shelves, Shelf, ShelfEntry};
use crate::domain::library;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, events, loader, viewer};
use crate::graphql::loaders::{RowLoader, ViewerStateOf};
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window, node_selections,
};
use crate::ids::{self, NodeKind};

connection_names!(
    WatchlistConnection / WatchlistEdge =
        "A page of the viewer's watchlist; each edge says when the film was added.",
    DiaryConnection / DiaryEdge =
        "A page of the viewer's diary of films seen; each edge is one viewing.",
    FavoriteConnection / FavoriteEdge = "A page of the viewer's favourite films; each edge says when the film was made a favourite.",
);

/// When a film was put on a list.
#[derive(SimpleObject)]
pub struct Added {
    /// When the film was added.
    pub added_at: DateTime<Utc>,
}

/// One viewing of a film in the viewer's diary.
#[derive(SimpleObject)]
pub struct DiaryEntry {
    /// The day the film was seen.
    pub seen_on: NaiveDate,
    /// Whether the viewer had seen the film before.
    pub rewatch: bool,
    /// When the viewing was entered.
    pub added_at: DateTime<Utc>,
}

impl DiaryEntry {
    pub fn of(entry: &ShelfEntry) -> AppResult<Self> {
        Ok(Self {
            seen_on: entry.seen_on.ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("a diary entry without its day"))
            })?,
            rewatch: entry.rewatch,
            added_at: entry.added_at,
        })
    }
}

/// The count of a library list, across all pages.
pub struct ShelfSummary {
    shelf: Shelf,
    user: i32,
}

#[Object]
impl ShelfSummary {
    /// How many items the whole list has (for the diary: viewings).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        shelves::count(db(ctx).connection(), self.shelf, self.user)
            .await
            .map_err(AppError::from)
            .gql()
    }
}

pub type WatchlistList = Connection<Film, ShelfSummary, Added, WatchlistConnection, WatchlistEdge>;
pub type DiaryList = Connection<Film, ShelfSummary, DiaryEntry, DiaryConnection, DiaryEdge>;
pub type FavoriteList = Connection<Film, ShelfSummary, Added, FavoriteConnection, FavoriteEdge>;

/// How to order a library list. Ties are broken by when entered, so pages are stable.
#[derive(InputObject, Clone, Copy)]
pub struct LibraryOrder {
    /// What to sort by.
    pub field: LibraryOrderField,
    /// Ascending by default.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

/// What to sort a library list by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::db::queries::library::ShelfOrderField")]
pub enum LibraryOrderField {
    /// When the film was added; for the diary, the day it was seen.
    Added,
    /// The film's title, ignoring case, accents and leading articles.
    Title,
    /// The film's release date (films without one last).
    ReleaseDate,
    /// The viewer's own score of the film (unrated films last).
    YourScore,
}

/// Newest first, unless the client asks otherwise.
fn newest_first() -> LibraryOrder {
    LibraryOrder {
        field: LibraryOrderField::Added,
        direction: OrderDirection::Desc,
    }
}

/// One page of the viewer's `shelf`, its films read with the columns the
/// page's nodes ask for.
pub async fn shelf_page<Fields, Name, EdgeName>(
    ctx: &Context<'_>,
    shelf: Shelf,
    user: i32,
    order: Option<LibraryOrder>,
    request: PageRequest,
    edge: impl Fn(&ShelfEntry) -> AppResult<Fields>,
) -> AppResult<Connection<Film, ShelfSummary, Fields, Name, EdgeName>>
where
    Fields: async_graphql::ObjectType,
    Name: crate::graphql::pagination::ConnectionName,
    EdgeName: async_graphql::connection::EdgeNameType,
{
    let order = order.unwrap_or_else(newest_first);
    let field = order.field.into();
    let ordering = shelves::ordering(shelf, field, order.direction == OrderDirection::Desc);
    let keys = cursor_keys(ctx);
    let window = list_window(keys, &ordering, Some(user), request)?;
    let mut page = shelves::page(db(ctx), shelf, user, field, &ordering, &window).await?;
    let columns = film_columns(&node_selections(ctx));
    let ids = page.rows.iter().map(|entry| entry.film_id).collect();
    let films = loader(ctx)
        .by_ids_with::<film::Entity>(ids, columns)
        .await
        .map_err(AppError::from)?;
    // A film removed since the page was read leaves its entry out.
    page.rows.retain(|entry| films.contains_key(&entry.film_id));
    let mut edges = Vec::with_capacity(page.rows.len());
    for entry in &page.rows {
        edges.push(edge(entry)?);
    }
    let mut edges = edges.into_iter();
    Ok(list_connection(
        keys,
        &ordering,
        Some(user),
        page,
        ShelfSummary { shelf, user },
        |entry| {
            let at = Position {
                value: entry.sort,
                id: entry.id,
            };
            // A diary can hold one film many times.
            let film = films
                .get(&entry.film_id)
                .map(|row| Film::with_columns(row.clone(), columns));
            // Present: entries without their film were left out above.
            (
                at,
                film.expect("film of a kept entry"),
                edges.next().expect("one edge per entry"),
            )
        },
    ))
}

/// The viewer's own lists are theirs alone.
pub fn own_library(ctx: &Context<'_>, user: i32) -> AppResult<()> {
    if viewer(ctx)?.user_id != user {
        return Err(AppError::Forbidden("a user's library is private".into()));
    }
    Ok(())
}

pub struct ViewerState(shelves::ViewerState);

/// What the signed-in viewer keeps of a film.
#[Object]
impl ViewerState {
    /// On the viewer's watchlist.
    async fn in_watchlist(&self) -> bool {
        self.0.in_watchlist
    }
    /// In the viewer's diary at least once.
    async fn seen(&self) -> bool {
        self.0.seen_count > 0
    }
    /// On how many days the viewer's diary has the film.
    async fn seen_count(&self) -> i64 {
        self.0.seen_count
    }
    /// The last day the viewer saw the film; null when never.
    async fn last_seen_on(&self) -> Option<NaiveDate> {
        self.0.last_seen_on
    }
    /// One of the viewer's favourites.
    async fn favorite(&self) -> bool {
        self.0.favorite
    }
    /// The viewer's rating; null when not rated.
    async fn rating(&self) -> Option<Rating> {
        self.0.rating.clone().map(Rating)
    }
}

/// `Film.viewerState`: null when signed out.
pub async fn viewer_state(
    ctx: &Context<'_>,
    film_id: i32,
) -> async_graphql::Result<Option<ViewerState>> {
    let Ok(viewer) = viewer(ctx) else {
        return Ok(None);
    };
    let key = ViewerStateOf {
        user: viewer.user_id,
        film: film_id,
    };
    let state = loader(ctx).load_one(key).await.gql()?;
    Ok(Some(ViewerState(state.unwrap_or_default())))
}

/// A change to the watchlist or favourites, and the film with its `viewerState`.
#[derive(SimpleObject)]
pub struct LibraryPayload {
    /// False when the film already was as asked (the call changed nothing).
    pub changed: bool,
    /// The film.
    pub film: Film,
}

/// The viewing entered in the diary, and the film.
#[derive(SimpleObject)]
pub struct MarkSeenPayload {
    /// The viewing as saved.
    pub entry: DiaryEntry,
    /// The film, off the watchlist now.
    pub film: Film,
}

/// How many viewings were removed, and the film.
#[derive(SimpleObject)]
pub struct UnmarkSeenPayload {
    /// Viewings removed (0 when there were none).
    pub removed: i64,
    /// The film.
    pub film: Film,
}

/// The viewer and the film an argument names.
fn viewer_and_film(ctx: &Context<'_>, film_id: &ID) -> AppResult<(i32, i32)> {
    let viewer = viewer(ctx)?.user_id;
    Ok((viewer, ids::decode_as(NodeKind::Film, film_id)?))
}

#[derive(Default)]
pub struct LibraryMutation;

/// The viewer's library. Every call needs a signed-in viewer; repeating a
/// call changes nothing more.
#[Object]
impl LibraryMutation {
    /// Puts a film on the viewer's watchlist (at most 5,000 films).
    async fn add_to_watchlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id; an unknown film is NOT_FOUND.")] film_id: ID,
    ) -> async_graphql::Result<LibraryPayload> {
        let (user, film) = viewer_and_film(ctx, &film_id).gql()?;
        let changed = library::add_to_watchlist(db(ctx), events(ctx), user, film)
            .await
            .gql()?;
        payload(ctx, changed, film).await
    }

    /// Takes a film off the viewer's watchlist.
    async fn remove_from_watchlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id; an unknown film is NOT_FOUND.")] film_id: ID,
    ) -> async_graphql::Result<LibraryPayload> {
        let (user, film) = viewer_and_film(ctx, &film_id).gql()?;
        let changed = library::remove_from_watchlist(db(ctx), events(ctx), user, film)
            .await
            .gql()?;
        payload(ctx, changed, film).await
    }

    /// Enters a viewing of a film in the viewer's diary (at most 20,000
    /// viewings) and takes it off the watchlist. One viewing per film and
    /// day: marking it again on the same day keeps the entry.
    async fn mark_seen(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id; an unknown film is NOT_FOUND.")] film_id: ID,
        #[graphql(
            desc = "The day seen: today (UTC) when omitted; not after tomorrow, not before 1888."
        )]
        on: Option<NaiveDate>,
        #[graphql(
            desc = "Whether the viewer had seen it before; when omitted, whether the diary has it on an earlier day."
        )]
        rewatch: Option<bool>,
    ) -> async_graphql::Result<MarkSeenPayload> {
        let (user, film) = viewer_and_film(ctx, &film_id).gql()?;
        let entry = library::mark_seen(db(ctx), events(ctx), user, film, on, rewatch)
            .await
            .gql()?;
        Ok(MarkSeenPayload {
            entry: DiaryEntry::of(&entry).gql()?,
            film: payload_film(ctx, film).await?,
        })
    }

    /// Removes viewings of a film from the viewer's diary: that of day `on`,
    /// or all of them.
    async fn unmark_seen(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id; an unknown film is NOT_FOUND.")] film_id: ID,
        #[graphql(desc = "Only the viewing of this day; every viewing when omitted.")] on: Option<
            NaiveDate,
        >,
    ) -> async_graphql::Result<UnmarkSeenPayload> {
        let (user, film) = viewer_and_film(ctx, &film_id).gql()?;
        let removed = library::unmark_seen(db(ctx), events(ctx), user, film, on)
            .await
            .gql()?;
        Ok(UnmarkSeenPayload {
            removed: removed as i64,
            film: payload_film(ctx, film).await?,
        })
    }

    /// Makes a film one of the viewer's favourites (at most 100), or not.
    async fn set_favorite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The film's global id; an unknown film is NOT_FOUND.")] film_id: ID,
        #[graphql(desc = "True to add it, false to remove it.", default = true)] favorite: bool,
    ) -> async_graphql::Result<LibraryPayload> {
        let (user, film) = viewer_and_film(ctx, &film_id).gql()?;
        let changed = library::set_favorite(db(ctx), events(ctx), user, film, favorite)
            .await
            .gql()?;
        payload(ctx, changed, film).await
    }
}

async fn payload(
    ctx: &Context<'_>,
    changed: bool,
    film: i32,
) -> async_graphql::Result<LibraryPayload> {
    Ok(LibraryPayload {
        changed,
        film: payload_film(ctx, film).await?,
    })
}

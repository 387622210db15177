//! The viewer's own library: the watchlist, diary and favourites mutations,
//! `Film.viewerState`, the `watchlist`, `seen` and `favorites` connections of
//! `me`, and the `libraryChanged` subscription.

use async_graphql::{Context, Enum, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::film::{Film, OrderDirection, film_columns, parent_film};
use super::rating::Rating;
use crate::db::entities::film;
use crate::db::queries::keyset::Position;
use crate::db::queries::library::{self as shelves, Shelf, ShelfEntry};
use crate::domain::library::{self, ChangeKind};
use crate::domain::sessions;
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
            film: parent_film(ctx, film).await?,
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
            film: parent_film(ctx, film).await?,
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
        film: parent_film(ctx, film).await?,
    })
}

/// What changed in the viewer's library.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum LibraryChangeKind {
    /// A film put on the watchlist.
    WatchlistAdded,
    /// A film taken off the watchlist (by hand, or because it was marked seen).
    WatchlistRemoved,
    /// A viewing entered in the diary.
    Seen,
    /// Viewings removed from the diary.
    Unseen,
    /// A film made a favourite.
    FavoriteAdded,
    /// A film no longer a favourite.
    FavoriteRemoved,
    /// A film rated, or its score changed.
    Rated,
    /// A rating taken back.
    Unrated,
    /// This server fell behind and changes may have been missed: read the
    /// library again. `film` is null.
    Missed,
}

impl From<ChangeKind> for LibraryChangeKind {
    fn from(kind: ChangeKind) -> Self {
        match kind {
            ChangeKind::WatchlistAdded => Self::WatchlistAdded,
            ChangeKind::WatchlistRemoved => Self::WatchlistRemoved,
            ChangeKind::Seen => Self::Seen,
            ChangeKind::Unseen => Self::Unseen,
            ChangeKind::FavoriteAdded => Self::FavoriteAdded,
            ChangeKind::FavoriteRemoved => Self::FavoriteRemoved,
            ChangeKind::Rated => Self::Rated,
            ChangeKind::Unrated => Self::Unrated,
        }
    }
}

pub struct LibraryChanged {
    kind: LibraryChangeKind,
    film: Option<i32>,
}

/// One change to the viewer's library, made on any of their devices.
#[Object]
impl LibraryChanged {
    /// What changed.
    async fn kind(&self) -> LibraryChangeKind {
        self.kind
    }
    /// The film it changed for (with its `viewerState` as it is now); null for `MISSED`.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Film>> {
        match self.film {
            Some(id) => Ok(Some(parent_film(ctx, id).await?)),
            None => Ok(None),
        }
    }
}

#[derive(Default)]
pub struct LibrarySubscription;

#[async_graphql::Subscription]
impl LibrarySubscription {
    /// Every change to the signed-in viewer's library (watchlist, diary,
    /// favourites, ratings) from any device and server, from now on.
    async fn library_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<
        impl futures_util::Stream<Item = async_graphql::Result<LibraryChanged>> + use<>,
    > {
        let viewer = *viewer(ctx).gql()?;
        let db = db(ctx).clone();
        let changes = events(ctx).subscribe_library();
        let mut recheck = tokio::time::interval_at(
            tokio::time::Instant::now() + SESSION_RECHECK,
            SESSION_RECHECK,
        );
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ok(futures_util::stream::unfold(
            Some((changes, recheck)),
            move |state| {
                let db = db.clone();
                async move {
                    let (mut changes, mut recheck) = state?;
                    loop {
                        let change =
                            next_change(&mut changes, &mut recheck, viewer.user_id).await?;
                        // The session may have ended since the socket signed in:
                        // then (or when that cannot be told) the stream ends.
                        match sessions::still_signed_in(&db, &viewer).await {
                            Ok(true) => {
                                if let Some(change) = change {
                                    return Some((Ok(change), Some((changes, recheck))));
                                }
                            }
                            Ok(false) => return Some((Err(session_ended()), None)),
                            Err(err) => return Some((AppResult::Err(err).gql(), None)),
                        }
                    }
                }
            },
        ))
    }
}

/// How often a quiet `libraryChanged` subscription checks that its session
/// still works (each event checks too).
const SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// The viewer's next change (`None` at a re-check, to check the session
/// before waiting again), or `None` from the outer option when the channel closed.
async fn next_change(
    changes: &mut tokio::sync::broadcast::Receiver<library::LibraryChange>,
    recheck: &mut tokio::time::Interval,
    user: i32,
) -> Option<Option<LibraryChanged>> {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        tokio::select! {
            received = changes.recv() => match received {
                Ok(change) if change.user_id == user => {
                    return Some(Some(LibraryChanged {
                        kind: change.kind.into(),
                        film: Some(change.film_id),
                    }));
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => {
                    return Some(Some(LibraryChanged {
                        kind: LibraryChangeKind::Missed,
                        film: None,
                    }));
                }
                Err(RecvError::Closed) => return None,
            },
            _ = recheck.tick() => return Some(None),
        }
    }
}

fn session_ended() -> async_graphql::Error {
    AppError::Unauthenticated.extend()
}

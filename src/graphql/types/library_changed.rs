//! `libraryChanged`: the viewer's library changes, made on any of their
//! devices and servers, over the WebSocket, for as long as the session that
//! signed the socket in works.

use async_graphql::{Context, Enum, ErrorExtensions, Object};

use super::film::{Film, film_of_field};
use crate::domain::library::{self, ChangeKind};
use crate::domain::sessions;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, db, events, viewer};

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
            Some(id) => Ok(Some(film_of_field(ctx, id).await?)),
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

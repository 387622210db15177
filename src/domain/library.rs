//! The users' own library: a watchlist, favourites and a diary of films seen.
//!
//! Each write is one transaction that first locks the user's row, so one
//! user's writes from several devices queue up, the limits count exactly, and
//! a repeated write finds the first one done (and changes nothing). A
//! committed change is told to the user's other devices (`libraryChanged`).

use chrono::{Duration, NaiveDate, Utc};

use super::events::Events;
use super::retry::retrying;
use super::trending::{self, Activity};
use crate::db::queries::library::{self as statements, Shelf, ShelfEntry};
use crate::db::{Db, Transaction, notify};
use crate::error::{AppError, AppResult};
use crate::ids::{self, NodeKind};

/// Films a watchlist may hold.
pub const WATCHLIST_LIMIT: i64 = 5_000;
/// Films a user may keep as favourites.
pub const FAVORITES_LIMIT: i64 = 100;
/// Entries a diary may hold.
pub const DIARY_LIMIT: i64 = 20_000;
/// The earliest day a film can have been seen: the year of the first films.
const FIRST_SCREENINGS: (i32, u32, u32) = (1888, 1, 1);

/// What changed in a user's library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    WatchlistAdded,
    WatchlistRemoved,
    Seen,
    Unseen,
    FavoriteAdded,
    FavoriteRemoved,
    Rated,
    Unrated,
}

impl ChangeKind {
    const ALL: [ChangeKind; 8] = [
        ChangeKind::WatchlistAdded,
        ChangeKind::WatchlistRemoved,
        ChangeKind::Seen,
        ChangeKind::Unseen,
        ChangeKind::FavoriteAdded,
        ChangeKind::FavoriteRemoved,
        ChangeKind::Rated,
        ChangeKind::Unrated,
    ];
    /// The name carried between servers.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::WatchlistAdded => "watchlist-added",
            ChangeKind::WatchlistRemoved => "watchlist-removed",
            ChangeKind::Seen => "seen",
            ChangeKind::Unseen => "unseen",
            ChangeKind::FavoriteAdded => "favorite-added",
            ChangeKind::FavoriteRemoved => "favorite-removed",
            ChangeKind::Rated => "rated",
            ChangeKind::Unrated => "unrated",
        }
    }
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// One change to one user's library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LibraryChange {
    pub user_id: i32,
    pub film_id: i32,
    pub kind: ChangeKind,
}

/// Queues the change's notification in `txn` (delivered to every server if
/// it commits).
pub async fn announce_in(txn: &Transaction, change: LibraryChange) -> AppResult<()> {
    notify::library_changed_in(txn, change.user_id, change.film_id, change.kind.name()).await?;
    Ok(())
}

/// Puts the film on the watchlist; false when it was there already.
pub async fn add_to_watchlist(db: &Db, events: &Events, user: i32, film: i32) -> AppResult<bool> {
    shelve(db, events, Shelf::Watchlist, user, film).await
}

/// Takes the film off the watchlist; false when it was not there.
pub async fn remove_from_watchlist(
    db: &Db,
    events: &Events,
    user: i32,
    film: i32,
) -> AppResult<bool> {
    Ok(unshelve(db, events, Shelf::Watchlist, user, film, None).await? > 0)
}

/// Makes the film a favourite or not; false when it already was as asked.
pub async fn set_favorite(
    db: &Db,
    events: &Events,
    user: i32,
    film: i32,
    favorite: bool,
) -> AppResult<bool> {
    if favorite {
        shelve(db, events, Shelf::Favorites, user, film).await
    } else {
        Ok(unshelve(db, events, Shelf::Favorites, user, film, None).await? > 0)
    }
}

/// Records that the user saw the film on day `on` (today, UTC, when not
/// given), which takes it off the watchlist. `rewatch` defaults to whether
/// the diary has the film on an earlier day. Marking the same film on the
/// same day again is the same viewing: the entry is kept (with `rewatch` as
/// given).
pub async fn mark_seen(
    db: &Db,
    events: &Events,
    user: i32,
    film: i32,
    on: Option<NaiveDate>,
    rewatch: Option<bool>,
) -> AppResult<ShelfEntry> {
    let today = Utc::now().date_naive();
    let on = on.unwrap_or(today);
    check_day_seen(on, today)?;
    let now = Utc::now();
    // The viewing counts towards the film's trend: its writers queue first.
    let _queued = trending::film_queue(film).lock().await;
    let (entry, left_watchlist) = retrying(|| async {
        let txn = begin_for(db, user, film).await?;
        let entries = statements::count(&txn, Shelf::Diary, user).await?;
        let rewatch = match rewatch {
            Some(rewatch) => rewatch,
            None => statements::seen_before(&txn, user, film, on).await?,
        };
        let entry = statements::enter_in_diary(&txn, user, film, on, rewatch, now).await?;
        let new_viewing = statements::count(&txn, Shelf::Diary, user).await? > entries;
        if new_viewing && entries >= DIARY_LIMIT {
            return Err(limit_reached("diary", DIARY_LIMIT));
        }
        let left = statements::unshelve(&txn, Shelf::Watchlist, user, film, None).await? > 0;
        if new_viewing {
            trending::record_in(&txn, user, film, Activity::Seen, now).await?;
        }
        let seen = change(user, film, ChangeKind::Seen);
        announce_in(&txn, seen).await?;
        if left {
            announce_in(&txn, change(user, film, ChangeKind::WatchlistRemoved)).await?;
        }
        txn.commit().await?;
        Ok((entry, left))
    })
    .await?;
    events.library_committed(change(user, film, ChangeKind::Seen));
    if left_watchlist {
        events.library_committed(change(user, film, ChangeKind::WatchlistRemoved));
    }
    Ok(entry)
}

/// Removes the film from the diary: the entry of day `on`, or every entry
/// of the film when no day is given. How many entries went.
pub async fn unmark_seen(
    db: &Db,
    events: &Events,
    user: i32,
    film: i32,
    on: Option<NaiveDate>,
) -> AppResult<u64> {
    unshelve(db, events, Shelf::Diary, user, film, on).await
}

/// A day seen is not after tomorrow (the viewer's time zone may be ahead of
/// UTC) and not before the first films were shown.
fn check_day_seen(on: NaiveDate, today: NaiveDate) -> AppResult<()> {
    let (year, month, day) = FIRST_SCREENINGS;
    let first = NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN);
    if on > today + Duration::days(1) {
        return Err(AppError::bad_input(format!(
            "`on` is a day in the future ({on}); a film is marked seen on or after the day it was seen"
        )));
    }
    if on < first {
        return Err(AppError::bad_input(format!(
            "`on` ({on}) is before {first}, earlier than any film was shown"
        )));
    }
    Ok(())
}

fn change(user_id: i32, film_id: i32, kind: ChangeKind) -> LibraryChange {
    LibraryChange {
        user_id,
        film_id,
        kind,
    }
}

fn limit_reached(what: &str, limit: i64) -> AppError {
    AppError::bad_input(format!(
        "the {what} limit is reached: it holds at most {limit} films (remove some first)"
    ))
}

/// A transaction holding the user's row lock, for a film that exists
/// (NOT_FOUND otherwise).
async fn begin_for(db: &Db, user: i32, film: i32) -> AppResult<Transaction> {
    let txn = db.begin().await?;
    if !statements::lock_user(&txn, user).await? {
        return Err(AppError::Unauthenticated);
    }
    if !statements::film_exists(&txn, film).await? {
        return Err(AppError::not_found(
            "film",
            ids::encode(NodeKind::Film, film),
        ));
    }
    Ok(txn)
}

async fn shelve(db: &Db, events: &Events, shelf: Shelf, user: i32, film: i32) -> AppResult<bool> {
    let (what, limit, kind) = match shelf {
        Shelf::Watchlist => ("watchlist", WATCHLIST_LIMIT, ChangeKind::WatchlistAdded),
        _ => ("favorites", FAVORITES_LIMIT, ChangeKind::FavoriteAdded),
    };
    let now = Utc::now();
    // A watchlist add counts towards the film's trend: its writers queue first.
    let _queued = match shelf {
        Shelf::Watchlist => Some(trending::film_queue(film).lock().await),
        _ => None,
    };
    let added = retrying(|| async {
        let txn = begin_for(db, user, film).await?;
        let held = statements::count(&txn, shelf, user).await?;
        let added = statements::shelve(&txn, shelf, user, film, now).await?;
        if added && held >= limit {
            return Err(limit_reached(what, limit));
        }
        if added {
            announce_in(&txn, change(user, film, kind)).await?;
            if shelf == Shelf::Watchlist {
                trending::record_in(&txn, user, film, Activity::Watchlisted, now).await?;
            }
        }
        txn.commit().await?;
        Ok(added)
    })
    .await?;
    if added {
        events.library_committed(change(user, film, kind));
    }
    Ok(added)
}

async fn unshelve(
    db: &Db,
    events: &Events,
    shelf: Shelf,
    user: i32,
    film: i32,
    on: Option<NaiveDate>,
) -> AppResult<u64> {
    let kind = match shelf {
        Shelf::Watchlist => ChangeKind::WatchlistRemoved,
        Shelf::Favorites => ChangeKind::FavoriteRemoved,
        Shelf::Diary => ChangeKind::Unseen,
    };
    let removed = retrying(|| async {
        let txn = begin_for(db, user, film).await?;
        let removed = statements::unshelve(&txn, shelf, user, film, on).await?;
        if removed > 0 {
            announce_in(&txn, change(user, film, kind)).await?;
        }
        txn.commit().await?;
        Ok(removed)
    })
    .await?;
    if removed > 0 {
        events.library_committed(change(user, film, kind));
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_kinds_travel_by_name() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(ChangeKind::parse("burned"), None);
    }

    #[test]
    fn days_seen_are_neither_future_nor_before_cinema() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(check_day_seen(today, today).is_ok());
        assert!(check_day_seen(day(2026, 12, 5), today).is_ok());
        assert!(check_day_seen(day(1888, 1, 1), today).is_ok());
        assert!(check_day_seen(day(2026, 12, 6), today).is_err());
        assert!(check_day_seen(day(1887, 12, 31), today).is_err());
    }
}

//! Where ratings are written. Each write runs in one transaction that first
//! locks the film's row (an UPDATE that changes nothing), so writes to one film
//! queue up and the film's summary columns are recounted from the ratings table
//! with every earlier write committed: no lost update under concurrency.
//! Serialization failures and SQLite busy errors (told apart by their codes)
//! are retried here, never shown.

use chrono::Utc;

use super::events::Events;
use super::library::{self, ChangeKind, LibraryChange};
use super::retry::retrying;
use super::trending::{self, Activity};
use crate::db::entities::rating;
use crate::db::queries::rating as statements;
use crate::db::{Db, notify};
use crate::error::{AppError, AppResult};
use crate::ids::{self, NodeKind};

/// Creates or replaces the user's rating of the film.
pub async fn rate(
    db: &Db,
    events: &Events,
    user_id: i32,
    film_id: i32,
    score: i32,
) -> AppResult<rating::Model> {
    if !(1..=10).contains(&score) {
        return Err(AppError::bad_input(format!(
            "a score is a whole number from 1 to 10, got {score}"
        )));
    }
    let rated = LibraryChange {
        user_id,
        film_id,
        kind: ChangeKind::Rated,
    };
    let _queued = trending::film_queue(film_id).lock().await;
    let saved = retrying(|| async {
        let txn = db.begin().await?;
        lock_film(&txn, film_id).await?;
        let now = Utc::now();
        let saved = statements::replace(&txn, user_id, film_id, score as i16, now).await?;
        statements::recount(&txn, film_id).await?;
        trending::record_in(&txn, user_id, film_id, Activity::Rated, now).await?;
        notify::rating_changed_in(&txn, film_id).await?;
        library::announce_in(&txn, rated).await?;
        txn.commit().await?;
        Ok(saved)
    })
    .await?;
    events.rating_committed(film_id);
    events.library_committed(rated);
    Ok(saved)
}

/// Removes the user's rating of the film; false when there was none.
pub async fn remove(db: &Db, events: &Events, user_id: i32, film_id: i32) -> AppResult<bool> {
    let unrated = LibraryChange {
        user_id,
        film_id,
        kind: ChangeKind::Unrated,
    };
    let _queued = trending::film_queue(film_id).lock().await;
    let removed = retrying(|| async {
        let txn = db.begin().await?;
        lock_film(&txn, film_id).await?;
        let removed = statements::delete(&txn, user_id, film_id).await?;
        statements::recount(&txn, film_id).await?;
        notify::rating_changed_in(&txn, film_id).await?;
        if removed {
            library::announce_in(&txn, unrated).await?;
        }
        txn.commit().await?;
        Ok(removed)
    })
    .await?;
    events.rating_committed(film_id);
    if removed {
        events.library_committed(unrated);
    }
    Ok(removed)
}

/// Takes the film's row lock (and on SQLite the write lock) before anything
/// else; an unknown film is NOT_FOUND.
async fn lock_film(txn: &crate::db::Transaction, film_id: i32) -> AppResult<()> {
    if !statements::lock_film(txn, film_id).await? {
        return Err(AppError::not_found(
            "film",
            ids::encode(NodeKind::Film, film_id),
        ));
    }
    Ok(())
}

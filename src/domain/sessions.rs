//! Managing an account: its sessions (listed, ended one by one or all at
//! once), a new password (which ends every other session), its deletion and
//! the export of everything it owns.
//!
//! Deleting an account removes every row it owns (the foreign keys cascade:
//! sessions, ratings, reviews, votes, the library, lists). Its public reviews
//! are deleted, not anonymised: a review is the user's own words, and an
//! account's deletion should take them away. What others see is recounted
//! in the same transaction: the rating figures of every film it rated, the
//! helpful counts of every review it voted for.

use chrono::Utc;
use serde_json::{Value, json};

use super::account::{self, Viewer, blocking, check_password, hash_password, password_matches};
use super::events::Events;
use super::limits::{RateLimiter, Scope};
use super::retry::retrying;
use crate::db::entities::{app_user, user_session};
use crate::db::queries::account::count_owned;
use crate::db::queries::{rating, sessions};
use crate::db::{Db, notify};
use crate::error::{AppError, AppResult};
use crate::ids::{self, NodeKind};

/// The viewer's working sessions, newest first.
pub async fn list(db: &Db, viewer: &Viewer) -> AppResult<Vec<user_session::Model>> {
    Ok(sessions::active(db, viewer.user_id, Utc::now()).await?)
}

/// Whether the viewer's session still works: a WebSocket authenticates once,
/// at `connection_init`, so its operations and long-lived subscriptions ask
/// again (an ended session, a changed password or a deleted account stops
/// them).
pub async fn still_signed_in(db: &Db, viewer: &Viewer) -> AppResult<bool> {
    Ok(sessions::is_working(db, viewer.session_id, Utc::now()).await?)
}

/// Ends one of the viewer's sessions (its token stops working); false when
/// it had ended already. Someone else's session is NOT_FOUND.
pub async fn end(db: &Db, viewer: &Viewer, session: i32) -> AppResult<bool> {
    if !sessions::exists(db, viewer.user_id, session).await? {
        return Err(AppError::not_found(
            "session",
            ids::encode(NodeKind::Session, session),
        ));
    }
    Ok(sessions::end_one(db, viewer.user_id, session, Utc::now()).await?)
}

/// Ends every session of the viewer, this one included; how many ended.
pub async fn end_all(db: &Db, viewer: &Viewer) -> AppResult<u64> {
    Ok(sessions::end_all(db.connection(), viewer.user_id, None, Utc::now()).await?)
}

/// The viewer's account when `password` is its password; a wrong one is
/// FORBIDDEN, and tries count against the sign-in limits.
async fn confirmed(
    db: &Db,
    limiter: &RateLimiter,
    client_address: &str,
    viewer: &Viewer,
    password: &str,
) -> AppResult<app_user::Model> {
    let user = account::user(db, viewer)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    limiter
        .check(
            Scope::SignInByAddressAndUsername,
            &RateLimiter::client_and_username(client_address, &user.username),
        )
        .await?;
    let (password, stored) = (password.to_string(), user.password_hash.clone());
    if !blocking(move || password_matches(&password, &stored)).await? {
        return Err(AppError::Forbidden("the password is wrong".into()));
    }
    Ok(user)
}

/// Replaces the viewer's password and ends every other session of the
/// account; how many ended.
pub async fn change_password(
    db: &Db,
    limiter: &RateLimiter,
    client_address: &str,
    viewer: &Viewer,
    current: &str,
    new: &str,
) -> AppResult<u64> {
    let user = confirmed(db, limiter, client_address, viewer, current).await?;
    check_password(&user.username, new)?;
    if current == new {
        return Err(AppError::bad_input("the new password is the current one"));
    }
    let new = new.to_string();
    let hash = blocking(move || hash_password(&new)).await??;
    retrying(|| async {
        let txn = db.begin().await?;
        sessions::set_password_hash(&txn, user.id, hash.clone()).await?;
        let ended = sessions::end_all(&txn, user.id, Some(viewer.session_id), Utc::now()).await?;
        txn.commit().await?;
        Ok(ended)
    })
    .await
}

/// What an account's deletion removed.
pub struct Deleted {
    pub ratings: i64,
    pub reviews: i64,
}

/// Deletes the viewer's account and everything it owns, and recounts what
/// others see (see the module's comment).
pub async fn delete_account(
    db: &Db,
    events: &Events,
    limiter: &RateLimiter,
    client_address: &str,
    viewer: &Viewer,
    password: &str,
) -> AppResult<Deleted> {
    let user = confirmed(db, limiter, client_address, viewer, password).await?;
    let (deleted, touched) = retrying(|| async {
        let txn = db.begin().await?;
        if !sessions::lock_for_deletion(&txn, user.id).await? {
            return Err(AppError::Unauthenticated);
        }
        let touched = sessions::touched_by(&txn, user.id).await?;
        // Films in id order, as every writer of several films takes them.
        for film in &touched.films_rated {
            rating::lock_film(&txn, *film).await?;
        }
        let deleted = Deleted {
            ratings: count_owned(&txn, "rating", user.id).await?,
            reviews: count_owned(&txn, "review", user.id).await?,
        };
        if !sessions::delete_user(&txn, user.id).await? {
            return Err(AppError::Unauthenticated);
        }
        for film in &touched.films_rated {
            rating::recount(&txn, *film).await?;
            notify::rating_changed_in(&txn, *film).await?;
        }
        sessions::recount_helpful(&txn, &touched.reviews_voted).await?;
        notify::content_changed_in(&txn).await?;
        txn.commit().await?;
        Ok((deleted, touched))
    })
    .await?;
    for film in &touched.films_rated {
        events.rating_committed(*film);
    }
    for film in &touched.films_reviewed {
        events.content_committed(db, *film).await;
    }
    Ok(deleted)
}

/// Everything the viewer's account owns, as one JSON document.
pub async fn export(db: &Db, viewer: &Viewer) -> AppResult<Value> {
    let user = account::user(db, viewer)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let sections = sessions::export(db, user.id).await?;
    let mut document = json!({
        "format": "cinegraph-account-export",
        "version": 1,
        "exportedAt": Utc::now(),
        "account": {
            "id": ids::encode(NodeKind::User, user.id),
            "username": user.username,
            "displayName": user.display_name,
            "createdAt": user.created_at,
            "role": user.role,
        },
    });
    if let Some(object) = document.as_object_mut() {
        object.extend(sections);
    }
    Ok(document)
}

//! Where user reviews are written: one per user and film, only by their
//! author; helpful votes once per user, never for one's own review.

use chrono::Utc;

use super::events::Events;
use crate::db::Db;
use crate::db::entities::review;
use crate::db::queries::review::{self as statements, NewReview, ReviewEdit};
use crate::error::{AppError, AppResult};
use crate::ids::{self, NodeKind};

pub const MAX_TITLE: usize = 200;
pub const MIN_BODY: usize = 20;
pub const MAX_BODY: usize = 10_000;

/// What a review says; `None` fields of an edit are left as they were.
pub struct ReviewText {
    pub title: Option<Option<String>>,
    pub body: Option<String>,
    pub score: Option<Option<i32>>,
    pub spoiler: Option<bool>,
}

fn check(text: &ReviewText) -> AppResult<()> {
    if let Some(Some(title)) = &text.title
        && (title.trim().is_empty() || title.chars().count() > MAX_TITLE)
    {
        return Err(AppError::bad_input(format!(
            "a title has 1 to {MAX_TITLE} characters"
        )));
    }
    if let Some(body) = &text.body {
        let length = body.trim().chars().count();
        if !(MIN_BODY..=MAX_BODY).contains(&length) {
            return Err(AppError::bad_input(format!(
                "a review has {MIN_BODY} to {MAX_BODY} characters, got {length}"
            )));
        }
    }
    if let Some(Some(score)) = text.score
        && !(1..=10).contains(&score)
    {
        return Err(AppError::bad_input(format!(
            "a score is a whole number from 1 to 10, got {score}"
        )));
    }
    Ok(())
}

pub async fn write(
    db: &Db,
    events: &Events,
    user_id: i32,
    film_id: i32,
    text: ReviewText,
) -> AppResult<review::Model> {
    check(&text)?;
    let body = text
        .body
        .clone()
        .ok_or_else(|| AppError::bad_input("a review needs a body"))?;
    if !statements::film_exists(db, film_id).await? {
        return Err(AppError::not_found(
            "film",
            ids::encode(NodeKind::Film, film_id),
        ));
    }
    let new = NewReview {
        film_id,
        user_id,
        title: text.title.flatten().map(|t| t.trim().to_string()),
        body: body.trim().to_string(),
        score: text.score.flatten().map(f64::from),
        spoiler: text.spoiler.unwrap_or(false),
    };
    let saved =
        statements::insert(db, new, Utc::now())
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::Conflict(
                    "you have already reviewed this film; edit that review instead".into(),
                ),
                other => other,
            })?;
    events.content_committed(db, film_id).await;
    Ok(saved)
}

/// The review, if the user wrote it. Reviews are public, so someone else's,
/// or a critic's, is FORBIDDEN (not NOT_FOUND).
async fn own(db: &Db, user_id: i32, review_id: i32) -> AppResult<review::Model> {
    let found = statements::find(db, review_id)
        .await?
        .ok_or_else(|| AppError::not_found("review", ids::encode(NodeKind::Review, review_id)))?;
    match found.user_id {
        Some(author) if author == user_id => Ok(found),
        Some(_) => Err(AppError::Forbidden(
            "only its author can change or delete a review".into(),
        )),
        None => Err(AppError::Forbidden(
            "critic reviews come from the film's sources; nobody can change or delete them here"
                .into(),
        )),
    }
}

pub async fn edit(
    db: &Db,
    events: &Events,
    user_id: i32,
    review_id: i32,
    text: ReviewText,
) -> AppResult<review::Model> {
    check(&text)?;
    let old = own(db, user_id, review_id).await?;
    let edit = ReviewEdit {
        title: text.title.map(|title| title.map(|t| t.trim().to_string())),
        body: text.body.map(|body| body.trim().to_string()),
        score: text.score.map(|score| score.map(f64::from)),
        spoiler: text.spoiler,
    };
    let saved = statements::update(db, old.id, edit, Utc::now()).await?;
    events.content_committed(db, saved.film_id).await;
    Ok(saved)
}

pub async fn delete(
    db: &Db,
    events: &Events,
    user_id: i32,
    review_id: i32,
) -> AppResult<review::Model> {
    let old = own(db, user_id, review_id).await?;
    statements::delete(db, old.id).await?;
    events.content_committed(db, old.film_id).await;
    Ok(old)
}

/// Marks a review helpful (or takes the mark back) and recounts its votes, in
/// one transaction that first locks the review's row. Authors cannot vote for
/// their own reviews (FORBIDDEN).
pub async fn vote(
    db: &Db,
    events: &Events,
    user_id: i32,
    review_id: i32,
    helpful: bool,
) -> AppResult<review::Model> {
    let txn = db.begin().await?;
    if !statements::lock(&txn, review_id).await? {
        return Err(AppError::not_found(
            "review",
            ids::encode(NodeKind::Review, review_id),
        ));
    }
    let found = statements::find_in(&txn, review_id)
        .await?
        .ok_or_else(|| AppError::not_found("review", review_id))?;
    if found.user_id == Some(user_id) {
        return Err(AppError::Forbidden(
            "you cannot vote for your own review".into(),
        ));
    }
    statements::set_vote(&txn, review_id, user_id, helpful, Utc::now()).await?;
    let updated = statements::find_in(&txn, review_id)
        .await?
        .ok_or_else(|| AppError::not_found("review", review_id))?;
    txn.commit().await?;
    events.content_committed(db, updated.film_id).await;
    Ok(updated)
}

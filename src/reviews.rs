//! Where user reviews are written: one per user and film, only by their author.

use chrono::Utc;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::db::entities::{app_user, film, review};
use crate::error::{AppError, AppResult};
use crate::kinds::ReviewKind;

pub const MAX_TITLE: usize = 200;
pub const MIN_BODY: usize = 20;
pub const MAX_BODY: usize = 10_000;
/// User reviews list after the film page's own reviews in page order.
const USER_REVIEW_POSITION: i32 = 1_000_000;

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
    db: &DatabaseConnection,
    user_id: i32,
    film_id: i32,
    text: ReviewText,
) -> AppResult<review::Model> {
    check(&text)?;
    let body = text
        .body
        .clone()
        .ok_or_else(|| AppError::bad_input("a review needs a body"))?;
    if film::Entity::find_by_id(film_id).one(db).await?.is_none() {
        return Err(AppError::not_found(
            "film",
            crate::graphql::ids::encode(crate::graphql::ids::NodeKind::Film, film_id).0,
        ));
    }
    let author = app_user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|u| u.username);
    let now = Utc::now();
    review::ActiveModel {
        id: NotSet,
        film_id: Set(film_id),
        kind: Set(ReviewKind::User.as_str().to_string()),
        user_id: Set(Some(user_id)),
        author: Set(author),
        outlet: Set(None),
        title: Set(text.title.flatten().map(|t| t.trim().to_string())),
        body: Set(body.trim().to_string()),
        score: Set(text.score.flatten().map(f64::from)),
        spoiler: Set(text.spoiler.unwrap_or(false)),
        helpful_count: Set(0),
        position: Set(USER_REVIEW_POSITION),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict(
            "you have already reviewed this film; edit that review instead".into(),
        ),
        other => other,
    })
}

/// The review, if the user wrote it: someone else's is FORBIDDEN.
async fn own(db: &DatabaseConnection, user_id: i32, review_id: i32) -> AppResult<review::Model> {
    let found = review::Entity::find_by_id(review_id)
        .filter(review::Column::Kind.eq(ReviewKind::User.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "review",
                crate::graphql::ids::encode(crate::graphql::ids::NodeKind::Review, review_id).0,
            )
        })?;
    if found.user_id != Some(user_id) {
        return Err(AppError::Forbidden(
            "only its author can change or delete a review".into(),
        ));
    }
    Ok(found)
}

pub async fn edit(
    db: &DatabaseConnection,
    user_id: i32,
    review_id: i32,
    text: ReviewText,
) -> AppResult<review::Model> {
    check(&text)?;
    let old = own(db, user_id, review_id).await?;
    let mut row = review::ActiveModel {
        id: Set(old.id),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(title) = text.title {
        row.title = Set(title.map(|t| t.trim().to_string()));
    }
    if let Some(body) = text.body {
        row.body = Set(body.trim().to_string());
    }
    if let Some(score) = text.score {
        row.score = Set(score.map(f64::from));
    }
    if let Some(spoiler) = text.spoiler {
        row.spoiler = Set(spoiler);
    }
    Ok(row.update(db).await?)
}

pub async fn delete(
    db: &DatabaseConnection,
    user_id: i32,
    review_id: i32,
) -> AppResult<review::Model> {
    let old = own(db, user_id, review_id).await?;
    review::Entity::delete_by_id(old.id).exec(db).await?;
    Ok(old)
}

/// Marks a review helpful (or takes the mark back) and recounts its votes, in
/// one transaction that first locks the review's row. Authors cannot vote for
/// their own reviews (FORBIDDEN).
pub async fn vote(
    db: &DatabaseConnection,
    user_id: i32,
    review_id: i32,
    helpful: bool,
) -> AppResult<review::Model> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = db.begin().await?;
    let mut lock = crate::db::sql::Sql::new(txn.get_database_backend());
    lock.push("UPDATE review SET helpful_count = helpful_count WHERE id = ")
        .bind(review_id);
    if lock.execute(&txn).await?.rows_affected() == 0 {
        return Err(AppError::not_found(
            "review",
            crate::graphql::ids::encode(crate::graphql::ids::NodeKind::Review, review_id).0,
        ));
    }
    let found = review::Entity::find_by_id(review_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("review", review_id))?;
    if found.user_id == Some(user_id) {
        return Err(AppError::Forbidden(
            "you cannot vote for your own review".into(),
        ));
    }
    let mut sql = crate::db::sql::Sql::new(txn.get_database_backend());
    if helpful {
        sql.push("INSERT INTO review_vote (review_id, user_id, created_at) VALUES (")
            .bind(review_id)
            .push(", ")
            .bind(user_id)
            .push(", ")
            .bind(Utc::now())
            .push(") ON CONFLICT (review_id, user_id) DO NOTHING");
    } else {
        sql.push("DELETE FROM review_vote WHERE review_id = ")
            .bind(review_id)
            .push(" AND user_id = ")
            .bind(user_id);
    }
    sql.execute(&txn).await?;
    let mut recount = crate::db::sql::Sql::new(txn.get_database_backend());
    recount
        .push("UPDATE review SET helpful_count = (SELECT COUNT(*) FROM review_vote v WHERE v.review_id = ")
        .bind(review_id)
        .push(") WHERE id = ")
        .bind(review_id);
    recount.execute(&txn).await?;
    let updated = review::Entity::find_by_id(review_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("review", review_id))?;
    txn.commit().await?;
    Ok(updated)
}

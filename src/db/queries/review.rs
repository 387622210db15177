//! Reviews: the statements of writing, editing, deleting and voting.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait};

use crate::db::entities::{app_user, film, review};
use crate::db::queries::keyset::{KeysetPage, Ordering, ValueKind, Window};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr, Transaction};
use crate::error::AppResult;
use crate::kinds::ReviewKind;

/// User reviews list after the film page's own reviews in page order.
const USER_REVIEW_POSITION: i32 = 1_000_000;

/// What a new user review says.
pub struct NewReview {
    pub film_id: i32,
    pub user_id: i32,
    pub title: Option<String>,
    pub body: String,
    pub score: Option<f64>,
    pub spoiler: bool,
}

/// Whether the film exists.
pub async fn film_exists(db: &Db, film_id: i32) -> Result<bool, DbErr> {
    Ok(film::Entity::find_by_id(film_id)
        .one(db.connection())
        .await?
        .is_some())
}

/// Inserts a user review, signed with the user's name. One per user and
/// film: a second one fails on the unique index.
pub async fn insert(db: &Db, new: NewReview, now: DateTime<Utc>) -> Result<review::Model, DbErr> {
    let author = app_user::Entity::find_by_id(new.user_id)
        .one(db.connection())
        .await?
        .map(|u| u.username);
    review::ActiveModel {
        id: NotSet,
        film_id: Set(new.film_id),
        kind: Set(ReviewKind::User.as_str().to_string()),
        user_id: Set(Some(new.user_id)),
        author: Set(author),
        outlet: Set(None),
        title: Set(new.title),
        body: Set(new.body),
        score: Set(new.score),
        spoiler: Set(new.spoiler),
        helpful_count: Set(0),
        position: Set(USER_REVIEW_POSITION),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db.connection())
    .await
}

/// The user review with this id, if any.
pub async fn find(db: &Db, review_id: i32) -> Result<Option<review::Model>, DbErr> {
    review::Entity::find_by_id(review_id)
        .one(db.connection())
        .await
}

/// Changes to a review; `None` leaves a field as it is.
pub struct ReviewEdit {
    pub title: Option<Option<String>>,
    pub body: Option<String>,
    pub score: Option<Option<f64>>,
    pub spoiler: Option<bool>,
}

/// Applies `edit` to the review and returns it as saved.
pub async fn update(
    db: &Db,
    review_id: i32,
    edit: ReviewEdit,
    now: DateTime<Utc>,
) -> Result<review::Model, DbErr> {
    let mut row = review::ActiveModel {
        id: Set(review_id),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(title) = edit.title {
        row.title = Set(title);
    }
    if let Some(body) = edit.body {
        row.body = Set(body);
    }
    if let Some(score) = edit.score {
        row.score = Set(score);
    }
    if let Some(spoiler) = edit.spoiler {
        row.spoiler = Set(spoiler);
    }
    row.update(db.connection()).await
}

pub async fn delete(db: &Db, review_id: i32) -> Result<(), DbErr> {
    review::Entity::delete_by_id(review_id)
        .exec(db.connection())
        .await?;
    Ok(())
}

/// Takes the review's row lock with an UPDATE that changes nothing; false
/// when there is no such review.
pub async fn lock(txn: &Transaction, review_id: i32) -> Result<bool, DbErr> {
    let mut lock = Sql::new(txn.get_database_backend());
    lock.push("UPDATE review SET helpful_count = helpful_count WHERE id = ")
        .bind(review_id);
    Ok(lock.execute(txn).await?.rows_affected() > 0)
}

/// The review with this id, read in `txn`.
pub async fn find_in(txn: &Transaction, review_id: i32) -> Result<Option<review::Model>, DbErr> {
    review::Entity::find_by_id(review_id).one(txn).await
}

/// Records (or takes back) the user's helpful vote and recounts the review's votes.
pub async fn set_vote(
    txn: &Transaction,
    review_id: i32,
    user_id: i32,
    helpful: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    if helpful {
        sql.push("INSERT INTO review_vote (review_id, user_id, created_at) VALUES (")
            .bind(review_id)
            .push(", ")
            .bind(user_id)
            .push(", ")
            .bind(now)
            .push(") ON CONFLICT (review_id, user_id) DO NOTHING");
    } else {
        sql.push("DELETE FROM review_vote WHERE review_id = ")
            .bind(review_id)
            .push(" AND user_id = ")
            .bind(user_id);
    }
    sql.execute(txn).await?;
    let mut recount = Sql::new(txn.get_database_backend());
    recount
        .push("UPDATE review SET helpful_count = (SELECT COUNT(*) FROM review_vote v WHERE v.review_id = ")
        .bind(review_id)
        .push(") WHERE id = ")
        .bind(review_id);
    recount.execute(txn).await?;
    Ok(())
}

/// The order of a user's reviews: the newest first.
pub fn newest_of_user() -> Ordering {
    Ordering {
        tag: "user-reviews:newest".to_string(),
        column: "r.id".to_string(),
        kind: ValueKind::Int,
        descending: true,
        nullable: false,
    }
}

/// One page of the user's reviews, the newest first.
pub async fn page_of_user(
    db: &Db,
    user: i32,
    window: &Window,
) -> AppResult<KeysetPage<review::Model>> {
    let select = |sql: &mut Sql| {
        sql.push("SELECT r.* FROM review r WHERE r.user_id = ")
            .bind(user);
        Ok(())
    };
    window.fetch_page(db, &newest_of_user(), &select).await
}

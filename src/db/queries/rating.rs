//! Ratings: the counts behind a film's summary, a viewer's ratings, and the
//! statements of a rating write (each in the caller's transaction).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

use crate::db::entities::rating;
use crate::db::queries::keyset::{KeysetPage, OrderDirection, Ordering, ValueKind, Window};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr, Transaction};
use crate::error::AppResult;

/// How many ratings gave each score (1 to 10), per film, for these films
/// (films nobody rated get zeros), from one grouped statement.
pub async fn score_counts(db: &Db, films: &[i32]) -> Result<HashMap<i32, [i64; 10]>, DbErr> {
    let rows: Vec<(i32, i16, i64)> = rating::Entity::find()
        .select_only()
        .column(rating::Column::FilmId)
        .column(rating::Column::Score)
        .column_as(rating::Column::Id.count(), "n")
        .filter(rating::Column::FilmId.is_in(films.iter().copied()))
        .group_by(rating::Column::FilmId)
        .group_by(rating::Column::Score)
        .into_tuple()
        .all(db.connection())
        .await?;
    let mut counts: HashMap<i32, [i64; 10]> = films.iter().map(|film| (*film, [0; 10])).collect();
    for (film, score, n) in rows {
        if let (Some(buckets), 1..=10) = (counts.get_mut(&film), score) {
            buckets[score as usize - 1] = n;
        }
    }
    Ok(counts)
}

/// One user's ratings of these films, by film.
pub async fn of_user_for_films(
    db: &Db,
    user: i32,
    films: Vec<i32>,
) -> Result<Vec<rating::Model>, DbErr> {
    rating::Entity::find()
        .filter(rating::Column::UserId.eq(user))
        .filter(rating::Column::FilmId.is_in(films))
        .all(db.connection())
        .await
}

/// The ordering of a user's ratings: the most recently given (or changed) first.
pub fn newest_first() -> Ordering {
    Ordering {
        tag: format!("ratings:{:?}", OrderDirection::Desc),
        column: "r.id".to_string(),
        kind: ValueKind::Int,
        descending: true,
        nullable: false,
    }
}

/// One page of a user's ratings, newest first.
pub async fn page_of_user(
    db: &Db,
    user: i32,
    window: &Window,
) -> AppResult<KeysetPage<rating::Model>> {
    let select = |sql: &mut Sql| {
        sql.push("SELECT r.* FROM rating r WHERE r.user_id = ")
            .bind(user);
        Ok(())
    };
    window.fetch_page(db, &newest_first(), &select).await
}

/// Takes the film's row lock (and on SQLite the write lock) before anything
/// else, with an UPDATE that changes nothing; false when there is no such film.
pub async fn lock_film(txn: &Transaction, film_id: i32) -> Result<bool, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film SET user_rating_count = user_rating_count WHERE id = ")
        .bind(film_id);
    Ok(sql.execute(txn).await?.rows_affected() > 0)
}

/// Replaces the user's rating of the film with `score` (a new row, so a
/// re-rated film comes first in the user's list; the first rating's date is
/// kept), and returns it.
pub async fn replace(
    txn: &Transaction,
    user_id: i32,
    film_id: i32,
    score: i16,
    now: DateTime<Utc>,
) -> Result<rating::Model, DbErr> {
    let existing = rating::Entity::find()
        .filter(rating::Column::UserId.eq(user_id))
        .filter(rating::Column::FilmId.eq(film_id))
        .one(txn)
        .await?;
    let created_at = match existing {
        Some(old) => {
            rating::Entity::delete_by_id(old.id).exec(txn).await?;
            old.created_at
        }
        None => now,
    };
    rating::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        film_id: Set(film_id),
        score: Set(score),
        created_at: Set(created_at),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
}

/// Deletes the user's rating of the film; false when there was none.
pub async fn delete(txn: &Transaction, user_id: i32, film_id: i32) -> Result<bool, DbErr> {
    let deleted = rating::Entity::delete_many()
        .filter(rating::Column::UserId.eq(user_id))
        .filter(rating::Column::FilmId.eq(film_id))
        .exec(txn)
        .await?
        .rows_affected;
    Ok(deleted > 0)
}

/// The film's count and average, recounted from its ratings.
pub async fn recount(txn: &Transaction, film_id: i32) -> Result<(), DbErr> {
    recount_films(txn, Some(film_id)).await
}

/// The count and average of one film (or, with `None`, of every film),
/// recounted from the ratings.
pub async fn recount_films(txn: &impl ConnectionTrait, film_id: Option<i32>) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push(
        "UPDATE film SET user_rating_count = (SELECT COUNT(*) FROM rating r WHERE r.film_id = film.id), \
         user_rating_average = (SELECT AVG(CAST(r.score AS DOUBLE PRECISION)) FROM rating r WHERE r.film_id = film.id)",
    );
    if let Some(film_id) = film_id {
        sql.push(" WHERE id = ").bind(film_id);
    }
    sql.execute(txn).await?;
    Ok(())
}

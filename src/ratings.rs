//! Where ratings are written. Each write runs in one transaction that first
//! locks the film's row (an UPDATE that changes nothing), so writes to one film
//! queue up and the film's summary columns are recounted from the ratings table
//! with every earlier write committed: no lost update under concurrency.
//! Serialization failures and SQLite busy errors are retried here, never shown.

use chrono::Utc;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, TransactionTrait,
};

use crate::db::entities::rating;
use crate::db::sql::Sql;
use crate::error::{AppError, AppResult};

/// How often a write is tried before its conflict is reported.
const ATTEMPTS: u32 = 12;

/// Creates or replaces the user's rating of the film.
pub async fn rate(
    db: &DatabaseConnection,
    user_id: i32,
    film_id: i32,
    score: i32,
) -> AppResult<rating::Model> {
    if !(1..=10).contains(&score) {
        return Err(AppError::bad_input(format!(
            "a score is a whole number from 1 to 10, got {score}"
        )));
    }
    let _queued = film_write_lock(film_id).lock().await;
    retrying(|| async {
        let txn = db.begin().await?;
        lock_film(&txn, film_id).await?;
        let existing = rating::Entity::find()
            .filter(rating::Column::UserId.eq(user_id))
            .filter(rating::Column::FilmId.eq(film_id))
            .one(&txn)
            .await?;
        let now = Utc::now();
        // A new rating row each time (the first rating's date kept), so the
        // viewer's list of ratings, newest first, puts a re-rated film on top.
        let created_at = match existing {
            Some(old) => {
                rating::Entity::delete_by_id(old.id).exec(&txn).await?;
                old.created_at
            }
            None => now,
        };
        let saved = rating::ActiveModel {
            id: NotSet,
            user_id: Set(user_id),
            film_id: Set(film_id),
            score: Set(score as i16),
            created_at: Set(created_at),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        recount(&txn, film_id).await?;
        crate::events::notify_in(&txn, film_id).await?;
        txn.commit().await?;
        Ok(saved)
    })
    .await
}

/// Removes the user's rating of the film; false when there was none.
pub async fn remove(db: &DatabaseConnection, user_id: i32, film_id: i32) -> AppResult<bool> {
    let _queued = film_write_lock(film_id).lock().await;
    retrying(|| async {
        let txn = db.begin().await?;
        lock_film(&txn, film_id).await?;
        let deleted = rating::Entity::delete_many()
            .filter(rating::Column::UserId.eq(user_id))
            .filter(rating::Column::FilmId.eq(film_id))
            .exec(&txn)
            .await?
            .rows_affected;
        recount(&txn, film_id).await?;
        crate::events::notify_in(&txn, film_id).await?;
        txn.commit().await?;
        Ok(deleted > 0)
    })
    .await
}

/// Takes the film's row lock (and on SQLite the write lock) before anything else.
async fn lock_film(txn: &DatabaseTransaction, film_id: i32) -> AppResult<()> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film SET user_rating_count = user_rating_count WHERE id = ")
        .bind(film_id);
    if sql.execute(txn).await?.rows_affected() == 0 {
        return Err(AppError::not_found(
            "film",
            crate::graphql::ids::encode(crate::graphql::ids::NodeKind::Film, film_id).0,
        ));
    }
    Ok(())
}

/// The film's count and average, recounted from its ratings.
async fn recount(txn: &DatabaseTransaction, film_id: i32) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film SET user_rating_count = (SELECT COUNT(*) FROM rating r WHERE r.film_id = ")
        .bind(film_id)
        .push("), user_rating_average = (SELECT AVG(CAST(r.score AS DOUBLE PRECISION)) FROM rating r WHERE r.film_id = ")
        .bind(film_id)
        .push(") WHERE id = ")
        .bind(film_id);
    sql.execute(txn).await?;
    Ok(())
}

/// Writers of one film queue here first, in this process, so they wait
/// without holding a pooled connection: a burst of ratings of one popular film
/// used to take every connection, each waiting on the film's row lock, until
/// other requests timed out waiting for the pool. The row lock still orders
/// writers of different processes. Striped (film id modulo 64), so memory
/// stays fixed; two films sharing a stripe only queue together.
fn film_write_lock(film_id: i32) -> &'static tokio::sync::Mutex<()> {
    static LOCKS: std::sync::OnceLock<Vec<tokio::sync::Mutex<()>>> = std::sync::OnceLock::new();
    let locks = LOCKS.get_or_init(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    &locks[film_id.rem_euclid(64) as usize]
}

/// Runs `write` again when the database reports a transient conflict.
async fn retrying<T, F, Fut>(write: F) -> AppResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match write().await {
            Err(AppError::Internal(err))
                if attempt < ATTEMPTS && is_transient(&err.to_string()) =>
            {
                tracing::debug!(attempt, error = %err, "retrying a conflicting write");
                let pause = 5 * attempt as u64 + (Utc::now().timestamp_subsec_micros() % 7) as u64;
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            other => return other,
        }
    }
}

/// PostgreSQL serialization failures and deadlocks, SQLite busy and locked databases.
fn is_transient(message: &str) -> bool {
    [
        "could not serialize",
        "deadlock detected",
        "database is locked",
        "database table is locked",
        "(code: 5)",
        "(code: 6)",
    ]
    .iter()
    .any(|m| message.contains(m))
}

//! The statements of `cinegraph generate --users`: synthetic accounts and
//! their ratings, written in bulk in the generator's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};

use crate::db::bulk::{BulkInsert, ColumnType};
use crate::db::sql::Sql;
use crate::db::{DbErr, Transaction};

/// Films to rate: `(film, first genre, IMDb rating)`, the best rated first
/// (a stand-in for popularity: the generator draws from the head most).
pub async fn films_to_rate(txn: &Transaction) -> Result<Vec<(i32, Option<i32>, f64)>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push(
        "SELECT f.id, (SELECT MIN(fg.genre_id) FROM film_genre fg WHERE fg.film_id = f.id) AS genre, \
         COALESCE(f.rating_imdb, 6.0) AS imdb FROM film f \
         ORDER BY CASE WHEN f.rating_imdb IS NULL THEN 1 ELSE 0 END, f.rating_imdb DESC, f.id",
    );
    sql.tuples(txn).await
}

/// How many accounts have a username starting with `prefix`.
pub async fn users_with_prefix(txn: &Transaction, prefix: &str) -> Result<i64, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    // Not LIKE: it ignores case on SQLite and not on PostgreSQL.
    sql.push(&format!(
        "SELECT COUNT(*) AS n FROM app_user WHERE substr(username, 1, {}) = ",
        prefix.chars().count()
    ))
    .bind(prefix.to_string());
    let rows = sql.query_all(txn).await?;
    rows.first().map_or(Ok(0), |row| row.try_get("", "n"))
}

/// Inserts accounts `(username, created)` sharing one password hash, and
/// returns their ids in the same order.
pub async fn insert_users(
    txn: &Transaction,
    users: &[(String, DateTime<Utc>)],
    password_hash: &str,
) -> Result<Vec<i32>, DbErr> {
    let mut rows = BulkInsert::new(
        "app_user",
        &[
            ("username", ColumnType::Text),
            ("password_hash", ColumnType::Text),
            ("created_at", ColumnType::Timestamp),
        ],
    );
    for (name, created) in users {
        rows.push(vec![
            Value::String(Some(name.clone())),
            Value::String(Some(password_hash.to_string())),
            (*created).into(),
        ]);
    }
    rows.run(txn).await?;
    let mut ids = Vec::with_capacity(users.len());
    for chunk in users.chunks(5_000) {
        let names: Vec<String> = chunk.iter().map(|(name, _)| name.clone()).collect();
        let mut sql = Sql::new(txn.get_database_backend());
        sql.push("SELECT id, username FROM app_user WHERE username IN (")
            .bind_list(&names)
            .push(")");
        let found: std::collections::HashMap<String, i32> = sql
            .query_all(txn)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "username")?, row.try_get("", "id")?)))
            .collect::<Result<_, DbErr>>()?;
        for name in names {
            ids.push(
                *found
                    .get(&name)
                    .ok_or_else(|| DbErr::RecordNotFound(format!("account {name}")))?,
            );
        }
    }
    Ok(ids)
}

/// Inserts ratings `(user, film, score, when)`.
pub async fn insert_ratings(
    txn: &Transaction,
    ratings: &[(i32, i32, i16, DateTime<Utc>)],
) -> Result<(), DbErr> {
    let mut rows = BulkInsert::new(
        "rating",
        &[
            ("user_id", ColumnType::Int),
            ("film_id", ColumnType::Int),
            ("score", ColumnType::Int),
            ("created_at", ColumnType::Timestamp),
            ("updated_at", ColumnType::Timestamp),
        ],
    );
    for (user, film, score, at) in ratings {
        rows.push(vec![
            Value::Int(Some(*user)),
            Value::Int(Some(*film)),
            Value::Int(Some(i32::from(*score))),
            (*at).into(),
            (*at).into(),
        ]);
    }
    rows.run(txn).await
}

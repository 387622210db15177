//! A user's sessions and the account-wide writes: a new password, the end
//! of sessions, the account's deletion, and everything it owns for export.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryResult};
use serde_json::{Map, Value, json};

use crate::db::entities::user_session;
use crate::db::sql::Sql;
use crate::db::{Db, DbErr, Transaction};

/// The user's sessions that still work (not ended, not expired), newest first.
pub async fn active(
    db: &Db,
    user: i32,
    now: DateTime<Utc>,
) -> Result<Vec<user_session::Model>, DbErr> {
    user_session::Entity::find()
        .filter(user_session::Column::UserId.eq(user))
        .filter(user_session::Column::RevokedAt.is_null())
        .filter(user_session::Column::ExpiresAt.gt(now))
        .order_by_desc(user_session::Column::Id)
        .all(db.connection())
        .await
}

/// Notes that the session was used now.
pub async fn touch(db: &Db, session: i32, now: DateTime<Utc>) -> Result<(), DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("UPDATE user_session SET last_used_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(session);
    sql.execute(db.connection()).await?;
    Ok(())
}

/// Ends the user's working sessions (all but `keep`, when given); how many ended.
pub async fn end_all(
    db: &impl ConnectionTrait,
    user: i32,
    keep: Option<i32>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("UPDATE user_session SET revoked_at = ")
        .bind(now)
        .push(" WHERE user_id = ")
        .bind(user)
        .push(" AND revoked_at IS NULL");
    if let Some(keep) = keep {
        sql.push(" AND id <> ").bind(keep);
    }
    Ok(sql.execute(db).await?.rows_affected())
}

/// Ends one of the user's sessions; false when it is not theirs or already ended.
pub async fn end_one(db: &Db, user: i32, session: i32, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("UPDATE user_session SET revoked_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(session)
        .push(" AND user_id = ")
        .bind(user)
        .push(" AND revoked_at IS NULL");
    Ok(sql.execute(db.connection()).await?.rows_affected() > 0)
}

/// Whether the session still works (not ended, not expired).
pub async fn is_working(db: &Db, session: i32, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let found = user_session::Entity::find_by_id(session)
        .filter(user_session::Column::RevokedAt.is_null())
        .filter(user_session::Column::ExpiresAt.gt(now))
        .one(db.connection())
        .await?;
    Ok(found.is_some())
}

/// Whether the user has a session with this id (working or not).
pub async fn exists(db: &Db, user: i32, session: i32) -> Result<bool, DbErr> {
    let found = user_session::Entity::find_by_id(session)
        .filter(user_session::Column::UserId.eq(user))
        .one(db.connection())
        .await?;
    Ok(found.is_some())
}

pub async fn set_password_hash(txn: &Transaction, user: i32, hash: String) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE app_user SET password_hash = ")
        .bind(hash)
        .push(" WHERE id = ")
        .bind(user);
    sql.execute(txn).await?;
    Ok(())
}

async fn ids(txn: &Transaction, sql: Sql) -> Result<Vec<i32>, DbErr> {
    sql.query_all(txn)
        .await?
        .iter()
        .map(|row| row.try_get("", "id"))
        .collect()
}

/// Locks the account's row against every concurrent write that refers to
/// it (a new rating, vote or list row takes a key-share lock on it, which
/// `FOR UPDATE` excludes), so what [`touched_by`] reads stays complete until
/// the deletion commits. SQLite's one writer needs no lock.
pub async fn lock_for_deletion(txn: &Transaction, user: i32) -> Result<bool, DbErr> {
    if txn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(true);
    }
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT id FROM app_user WHERE id = ")
        .bind(user)
        .push(" FOR UPDATE");
    Ok(!sql.query_all(txn).await?.is_empty())
}

/// What an account's deletion changes beyond its own rows.
pub struct Touched {
    /// Films it rated: their rating figures are recounted.
    pub films_rated: Vec<i32>,
    /// Films it reviewed: their review lists change.
    pub films_reviewed: Vec<i32>,
    /// Others' reviews it found helpful: their counts are recounted.
    pub reviews_voted: Vec<i32>,
}

/// What deleting the account would change beyond its own rows.
pub async fn touched_by(txn: &Transaction, user: i32) -> Result<Touched, DbErr> {
    let backend = txn.get_database_backend();
    let mut reviewed = Sql::new(backend);
    reviewed
        .push("SELECT DISTINCT film_id AS id FROM review WHERE user_id = ")
        .bind(user)
        .push(" ORDER BY film_id");
    let mut films = Sql::new(backend);
    films
        .push("SELECT film_id AS id FROM rating WHERE user_id = ")
        .bind(user)
        .push(" ORDER BY film_id");
    let mut reviews = Sql::new(backend);
    reviews
        .push("SELECT v.review_id AS id FROM review_vote v JOIN review r ON r.id = v.review_id WHERE v.user_id = ")
        .bind(user)
        .push(" AND (r.user_id IS NULL OR r.user_id <> ")
        .bind(user)
        .push(") ORDER BY v.review_id");
    Ok(Touched {
        films_rated: ids(txn, films).await?,
        films_reviewed: ids(txn, reviewed).await?,
        reviews_voted: ids(txn, reviews).await?,
    })
}

/// Deletes the account; every row that is its own goes with it (the
/// foreign keys cascade: sessions, ratings, reviews and their votes, votes,
/// the library, lists and their items).
pub async fn delete_user(txn: &Transaction, user: i32) -> Result<bool, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("DELETE FROM app_user WHERE id = ").bind(user);
    Ok(sql.execute(txn).await?.rows_affected() > 0)
}

/// Counts the helpful votes of these reviews anew.
pub async fn recount_helpful(txn: &Transaction, reviews: &[i32]) -> Result<(), DbErr> {
    if reviews.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE review SET helpful_count = (SELECT COUNT(*) FROM review_vote v WHERE v.review_id = review.id) WHERE id IN (")
        .bind_list(reviews)
        .push(")");
    sql.execute(txn).await?;
    Ok(())
}

/// How a column of an export reads.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Float,
    Text,
    Bool,
    Time,
    Date,
}

/// One section of an export: its statement (over the user) and its columns.
struct Section {
    name: &'static str,
    sql: &'static str,
    columns: &'static [(&'static str, Kind)],
}

const FILM: [(&str, Kind); 3] = [
    ("film_id", Kind::Int),
    ("film_slug", Kind::Text),
    ("film_title", Kind::Text),
];

/// Every section of an export, each joined to its film where it has one.
const SECTIONS: &[Section] = &[
    Section {
        name: "sessions",
        sql: "SELECT id, created_at, last_used_at, expires_at, revoked_at, user_agent, address FROM user_session WHERE user_id = $U ORDER BY id",
        columns: &[
            ("id", Kind::Int),
            ("created_at", Kind::Time),
            ("last_used_at", Kind::Time),
            ("expires_at", Kind::Time),
            ("revoked_at", Kind::Time),
            ("user_agent", Kind::Text),
            ("address", Kind::Text),
        ],
    },
    Section {
        name: "ratings",
        sql: "SELECT x.score, x.created_at, x.updated_at, f.id AS film_id, f.slug AS film_slug, f.title AS film_title FROM rating x JOIN film f ON f.id = x.film_id WHERE x.user_id = $U ORDER BY x.id",
        columns: &[
            ("score", Kind::Int),
            ("created_at", Kind::Time),
            ("updated_at", Kind::Time),
        ],
    },
    Section {
        name: "reviews",
        sql: "SELECT x.id, x.title, x.body, x.score, x.spoiler, x.helpful_count, x.created_at, x.updated_at, f.id AS film_id, f.slug AS film_slug, f.title AS film_title FROM review x JOIN film f ON f.id = x.film_id WHERE x.user_id = $U ORDER BY x.id",
        columns: &[
            ("id", Kind::Int),
            ("title", Kind::Text),
            ("body", Kind::Text),
            ("score", Kind::Float),
            ("spoiler", Kind::Bool),
            ("helpful_count", Kind::Int),
            ("created_at", Kind::Time),
            ("updated_at", Kind::Time),
        ],
    },
    Section {
        name: "helpful_votes",
        sql: "SELECT review_id, created_at FROM review_vote WHERE user_id = $U ORDER BY review_id",
        columns: &[("review_id", Kind::Int), ("created_at", Kind::Time)],
    },
    Section {
        name: "watchlist",
        sql: "SELECT x.added_at, f.id AS film_id, f.slug AS film_slug, f.title AS film_title FROM watchlist_entry x JOIN film f ON f.id = x.film_id WHERE x.user_id = $U ORDER BY x.id",
        columns: &[("added_at", Kind::Time)],
    },
    Section {
        name: "diary",
        sql: "SELECT x.seen_on, x.rewatch, x.added_at, f.id AS film_id, f.slug AS film_slug, f.title AS film_title FROM diary_entry x JOIN film f ON f.id = x.film_id WHERE x.user_id = $U ORDER BY x.seen_on, x.id",
        columns: &[
            ("seen_on", Kind::Date),
            ("rewatch", Kind::Bool),
            ("added_at", Kind::Time),
        ],
    },
    Section {
        name: "favorites",
        sql: "SELECT x.added_at, f.id AS film_id, f.slug AS film_slug, f.title AS film_title FROM favorite_film x JOIN film f ON f.id = x.film_id WHERE x.user_id = $U ORDER BY x.id",
        columns: &[("added_at", Kind::Time)],
    },
    Section {
        name: "lists",
        sql: "SELECT id, name, description, visibility, ranked, created_at, updated_at FROM film_list WHERE user_id = $U ORDER BY id",
        columns: &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("description", Kind::Text),
            ("visibility", Kind::Text),
            ("ranked", Kind::Bool),
            ("created_at", Kind::Time),
            ("updated_at", Kind::Time),
        ],
    },
    Section {
        name: "list_items",
        sql: "SELECT x.list_id, x.position, x.note, x.added_at, f.id AS film_id, f.slug AS film_slug, f.title AS film_title FROM film_list_item x JOIN film_list l ON l.id = x.list_id JOIN film f ON f.id = x.film_id WHERE l.user_id = $U ORDER BY x.list_id, x.position",
        columns: &[
            ("list_id", Kind::Int),
            ("position", Kind::Text),
            ("note", Kind::Text),
            ("added_at", Kind::Time),
        ],
    },
];

fn value_of(row: &QueryResult, column: &str, kind: Kind) -> Result<Value, DbErr> {
    Ok(match kind {
        // Stored as 16, 32 or 64 bits depending on the column and backend.
        Kind::Int => json!(
            row.try_get::<Option<i64>>("", column)
                .or_else(|_| row
                    .try_get::<Option<i32>>("", column)
                    .map(|v| v.map(i64::from)))
                .or_else(|_| row
                    .try_get::<Option<i16>>("", column)
                    .map(|v| v.map(i64::from)))?
        ),
        Kind::Float => json!(row.try_get::<Option<f64>>("", column)?),
        Kind::Text => json!(row.try_get::<Option<String>>("", column)?),
        Kind::Bool => json!(row.try_get::<Option<bool>>("", column)?),
        Kind::Time => json!(row.try_get::<Option<DateTime<Utc>>>("", column)?),
        Kind::Date => json!(row.try_get::<Option<chrono::NaiveDate>>("", column)?),
    })
}

/// Everything the account owns, section by section (sessions without their
/// token hashes), each row an object of its columns; rows of a film carry
/// the film's id, slug and title.
pub async fn export(db: &Db, user: i32) -> Result<Map<String, Value>, DbErr> {
    let mut sections = Map::new();
    for section in SECTIONS {
        let mut sql = Sql::new(db.backend());
        let (before, after) = section.sql.split_once("$U").unwrap_or((section.sql, ""));
        sql.push(before).bind(user).push(after);
        let mut rows = Vec::new();
        for row in sql.query_all_prepared(db).await? {
            let mut object = Map::new();
            let with_film = section.sql.contains("film_slug");
            let film = if with_film { &FILM[..] } else { &[] };
            for (column, kind) in section.columns.iter().chain(film) {
                object.insert(column.to_string(), value_of(&row, column, *kind)?);
            }
            rows.push(Value::Object(object));
        }
        sections.insert(section.name.to_string(), Value::Array(rows));
    }
    Ok(sections)
}

//! Accounts and sessions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::db::entities::{app_user, user_session};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr};

/// Creates an account; a taken username fails on the unique index.
pub async fn insert_user(
    db: &Db,
    username: &str,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<app_user::Model, DbErr> {
    app_user::ActiveModel {
        id: NotSet,
        username: Set(username.to_string()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        display_name: Set(None),
        // The column's default: every account starts as a viewer.
        role: NotSet,
    }
    .insert(db.connection())
    .await
}

pub async fn user_by_name(db: &Db, username: &str) -> Result<Option<app_user::Model>, DbErr> {
    app_user::Entity::find()
        .filter(app_user::Column::Username.eq(username))
        .one(db.connection())
        .await
}

pub async fn user_by_id(db: &Db, id: i32) -> Result<Option<app_user::Model>, DbErr> {
    app_user::Entity::find_by_id(id).one(db.connection()).await
}

/// Where a session signs in from, as the user sees it in their sessions.
pub struct SessionOrigin {
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// Stores a session by the hash of its token.
pub async fn insert_session(
    db: &Db,
    user_id: i32,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    origin: SessionOrigin,
) -> Result<(), DbErr> {
    user_session::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(Some(now)),
        user_agent: Set(origin.user_agent),
        address: Set(origin.address),
    }
    .insert(db.connection())
    .await?;
    Ok(())
}

/// The session whose token has this hash, if any (revoked or expired included).
pub async fn session_by_token_hash(
    db: &Db,
    token_hash: &str,
) -> Result<Option<user_session::Model>, DbErr> {
    user_session::Entity::find()
        .filter(user_session::Column::TokenHash.eq(token_hash))
        .one(db.connection())
        .await
}

/// Marks a session revoked: its token stops working.
pub async fn revoke_session(db: &Db, session_id: i32, now: DateTime<Utc>) -> Result<(), DbErr> {
    user_session::ActiveModel {
        id: Set(session_id),
        revoked_at: Set(Some(now)),
        ..Default::default()
    }
    .update(db.connection())
    .await?;
    Ok(())
}

/// Sets (or, with None, removes) the user's display name.
pub async fn set_display_name(
    db: &Db,
    user: i32,
    display_name: Option<String>,
) -> Result<app_user::Model, DbErr> {
    app_user::ActiveModel {
        id: Set(user),
        display_name: Set(display_name),
        ..Default::default()
    }
    .update(db.connection())
    .await
}

/// How many rows of `table` (one with a `user_id` column) the user owns.
pub async fn count_owned(db: &impl ConnectionTrait, table: &str, user: i32) -> Result<i64, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(&format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE user_id = "
    ))
    .bind(user);
    let row = sql.query_all(db).await?.into_iter().next();
    row.map_or(Ok(0), |row| row.try_get("", "n"))
}

/// What each user's public profile counts: reviews written and public lists.
pub async fn profile_counts(db: &Db, users: &[i32]) -> Result<HashMap<i32, (i64, i64)>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push(
        "SELECT u.id, (SELECT COUNT(*) FROM review r WHERE r.user_id = u.id) AS reviews, \
         (SELECT COUNT(*) FROM film_list l WHERE l.user_id = u.id AND l.visibility = 'PUBLIC') AS lists \
         FROM app_user u WHERE u.id IN (",
    )
    .bind_list(users)
    .push(")");
    let mut counts = HashMap::with_capacity(users.len());
    for row in sql.query_all_prepared(db).await? {
        counts.insert(
            row.try_get("", "id")?,
            (row.try_get("", "reviews")?, row.try_get("", "lists")?),
        );
    }
    Ok(counts)
}

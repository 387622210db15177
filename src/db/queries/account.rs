//! Accounts and sessions.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};

use crate::db::entities::{app_user, user_session};
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

/// Stores a session by the hash of its token.
pub async fn insert_session(
    db: &Db,
    user_id: i32,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    user_session::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
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

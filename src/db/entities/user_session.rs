//! A bearer-token session; only the token's hash is stored.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "user_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTimeUtc>,
    /// The `User-Agent` the session signed in with (up to 300 characters).
    pub user_agent: Option<String>,
    /// The client address it signed in from.
    pub address: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

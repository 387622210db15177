//! A signed-up user.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    /// Shown on the public profile; null when the user gave none.
    pub display_name: Option<String>,
    /// viewer, editor or admin (`domain::roles`).
    pub role: String,
}

impl ActiveModelBehavior for ActiveModel {}

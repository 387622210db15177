//! An admin's webhook: a URL the changes feed is delivered to.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    /// Comma-separated `kinds::ChangeKind` names; empty: every kind.
    pub events: String,
    /// Signs deliveries; never returned.
    pub secret: String,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    /// The feed's number up to which deliveries exist.
    pub last_change_id: i32,
}

impl ActiveModelBehavior for ActiveModel {}

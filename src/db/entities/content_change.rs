//! One entity changed, in the changes feed (the outbox): numbered by `id` in
//! commit order.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "content_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `kinds::ChangeEntity`.
    pub entity: String,
    pub entity_id: i32,
    /// `kinds::ChangeKind`.
    pub kind: String,
    pub at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

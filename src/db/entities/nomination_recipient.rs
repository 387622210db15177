//! A person named in a nomination.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "nomination_recipient")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomination_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i32,
}

impl ActiveModelBehavior for ActiveModel {}

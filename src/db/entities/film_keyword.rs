//! Which keywords a film has, in the order its page lists them.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_keyword")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub film_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub keyword_id: i32,
    pub position: i32,
}

impl ActiveModelBehavior for ActiveModel {}

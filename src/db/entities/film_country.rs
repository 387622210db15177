//! A country of production of a film.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_country")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub film_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub country: String,
    pub position: i32,
}

impl ActiveModelBehavior for ActiveModel {}

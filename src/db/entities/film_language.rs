//! A spoken language of a film.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_language")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub film_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub language: String,
    pub position: i32,
}

impl ActiveModelBehavior for ActiveModel {}

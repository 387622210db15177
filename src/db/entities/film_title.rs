//! A film's title (and overview) in one language.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_title")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub language: String,
    pub title: String,
    pub overview: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

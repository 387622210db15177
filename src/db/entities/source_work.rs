//! The book or play a film is based on.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "source_work")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub kind: String,
    pub title: String,
    pub published_year: Option<i32>,
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

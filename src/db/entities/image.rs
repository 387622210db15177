//! An image of a film: a poster, a backdrop, a still, or a profile photo of
//! one of its people, in one size.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "image")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub kind: String,
    pub url: String,
    pub width: i32,
    pub height: i32,
    pub language: Option<String>,
    pub source: String,
    pub person_id: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}

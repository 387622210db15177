//! A trailer or bonus video.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "video")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub url: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

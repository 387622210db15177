//! A critic, editorial or user review of a film.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub kind: String,
    pub user_id: Option<i32>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub body: String,
    pub score: Option<f64>,
    pub spoiler: bool,
    pub helpful_count: i32,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

//! A track of a film's soundtrack.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "soundtrack_track")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub title: String,
    pub artists: String,
    pub duration_seconds: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}

//! A film recommended alongside another, with the reason.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "similar_film")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub similar_film_id: i32,
    pub position: i32,
    pub reason: String,
}

impl ActiveModelBehavior for ActiveModel {}

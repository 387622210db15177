//! A film computed to be like another (shared people, genres and decade),
//! with its place among that film's similar films and the reason.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_similarity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub other_film_id: i32,
    pub score: f64,
    pub rank: i32,
    pub reason: String,
}

impl ActiveModelBehavior for ActiveModel {}

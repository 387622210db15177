//! A film's nomination for an award in a category and year.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "nomination")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub award_id: i32,
    pub year: i32,
    pub category: String,
    pub won: bool,
}

impl ActiveModelBehavior for ActiveModel {}

//! How audiences received one aspect of a film.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audience_reaction")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub headline: String,
    pub description: String,
}

impl ActiveModelBehavior for ActiveModel {}

//! A place where a film was shot.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "filming_location")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub place: String,
    pub note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

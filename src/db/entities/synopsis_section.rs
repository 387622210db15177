//! One headed section of a film's synopsis.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "synopsis_section")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub heading: String,
    pub body: String,
    pub spoiler: bool,
}

impl ActiveModelBehavior for ActiveModel {}

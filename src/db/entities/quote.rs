//! A memorable line of a film, with its speaker when known.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quote")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub character_id: Option<i32>,
    pub text: String,
    pub context: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

//! A product related to films (disc, box set, soundtrack, merchandise).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

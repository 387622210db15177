//! One searchable thing (a film, person, character or quote) with its text
//! folded to lowercase ASCII words.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_document")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: String,
    pub target_id: i32,
    pub body: String,
    pub weight: f64,
}

impl ActiveModelBehavior for ActiveModel {}

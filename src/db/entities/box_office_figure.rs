//! A budget or gross figure, kept with its source.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "box_office_figure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub source: String,
}

impl ActiveModelBehavior for ActiveModel {}

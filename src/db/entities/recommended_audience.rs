//! Who would enjoy a film.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recommended_audience")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub text: String,
}

impl ActiveModelBehavior for ActiveModel {}

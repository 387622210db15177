//! A company's part in a film (production, distribution), in page order.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_company")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub company_id: i32,
    pub role: String,
    pub position: i32,
    pub provider: String,
}

impl ActiveModelBehavior for ActiveModel {}

//! A rating from an outside source (IMDb, Rotten Tomatoes, Metacritic).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "external_rating")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub source: String,
    pub value: f64,
    pub scale: f64,
    pub votes: Option<i64>,
    pub provider: String,
}

impl ActiveModelBehavior for ActiveModel {}

//! A film's place in its collection (a film is in one at most).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "collection_film")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub collection_id: i32,
    #[sea_orm(unique)]
    pub film_id: i32,
    pub position: i32,
}

impl ActiveModelBehavior for ActiveModel {}

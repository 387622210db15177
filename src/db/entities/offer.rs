//! Where to watch or buy a film.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "offer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub platform: String,
    pub kind: String,
    pub format: Option<String>,
    pub region: Option<String>,
    pub url: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

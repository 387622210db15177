//! A release of a film in one country: its kind, day and certification.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_release")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub position: i32,
    pub country: String,
    pub kind: Option<String>,
    pub release_date: Option<Date>,
    pub certification: Option<String>,
    pub note: Option<String>,
    pub provider: String,
}

impl ActiveModelBehavior for ActiveModel {}

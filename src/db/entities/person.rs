//! Somebody credited on films.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub birth_date: Option<Date>,
    pub credit_count: i32,
    pub name_sort: String,
}

impl ActiveModelBehavior for ActiveModel {}

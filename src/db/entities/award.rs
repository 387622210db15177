//! An award given by an organisation, such as the Academy Award.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "award")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slug: String,
    pub organization: String,
    pub name: String,
}

impl ActiveModelBehavior for ActiveModel {}

//! A user's list of films.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_list")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    pub description: Option<String>,
    /// `PUBLIC`, `UNLISTED` or `PRIVATE` (`kinds::ListVisibility`).
    pub visibility: String,
    pub ranked: bool,
    /// Kept with every change to the list's items.
    pub item_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

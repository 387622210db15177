//! Users' lists of films: named, described, public, unlisted or private,
//! ranked or not. An item's place is a fractional key (text that sorts
//! bytewise between its neighbours), so moving an item rewrites that item
//! alone, never the rest of the list.

use sea_orm_migration::{prelude::*, schema::*};

// The first migration's helpers, so names follow one pattern.
use crate::m20261121_000001_content_model::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("film_list")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string("name"))
                .col(text_null("description"))
                .col(string("visibility"))
                .col(boolean("ranked"))
                .col(integer("item_count").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("film_list", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        index(m, "film_list", &["user_id"]).await?;
        // Keys compare byte by byte on both databases: SQLite's default;
        // PostgreSQL's default collation would order them by locale rules.
        let mut position = string("position");
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            position.extra("COLLATE \"C\"");
        }
        m.create_table(
            Table::create()
                .table("film_list_item")
                .col(pk_auto("id"))
                .col(integer("list_id"))
                .col(integer("film_id"))
                .col(&mut position)
                .col(text_null("note"))
                .col(timestamp_with_time_zone("added_at"))
                .foreign_key(&mut fk("film_list_item", "list_id", "film_list"))
                .foreign_key(&mut fk("film_list_item", "film_id", "film"))
                .to_owned(),
        )
        .await?;
        unique(m, "film_list_item", &["list_id", "film_id"]).await?;
        unique(m, "film_list_item", &["list_id", "position"]).await?;
        index(m, "film_list_item", &["film_id"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["film_list_item", "film_list"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

//! Who counted towards a film's trend, and when: one row per user and film,
//! so one account adds to a film's activity at most once a week however
//! often it rates, re-adds or rewatches the film (`domain::trending`).

use sea_orm_migration::{prelude::*, schema::*};

// The first migration's helpers, so names follow one pattern.
use crate::m20261121_000001_content_model::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "film_trend_contribution";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TABLE)
                .col(integer("user_id"))
                .col(integer("film_id"))
                .col(timestamp_with_time_zone("counted_at"))
                .primary_key(Index::create().col("user_id").col("film_id"))
                .foreign_key(&mut fk(TABLE, "user_id", "app_user"))
                .foreign_key(&mut fk(TABLE, "film_id", "film"))
                .to_owned(),
        )
        .await?;
        index(m, TABLE, &["film_id"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TABLE).to_owned()).await
    }
}

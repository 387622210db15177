//! Discovery: what is trending, which films go together, and which films
//! people who rate alike rate alike.
//!
//! - `film_trend`: each film's recent activity as two time-decayed scores
//!   (a day's half-life scale and a week's), kept as logarithms against a
//!   fixed epoch so they only grow and order the same as the decayed scores
//!   at any instant (`domain::trending`). Updated in each activity's
//!   transaction; listed by walking an index.
//! - `film_similarity`: for every film, the films most like it by shared
//!   people, genres and decade, with the reason (`domain::similarity`).
//! - `film_neighbour`: item-to-item similarity over co-ratings
//!   (`domain::recommendations`), rebuilt from the ratings periodically.

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
                .table("film_trend")
                .col(integer("film_id").primary_key())
                .col(double_null("day_score"))
                .col(double_null("week_score"))
                .foreign_key(&mut fk("film_trend", "film_id", "film"))
                .to_owned(),
        )
        .await?;
        index(m, "film_trend", &["day_score", "film_id"]).await?;
        index(m, "film_trend", &["week_score", "film_id"]).await?;

        for (table, extra) in [
            ("film_similarity", vec![integer("rank"), text("reason")]),
            ("film_neighbour", vec![integer("co_raters")]),
        ] {
            let mut create = Table::create();
            create
                .table(table)
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(integer("other_film_id"))
                .col(double("score"));
            for mut column in extra {
                create.col(&mut column);
            }
            create
                .foreign_key(&mut fk(table, "film_id", "film"))
                .foreign_key(&mut fk(table, "other_film_id", "film"));
            m.create_table(create.to_owned()).await?;
            unique(m, table, &["film_id", "other_film_id"]).await?;
            index(m, table, &["other_film_id"]).await?;
        }
        index(m, "film_similarity", &["film_id", "rank"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["film_neighbour", "film_similarity", "film_trend"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

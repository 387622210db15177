//! The users' own library: a watchlist, a diary of films seen (a film may be
//! seen many times, once per day), and favourite films. Each row belongs to
//! one account and one film and goes with either.

use sea_orm_migration::{prelude::*, schema::*};

// The first migration's helpers, so names follow one pattern.
use crate::m20261121_000001_content_model::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Creation order; `down` drops them in reverse.
const TABLES: &[&str] = &["watchlist_entry", "diary_entry", "favorite_film"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["watchlist_entry", "favorite_film"] {
            m.create_table(shelf(table, vec![]).to_owned()).await?;
            unique(m, table, &["user_id", "film_id"]).await?;
            index(m, table, &["film_id"]).await?;
        }
        m.create_table(shelf("diary_entry", vec![date("seen_on"), boolean("rewatch")]).to_owned())
            .await?;
        // One entry per film and day: marking a film seen twice on one day is
        // the same viewing.
        unique(m, "diary_entry", &["user_id", "film_id", "seen_on"]).await?;
        index(m, "diary_entry", &["film_id"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}

/// A table of one user's films: `id`, `user_id`, `film_id`, `added_at` and
/// `extra` columns, going with the account and with the film.
fn shelf(table: &'static str, extra: Vec<ColumnDef>) -> TableCreateStatement {
    let mut create = Table::create();
    create
        .table(table)
        .col(pk_auto("id"))
        .col(integer("user_id"))
        .col(integer("film_id"));
    for mut column in extra {
        create.col(&mut column);
    }
    create
        .col(timestamp_with_time_zone("added_at"))
        .foreign_key(&mut fk(table, "user_id", "app_user"))
        .foreign_key(&mut fk(table, "film_id", "film"));
    create
}

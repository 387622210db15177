//! The film's release year on each credit, with an index on `(person_id,
//! film_year, id)`: a person's filmography is ordered by it (oldest first),
//! and a page of it can then be cut before the films are read. Before, every
//! credit of the page's people was joined to its film just to sort them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx-credit-person_id-film_year-id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("credit")
                .add_column(integer("film_year").default(0))
                .to_owned(),
        )
        .await?;
        // 0 stands for an unknown year, which sorts first as before.
        m.get_connection()
            .execute_unprepared(
                "UPDATE credit SET film_year = COALESCE((SELECT f.release_year FROM film f \
                 WHERE f.id = credit.film_id), 0)",
            )
            .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table("credit")
                .col("person_id")
                .col("film_year")
                .col("id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table("credit").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("credit")
                .drop_column("film_year")
                .to_owned(),
        )
        .await
    }
}

//! The catalogue's cast lists are alphabetical (its source lists names in
//! no billing order), so its cast credits lose their `billing_order`. Each
//! credit gets `list_position`, its place in its film's credit list: billed
//! cast in billing order, then the unbilled cast by prominence (the person's
//! credit count, most first, then name), then the crew in credit order. A
//! page of credits is cut by it through an index on `(film_id,
//! list_position, id)`. The importer keeps it after every import.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx-credit-film_id-list_position-id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("credit")
                .add_column(integer("list_position").default(0))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared("UPDATE credit SET billing_order = NULL WHERE origin = 'CATALOGUE'")
            .await?;
        // Frozen copy of `summaries::refresh_credit_order` for all films.
        db.execute_unprepared(
            "UPDATE credit SET list_position = r.n FROM (\
               SELECT c.id, ROW_NUMBER() OVER (PARTITION BY c.film_id ORDER BY \
                 CASE WHEN c.kind = 'CAST' THEN 0 ELSE 1 END, \
                 CASE WHEN c.kind = 'CAST' THEN COALESCE(c.billing_order, 1000000) ELSE 0 END, \
                 CASE WHEN c.kind = 'CAST' THEN -p.credit_count ELSE 0 END, \
                 CASE WHEN c.kind = 'CAST' THEN p.name_sort ELSE '' END, \
                 c.id) AS n \
               FROM credit c JOIN person p ON p.id = c.person_id) r \
             WHERE credit.id = r.id",
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table("credit")
                .col("film_id")
                .col("list_position")
                .col("id")
                .to_owned(),
        )
        .await
    }

    /// The catalogue's made-up billing is not brought back.
    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table("credit").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("credit")
                .drop_column("list_position")
                .to_owned(),
        )
        .await
    }
}

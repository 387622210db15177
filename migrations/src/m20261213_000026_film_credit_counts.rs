//! Each film's count of its credits, in all and of each kind, kept in its
//! own row by triggers on `credit`: a page of films with their cast counts
//! (B7) read them from the film rows it already reads, where it counted
//! some 24 index entries per film (a sixth of the request's CPU).
//!
//! Triggers, not the code that writes credits, keep them: credits are
//! written by the importers, the editors' mutations and the foreign keys'
//! cascades (a film or person deleted), and every one of those writes goes
//! through them. PostgreSQL adds up each statement's rows at once (statement
//! triggers over transition tables); SQLite, which has no such triggers,
//! counts each row. A later migration that rebuilds `credit` (SQLite's way
//! to change a column) drops the triggers with it and must create them
//! again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every credit of the film.
const ALL: &str = "credit_count";

/// The credit kinds and the columns counting them.
const KINDS: &[(&str, &str)] = &[
    ("CAST", "credit_count_cast"),
    ("DIRECTOR", "credit_count_director"),
    ("WRITER", "credit_count_writer"),
    ("COMPOSER", "credit_count_composer"),
    ("PRODUCER", "credit_count_producer"),
    ("CINEMATOGRAPHER", "credit_count_cinematographer"),
    ("EDITOR", "credit_count_editor"),
    ("NOVEL", "credit_count_novel"),
];

/// PostgreSQL's triggers: name, event, the transition tables they read.
/// SQLite's are the first three, by the same names.
const TRIGGERS: &[(&str, &str, &str)] = &[
    (
        "credit_counted_insert",
        "INSERT",
        "REFERENCING NEW TABLE AS new_rows",
    ),
    (
        "credit_counted_delete",
        "DELETE",
        "REFERENCING OLD TABLE AS old_rows",
    ),
    (
        "credit_counted_update",
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    ("credit_counted_truncate", "TRUNCATE", ""),
];

const FUNCTION: &str = "film_credit_counts_kept";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in columns() {
            m.alter_table(
                Table::alter()
                    .table("film")
                    .add_column(big_integer(column).default(0))
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        db.execute_unprepared(&add_to_counts("SELECT film_id, kind, 1 AS n FROM credit"))
            .await?;
        match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(&postgres_function()).await?;
                for (name, event, tables) in TRIGGERS {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {event} ON credit {tables} \
                         FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
                    ))
                    .await?;
                }
            }
            _ => {
                let old = sqlite_change("OLD", "-");
                let new = sqlite_change("NEW", "+");
                // SQLite's update trigger can name its columns.
                let bodies = [
                    ("INSERT", new.clone()),
                    ("DELETE", old.clone()),
                    ("UPDATE OF film_id, kind", format!("{old}; {new}")),
                ];
                for ((name, ..), (event, body)) in TRIGGERS.iter().zip(bodies) {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {event} ON credit BEGIN {body}; END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (trigger, ..) in TRIGGERS {
            let on = match m.get_database_backend() {
                sea_orm::DbBackend::Postgres => " ON credit",
                _ => "",
            };
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}{on}"))
                .await?;
        }
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {FUNCTION}()"))
                .await?;
        }
        for column in columns() {
            m.alter_table(Table::alter().table("film").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn columns() -> impl Iterator<Item = &'static str> {
    std::iter::once(ALL).chain(KINDS.iter().map(|(_, column)| *column))
}

/// Adds to each film's counts the `n` (1 or -1) of each row `(film_id,
/// kind, n)` of `changes`, writing only the films whose counts change (an
/// update that moves no credit to another film or kind writes no film row).
fn add_to_counts(changes: &str) -> String {
    let sums = std::iter::once(format!("SUM(n) AS {ALL}"))
        .chain(KINDS.iter().map(|(kind, column)| {
            format!("SUM(CASE WHEN kind = '{kind}' THEN n ELSE 0 END) AS {column}")
        }))
        .collect::<Vec<_>>()
        .join(", ");
    let set = columns()
        .map(|column| format!("{column} = film.{column} + d.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let changed = columns()
        .map(|column| format!("d.{column} <> 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!(
        "UPDATE film SET {set} FROM (SELECT film_id, {sums} FROM ({changes}) c GROUP BY film_id) d \
         WHERE film.id = d.film_id AND ({changed})"
    )
}

/// The PostgreSQL trigger function: a statement's inserted rows count up,
/// its deleted rows down, an update's both; a truncation leaves none. It
/// finds `film` in the schemas the migration ran with, whatever the
/// session firing it has (`pg_restore` empties `search_path`).
fn postgres_function() -> String {
    let inserted = add_to_counts("SELECT film_id, kind, 1 AS n FROM new_rows");
    let deleted = add_to_counts("SELECT film_id, kind, -1 AS n FROM old_rows");
    let updated = add_to_counts(
        "SELECT film_id, kind, 1 AS n FROM new_rows \
         UNION ALL SELECT film_id, kind, -1 AS n FROM old_rows",
    );
    let zero = columns()
        .map(|column| format!("{column} = 0"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {inserted};
    ELSIF TG_OP = 'DELETE' THEN {deleted};
    ELSIF TG_OP = 'UPDATE' THEN {updated};
    ELSE UPDATE film SET {zero} WHERE {ALL} <> 0;
    END IF;
    RETURN NULL;
END $$"
    )
}

/// A SQLite trigger's statement adding (`sign` `+`) or taking away (`-`)
/// the credit `row` (`NEW` or `OLD`) from its film's counts.
fn sqlite_change(row: &str, sign: &str) -> String {
    let set =
        std::iter::once(format!("{ALL} = {ALL} {sign} 1"))
            .chain(KINDS.iter().map(|(kind, column)| {
                format!("{column} = {column} {sign} ({row}.kind = '{kind}')")
            }))
            .collect::<Vec<_>>()
            .join(", ");
    format!("UPDATE film SET {set} WHERE id = {row}.film_id")
}

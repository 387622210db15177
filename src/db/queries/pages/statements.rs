//! The statements of relation pages: what rows they select (a parent's rows,
//! of some kinds, after a cursor), in which order, and how each backend cuts
//! them per parent; and what a page's rows carry besides their own columns.

use std::any::TypeId;
use std::marker::PhantomData;
use std::sync::Arc;

use sea_orm::{DbBackend, DbErr, EntityTrait, IdenStatic, Iterable, QueryResult};

use super::{PagedRelation, Window};
use crate::db::columns::ColumnSet;
use crate::db::entities::{film_character, person};
use crate::db::read_json::read_json_rows;
use crate::db::read_row::{Columns, ReadRow, kept_select_list, read_column};
use crate::db::sql::Sql;
use crate::kinds::{CreditKind, KindSet};

/// What a page's statement reads of each of its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageColumns {
    /// The columns of the page's own rows (`E`) to read: a page of credits
    /// whose edges show no role reads their ids alone. In a key, always
    /// holds the columns the statement joins on (see `PageKey::with_columns`).
    pub own: ColumnSet,
    /// The columns of the joined row (`J`) to read: a film's credits page
    /// showing names reads no biographies.
    pub joined: ColumnSet,
    /// The columns of the people who directed the joined film, read in the
    /// same statement (a filmography whose films show their directors: a
    /// loader key per film and a statement of their own); none when
    /// [`ColumnSet::NONE`]. Only a page whose other side is a film has them.
    pub directors: ColumnSet,
}

impl PageColumns {
    /// The rows' own columns and their joined row's, nothing else.
    pub fn of(own: ColumnSet, joined: ColumnSet) -> Self {
        Self {
            own,
            joined,
            directors: ColumnSet::NONE,
        }
    }
}

/// What a page's rows carry besides their own columns: nothing ([`Alone`]),
/// or the row on the relation's other side (an entity: a credit's person or
/// film), read from the same statement.
pub trait Joined: 'static {
    type Model: Clone + Send + Sync;
    /// The joined table, which must be the relation's other side.
    fn table() -> Option<&'static str>;
    /// The prefix of the page's own columns (those of `t`, entity `E`).
    const OWN_PREFIX: &'static str;
    /// `t`'s columns of `set` in entity order, named with [`Joined::OWN_PREFIX`].
    fn own_columns<E: EntityTrait>(set: ColumnSet) -> Arc<str>;
    /// The joined row's columns of `set` (of `j`) in entity order, under their own names.
    fn joined_columns(set: ColumnSet) -> Option<Arc<str>>;
    /// Whether the rows (credits) also carry their character, as `ch`.
    const WITH_CHARACTER: bool = false;
    /// The joined row, whose columns (those of `set`) start at `first`.
    fn read(
        row: &QueryResult,
        first: usize,
        columns: Columns,
        set: ColumnSet,
    ) -> Result<Self::Model, DbErr>;
}

/// Rows that carry only their own columns.
pub struct Alone;

impl Joined for Alone {
    type Model = ();
    const OWN_PREFIX: &'static str = "";
    fn table() -> Option<&'static str> {
        None
    }
    fn own_columns<E: EntityTrait>(set: ColumnSet) -> Arc<str> {
        kept_select_list((TypeId::of::<(E, Self)>(), set.bits()), || {
            set.select_list::<E>("t")
        })
    }
    fn joined_columns(_: ColumnSet) -> Option<Arc<str>> {
        None
    }
    fn read(_: &QueryResult, _: usize, _: Columns, _: ColumnSet) -> Result<(), DbErr> {
        Ok(())
    }
}

/// Beside a joined row, the page's own columns carry a prefix and the joined
/// row's do not: sea-orm formats the name of every prefixed column it reads,
/// and the joined row is the wider one (a film's 31 columns against a
/// credit's 8). Reading films prefixed cost 11% of B3's server time.
impl<J: EntityTrait> Joined for J
where
    J::Model: ReadRow + Clone + Send + Sync,
{
    type Model = J::Model;
    const OWN_PREFIX: &'static str = "t_";
    fn table() -> Option<&'static str> {
        Some(J::default().table_name())
    }
    fn own_columns<E: EntityTrait>(set: ColumnSet) -> Arc<str> {
        kept_select_list((TypeId::of::<(E, J)>(), set.bits()), || {
            let own = E::Column::iter()
                .enumerate()
                .filter(|(i, _)| set.has_index(*i))
                .map(|(_, column)| {
                    let name = column.as_str();
                    format!("t.{name} AS {}{name}", Self::OWN_PREFIX)
                });
            own.collect::<Vec<_>>().join(", ")
        })
    }
    fn joined_columns(set: ColumnSet) -> Option<Arc<str>> {
        Some(kept_select_list((TypeId::of::<J>(), set.bits()), || {
            set.select_list::<J>("j")
        }))
    }
    fn read(
        row: &QueryResult,
        first: usize,
        columns: Columns,
        set: ColumnSet,
    ) -> Result<J::Model, DbErr> {
        J::Model::read_some(row, first, "", columns, set)
    }
}

/// A credit page's other side (`J`) and each credit's character, read by
/// the page's statement: a film's cast with who plays whom took a third
/// statement for the characters (B6, the film page).
pub struct WithCharacter<J>(PhantomData<J>);

impl<J: EntityTrait> Joined for WithCharacter<J>
where
    J::Model: ReadRow + Clone + Send + Sync,
{
    type Model = (J::Model, Option<film_character::Model>);
    const OWN_PREFIX: &'static str = <J as Joined>::OWN_PREFIX;
    const WITH_CHARACTER: bool = true;
    fn table() -> Option<&'static str> {
        <J as Joined>::table()
    }
    fn own_columns<E: EntityTrait>(set: ColumnSet) -> Arc<str> {
        <J as Joined>::own_columns::<E>(set)
    }
    fn joined_columns(set: ColumnSet) -> Option<Arc<str>> {
        Some(kept_select_list((TypeId::of::<Self>(), set.bits()), || {
            let character = film_character::Column::iter().map(|column| {
                let name = column.as_str();
                format!("ch.{name} AS ch_{name}")
            });
            let character = character.collect::<Vec<_>>().join(", ");
            format!("{}, {character}", set.select_list::<J>("j"))
        }))
    }
    fn read(
        row: &QueryResult,
        first: usize,
        columns: Columns,
        set: ColumnSet,
    ) -> Result<Self::Model, DbErr> {
        let joined = J::Model::read_some(row, first, "", columns, set)?;
        // A credit without a character (crew) has NULLs there.
        let at = first + set.len();
        let id: Option<i32> = read_column(row, &mut { at }, "ch_id", columns)?;
        let character = match id {
            Some(_) => Some(film_character::Model::read_row(row, at, "ch_", columns)?),
            None => None,
        };
        Ok((joined, character))
    }
}

/// The rows on the other side of `relation` (of entity `J`) for the row
/// `parent` names, of `kinds`, in the relation's order, as one JSON array of
/// rows, each an array of `J`'s columns of `set` in entity order
/// (`read_json::read_json_rows` reads it): a column of another statement (a
/// page of films with their directors). PostgreSQL aggregates no rows to
/// NULL, SQLite to `[]`.
fn push_rows_of<J: EntityTrait>(
    sql: &mut Sql,
    relation: PagedRelation,
    parent: &str,
    kinds: KindSet,
    set: ColumnSet,
) {
    let (table, key) = relation.other_side().expect("a relation with another side");
    let (aggregate, row, text) = match sql.backend() {
        DbBackend::Postgres => ("json_agg", "json_build_array", "::text"),
        _ => ("json_group_array", "json_array", ""),
    };
    // The other side is `o`: `parent` may name the outer statement's `j`.
    sql.push(&format!(
        "(SELECT {aggregate}({row}({}) ORDER BY {}, t.id){text} FROM {} t JOIN {table} o ON o.id = t.{key} WHERE t.{} = {parent}",
        set.select_list::<J>("o"),
        relation.sort_sql(),
        relation.table(),
        relation.parent_column()
    ));
    filter_kinds(sql, "t", relation, kinds);
    sql.push(")");
}

/// `, (...) AS directors`: the directors of the film `film` names (the
/// list's `f`, a credit page's joined `j`), with the columns of `set`, in
/// credit order; nothing when `set` is empty ([`read_directors`] reads it).
pub fn push_directors_of(sql: &mut Sql, film: &str, set: ColumnSet) {
    if !set.is_empty() {
        sql.push(", ");
        let directors = KindSet::from(CreditKind::Director);
        push_rows_of::<person::Entity>(sql, PagedRelation::FilmCredits, film, directors, set);
        sql.push(" AS directors");
    }
}

/// The directors [`push_directors_of`] added at `*at` (then moves on), or
/// none when `set` is empty and it added nothing.
pub fn read_directors(
    row: &QueryResult,
    at: &mut usize,
    checked: Columns,
    set: ColumnSet,
) -> Result<Option<Vec<person::Model>>, DbErr> {
    if set.is_empty() {
        return Ok(None);
    }
    let json: Option<String> = read_column(row, at, "directors", checked)?;
    read_json_rows(json.as_deref(), set).map(Some)
}

/// `FROM table t WHERE t.parent IN (...) [AND t.kind IN (...)]`.
pub(super) fn filter_rows(sql: &mut Sql, relation: PagedRelation, parents: &[i32], kinds: KindSet) {
    sql.push(&format!(" FROM {} t", relation.table()));
    sql.push(&format!(" WHERE t.{} IN (", relation.parent_column()))
        .bind_list(parents)
        .push(")");
    filter_kinds(sql, "t", relation, kinds);
}

/// ` AND alias.kind IN (...)` when the page is of some kinds only.
///
/// The kinds (enum names) are written in, not bound: bound, PostgreSQL
/// estimated a film's directors at the average kind's count (108 rows for 20
/// films instead of 26), found its generic plan dearer than a custom one and
/// planned the directors page anew on every run (0.2 ms of B2's and B3's).
fn filter_kinds(sql: &mut Sql, alias: &str, relation: PagedRelation, kinds: KindSet) {
    if !kinds.is_any() {
        sql.push(&format!(" AND {alias}.kind IN ("))
            .push_plain_text_list(kinds.names(relation.kind_names()))
            .push(")");
    }
}

/// ` AND (sort, t.id) > (cursor)` (`<` backward) for a page after a cursor.
fn filter_after_cursor(sql: &mut Sql, relation: PagedRelation, page: &Window) {
    if let Some(cursor) = &page.cursor {
        let comparison = if page.backward { "<" } else { ">" };
        sql.push(&format!(
            " AND ({}, t.id) {comparison} (",
            relation.sort_sql()
        ))
        .bind(cursor.sort)
        .push(", ")
        .bind(cursor.id)
        .push(")");
    }
}

/// `t`'s columns of `own`, then the values `page_rows` reads after them.
fn page_columns<E: EntityTrait, J: Joined>(sql: &mut Sql, relation: PagedRelation, own: ColumnSet) {
    sql.push(&J::own_columns::<E>(own)).push(&format!(
        ", CAST({sort} AS BIGINT) AS page_sort, t.{parent} AS page_parent, t.id AS page_id",
        sort = relation.sort_sql(),
        parent = relation.parent_column(),
    ));
}

/// The order of a page's rows: `sort, t.id`, both descending backward.
fn page_order(relation: PagedRelation, page: &Window) -> String {
    let direction = if page.backward { "DESC" } else { "ASC" };
    format!("{} {direction}, t.id {direction}", relation.sort_sql())
}

/// The statement of `page_rows` on PostgreSQL: each parent's page is
/// its own `LATERAL` subquery with a `LIMIT`, which reads only the rows it
/// keeps when an index gives their order (a person's films by year). Its plan
/// does not depend on which parents a statement carries, so PostgreSQL keeps
/// the cached generic plan; with one window over every parent's rows, it
/// planned a film list's cast page anew on every run (0.2 ms).
pub(super) fn lateral_page<E: EntityTrait, J: Joined>(
    backend: DbBackend,
    relation: PagedRelation,
    kinds: KindSet,
    page: &Window,
    parents: &[i32],
    columns: PageColumns,
) -> Sql {
    let PageColumns {
        own,
        joined,
        directors,
    } = columns;
    let (table, parent) = (relation.table(), relation.parent_column());
    let counted = page.counted_in_page();
    let mut sql = Sql::new(backend);
    sql.push("SELECT paged.*");
    if counted {
        sql.push(", counted.page_total");
    }
    push_directors_of(&mut sql, "j.id", directors);
    if let Some(columns) = J::joined_columns(joined) {
        sql.push(", ").push(&columns);
    }
    sql.push(" FROM (VALUES ");
    for (i, id) in parents.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .bind(*id)
            .push(")");
    }
    sql.push(") AS p(id) CROSS JOIN LATERAL (SELECT ");
    page_columns::<E, J>(&mut sql, relation, own);
    sql.push(&format!(" FROM {table} t WHERE t.{parent} = p.id"));
    filter_kinds(&mut sql, "t", relation, kinds);
    filter_after_cursor(&mut sql, relation, page);
    sql.push(&format!(
        " ORDER BY {} LIMIT {}) paged",
        page_order(relation, page),
        page.limit + 1
    ));
    // Counted once per parent, and only when `totalCount` is asked for.
    if counted {
        sql.push(&format!(
            " CROSS JOIN LATERAL (SELECT COUNT(*) AS page_total FROM {table} c WHERE c.{parent} = p.id"
        ));
        filter_kinds(&mut sql, "c", relation, kinds);
        sql.push(") counted");
    }
    if let (Some(_), Some((other, column))) = (J::table(), relation.other_side()) {
        // A subquery PostgreSQL cannot flatten (OFFSET 0) makes it look the
        // kept rows' other side up by id: for a long page over a small
        // catalogue it would hash the whole other table instead.
        sql.push(&format!(
            " CROSS JOIN LATERAL (SELECT * FROM {other} o WHERE o.id = paged.{}{column} OFFSET 0) j",
            J::OWN_PREFIX
        ));
    }
    if J::WITH_CHARACTER {
        sql.push(&format!(
            " LEFT JOIN LATERAL (SELECT * FROM film_character o WHERE o.id = paged.{}character_id OFFSET 0) ch ON TRUE",
            J::OWN_PREFIX
        ));
    }
    // Each parent's rows in page order; no window numbers them (a window
    // per parent cost 10 to 14% of the directors' and filmographies' pages).
    let direction = if page.backward { "DESC" } else { "ASC" };
    sql.push(&format!(
        " ORDER BY page_parent, page_sort {direction}, page_id {direction}"
    ));
    sql
}

/// The statement of `page_rows` on SQLite, which has no `LATERAL`: one
/// window numbers every row of the parents and the first `limit + 1` of each
/// are kept; the other side is joined to the rows kept only.
pub(super) fn windowed_page<E: EntityTrait, J: Joined>(
    backend: DbBackend,
    relation: PagedRelation,
    kinds: KindSet,
    page: &Window,
    parents: &[i32],
    columns: PageColumns,
) -> Sql {
    let PageColumns {
        own,
        joined,
        directors,
    } = columns;
    let parent = relation.parent_column();
    let mut sql = Sql::new(backend);
    sql.push("SELECT paged.*");
    push_directors_of(&mut sql, "j.id", directors);
    if let Some(columns) = J::joined_columns(joined) {
        sql.push(", ").push(&columns);
    }
    sql.push(" FROM (SELECT ");
    page_columns::<E, J>(&mut sql, relation, own);
    // The window sorts each parent's rows anyway; counting them there is
    // cheap, and saves `totalCount` a statement of its own.
    if page.counted_in_page() {
        sql.push(&format!(
            ", COUNT(*) OVER (PARTITION BY t.{parent}) AS page_total"
        ));
    }
    // Last of the page's values: only the statement uses it.
    sql.push(&format!(
        ", ROW_NUMBER() OVER (PARTITION BY t.{parent} ORDER BY {}) AS page_rank",
        page_order(relation, page)
    ));
    filter_rows(&mut sql, relation, parents, kinds);
    filter_after_cursor(&mut sql, relation, page);
    sql.push(") paged");
    if let (Some(_), Some((other, column))) = (J::table(), relation.other_side()) {
        sql.push(&format!(
            " JOIN {other} j ON j.id = paged.{}{column}",
            J::OWN_PREFIX
        ));
    }
    if J::WITH_CHARACTER {
        sql.push(&format!(
            " LEFT JOIN film_character ch ON ch.id = paged.{}character_id",
            J::OWN_PREFIX
        ));
    }
    sql.push(&format!(
        " WHERE page_rank <= {} ORDER BY page_parent, page_rank",
        page.limit + 1
    ));
    sql
}

//! Relay connections over relations, paged in SQL per parent.
//!
//! A page of one relation for many parents (the first 5 cast members of 20
//! films) is one statement that cuts each parent's rows in the database: on
//! PostgreSQL a `LATERAL` subquery with a `LIMIT` per parent, on SQLite
//! `ROW_NUMBER() OVER (PARTITION BY parent ...)`. Keyset cursors
//! (`(sort, id) > (...)`) continue a page without OFFSET. `totalCount` comes
//! from the same statement when the page has no cursor, and otherwise from a
//! second, grouped statement, run only when a client asks.

use std::any::TypeId;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, Iterable, QueryResult};

use crate::db::read_row::{
    Columns, ReadRow, column_count, columns_of, kept_select_list, read_column,
};
use crate::db::sql::Sql;

use super::connection::{Connection, ConnectionName};
use super::loaders::Db;
use super::{GqlResult, loader};
use crate::error::{AppError, AppResult};
use crate::kinds::{CreditKind, KindSet, ReviewKind};

/// Largest page a client may ask for; larger is BAD_USER_INPUT, never clamped.
pub const MAX_PAGE_SIZE: i32 = 100;
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// The relations exposed as connections, with how each is stored and ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PagedRelation {
    /// A film's credits: cast in billing order, then crew.
    FilmCredits,
    /// A person's credits, oldest film first.
    PersonCredits,
    FilmQuotes,
    /// A film's reviews in the page's order: its own reviews, then users'.
    FilmReviews,
    /// A film's reviews, newest first.
    FilmReviewsNewest,
    /// A film's reviews, most found helpful first.
    FilmReviewsMostHelpful,
}

impl PagedRelation {
    const ALL: [Self; 6] = [
        Self::FilmCredits,
        Self::PersonCredits,
        Self::FilmQuotes,
        Self::FilmReviews,
        Self::FilmReviewsNewest,
        Self::FilmReviewsMostHelpful,
    ];
    fn tag(self) -> &'static str {
        match self {
            Self::FilmCredits => "fc",
            Self::PersonCredits => "pc",
            Self::FilmQuotes => "fq",
            Self::FilmReviews => "fr",
            Self::FilmReviewsNewest => "frn",
            Self::FilmReviewsMostHelpful => "frh",
        }
    }
    fn table(self) -> &'static str {
        match self {
            Self::FilmCredits | Self::PersonCredits => "credit",
            Self::FilmQuotes => "quote",
            Self::FilmReviews | Self::FilmReviewsNewest | Self::FilmReviewsMostHelpful => "review",
        }
    }
    fn parent_column(self) -> &'static str {
        match self {
            Self::PersonCredits => "person_id",
            _ => "film_id",
        }
    }
    /// The row on the other side of the relation, joined into every page as
    /// `j`: its table and the column of `t` that refers to it. A credit page
    /// of a film shows people, a person's shows films; reading them in the
    /// same statement saves one statement per page.
    fn other_side(self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::FilmCredits => Some(("person", "person_id")),
            Self::PersonCredits => Some(("film", "film_id")),
            _ => None,
        }
    }
    /// The sort expression over the row alias `t` alone, so that a page is
    /// cut before the other side is joined; ties are broken by `t.id`.
    fn sort_sql(self) -> &'static str {
        match self {
            Self::FilmCredits => "COALESCE(t.billing_order, 1000000)",
            // The film's year, copied onto the credit: joining every credit
            // of a page's people to its film only to sort them read twice
            // the buffers of B3's person-credit page.
            Self::PersonCredits => "t.film_year",
            Self::FilmQuotes | Self::FilmReviews => "t.position",
            // Ids grow with time: the negated id is newest first.
            Self::FilmReviewsNewest => "-t.id",
            Self::FilmReviewsMostHelpful => "-t.helpful_count",
        }
    }
    /// The names a page of this relation can be filtered to (its `kind` column).
    fn kind_names(self) -> &'static [&'static str] {
        match self {
            Self::FilmCredits | Self::PersonCredits => CreditKind::NAMES,
            Self::FilmQuotes => &[],
            Self::FilmReviews | Self::FilmReviewsNewest | Self::FilmReviewsMostHelpful => {
                ReviewKind::NAMES
            }
        }
    }
}

/// Where a page starts: after (forward) or before (backward) a cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub sort: i64,
    pub id: i32,
}

impl Cursor {
    pub fn encode(&self, relation: PagedRelation) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}:{}", relation.tag(), self.sort, self.id))
    }

    /// A cursor from another list, or anything that is not a cursor, is BAD_USER_INPUT.
    pub fn decode(relation: PagedRelation, raw: &str) -> AppResult<Self> {
        let invalid = || AppError::bad_input(format!("{raw:?} is not a cursor of this list"));
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split(':');
        let (Some(tag), Some(sort), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if tag != relation.tag() {
            return Err(invalid());
        }
        Ok(Self {
            sort: sort.parse().map_err(|_| invalid())?,
            id: id.parse().map_err(|_| invalid())?,
        })
    }
}

/// An edge's cursor: its row's place in its relation, encoded only when a
/// client selects it (see `connection`).
pub struct EdgeCursor {
    relation: PagedRelation,
    at: Cursor,
}

impl async_graphql::connection::CursorType for EdgeCursor {
    type Error = AppError;

    fn decode_cursor(raw: &str) -> AppResult<Self> {
        let tag = URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.split(':').next().map(str::to_string));
        let relation = PagedRelation::ALL
            .into_iter()
            .find(|relation| tag.as_deref() == Some(relation.tag()))
            .ok_or_else(|| AppError::bad_input(format!("{raw:?} is not a cursor")))?;
        Ok(Self {
            relation,
            at: Cursor::decode(relation, raw)?,
        })
    }

    fn encode_cursor(&self) -> String {
        self.at.encode(self.relation)
    }
}

/// The validated `first/after/last/before` of one connection field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub limit: u64,
    pub backward: bool,
    pub cursor: Option<Cursor>,
    /// The query asks for `totalCount`: a page without a cursor counts its
    /// rows in the same statement (set by the connection's loader).
    pub with_total: bool,
}

impl PageArgs {
    /// The page statement counts every row of the list: `totalCount` is asked
    /// for and no cursor narrows the rows the statement sees.
    fn counted_in_page(&self) -> bool {
        self.with_total && self.cursor.is_none()
    }
}

impl PageArgs {
    pub fn parse(
        relation: PagedRelation,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<Self> {
        let check = |name: &str, n: i32| {
            if (0..=MAX_PAGE_SIZE).contains(&n) {
                Ok(n as u64)
            } else {
                Err(AppError::bad_input(format!(
                    "`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {n}"
                )))
            }
        };
        match (first, last) {
            (Some(_), Some(_)) => Err(AppError::bad_input(
                "pass `first` (with `after`) or `last` (with `before`), not both",
            )),
            (_, Some(n)) => {
                if after.is_some() {
                    return Err(AppError::bad_input("`after` goes with `first`, not `last`"));
                }
                Ok(Self {
                    limit: check("last", n)?,
                    backward: true,
                    cursor: before.map(|c| Cursor::decode(relation, &c)).transpose()?,
                    with_total: false,
                })
            }
            (first, None) => {
                if before.is_some() && first.is_some() {
                    return Err(AppError::bad_input(
                        "`before` goes with `last`, not `first`",
                    ));
                }
                if let Some(before) = before {
                    // `before` alone pages backward with the default size.
                    return Ok(Self {
                        limit: DEFAULT_PAGE_SIZE as u64,
                        backward: true,
                        cursor: Some(Cursor::decode(relation, &before)?),
                        with_total: false,
                    });
                }
                Ok(Self {
                    limit: check("first", first.unwrap_or(DEFAULT_PAGE_SIZE))?,
                    backward: false,
                    cursor: after.map(|c| Cursor::decode(relation, &c)).transpose()?,
                    with_total: false,
                })
            }
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
    /// `t`'s columns in entity order, named with [`Joined::OWN_PREFIX`].
    fn own_columns<E: EntityTrait>() -> &'static str;
    /// The joined row's columns (of `j`) in entity order, under their own names.
    fn joined_columns() -> Option<&'static str>;
    /// The joined row, whose columns start at `first`.
    fn read(row: &QueryResult, first: usize, columns: Columns) -> Result<Self::Model, DbErr>;
}

/// Rows that carry only their own columns.
pub struct Alone;

impl Joined for Alone {
    type Model = ();
    const OWN_PREFIX: &'static str = "";
    fn table() -> Option<&'static str> {
        None
    }
    fn own_columns<E: EntityTrait>() -> &'static str {
        kept_select_list(TypeId::of::<(E, Self)>(), || columns_of::<E>("t"))
    }
    fn joined_columns() -> Option<&'static str> {
        None
    }
    fn read(_: &QueryResult, _: usize, _: Columns) -> Result<(), DbErr> {
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
    fn own_columns<E: EntityTrait>() -> &'static str {
        kept_select_list(TypeId::of::<(E, J)>(), || {
            let own = E::Column::iter().map(|column| {
                let name = column.as_str();
                format!("t.{name} AS {}{name}", Self::OWN_PREFIX)
            });
            own.collect::<Vec<_>>().join(", ")
        })
    }
    fn joined_columns() -> Option<&'static str> {
        Some(kept_select_list(TypeId::of::<J>(), || columns_of::<J>("j")))
    }
    fn read(row: &QueryResult, first: usize, columns: Columns) -> Result<J::Model, DbErr> {
        J::Model::read_row(row, first, "", columns)
    }
}

/// Which slice of which parent's rows a connection shows.
pub struct PageKey<E, J = Alone> {
    pub relation: PagedRelation,
    pub parent: i32,
    pub kinds: KindSet,
    pub page: PageArgs,
    /// The hash of everything but the parent, computed once: the DataLoader
    /// hashes each key many times (its maps grow as keys arrive), and hashing
    /// the kinds and page each time cost 4% of B3's server instructions.
    batch_hash: u64,
    rows: PhantomData<fn() -> (E, J)>,
}

impl<E, J> PageKey<E, J> {
    pub fn new(relation: PagedRelation, parent: i32, kinds: KindSet, page: PageArgs) -> Self {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        (relation, &kinds, &page).hash(&mut hasher);
        Self {
            relation,
            parent,
            kinds,
            page,
            batch_hash: hasher.finish(),
            rows: PhantomData,
        }
    }
    /// Keys that can share one statement: same relation, filter and page, any parent.
    fn batch(&self) -> (PagedRelation, KindSet, PageArgs) {
        (self.relation, self.kinds, self.page)
    }
}

impl<E, J> Clone for PageKey<E, J> {
    fn clone(&self) -> Self {
        Self {
            relation: self.relation,
            parent: self.parent,
            kinds: self.kinds,
            page: self.page,
            batch_hash: self.batch_hash,
            rows: PhantomData,
        }
    }
}
impl<E, J> PartialEq for PageKey<E, J> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent
            && self.batch_hash == other.batch_hash
            && self.relation == other.relation
            && self.kinds == other.kinds
            && self.page == other.page
    }
}
impl<E, J> Eq for PageKey<E, J> {}
impl<E, J> std::hash::Hash for PageKey<E, J> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.batch_hash);
        self.parent.hash(state);
    }
}

/// One page of rows for one parent, each with its cursor.
#[derive(Clone)]
pub struct Page<M> {
    pub rows: Vec<(Cursor, M)>,
    pub has_previous: bool,
    pub has_next: bool,
    /// How many rows the whole list has, when the page statement saw them all
    /// (a page without a cursor); `totalCount` then needs no statement of its own.
    pub total: Option<i64>,
}

/// `FROM table t WHERE t.parent IN (...) [AND t.kind IN (...)]`.
fn filter_rows(sql: &mut Sql, relation: PagedRelation, parents: &[i32], kinds: KindSet) {
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
            .push_quoted_list(kinds.names(relation.kind_names()))
            .push(")");
    }
}

/// ` AND (sort, t.id) > (cursor)` (`<` backward) for a page after a cursor.
fn filter_after_cursor(sql: &mut Sql, relation: PagedRelation, page: &PageArgs) {
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

/// `t`'s columns, then the values [`Db::page_rows`] reads after them.
fn page_columns<E: EntityTrait, J: Joined>(sql: &mut Sql, relation: PagedRelation) {
    sql.push(J::own_columns::<E>()).push(&format!(
        ", CAST({sort} AS BIGINT) AS page_sort, t.{parent} AS page_parent, t.id AS page_id",
        sort = relation.sort_sql(),
        parent = relation.parent_column(),
    ));
}

/// The order of a page's rows: `sort, t.id`, both descending backward.
fn page_order(relation: PagedRelation, page: &PageArgs) -> String {
    let direction = if page.backward { "DESC" } else { "ASC" };
    format!("{} {direction}, t.id {direction}", relation.sort_sql())
}

/// The statement of [`Db::page_rows`] on PostgreSQL: each parent's page is
/// its own `LATERAL` subquery with a `LIMIT`, which reads only the rows it
/// keeps when an index gives their order (a person's films by year). Its plan
/// does not depend on which parents a statement carries, so PostgreSQL keeps
/// the cached generic plan; with one window over every parent's rows, it
/// planned a film list's cast page anew on every run (0.2 ms).
fn lateral_page<E: EntityTrait, J: Joined>(
    backend: DbBackend,
    relation: PagedRelation,
    kinds: KindSet,
    page: &PageArgs,
    parents: &[i32],
) -> Sql {
    let (table, parent) = (relation.table(), relation.parent_column());
    let counted = page.counted_in_page();
    let mut sql = Sql::new(backend);
    sql.push("SELECT paged.*");
    if counted {
        sql.push(", counted.page_total");
    }
    if let Some(columns) = J::joined_columns() {
        sql.push(", ").push(columns);
    }
    sql.push(" FROM (VALUES ");
    for (i, id) in parents.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .bind(*id)
            .push(")");
    }
    sql.push(") AS p(id) CROSS JOIN LATERAL (SELECT ");
    page_columns::<E, J>(&mut sql, relation);
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
    // Each parent's rows in page order; no window numbers them (a window
    // per parent cost 10 to 14% of the directors' and filmographies' pages).
    let direction = if page.backward { "DESC" } else { "ASC" };
    sql.push(&format!(
        " ORDER BY page_parent, page_sort {direction}, page_id {direction}"
    ));
    sql
}

/// The statement of [`Db::page_rows`] on SQLite, which has no `LATERAL`: one
/// window numbers every row of the parents and the first `limit + 1` of each
/// are kept; the other side is joined to the rows kept only.
fn windowed_page<E: EntityTrait, J: Joined>(
    backend: DbBackend,
    relation: PagedRelation,
    kinds: KindSet,
    page: &PageArgs,
    parents: &[i32],
) -> Sql {
    let parent = relation.parent_column();
    let mut sql = Sql::new(backend);
    sql.push("SELECT paged.*");
    if let Some(columns) = J::joined_columns() {
        sql.push(", ").push(columns);
    }
    sql.push(" FROM (SELECT ");
    page_columns::<E, J>(&mut sql, relation);
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
    sql.push(&format!(
        " WHERE page_rank <= {} ORDER BY page_parent, page_rank",
        page.limit + 1
    ));
    sql
}

type PageRow<E, J> = (<E as EntityTrait>::Model, <J as Joined>::Model);
type PageRows<E, J> = Vec<(Cursor, PageRow<E, J>)>;

impl<E: EntityTrait, J: Joined> Loader<PageKey<E, J>> for Db
where
    E::Model: ReadRow + Clone + Send + Sync,
{
    /// Shared: the DataLoader clones a value for each caller, and a deep
    /// clone of a page's rows was a fifth of B3's allocations.
    type Value = Arc<Page<PageRow<E, J>>>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[PageKey<E, J>],
    ) -> Result<HashMap<PageKey<E, J>, Arc<Page<PageRow<E, J>>>>, Arc<DbErr>> {
        let mut batches: HashMap<_, Vec<i32>> = HashMap::new();
        for key in keys {
            batches.entry(key.batch()).or_default().push(key.parent);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for ((relation, kinds, page), parents) in batches {
            let rows = self
                .page_rows::<E, J>(relation, kinds, &page, &parents)
                .await?;
            let mut by_parent: HashMap<i32, PageRows<E, J>> = HashMap::with_capacity(parents.len());
            let mut totals: HashMap<i32, i64> = HashMap::new();
            // The rows come ordered by parent: each parent's run is moved
            // into a vector of its exact size.
            let mut runs: Vec<(i32, usize)> = Vec::with_capacity(parents.len());
            for (parent, ..) in &rows {
                match runs.last_mut() {
                    Some((last, length)) if last == parent => *length += 1,
                    _ => runs.push((*parent, 1)),
                }
            }
            let mut rows = rows.into_iter();
            for (parent, length) in runs {
                let run = rows.by_ref().take(length).map(|(_, cursor, row, total)| {
                    if let Some(total) = total {
                        totals.insert(parent, total);
                    }
                    (cursor, row)
                });
                by_parent.entry(parent).or_default().extend(run);
            }
            for parent in parents {
                let mut rows = by_parent.remove(&parent).unwrap_or_default();
                let more = rows.len() as u64 > page.limit;
                rows.truncate(page.limit as usize);
                let continues = page.cursor.is_some();
                // Counted rows: a parent without any has none.
                let total = page
                    .counted_in_page()
                    .then(|| totals.get(&parent).copied().unwrap_or(0));
                if page.backward {
                    rows.reverse();
                }
                let (has_previous, has_next) = if page.backward {
                    (more, continues)
                } else {
                    (continues, more)
                };
                let key = PageKey::new(relation, parent, kinds, page);
                pages.insert(
                    key,
                    Arc::new(Page {
                        rows,
                        has_previous,
                        has_next,
                        total,
                    }),
                );
            }
        }
        Ok(pages)
    }
}

impl Db {
    /// Up to `limit + 1` rows per parent (the extra row says whether more
    /// follow), and without a cursor each parent's count of rows.
    async fn page_rows<E: EntityTrait, J: Joined>(
        &self,
        relation: PagedRelation,
        kinds: KindSet,
        page: &PageArgs,
        parents: &[i32],
    ) -> Result<Vec<(i32, Cursor, PageRow<E, J>, Option<i64>)>, DbErr>
    where
        E::Model: ReadRow,
    {
        debug_assert!(
            J::table().is_none() || J::table() == relation.other_side().map(|(table, _)| table),
            "{relation:?} does not join {:?}",
            J::table()
        );
        let counted = page.counted_in_page();
        let backend = self.db.get_database_backend();
        // PostgreSQL pages each parent laterally; the others number rows in a
        // window, whose rank the statement returns last.
        let ranked = backend != DbBackend::Postgres;
        let sql = if ranked {
            windowed_page::<E, J>(backend, relation, kinds, page, parents)
        } else {
            lateral_page::<E, J>(backend, relation, kinds, page, parents)
        };
        let rows = self.db.query_all_raw(sql.statement()).await?;
        // The page's own values follow its row's columns, and the joined row follows them.
        let values_from = column_count::<E>();
        let joined_from = values_from + 3 + usize::from(counted) + usize::from(ranked);
        rows.iter()
            .enumerate()
            .map(|(i, row)| {
                let columns = Columns::for_row(i);
                let model = E::Model::read_row(row, 0, J::OWN_PREFIX, columns)?;
                let mut at = values_from;
                let sort: i64 = read_column(row, &mut at, "page_sort", columns)?;
                let parent: i32 = read_column(row, &mut at, "page_parent", columns)?;
                let id: i32 = read_column(row, &mut at, "page_id", columns)?;
                let total: Option<i64> = if counted {
                    Some(read_column(row, &mut at, "page_total", columns)?)
                } else {
                    None
                };
                if ranked {
                    let _rank: i64 = read_column(row, &mut at, "page_rank", columns)?;
                }
                debug_assert_eq!(at, joined_from);
                let joined = J::read(row, joined_from, columns)?;
                Ok((parent, Cursor { sort, id }, (model, joined), total))
            })
            .collect()
    }
}

/// Key: how many rows a connection has in all (for `totalCount`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountKey {
    pub relation: PagedRelation,
    pub parent: i32,
    pub kinds: KindSet,
}

impl Loader<CountKey> for Db {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CountKey]) -> Result<HashMap<CountKey, i64>, Arc<DbErr>> {
        let mut batches: HashMap<_, Vec<i32>> = HashMap::new();
        for key in keys {
            batches
                .entry((key.relation, key.kinds))
                .or_default()
                .push(key.parent);
        }
        let mut counts = HashMap::new();
        for ((relation, kinds), parents) in batches {
            let parent = relation.parent_column();
            let mut sql = Sql::new(self.db.get_database_backend());
            sql.push(&format!("SELECT t.{parent} AS parent, COUNT(*) AS total"));
            filter_rows(&mut sql, relation, &parents, kinds);
            sql.push(&format!(" GROUP BY t.{parent}"));
            let rows = self.db.query_all_raw(sql.statement()).await?;
            let mut found: HashMap<i32, i64> = HashMap::new();
            for row in rows {
                found.insert(row.try_get("", "parent")?, row.try_get("", "total")?);
            }
            for parent in parents {
                let key = CountKey {
                    relation,
                    parent,
                    kinds,
                };
                counts.insert(key, found.get(&parent).copied().unwrap_or(0));
            }
        }
        Ok(counts)
    }
}

/// The extra fields of every connection: `totalCount`, known from the page
/// (see [`Page::total`]) or counted only when asked.
pub struct ConnectionTotals {
    key: CountKey,
    known: Option<i64>,
}

#[Object]
impl ConnectionTotals {
    /// How many items the whole list has, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        if let Some(total) = self.known {
            return Ok(total);
        }
        loader(ctx)
            .load_one(self.key.clone())
            .await
            .map(|n| n.unwrap_or(0))
            .gql()
    }
}

/// Loads one page of `relation` for `parent`; `ctx` is the connection field's.
pub async fn load_page<E: EntityTrait>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    mut page: PageArgs,
) -> AppResult<Page<E::Model>>
where
    E::Model: ReadRow + Clone + Send + Sync,
{
    page.with_total = asks_for_total(ctx);
    let page = load_joined_page::<E, Alone>(ctx, relation, parent, kinds, page).await?;
    Ok(Page {
        rows: page
            .rows
            .into_iter()
            .map(|(cursor, (row, ()))| (cursor, row))
            .collect(),
        has_previous: page.has_previous,
        has_next: page.has_next,
        total: page.total,
    })
}

/// Whether a connection field's selection asks for `totalCount`.
fn asks_for_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// Loads one page of `relation` for `parent`, each row with the row of `J`
/// (the relation's other side) it refers to, counted if `page.with_total`.
pub async fn load_joined_page<E: EntityTrait, J: Joined>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    page: PageArgs,
) -> AppResult<Page<PageRow<E, J>>>
where
    E::Model: ReadRow + Clone + Send + Sync,
{
    let key = PageKey::<E, J>::new(relation, parent, kinds, page);
    Ok(match loader(ctx).load_one(key).await? {
        // The only copy once the loader has let go of it, unless another
        // request asked for the same page in the same batch.
        Some(page) => Arc::try_unwrap(page).unwrap_or_else(|shared| (*shared).clone()),
        None => Page {
            rows: Vec::new(),
            has_previous: false,
            has_next: false,
            total: None,
        },
    })
}

/// One page of `relation` for `parent` as a connection whose edges `node`
/// builds from each row and the `J` row it refers to (a credit and its
/// person or film), with `totalCount` for the same rows.
pub async fn joined_connection<E, J, Node, EdgeFields, Name, EdgeName>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    page: PageArgs,
    node: impl FnMut(PageRow<E, J>) -> Option<(Node, EdgeFields)>,
) -> AppResult<PagedConnection<Node, EdgeFields, Name, EdgeName>>
where
    E: EntityTrait,
    E::Model: ReadRow + Clone + Send + Sync,
    J: Joined,
    Node: async_graphql::OutputType,
    EdgeFields: async_graphql::ObjectType,
    Name: ConnectionName,
    EdgeName: async_graphql::connection::EdgeNameType,
{
    let page = PageArgs {
        with_total: asks_for_total(ctx),
        ..page
    };
    let rows = load_joined_page::<E, J>(ctx, relation, parent, kinds, page).await?;
    let count = CountKey {
        relation,
        parent,
        kinds,
    };
    Ok(into_connection(relation, count, rows, node))
}

/// A connection of `Node`s with `totalCount` and per-edge `EdgeFields`.
pub type PagedConnection<Node, EdgeFields, Name, EdgeName> =
    Connection<Node, ConnectionTotals, EdgeFields, Name, EdgeName, EdgeCursor>;

/// Turns a loaded page into a connection; `node` builds each edge's node and fields.
pub fn into_connection<M, Node, EdgeFields, Name, EdgeName>(
    relation: PagedRelation,
    count: CountKey,
    page: Page<M>,
    mut node: impl FnMut(M) -> Option<(Node, EdgeFields)>,
) -> PagedConnection<Node, EdgeFields, Name, EdgeName>
where
    Node: async_graphql::OutputType,
    EdgeFields: async_graphql::ObjectType,
    Name: ConnectionName,
    EdgeName: async_graphql::connection::EdgeNameType,
{
    let totals = ConnectionTotals {
        key: count,
        known: page.total,
    };
    let mut connection = Connection::new(page.has_previous, page.has_next, totals);
    for (cursor, model) in page.rows {
        if let Some((item, fields)) = node(model) {
            connection
                .edges
                .push(async_graphql::connection::Edge::with_additional_fields(
                    EdgeCursor {
                        relation,
                        at: cursor,
                    },
                    item,
                    fields,
                ));
        }
    }
    connection
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::connection::CursorType;

    #[test]
    fn edge_cursors_decode_to_what_they_encode() {
        let at = Cursor { sort: -7, id: 42 };
        for relation in PagedRelation::ALL {
            let encoded = EdgeCursor { relation, at }.encode_cursor();
            let decoded = EdgeCursor::decode_cursor(&encoded).unwrap();
            assert_eq!((decoded.relation, decoded.at), (relation, at));
        }
        for not_a_cursor in ["", "!!", &URL_SAFE_NO_PAD.encode("xx:1:2")] {
            assert!(
                EdgeCursor::decode_cursor(not_a_cursor).is_err(),
                "{not_a_cursor}"
            );
        }
    }
}

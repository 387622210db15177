//! Pages of relations (a film's credits, a person's filmography, a film's
//! quotes and reviews), cut in SQL per parent.
//!
//! A page of one relation for many parents (the first 5 cast members of 20
//! films) is one statement that cuts each parent's rows in the database: on
//! PostgreSQL a `LATERAL` subquery with a `LIMIT` per parent, on SQLite
//! `ROW_NUMBER() OVER (PARTITION BY parent ...)`. Keyset positions
//! (`(sort, id) > (...)`) continue a page without OFFSET. `totalCount` comes
//! from the same statement when the page has no cursor, and otherwise from a
//! second, grouped statement, run only when a client asks.

mod statements;

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use sea_orm::{DbBackend, DbErr, EntityTrait};

pub use self::statements::{
    Alone, Joined, PageColumns, WithCharacter, push_directors_of, read_directors,
};
use self::statements::{filter_rows, lateral_page, windowed_page};
use crate::db::Db;
use crate::db::columns::ColumnSet;
use crate::db::entities::person;
use crate::db::read_row::{ReadRow, read_column, read_each, values_in};
use crate::db::sql::Sql;
use crate::kinds::{CreditKind, KindSet, ReviewKind};

/// The relations exposed as connections, with how each is stored and ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PagedRelation {
    /// A film's credits: cast in billing order (unbilled cast by
    /// prominence), then crew; see `summaries::refresh_credit_order`.
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
    pub const ALL: [Self; 6] = [
        Self::FilmCredits,
        Self::PersonCredits,
        Self::FilmQuotes,
        Self::FilmReviews,
        Self::FilmReviewsNewest,
        Self::FilmReviewsMostHelpful,
    ];
    pub(crate) fn table(self) -> &'static str {
        match self {
            Self::FilmCredits | Self::PersonCredits => "credit",
            Self::FilmQuotes => "quote",
            Self::FilmReviews | Self::FilmReviewsNewest | Self::FilmReviewsMostHelpful => "review",
        }
    }
    pub(crate) fn parent_column(self) -> &'static str {
        match self {
            Self::PersonCredits => "person_id",
            _ => "film_id",
        }
    }
    /// The row on the other side of the relation, joined into every page as
    /// `j`: its table and the column of `t` that refers to it. A credit page
    /// of a film shows people, a person's shows films; reading them in the
    /// same statement saves one statement per page.
    pub(crate) fn other_side(self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::FilmCredits => Some(("person", "person_id")),
            Self::PersonCredits => Some(("film", "film_id")),
            _ => None,
        }
    }
    /// The sort expression over the row alias `t` alone, so that a page is
    /// cut before the other side is joined; ties are broken by `t.id`.
    pub(crate) fn sort_sql(self) -> &'static str {
        match self {
            Self::FilmCredits => "t.list_position",
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
    pub(crate) fn kind_names(self) -> &'static [&'static str] {
        match self {
            Self::FilmCredits | Self::PersonCredits => CreditKind::NAMES,
            Self::FilmQuotes => &[],
            Self::FilmReviews | Self::FilmReviewsNewest | Self::FilmReviewsMostHelpful => {
                ReviewKind::NAMES
            }
        }
    }
}

/// A row's place in its relation's order: its sort value and id. A page
/// continues strictly after (forward) or before (backward) one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    pub sort: i64,
    pub id: i32,
}

/// Which slice of a relation a page shows: at most `limit` rows after (or,
/// backward, before) a position, and whether to count the whole list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub limit: u64,
    pub backward: bool,
    pub cursor: Option<Position>,
    /// The query asks for `totalCount`: a page without a cursor counts its
    /// rows in the same statement.
    pub with_total: bool,
}

impl Window {
    /// The page statement counts every row of the list: `totalCount` is asked
    /// for and no cursor narrows the rows the statement sees.
    pub(crate) fn counted_in_page(&self) -> bool {
        self.with_total && self.cursor.is_none()
    }
}

/// An entity whose rows can be paged: read by position, and shared between
/// the callers of one batch.
pub trait Paged: EntityTrait<Model: ReadRow + Clone + Send + Sync> {}

impl<E> Paged for E
where
    E: EntityTrait,
    E::Model: ReadRow + Clone + Send + Sync,
{
}

/// Which slice of which parent's rows a connection shows.
pub struct PageKey<E, J = Alone> {
    pub relation: PagedRelation,
    pub parent: i32,
    pub kinds: KindSet,
    pub page: Window,
    pub columns: PageColumns,
    /// The hash of everything but the parent, computed once: the DataLoader
    /// hashes each key many times (its maps grow as keys arrive), and hashing
    /// the kinds and page each time cost 4% of B3's server instructions.
    batch_hash: u64,
    rows: PhantomData<fn() -> (E, J)>,
}

impl<E: EntityTrait, J: Joined> PageKey<E, J> {
    /// A page whose rows carry `columns` (the joined row's must hold its
    /// id). The columns the statement needs are added to the rows' own: the
    /// key, the column that refers to the other side, and a credit's
    /// character when the rows carry it.
    pub fn with_columns(
        relation: PagedRelation,
        parent: i32,
        kinds: KindSet,
        page: Window,
        mut columns: PageColumns,
    ) -> Self {
        let mut own = columns.own.union(ColumnSet::key::<E>());
        if let (Some(_), Some((_, column))) = (J::table(), relation.other_side()) {
            own = own.with_named::<E>(column);
        }
        if J::WITH_CHARACTER {
            own = own.with_named::<E>("character_id");
        }
        columns.own = own;
        Self::exactly(parent, (relation, kinds, page, columns))
    }

    /// The key of `batch`'s page for `parent`; the batch's columns are complete.
    fn exactly(parent: i32, batch: Batch) -> Self {
        let (relation, kinds, page, columns) = batch;
        Self {
            relation,
            parent,
            kinds,
            page,
            columns,
            batch_hash: batch_hash(&batch),
            rows: PhantomData,
        }
    }

    /// Keys that can share one statement: same relation, filter, page and
    /// columns, any parent.
    fn batch(&self) -> Batch {
        (self.relation, self.kinds, self.page, self.columns)
    }
}

/// What the keys of one statement share.
type Batch = (PagedRelation, KindSet, Window, PageColumns);

/// A map of the loaders' own: its keys come from the server's code (a batch,
/// a parent's id), and foldhash costs a fraction of SipHash per key.
type FastMap<K, V> = foldhash::HashMap<K, V>;

/// A batch's hash, with a fast non-keyed hasher: the keys come from the
/// server's own code, not from clients (a parent id is hashed by the
/// DataLoader's own map).
fn batch_hash(batch: &Batch) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(batch)
}

impl<E, J> Clone for PageKey<E, J> {
    fn clone(&self) -> Self {
        Self {
            relation: self.relation,
            parent: self.parent,
            kinds: self.kinds,
            page: self.page,
            columns: self.columns,
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
            && self.columns == other.columns
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
    pub rows: Vec<(Position, M)>,
    pub has_previous: bool,
    pub has_next: bool,
    /// How many rows the whole list has, when the page statement saw them all
    /// (a page without a cursor); `totalCount` then needs no statement of its own.
    pub total: Option<i64>,
}

/// A row of a page: its own model, the joined row's, and the joined film's
/// directors when the page read them ([`PageColumns::directors`]).
pub type PageRow<E, J> = (
    <E as EntityTrait>::Model,
    <J as Joined>::Model,
    Option<Vec<person::Model>>,
);
type PageRows<E, J> = Vec<(Position, PageRow<E, J>)>;

/// The pages of every key: one statement per batch of keys that differ only
/// by parent. Pages are shared (`Arc`): the DataLoader clones a value for
/// each caller, and a deep clone of a page's rows was a fifth of B3's
/// allocations.
pub async fn load<E: EntityTrait, J: Joined>(
    db: &Db,
    keys: &[PageKey<E, J>],
) -> Result<HashMap<PageKey<E, J>, Arc<Page<PageRow<E, J>>>>, DbErr>
where
    E::Model: ReadRow + Clone + Send + Sync,
{
    let mut batches: FastMap<Batch, Vec<i32>> = FastMap::default();
    for key in keys {
        batches.entry(key.batch()).or_default().push(key.parent);
    }
    let mut pages = HashMap::with_capacity(keys.len());
    for (batch, parents) in batches {
        let (relation, kinds, page, columns) = batch;
        let rows = page_rows::<E, J>(db, relation, kinds, &page, &parents, columns).await?;
        let mut by_parent: FastMap<i32, PageRows<E, J>> =
            FastMap::with_capacity_and_hasher(parents.len(), Default::default());
        let mut totals: FastMap<i32, i64> = FastMap::default();
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
            let key = PageKey::exactly(parent, batch);
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

/// Up to `limit + 1` rows per parent (the extra row says whether more
/// follow), and without a cursor each parent's count of rows; each row with
/// its `columns`.
#[allow(clippy::type_complexity)]
async fn page_rows<E: EntityTrait, J: Joined>(
    db: &Db,
    relation: PagedRelation,
    kinds: KindSet,
    page: &Window,
    parents: &[i32],
    columns: PageColumns,
) -> Result<Vec<(i32, Position, PageRow<E, J>, Option<i64>)>, DbErr>
where
    E::Model: ReadRow,
{
    debug_assert!(
        J::table().is_none() || J::table() == relation.other_side().map(|(table, _)| table),
        "{relation:?} does not join {:?}",
        J::table()
    );
    debug_assert!(
        !J::WITH_CHARACTER || relation.table() == "credit",
        "{relation:?} has no characters"
    );
    let directed = !columns.directors.is_empty();
    debug_assert!(
        !directed || J::table() == Some("film"),
        "{relation:?} joins no film to read the directors of"
    );
    let counted = page.counted_in_page();
    let backend = db.backend();
    // PostgreSQL pages each parent laterally; the others number rows in a
    // window, whose rank the statement returns last.
    let ranked = backend != DbBackend::Postgres;
    let sql = if ranked {
        windowed_page::<E, J>(backend, relation, kinds, page, parents, columns)
    } else {
        lateral_page::<E, J>(backend, relation, kinds, page, parents, columns)
    };
    let rows = sql.query_all_prepared(db).await?;
    db.metrics().record_values_read(values_in(&rows));
    // The page's own values follow its row's columns, then the directors
    // when read, then the joined row.
    let PageColumns { own, joined, .. } = columns;
    let values_from = own.len();
    let directors_at = values_from + 3 + usize::from(counted) + usize::from(ranked);
    let joined_from = directors_at + usize::from(directed);
    read_each(&rows, |row, checked| {
        let model = E::Model::read_some(row, 0, J::OWN_PREFIX, checked, own)?;
        let mut at = values_from;
        let sort: i64 = read_column(row, &mut at, "page_sort", checked)?;
        let parent: i32 = read_column(row, &mut at, "page_parent", checked)?;
        let id: i32 = read_column(row, &mut at, "page_id", checked)?;
        let total: Option<i64> = if counted {
            Some(read_column(row, &mut at, "page_total", checked)?)
        } else {
            None
        };
        if ranked {
            let _rank: i64 = read_column(row, &mut at, "page_rank", checked)?;
        }
        debug_assert_eq!(at, directors_at);
        let directors = read_directors(row, &mut at, checked, columns.directors)?;
        let other = J::read(row, joined_from, checked, joined)?;
        Ok((
            parent,
            Position { sort, id },
            (model, other, directors),
            total,
        ))
    })
}

/// Key: how many rows a connection has in all (for `totalCount`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountKey {
    pub relation: PagedRelation,
    pub parent: i32,
    pub kinds: KindSet,
}

/// One word for the three fields: the DataLoader hashes each key several
/// times with SipHash, which costs by the write. Keys that differ may share
/// a hash (equality tells them apart).
impl std::hash::Hash for CountKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let batch = (u64::from(self.kinds.bits()) << 3) ^ self.relation as u64;
        state.write_u64((batch << 32) ^ u64::from(self.parent as u32));
    }
}

/// How many rows each key's list has, one grouped statement per relation and kinds.
pub async fn count(db: &Db, keys: &[CountKey]) -> Result<HashMap<CountKey, i64>, DbErr> {
    let mut batches: FastMap<(PagedRelation, KindSet), Vec<i32>> = FastMap::default();
    for key in keys {
        batches
            .entry((key.relation, key.kinds))
            .or_default()
            .push(key.parent);
    }
    let mut counts = HashMap::with_capacity(keys.len());
    for ((relation, kinds), parents) in batches {
        let parent = relation.parent_column();
        let mut sql = Sql::new(db.backend());
        sql.push(&format!("SELECT t.{parent} AS parent, COUNT(*) AS total"));
        filter_rows(&mut sql, relation, &parents, kinds);
        sql.push(&format!(" GROUP BY t.{parent}"));
        let rows = sql.query_all_prepared(db).await?;
        let found: FastMap<i32, i64> = read_each(&rows, |row, columns| {
            let mut at = 0;
            let parent = read_column(row, &mut at, "parent", columns)?;
            Ok((parent, read_column(row, &mut at, "total", columns)?))
        })?
        .into_iter()
        .collect();
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

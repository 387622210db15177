//! Reading models from rows by position.
//!
//! sea-orm reads every column by name, and for every NULL it reads (a valid
//! `None`) it first formats an error message naming the column. A catalogue
//! film is mostly NULL (no tagline, no overview...), and B3 reads 110 films a
//! request: that formatting was 8% of the server's time. Every model the
//! loaders read reads its columns by position instead, and checks each
//! column's name as it goes, so a select list in another order fails loudly
//! rather than mixing up fields. (By name, each value also cost a hashed
//! look-up of its column: 10% of the film page's server instructions, whose
//! sections are small tables.)
//!
//! The rows of one PostgreSQL result share their columns, so a reader of many
//! rows checks the first row's columns (names and types) and trusts the rest
//! ([`Columns::Trust`]): sqlx's own type check costs more than the decoding,
//! a few hundred instructions for every text value.

use std::any::TypeId;
use std::sync::{Arc, LazyLock};

use moka::sync::Cache;

use sea_orm::sqlx::{Column, Decode, Postgres, Row, Sqlite, Type, TypeInfo};
use sea_orm::{DbErr, EntityTrait, IdenStatic, Iterable, QueryResult};

use super::columns::ColumnSet;
use super::entities::*;
use super::sql::query_error;

/// Whether a read checks the row's columns against the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// Check each column's name and type.
    Check,
    /// The row belongs to a result whose first row was read with
    /// [`Columns::Check`]: the columns are the same. (SQLite types each value,
    /// not each column, so its values are always checked.)
    Trust,
}

impl Columns {
    /// Check the first row of a result, trust the rest.
    pub fn for_row(index: usize) -> Self {
        if index == 0 { Self::Check } else { Self::Trust }
    }
}

/// A model that can be read from a row whose columns start at `first`, named
/// `prefix` + the column's name, in the entity's column order.
pub trait ReadRow: Sized {
    fn read_row(
        row: &QueryResult,
        first: usize,
        prefix: &str,
        columns: Columns,
    ) -> Result<Self, DbErr>;

    /// The model from a row that holds only the columns of `set` (in entity
    /// order); the others are left at their defaults, which the GraphQL
    /// types never read (they check, in debug builds). Only the models read
    /// by position can be read in part.
    fn read_some(
        row: &QueryResult,
        first: usize,
        prefix: &str,
        columns: Columns,
        set: ColumnSet,
    ) -> Result<Self, DbErr> {
        let _ = set;
        Self::read_row(row, first, prefix, columns)
    }
}

/// The models of every row of one result (its first row checked, the rest
/// trusted: see [`Columns`]), each read from the row's first column.
pub fn read_all<M: ReadRow>(rows: &[QueryResult]) -> Result<Vec<M>, DbErr> {
    read_each(rows, |row, columns| M::read_row(row, 0, "", columns))
}

/// `read` applied to every row of one result (its first row checked, the
/// rest trusted), into a vector sized once: collecting `Result`s grows the
/// vector as it goes, and those copies were 2% of B3's server instructions.
pub fn read_each<T>(
    rows: &[QueryResult],
    mut read: impl FnMut(&QueryResult, Columns) -> Result<T, DbErr>,
) -> Result<Vec<T>, DbErr> {
    let mut read_rows = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        read_rows.push(read(row, Columns::for_row(i))?);
    }
    Ok(read_rows)
}

/// How many values (rows × columns) a result holds, for the metrics.
pub fn values_in(rows: &[QueryResult]) -> u64 {
    let columns = rows.first().map_or(0, |row| {
        if let Some(row) = row.try_as_pg_row() {
            row.columns().len()
        } else if let Some(row) = row.try_as_sqlite_row() {
            row.columns().len()
        } else {
            0
        }
    });
    (rows.len() * columns) as u64
}

/// [`read_all`] for rows that hold only the columns of `set`.
pub fn read_all_some<M: ReadRow>(rows: &[QueryResult], set: ColumnSet) -> Result<Vec<M>, DbErr> {
    read_each(rows, |row, columns| M::read_some(row, 0, "", columns, set))
}

/// `alias.a, alias.b, ...`: an entity's columns in its own order, the order
/// [`ReadRow`] reads them in (`alias.*` is the table's order, which columns
/// added by later migrations may change).
pub fn columns_of<E: EntityTrait>(alias: &str) -> String {
    E::Column::iter()
        .map(|column| format!("{alias}.{}", column.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A select list built once per `key` (a type naming what it lists, and the
/// bits of the column set it lists) and kept in a `moka` cache: an entity's
/// columns never change, and page statements, built per batch, formatted
/// theirs column by column each time.
pub fn kept_select_list(key: (TypeId, u64), build: impl FnOnce() -> String) -> Arc<str> {
    static LISTS: LazyLock<Cache<(TypeId, u64), Arc<str>>> = LazyLock::new(|| Cache::new(1024));
    LISTS.get_with(key, || Arc::from(build()))
}

macro_rules! by_position {
    ($($entity:ident { $($field:ident),* $(,)? })*) => {$(
        impl ReadRow for $entity::Model {
            fn read_row(
                row: &QueryResult,
                first: usize,
                prefix: &str,
                columns: Columns,
            ) -> Result<Self, DbErr> {
                let mut at = first;
                // Fields are evaluated in the order written, which is the entity's.
                Ok($entity::Model {
                    $($field: column(row, &mut at, prefix, stringify!($field), columns)?,)*
                })
            }

            fn read_some(
                row: &QueryResult,
                first: usize,
                prefix: &str,
                columns: Columns,
                set: ColumnSet,
            ) -> Result<Self, DbErr> {
                let mut at = first;
                let mut index = 0;
                // A column the set leaves out is not in the row: a default.
                let mut next = || {
                    index += 1;
                    set.has_index(index - 1)
                };
                Ok($entity::Model {
                    $($field: if next() {
                        column(row, &mut at, prefix, stringify!($field), columns)?
                    } else {
                        Default::default()
                    },)*
                })
            }
        }
    )*};
}

by_position! {
    film {
        id, slug, imdb_id, title, original_title, release_date, release_year,
        runtime_minutes, certification, tagline, badly_explained_plot, overview,
        ending_explained, consensus, where_to_watch_note, soundtrack_note,
        document_hash, created_at, updated_at, wikidata_id, title_sort, release_sort,
        academy_award_wins, academy_award_nominations, rating_imdb,
        rating_rotten_tomatoes, rating_rotten_tomatoes_average, rating_metacritic,
        box_office_usd, user_rating_count, user_rating_average, version,
    }
    person { id, slug, name, bio, birth_date, credit_count, name_sort }
    credit { id, film_id, person_id, kind, job, billing_order, character_id, origin, film_year, list_position }
    film_character { id, film_id, position, name, description }
    app_user { id, username, password_hash, created_at, display_name, role }
    audience_reaction { id, film_id, position, headline, description }
    award { id, slug, organization, name }
    box_office_figure { id, film_id, kind, amount, currency, source }
    collection { id, slug, name, overview }
    collection_film { id, collection_id, film_id, position }
    company { id, slug, name }
    film_company { id, film_id, company_id, role, position, provider }
    film_keyword { film_id, keyword_id, position }
    film_release { id, film_id, position, country, kind, release_date, certification, note, provider }
    film_title { id, film_id, position, language, title, overview }
    image { id, film_id, position, kind, url, width, height, language, source, person_id }
    keyword { id, slug, name }
    content_warning { id, film_id, position, text }
    external_rating { id, film_id, source, value, scale, votes, provider }
    faq_entry { id, film_id, position, question, answer }
    film_country { film_id, country, position }
    film_genre { film_id, genre_id, position }
    film_language { film_id, language, position }
    film_list { id, user_id, name, description, visibility, ranked, item_count, created_at, updated_at }
    film_similarity { id, film_id, other_film_id, score, rank, reason }
    filming_location { id, film_id, position, place, note }
    genre { id, slug, name }
    nomination { id, film_id, award_id, year, category, won }
    nomination_recipient { nomination_id, person_id }
    offer { id, film_id, position, platform, kind, format, region, url }
    product { id, slug, name, kind, description }
    product_film { product_id, film_id, position }
    quote { id, film_id, position, character_id, text, context }
    rating { id, user_id, film_id, score, created_at, updated_at }
    recommended_audience { id, film_id, position, text }
    review { id, film_id, kind, user_id, author, outlet, title, body, score, spoiler, helpful_count, position, created_at, updated_at }
    similar_film { id, film_id, similar_film_id, position, reason }
    soundtrack_track { id, film_id, position, title, artists, duration_seconds }
    source_work { id, film_id, kind, title, published_year, description }
    synopsis_section { id, film_id, position, heading, body, spoiler }
    trivia { id, film_id, position, text }
    video { id, film_id, position, kind, title, description, url }
}

/// The column at `*at` (then moves on), named `name`: a value a statement
/// computes beside a model's columns.
pub fn read_column<T>(
    row: &QueryResult,
    at: &mut usize,
    name: &str,
    columns: Columns,
) -> Result<T, DbErr>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite>,
{
    column(row, at, "", name, columns)
}

/// The column at `*at` (then moves on), which must be named `prefix` + `name`
/// and hold a `T` (checked unless `columns` says to trust the row).
fn column<T>(
    row: &QueryResult,
    at: &mut usize,
    prefix: &str,
    name: &str,
    columns: Columns,
) -> Result<T, DbErr>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite>,
{
    let index = *at;
    *at += 1;
    let is_named = |found: &str| {
        found.len() == prefix.len() + name.len()
            && found.starts_with(prefix)
            && found.ends_with(name)
    };
    let misplaced = |found: Option<&str>| {
        DbErr::Type(format!(
            "column {index} is {found:?}, expected {prefix}{name}: the select list is not in the entity's order"
        ))
    };
    if let Some(row) = row.try_as_pg_row() {
        if columns == Columns::Check {
            let found = row.columns().get(index);
            if !found.is_some_and(|c| is_named(c.name())) {
                return Err(misplaced(found.map(|c| c.name())));
            }
            let found = found.map(|c| c.type_info());
            if !found.is_some_and(|ty| <T as Type<Postgres>>::compatible(ty)) {
                return Err(DbErr::Type(format!(
                    "column {index} ({prefix}{name}) is of type {}, which does not decode as {}",
                    found.map(|ty| ty.name()).unwrap_or("?"),
                    std::any::type_name::<T>()
                )));
            }
        }
        return row.try_get_unchecked::<T, _>(index).map_err(query_error);
    }
    if let Some(row) = row.try_as_sqlite_row() {
        let found = row.columns().get(index).map(|c| c.name());
        if !found.is_some_and(is_named) {
            return Err(misplaced(found));
        }
        return row.try_get::<T, _>(index).map_err(query_error);
    }
    Err(DbErr::Type("a row of an unknown database".to_string()))
}

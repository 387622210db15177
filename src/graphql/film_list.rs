//! The `films` connection: combinable filters, orderings, keyset pages and
//! facet counts, all computed in SQL.

use std::future::Future;

use async_graphql::connection::{Edge, EmptyFields};
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use sea_orm::FromQueryResult;

use super::aggregate_cache::AggregateCache;
use super::connection::{Connection, connection_names};
use super::film::Film;
use super::ids::{self, NodeKind};
use super::keyset::{Cursor, KeysetPage, Ordering, SortValue, ValueKind, Window};
use super::sections::Genre;
use super::{GqlResult, db, reader};
use crate::db::entities::{film, genre};
use crate::db::read_row::{columns_of, read_all};
use crate::db::sql::Sql;
use crate::error::{AppError, AppResult};
use crate::kinds::{CreditKind, RatingSource};
use crate::text::{fold, slugify};

connection_names!(
    FilmConnection / FilmEdge = "A page of the film catalogue (`films`), with the count and facets of every film matching the filters."
);

/// Films matching every condition given (each list matches any of its values).
#[derive(InputObject, Default, Clone, Debug)]
pub struct FilmFilter {
    /// Genre names or slugs.
    pub genres: Option<Vec<String>>,
    /// Whether a film needs ANY of `genres` (the default) or ALL of them.
    #[graphql(default_with = "GenreMatch::Any")]
    pub genre_match: GenreMatch,
    /// Range of release years; films whose year is not known are left out.
    pub release_year: Option<IntRange>,
    /// Range of running times in minutes; films whose length is not known are left out.
    pub runtime_minutes: Option<IntRange>,
    /// Certifications such as R or PG-13.
    pub certifications: Option<Vec<String>>,
    /// Countries of production, such as "France".
    pub countries: Option<Vec<String>>,
    /// Spoken languages, such as "English".
    pub languages: Option<Vec<String>>,
    /// Films a person is credited on, optionally only in some roles ("directed by").
    pub person: Option<PersonCredit>,
    /// Ranges of outside ratings, each on its source's own scale; films without that rating are left out.
    pub external_ratings: Option<Vec<ExternalRatingRange>>,
    /// Range of the average user rating (1 to 10); films nobody rated are left out.
    pub user_rating_average: Option<FloatRange>,
    /// Words the title contains, ignoring case and accents.
    pub title: Option<String>,
}

/// How a film must match several `genres` of a filter.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default, Debug)]
pub enum GenreMatch {
    /// At least one of the genres.
    #[default]
    Any,
    /// Every one of the genres.
    All,
}

/// An inclusive range of whole numbers; either end may be left open. `min`
/// above `max` is BAD_USER_INPUT.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct IntRange {
    /// The smallest value let through; no lower bound when null.
    pub min: Option<i32>,
    /// The largest value let through; no upper bound when null.
    pub max: Option<i32>,
}

/// An inclusive range of numbers; either end may be left open. `min` above
/// `max` is BAD_USER_INPUT.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct FloatRange {
    /// The smallest value let through; no lower bound when null.
    pub min: Option<f64>,
    /// The largest value let through; no upper bound when null.
    pub max: Option<f64>,
}

/// A person, by exactly one of `id` or `slug` (both or neither is
/// BAD_USER_INPUT), and optionally the roles that count.
#[derive(InputObject, Clone, Debug)]
pub struct PersonCredit {
    /// The person's global id (or give `slug`).
    pub id: Option<async_graphql::ID>,
    /// The person's slug, such as `mike-figgis` (or give `id`).
    pub slug: Option<String>,
    /// Only these roles (any role when omitted).
    pub kinds: Option<Vec<CreditKind>>,
}

/// An inclusive range of one outside rating, on its source's own scale (see
/// `ExternalRating.scale`); either end may be left open.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct ExternalRatingRange {
    /// Whose rating; films without a rating from this source are left out.
    pub source: RatingSource,
    /// The lowest rating let through; no lower bound when null.
    pub min: Option<f64>,
    /// The highest rating let through; no upper bound when null.
    pub max: Option<f64>,
}

/// How to order films. Ties are broken by id, so pages are stable.
#[derive(InputObject, Clone, Copy)]
pub struct FilmOrder {
    /// What to sort by.
    pub field: FilmOrderField,
    /// Ascending by default. Films without a value sort last either way.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
    /// With `EXTERNAL_RATING`: which source's rating.
    pub rating_source: Option<RatingSource>,
}

/// What to sort films by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum FilmOrderField {
    /// The title, ignoring case, accents and punctuation.
    Title,
    /// The release date; a film known only by its year sorts before that
    /// year's dated films.
    ReleaseDate,
    /// The running time.
    Runtime,
    /// The rating of `ratingSource`.
    ExternalRating,
    /// The largest reported gross in USD.
    BoxOffice,
    /// The average cinegraph user rating.
    UserRatingAverage,
    /// How many cinegraph users rated the film (0 for films nobody rated).
    UserRatingCount,
}

/// Which way a list is sorted.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum OrderDirection {
    /// Smallest first: A to Z, oldest, shortest, lowest.
    #[default]
    Asc,
    /// Largest first: Z to A, newest, longest, highest.
    Desc,
}

impl FilmOrder {
    fn ordering(&self) -> AppResult<Ordering> {
        let (column, kind) = match self.field {
            FilmOrderField::Title => ("f.title_sort".to_string(), ValueKind::Text),
            FilmOrderField::ReleaseDate => ("f.release_sort".to_string(), ValueKind::Int),
            FilmOrderField::Runtime => ("f.runtime_minutes".to_string(), ValueKind::Int),
            FilmOrderField::ExternalRating => {
                let source = self.rating_source.ok_or_else(|| {
                    AppError::bad_input("ordering by EXTERNAL_RATING needs `ratingSource`")
                })?;
                (format!("f.{}", rating_column(source)), ValueKind::Float)
            }
            FilmOrderField::BoxOffice => ("f.box_office_usd".to_string(), ValueKind::Int),
            FilmOrderField::UserRatingAverage => {
                ("f.user_rating_average".to_string(), ValueKind::Float)
            }
            FilmOrderField::UserRatingCount => ("f.user_rating_count".to_string(), ValueKind::Int),
        };
        Ok(Ordering {
            tag: format!(
                "films:{:?}:{:?}:{:?}",
                self.field, self.direction, self.rating_source
            ),
            column,
            kind,
            descending: self.direction == OrderDirection::Desc,
            nullable: !matches!(
                self.field,
                FilmOrderField::Title | FilmOrderField::UserRatingCount
            ),
        })
    }

    fn value_of(&self, film: &film::Model) -> SortValue {
        let int = |v: Option<i64>| v.map_or(SortValue::Null, SortValue::Int);
        let float = |v: Option<f64>| v.map_or(SortValue::Null, SortValue::Float);
        match self.field {
            FilmOrderField::Title => SortValue::Text(film.title_sort.clone()),
            FilmOrderField::ReleaseDate => int(film.release_sort.map(i64::from)),
            FilmOrderField::Runtime => int(film.runtime_minutes.map(i64::from)),
            FilmOrderField::ExternalRating => float(match self.rating_source {
                Some(RatingSource::Imdb) => film.rating_imdb,
                Some(RatingSource::RottenTomatoes) => film.rating_rotten_tomatoes,
                Some(RatingSource::RottenTomatoesAverage) => film.rating_rotten_tomatoes_average,
                Some(RatingSource::Metacritic) => film.rating_metacritic,
                None => None,
            }),
            FilmOrderField::BoxOffice => int(film.box_office_usd),
            FilmOrderField::UserRatingAverage => float(film.user_rating_average),
            FilmOrderField::UserRatingCount => SortValue::Int(film.user_rating_count.into()),
        }
    }
}

/// The film column holding a source's preferred rating.
fn rating_column(source: RatingSource) -> &'static str {
    match source {
        RatingSource::Imdb => "rating_imdb",
        RatingSource::RottenTomatoes => "rating_rotten_tomatoes",
        RatingSource::RottenTomatoesAverage => "rating_rotten_tomatoes_average",
        RatingSource::Metacritic => "rating_metacritic",
    }
}

/// How a condition on a related table is written. SQLite runs them very
/// differently (PostgreSQL plans both as semi-joins):
#[derive(Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// `EXISTS (... WHERE x.film_id = f.id)`: probed per film, best when a page
    /// walks an index in order and stops after a few rows.
    PerFilm,
    /// `f.id IN (SELECT ...)`: the set is built once, best for counting every match.
    Set,
}

impl FilmFilter {
    /// True when which films match changes as users rate films.
    fn depends_on_ratings(&self) -> bool {
        self.user_rating_average.is_some()
    }

    /// Appends the filter's conditions (each starting with ` AND `) over alias `f`.
    fn push_conditions(&self, sql: &mut Sql, style: Probe) -> AppResult<()> {
        if let Some(genres) = self.genres.as_ref().filter(|g| !g.is_empty()) {
            let mut slugs: Vec<String> = genres.iter().map(|g| slugify(g)).collect();
            slugs.sort();
            slugs.dedup();
            // ALL while walking a page counts the film's own matching genres
            // (an index probe per film): PostgreSQL planned the grouped `IN`
            // form as a subplan re-run per film, 4 to 8 s on a page ordered
            // by user rating count (found by the soak).
            sql.push(match (self.genre_match, style) {
                (GenreMatch::All, Probe::PerFilm) => " AND (SELECT COUNT(*)",
                (GenreMatch::All, Probe::Set) | (GenreMatch::Any, Probe::Set) => {
                    " AND f.id IN (SELECT fg.film_id"
                }
                (GenreMatch::Any, Probe::PerFilm) => " AND EXISTS (SELECT 1",
            });
            sql.push(" FROM film_genre fg JOIN genre g ON g.id = fg.genre_id WHERE g.slug IN (")
                .bind_list(&slugs)
                .push(")");
            match (self.genre_match, style) {
                (GenreMatch::All, Probe::PerFilm) => {
                    sql.push(" AND fg.film_id = f.id) = ")
                        .bind(slugs.len() as i64);
                }
                (GenreMatch::All, Probe::Set) => {
                    sql.push(" GROUP BY fg.film_id HAVING COUNT(*) = ")
                        .bind(slugs.len() as i64)
                        .push(")");
                }
                (GenreMatch::Any, Probe::PerFilm) => {
                    sql.push(" AND fg.film_id = f.id)");
                }
                (GenreMatch::Any, Probe::Set) => {
                    sql.push(")");
                }
            }
        }
        push_int_range(sql, "f.release_year", self.release_year)?;
        push_int_range(sql, "f.runtime_minutes", self.runtime_minutes)?;
        if let Some(values) = self.certifications.as_ref().filter(|v| !v.is_empty()) {
            sql.push(" AND f.certification IN (")
                .bind_list(values)
                .push(")");
        }
        for (table, column, values) in [
            ("film_country", "country", &self.countries),
            ("film_language", "language", &self.languages),
        ] {
            if let Some(values) = values.as_ref().filter(|v| !v.is_empty()) {
                sql.push(&match style {
                    Probe::Set => format!(" AND f.id IN (SELECT x.film_id FROM {table} x WHERE x.{column} IN ("),
                    Probe::PerFilm => format!(" AND EXISTS (SELECT 1 FROM {table} x WHERE x.film_id = f.id AND x.{column} IN ("),
                })
                .bind_list(values)
                .push("))");
            }
        }
        if let Some(person) = &self.person {
            sql.push(" AND f.id IN (SELECT c.film_id FROM credit c WHERE c.person_id = ");
            match (&person.id, &person.slug) {
                (Some(id), None) => {
                    sql.bind(ids::decode_as(NodeKind::Person, id)?);
                }
                (None, Some(slug)) => {
                    sql.push("(SELECT p.id FROM person p WHERE p.slug = ")
                        .bind(slug.clone())
                        .push(")");
                }
                _ => {
                    return Err(AppError::bad_input(
                        "`person` takes exactly one of `id` or `slug`",
                    ));
                }
            }
            let kinds = CreditKind::names(person.kinds.clone());
            if !kinds.is_empty() {
                sql.push(" AND c.kind IN (").bind_list(&kinds).push(")");
            }
            sql.push(")");
        }
        for range in self.external_ratings.iter().flatten() {
            let column = format!("f.{}", rating_column(range.source));
            push_float_range(
                sql,
                &column,
                FloatRange {
                    min: range.min,
                    max: range.max,
                },
            )?;
            sql.push(&format!(" AND {column} IS NOT NULL"));
        }
        if let Some(range) = self.user_rating_average {
            push_float_range(sql, "f.user_rating_average", range)?;
            sql.push(" AND f.user_rating_average IS NOT NULL");
        }
        if let Some(title) = &self.title {
            let words = fold(title);
            if words.len() > 200 {
                return Err(AppError::bad_input("`title` is limited to 200 characters"));
            }
            if !words.is_empty() {
                sql.push(" AND f.title_sort LIKE ")
                    .bind(format!("%{words}%"));
            }
        }
        Ok(())
    }

    /// `FROM film f WHERE <conditions>`.
    fn push_from(&self, sql: &mut Sql, style: Probe) -> AppResult<()> {
        sql.push(" FROM film f WHERE 1 = 1");
        self.push_conditions(sql, style)
    }
}

fn push_int_range(sql: &mut Sql, column: &str, range: Option<IntRange>) -> AppResult<()> {
    match range {
        Some(range) => push_range(sql, column, range.min, range.max),
        None => Ok(()),
    }
}

fn push_float_range(sql: &mut Sql, column: &str, range: FloatRange) -> AppResult<()> {
    if [range.min, range.max]
        .into_iter()
        .flatten()
        .any(|v| !v.is_finite())
    {
        return Err(AppError::bad_input("range ends must be finite numbers"));
    }
    push_range(sql, column, range.min, range.max)
}

/// ` AND column >= min AND column <= max` for the ends given; min above max is BAD_USER_INPUT.
fn push_range<T>(sql: &mut Sql, column: &str, min: Option<T>, max: Option<T>) -> AppResult<()>
where
    T: Copy + PartialOrd + std::fmt::Display + Into<sea_orm::Value>,
{
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(AppError::bad_input(format!(
            "range of {column}: min {min} is above max {max}"
        )));
    }
    if let Some(min) = min {
        sql.push(&format!(" AND {column} >= ")).bind(min);
    }
    if let Some(max) = max {
        sql.push(&format!(" AND {column} <= ")).bind(max);
    }
    Ok(())
}

/// `totalCount` and the facets of a film list, computed only when asked.
pub struct FilmListSummary {
    filter: FilmFilter,
}

/// How many films of the list have a genre.
#[derive(SimpleObject, Clone)]
pub struct GenreFacet {
    /// A genre that films of the list have.
    pub genre: Genre,
    /// How many films of the list have it.
    pub count: i64,
}

/// How many films of the list came out in a decade.
#[derive(SimpleObject, Clone)]
pub struct DecadeFacet {
    /// The decade's first year, such as 1990.
    pub decade: i32,
    /// How many films of the list came out in the decade.
    pub count: i64,
}

pub struct FilmFacets {
    filter: FilmFilter,
}

#[Object]
impl FilmListSummary {
    /// How many films match the filters, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        count_films(ctx, &self.filter).await.gql()
    }
    /// Films per genre and per decade under the current filters.
    async fn facets(&self) -> FilmFacets {
        FilmFacets {
            filter: self.filter.clone(),
        }
    }
}

/// Counts for a filter interface, under the list's current filters.
#[Object]
impl FilmFacets {
    /// Films per genre, most films first.
    async fn genres(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GenreFacet>> {
        genre_facets(ctx, &self.filter).await.gql()
    }
    /// Films per decade of release, oldest first.
    async fn decades(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DecadeFacet>> {
        decade_facets(ctx, &self.filter).await.gql()
    }
}

/// Runs `compute` through the aggregate cache unless the filter's counts move
/// with user ratings.
async fn cached<T, F>(
    ctx: &Context<'_>,
    what: &str,
    filter: &FilmFilter,
    compute: F,
) -> AppResult<T>
where
    T: Clone + Send + Sync + 'static,
    F: Future<Output = AppResult<T>>,
{
    if filter.depends_on_ratings() {
        return compute.await;
    }
    let key = format!("{what} {filter:?}");
    ctx.data_unchecked::<AggregateCache>()
        .get_or_compute(db(ctx), key, compute)
        .await
}

async fn count_films(ctx: &Context<'_>, filter: &FilmFilter) -> AppResult<i64> {
    cached(ctx, "total", filter, count_films_now(ctx, filter)).await
}

async fn count_films_now(ctx: &Context<'_>, filter: &FilmFilter) -> AppResult<i64> {
    let db = db(ctx);
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT COUNT(*) AS total");
    filter.push_from(&mut sql, Probe::Set)?;
    let row = sql.query_one_own_plan(reader(ctx)).await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "total"))
        .transpose()?
        .unwrap_or(0))
}

async fn genre_facets(ctx: &Context<'_>, filter: &FilmFilter) -> AppResult<Vec<GenreFacet>> {
    cached(ctx, "genres", filter, genre_facets_now(ctx, filter)).await
}

async fn genre_facets_now(ctx: &Context<'_>, filter: &FilmFilter) -> AppResult<Vec<GenreFacet>> {
    let db = db(ctx);
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT g.id, g.slug, g.name, counted.total FROM genre g JOIN (SELECT fg.genre_id, COUNT(*) AS total");
    sql.push(" FROM film_genre fg WHERE fg.film_id IN (SELECT f.id");
    filter.push_from(&mut sql, Probe::Set)?;
    sql.push(") GROUP BY fg.genre_id) counted ON counted.genre_id = g.id ORDER BY counted.total DESC, g.name");
    let rows = sql.query_all_own_plan(reader(ctx)).await?;
    rows.iter()
        .map(|row| {
            Ok(GenreFacet {
                genre: Genre(genre::Model::from_query_result(row, "")?),
                count: row.try_get("", "total")?,
            })
        })
        .collect()
}

async fn decade_facets(ctx: &Context<'_>, filter: &FilmFilter) -> AppResult<Vec<DecadeFacet>> {
    cached(ctx, "decades", filter, decade_facets_now(ctx, filter)).await
}

async fn decade_facets_now(ctx: &Context<'_>, filter: &FilmFilter) -> AppResult<Vec<DecadeFacet>> {
    let db = db(ctx);
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT (f.release_year / 10) * 10 AS decade, COUNT(*) AS total");
    filter.push_from(&mut sql, Probe::Set)?;
    sql.push(" AND f.release_year IS NOT NULL GROUP BY (f.release_year / 10) * 10 ORDER BY decade");
    let rows = sql.query_all_own_plan(reader(ctx)).await?;
    rows.iter()
        .map(|row| {
            Ok(DecadeFacet {
                decade: row.try_get("", "decade")?,
                count: row.try_get("", "total")?,
            })
        })
        .collect()
}

pub type FilmListConnection =
    Connection<Film, FilmListSummary, EmptyFields, FilmConnection, FilmEdge>;

/// One page of the film list.
pub async fn films(
    ctx: &Context<'_>,
    filter: Option<FilmFilter>,
    order: Option<FilmOrder>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> AppResult<FilmListConnection> {
    let filter = filter.unwrap_or_default();
    let order = order.unwrap_or(FilmOrder {
        field: FilmOrderField::Title,
        direction: OrderDirection::Asc,
        rating_source: None,
    });
    let ordering = order.ordering()?;
    let window = Window::parse(&ordering, first, after, last, before)?;
    let select = |sql: &mut Sql| {
        sql.push("SELECT ").push(&columns_of::<film::Entity>("f"));
        filter.push_from(sql, Probe::PerFilm)
    };
    let rows = window.fetch(reader(ctx), &ordering, &select).await?;
    let films: Vec<film::Model> = read_all(&rows)?;
    let page = KeysetPage::from_rows(films, &window);
    let mut connection =
        Connection::new(page.has_previous, page.has_next, FilmListSummary { filter });
    for film in page.rows {
        let cursor = Cursor {
            value: order.value_of(&film),
            id: film.id,
        }
        .encode(&ordering);
        connection.edges.push(Edge::new(cursor, Film(film)));
    }
    Ok(connection)
}

//! The film list (`films`): combinable filters, orderings, keyset pages and
//! the count, all in SQL; its facets are `facets`, over the same conditions.
//! The statements whose best plan depends on the filter's values run with a
//! plan of their own (`Sql::query_all_own_plan`); the filter's values are
//! written into the text (numbers, plain names), so that a statement without
//! a cursor or title words has no parameters and its plan is kept.

use crate::db::Db;
use crate::db::columns::ColumnSet;
use crate::db::entities::{film, person};
pub use crate::db::queries::keyset::OrderDirection;
use crate::db::queries::keyset::{KeysetPage, Ordering, SortValue, ValueKind, Window};
use crate::db::queries::pages::{push_directors_of, read_directors};
use crate::db::read_row::{ReadRow, read_column, read_each, values_in};
use crate::db::sql::{Number, Sql};
use crate::error::{AppError, AppResult};
use crate::kinds::{CreditKind, KindSet, RatingSource};
use crate::text::{fold, slugify};

/// Films matching every condition given (each list matches any of its values).
#[derive(Default, Clone, Debug)]
pub struct FilmFilter {
    /// Genre names or slugs.
    pub genres: Option<Vec<String>>,
    /// Whether a film needs any of `genres` or all of them.
    pub genre_match: GenreMatch,
    pub release_year: Option<IntRange>,
    pub runtime_minutes: Option<IntRange>,
    pub certifications: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    /// Films a person is credited on, optionally only in some roles.
    pub person: Option<PersonCredit>,
    /// Ranges of outside ratings, each on its source's own scale.
    pub external_ratings: Option<Vec<ExternalRatingRange>>,
    /// Range of the average user rating (1 to 10).
    pub user_rating_average: Option<FloatRange>,
    /// Words that start words of the title, ignoring case and accents.
    pub title: Option<String>,
}

/// How a film must match several genres of a filter.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub enum GenreMatch {
    #[default]
    Any,
    All,
}

/// An inclusive range of whole numbers; either end may be open.
#[derive(Clone, Copy, Debug)]
pub struct IntRange {
    pub min: Option<i32>,
    pub max: Option<i32>,
}

/// An inclusive range of numbers; either end may be open.
#[derive(Clone, Copy, Debug)]
pub struct FloatRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A person by row id or slug, and the roles that count (any when none).
#[derive(Clone, Debug)]
pub struct PersonCredit {
    pub person: PersonRef,
    pub kinds: Option<Vec<CreditKind>>,
}

#[derive(Clone, Debug)]
pub enum PersonRef {
    Id(i32),
    Slug(String),
}

/// An inclusive range of one outside rating, on its source's own scale.
#[derive(Clone, Copy, Debug)]
pub struct ExternalRatingRange {
    pub source: RatingSource,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// How to order films; ties are broken by id.
#[derive(Clone, Copy, Debug)]
pub struct FilmOrder {
    pub field: FilmOrderField,
    pub direction: OrderDirection,
    /// With `ExternalRating`: which source's rating.
    pub rating_source: Option<RatingSource>,
}

impl Default for FilmOrder {
    /// Title A to Z.
    fn default() -> Self {
        Self {
            field: FilmOrderField::Title,
            direction: OrderDirection::Asc,
            rating_source: None,
        }
    }
}

/// What films are sorted by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FilmOrderField {
    Title,
    ReleaseDate,
    Runtime,
    ExternalRating,
    BoxOffice,
    UserRatingAverage,
    UserRatingCount,
}

impl FilmOrder {
    /// The ordering over the row alias `f`, named for cursors (the name keeps
    /// the `Debug` spelling of the field, direction and source it always had).
    pub fn ordering(&self) -> AppResult<Ordering> {
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

    /// The sort value of a film under this ordering.
    /// The column [`FilmOrder::value_of`] reads.
    pub fn sort_column(&self) -> film::Column {
        use film::Column as C;
        match self.field {
            FilmOrderField::Title => C::TitleSort,
            FilmOrderField::ReleaseDate => C::ReleaseSort,
            FilmOrderField::Runtime => C::RuntimeMinutes,
            FilmOrderField::ExternalRating => match self.rating_source {
                Some(RatingSource::Imdb) => C::RatingImdb,
                Some(RatingSource::RottenTomatoes) => C::RatingRottenTomatoes,
                Some(RatingSource::RottenTomatoesAverage) => C::RatingRottenTomatoesAverage,
                Some(RatingSource::Metacritic) => C::RatingMetacritic,
                None => C::Id,
            },
            FilmOrderField::BoxOffice => C::BoxOfficeUsd,
            FilmOrderField::UserRatingAverage => C::UserRatingAverage,
            FilmOrderField::UserRatingCount => C::UserRatingCount,
        }
    }

    pub fn value_of(&self, film: &film::Model) -> SortValue {
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
pub(super) enum Probe {
    /// `EXISTS (... WHERE x.film_id = f.id)`: probed per film, best when a page
    /// walks an index in order and stops after a few rows.
    PerFilm,
    /// `f.id IN (SELECT ...)`: the set is built once, best for counting every match.
    Set,
}

impl FilmFilter {
    /// True when which films match changes as users rate films.
    pub fn depends_on_ratings(&self) -> bool {
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
                .push_plain_text_list(&slugs)
                .push(")");
            match (self.genre_match, style) {
                (GenreMatch::All, Probe::PerFilm) => {
                    sql.push(" AND fg.film_id = f.id) = ")
                        .push_number(slugs.len() as i64);
                }
                (GenreMatch::All, Probe::Set) => {
                    sql.push(" GROUP BY fg.film_id HAVING COUNT(*) = ")
                        .push_number(slugs.len() as i64)
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
                .push_plain_text_list(values)
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
                .push_plain_text_list(values)
                .push("))");
            }
        }
        if let Some(person) = &self.person {
            sql.push(" AND f.id IN (SELECT c.film_id FROM credit c WHERE c.person_id = ");
            match &person.person {
                PersonRef::Id(id) => {
                    sql.push_number(*id);
                }
                PersonRef::Slug(slug) => {
                    sql.push("(SELECT p.id FROM person p WHERE p.slug = ")
                        .push_plain_text_list([slug])
                        .push(")");
                }
            }
            let kinds = CreditKind::names(person.kinds.clone());
            if !kinds.is_empty() {
                sql.push(" AND c.kind IN (")
                    .push_plain_text_list(&kinds)
                    .push(")");
            }
            sql.push(")");
        }
        // A bound excludes NULL by itself. Both written, PostgreSQL multiplies
        // their selectivities, expects a tenth of the films it will find, and
        // picks a bitmap scan and sort over walking the rating's index (B7:
        // 0.65 ms against 0.07 ms).
        for range in self.external_ratings.iter().flatten() {
            let column = format!("f.{}", rating_column(range.source));
            let range = FloatRange {
                min: range.min,
                max: range.max,
            };
            push_float_range(sql, &column, range)?;
            if range.min.is_none() && range.max.is_none() {
                sql.push(&format!(" AND {column} IS NOT NULL"));
            }
        }
        if let Some(range) = self.user_rating_average {
            push_float_range(sql, "f.user_rating_average", range)?;
            if range.min.is_none() && range.max.is_none() {
                sql.push(" AND f.user_rating_average IS NOT NULL");
            }
        }
        if let Some(title) = &self.title {
            let words = fold(title);
            if words.len() > 200 {
                return Err(AppError::bad_input("`title` is limited to 200 characters"));
            }
            if !words.is_empty() {
                sql.push_word_prefixes("f.title_sort", &words);
            } else if !title.trim().is_empty() {
                // Only punctuation ("%", "_"): no title has a word of it, so
                // nothing matches (it is not a wildcard for everything).
                sql.push(" AND 1 = 0");
            }
        }
        Ok(())
    }

    /// `FROM film f WHERE <conditions>`.
    pub(super) fn push_from(&self, sql: &mut Sql, style: Probe) -> AppResult<()> {
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
    T: Copy + PartialOrd + std::fmt::Display + Into<Number>,
{
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(AppError::bad_input(format!(
            "range of {column}: min {min} is above max {max}"
        )));
    }
    if let Some(min) = min {
        sql.push(&format!(" AND {column} >= ")).push_number(min);
    }
    if let Some(max) = max {
        sql.push(&format!(" AND {column} <= ")).push_number(max);
    }
    Ok(())
}

/// What a page of the film list reads of each film besides its own columns,
/// in the same statement: a page of twenty cast counts, or of twenty films'
/// directors, cost a statement and twenty loader keys of its own.
#[derive(Clone, Copy, Debug)]
pub struct AlongWith<'a> {
    /// How many credits of each of these kind sets the film has.
    pub credit_counts: &'a [KindSet],
    /// The film's directors, with these columns, in credit order; none
    /// when [`ColumnSet::NONE`].
    pub directors: ColumnSet,
}

/// One page of the film list, in the order's display order, each film with
/// the columns of `columns` (which must hold the order's sort column) and
/// what `along` asks for.
pub async fn page(
    db: &Db,
    filter: &FilmFilter,
    ordering: &Ordering,
    window: &Window,
    columns: ColumnSet,
    along: AlongWith<'_>,
) -> AppResult<KeysetPage<ListedFilm>> {
    let list = columns.select_list::<film::Entity>("f");
    let select = |sql: &mut Sql| {
        sql.push("SELECT ").push(&list);
        for kinds in along.credit_counts {
            sql.push(", ");
            push_kept_credit_count(sql, "f", *kinds);
            sql.push(" AS credit_count");
        }
        push_directors_of(sql, "f.id", along.directors);
        filter.push_from(sql, Probe::PerFilm)
    };
    // When the filter already excludes films without a sort value, the
    // statements need not say so again (see `push_from`), and there is no
    // run of such films to fetch.
    let mut ordering = ordering.clone();
    ordering.nullable &= !filter.excludes_nulls_of(&ordering.column);
    let rows = window.fetch(db, &ordering, &select).await?;
    db.metrics().record_values_read(values_in(&rows));
    let films = read_each(&rows, |row, checked| {
        let film = film::Model::read_some(row, 0, "", checked, columns)?;
        let mut at = columns.len();
        let mut credit_counts = Vec::with_capacity(along.credit_counts.len());
        for kinds in along.credit_counts {
            let count = read_column(row, &mut at, "credit_count", checked)?;
            credit_counts.push((*kinds, count));
        }
        let directors = read_directors(row, &mut at, checked, along.directors)?;
        Ok(ListedFilm {
            film,
            credit_counts,
            directors,
        })
    })?;
    Ok(KeysetPage::from_rows(films, window))
}

/// The columns of a film's row that count its credits, kept by triggers on
/// `credit` (migration 26): every credit, then each kind's, in the order of
/// `CreditKind::ALL`. A kind added without its column does not compile.
const CREDIT_COUNT: &str = "credit_count";
const CREDIT_COUNT_OF_KIND: [&str; CreditKind::ALL.len()] = [
    "credit_count_cast",
    "credit_count_director",
    "credit_count_writer",
    "credit_count_composer",
    "credit_count_producer",
    "credit_count_cinematographer",
    "credit_count_editor",
    "credit_count_novel",
];

/// How many credits of `kinds` the film `film` (an alias) has, read from
/// its row: a page of twenty cast counts counted some 24 index entries a
/// film, a sixth of such a request's CPU.
fn push_kept_credit_count(sql: &mut Sql, film: &str, kinds: KindSet) {
    if kinds.is_any() {
        sql.push(&format!("{film}.{CREDIT_COUNT}"));
        return;
    }
    let columns = kinds.names(&CREDIT_COUNT_OF_KIND);
    let sum = columns.map(|column| format!("{film}.{column}"));
    sql.push(&format!("({})", sum.collect::<Vec<_>>().join(" + ")));
}

/// A film of a page of the list, with what the page was asked to read
/// along with it (see [`AlongWith`]).
pub struct ListedFilm {
    pub film: film::Model,
    pub credit_counts: Vec<(KindSet, i64)>,
    /// Its directors, in credit order, when asked for.
    pub directors: Option<Vec<person::Model>>,
}

impl FilmFilter {
    /// Whether every film the filter lets through has a value in `column`
    /// (`f.rating_imdb` under a range of IMDb ratings).
    fn excludes_nulls_of(&self, column: &str) -> bool {
        let rated = self.external_ratings.iter().flatten();
        rated
            .map(|range| format!("f.{}", rating_column(range.source)))
            .any(|rated| rated == column)
            || (self.user_rating_average.is_some() && column == "f.user_rating_average")
    }
}

/// How many films match the filter.
pub async fn count(db: &Db, filter: &FilmFilter) -> AppResult<i64> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT COUNT(*) AS total");
    filter.push_from(&mut sql, Probe::Set)?;
    let row = sql.query_one_own_plan(db).await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "total"))
        .transpose()?
        .unwrap_or(0))
}

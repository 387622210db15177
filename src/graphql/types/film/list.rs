//! The `films` connection: its filters and orderings as GraphQL inputs, its
//! `totalCount` (cached per filter while the content holds; the facets are
//! `facets`, cached alike), and its pages. The SQL is `db::queries::film_list`.

use std::future::Future;

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, Enum, InputObject, InputType, Object, SelectionField};

use super::facets::FilmFacets;
use super::{Film, director_columns, film_columns};
use crate::db::entities::film;
use crate::db::queries::film_list as list;
use crate::db::queries::keyset::Position;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, while_content_holds};
use crate::graphql::cost::cost;
use crate::graphql::direct::Direct;
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window, node_selections,
    selection_reads_page,
};
use crate::graphql::types::vocabulary::{CreditKind, RatingSource, kind_set};
use crate::ids::{self, NodeKind};
use crate::kinds::{self, KindSet};

connection_names!(
    FilmConnection / FilmEdge = "A page of the film catalogue (`films`), with the count of every film matching the filters and the (disjunctive) facets of a filter sidebar."
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
    /// Words that start words of the title ("las veg" finds Leaving Las Vegas,
    /// "eaving" does not), ignoring case and accents: the rule of `search`.
    pub title: Option<String>,
}

/// How a film must match several `genres` of a filter.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default, Debug)]
#[graphql(remote = "crate::db::queries::film_list::GenreMatch")]
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
#[graphql(remote = "crate::db::queries::film_list::FilmOrderField")]
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
#[graphql(remote = "crate::db::queries::keyset::OrderDirection")]
pub enum OrderDirection {
    /// Smallest first: A to Z, oldest, shortest, lowest.
    #[default]
    Asc,
    /// Largest first: Z to A, newest, longest, highest.
    Desc,
}

impl FilmFilter {
    /// The filter as the database layer takes it; a person given by both or
    /// neither of `id` and `slug`, or by an id of something else, is BAD_USER_INPUT.
    fn stored(self) -> AppResult<list::FilmFilter> {
        let person = match self.person {
            None => None,
            Some(credit) => {
                let person = match (credit.id, credit.slug) {
                    (Some(id), None) => list::PersonRef::Id(ids::decode_as(NodeKind::Person, &id)?),
                    (None, Some(slug)) => list::PersonRef::Slug(slug),
                    _ => {
                        return Err(AppError::bad_input(
                            "`person` takes exactly one of `id` or `slug`",
                        ));
                    }
                };
                let kinds = credit
                    .kinds
                    .map(|kinds| kinds.into_iter().map(Into::into).collect());
                Some(list::PersonCredit { person, kinds })
            }
        };
        let range = |r: IntRange| list::IntRange {
            min: r.min,
            max: r.max,
        };
        Ok(list::FilmFilter {
            genres: self.genres,
            genre_match: self.genre_match.into(),
            release_year: self.release_year.map(range),
            runtime_minutes: self.runtime_minutes.map(range),
            certifications: self.certifications,
            countries: self.countries,
            languages: self.languages,
            person,
            external_ratings: self.external_ratings.map(|ranges| {
                ranges
                    .into_iter()
                    .map(|r| list::ExternalRatingRange {
                        source: r.source.into(),
                        min: r.min,
                        max: r.max,
                    })
                    .collect()
            }),
            user_rating_average: self.user_rating_average.map(|r| list::FloatRange {
                min: r.min,
                max: r.max,
            }),
            title: self.title,
        })
    }
}

impl From<FilmOrder> for list::FilmOrder {
    fn from(order: FilmOrder) -> Self {
        Self {
            field: order.field.into(),
            direction: order.direction.into(),
            rating_source: order.rating_source.map(Into::into),
        }
    }
}

/// `totalCount` and the facets of a film list, computed only when asked.
pub struct FilmListSummary {
    filter: list::FilmFilter,
}

#[Object]
impl FilmListSummary {
    /// How many films match the filters, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let filter = &self.filter;
        cached(ctx, "total", filter, || list::count(db(ctx), filter))
            .await
            .gql()
    }
    /// Films per genre, decade, country, language, certification and band of
    /// running time. Facets are disjunctive: each facet's counts ignore the
    /// list's filter on that same facet (with `genres: ["Drama"]`, the genres
    /// facet still counts every genre) and apply every other filter.
    // Six grouped counts of the filtered list, each under its own filter.
    #[graphql(directive = cost::apply(5))]
    async fn facets(&self) -> FilmFacets {
        FilmFacets {
            filter: self.filter.clone(),
        }
    }
}

/// Runs `compute` through the aggregate cache unless the filter's counts move
/// with user ratings.
pub(super) async fn cached<T, F>(
    ctx: &Context<'_>,
    what: &str,
    filter: &list::FilmFilter,
    compute: impl FnOnce() -> F,
) -> AppResult<T>
where
    T: Clone + Send + Sync + 'static,
    F: Future<Output = AppResult<T>>,
{
    if filter.depends_on_ratings() {
        return Box::pin(compute()).await;
    }
    while_content_holds(ctx, format!("{what} {filter:?}"), compute).await
}

pub type FilmListConnection =
    Connection<Direct<Film>, FilmListSummary, EmptyFields, FilmConnection, FilmEdge>;

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
    let filter = filter.unwrap_or_default().stored()?;
    let order: list::FilmOrder = order.map(Into::into).unwrap_or_default();
    let ordering = order.ordering()?;
    let keys = cursor_keys(ctx);
    let request = PageRequest::parse(first, after, last, before)?;
    let window = list_window(keys, &ordering, None, request)?;
    let nodes = node_selections(ctx);
    // The cursors read the sort column, whether or not the nodes show it.
    let columns = film_columns(&nodes).with::<film::Entity>(order.sort_column());
    let counted = counted_credit_kinds(&nodes);
    let directors = director_columns(&nodes);
    let along = list::AlongWith {
        credit_counts: &counted,
        directors,
    };
    let page = list::page(db(ctx), &filter, &ordering, &window, columns, along).await?;
    Ok(list_connection(
        keys,
        &ordering,
        None,
        page,
        FilmListSummary { filter },
        |listed| {
            let at = Position {
                value: order.value_of(&listed.film),
                id: listed.film.id,
            };
            let film = Film::with_columns(listed.film, columns);
            let mut film = film.with_credit_counts(listed.credit_counts);
            if let Some(people) = listed.directors {
                film = film.with_directors(people, directors);
            }
            (at, Direct(film), EmptyFields)
        },
    ))
}

/// The kind sets of the nodes' `credits(kinds: ...)` that ask only for
/// `totalCount` (a list's cast counts): the list's statement counts them,
/// as `Film.credits` would one grouped statement per batch. A field whose
/// arguments do not parse is left to its resolver, which reports them.
fn counted_credit_kinds(nodes: &[SelectionField<'_>]) -> Vec<KindSet> {
    let mut counted = Vec::new();
    let credits = nodes
        .iter()
        .flat_map(|node| node.selection_set())
        .filter(|field| field.name() == "credits");
    for field in credits {
        if selection_reads_page(&field) {
            continue;
        }
        let Ok(arguments) = field.arguments() else {
            continue;
        };
        let kinds = arguments
            .into_iter()
            .find(|(name, _)| name.as_str() == "kinds")
            .map(|(_, value)| value);
        let Ok(kinds) = <Option<Vec<CreditKind>> as InputType>::parse(kinds) else {
            continue;
        };
        let set = kind_set(kinds, kinds::CreditKind::set);
        if !counted.contains(&set) {
            counted.push(set);
        }
    }
    counted
}

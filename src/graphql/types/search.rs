//! Search over films, people, characters and quotes, as a connection. What
//! matches and how hits rank is `domain::search`'s; this is the schema's
//! side: the kinds, the items, pages of the ranked list and their cursors.

use std::sync::Arc;

use async_graphql::connection::Edge;
use async_graphql::{Context, Enum, Object, SimpleObject, Union};

use super::character::{Character, Quote};
use super::film::{Film, film_columns};
use super::person::{Person, person_columns};
use crate::db::entities::{film, film_character, person, quote};
use crate::domain::search;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, loader, while_content_holds};
use crate::graphql::cost::{cost, forward_connection, list_size};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{self, Connection, connection_names};

/// What a search can find.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum SearchKind {
    /// Films, by title and release year.
    Film,
    /// People, by name.
    Person,
    /// Characters, by name.
    Character,
    /// Quotes, by their words.
    Quote,
}

impl SearchKind {
    fn stored(self) -> &'static str {
        match self {
            SearchKind::Film => "FILM",
            SearchKind::Person => "PERSON",
            SearchKind::Character => "CHARACTER",
            SearchKind::Quote => "QUOTE",
        }
    }
}

/// What a hit found.
// Short-lived per-request values: boxing the film row would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Union)]
pub enum SearchItem {
    Film(Film),
    Person(Person),
    Character(Character),
    Quote(Quote),
}

/// How a hit matched: its relevance, and whether it needed a typo.
#[derive(SimpleObject, Clone)]
pub struct SearchMatch {
    /// Relevance: higher is better; only comparable within one search.
    pub score: f64,
    /// True when a word of the query matched only with one typo ("nicolas
    /// cgae" finds Nicolas Cage): such hits come after every exact hit.
    pub with_typo: bool,
}

/// `totalCount` of a search, counted only when asked.
pub struct SearchTotals {
    query: search::Query,
}

#[Object]
impl SearchTotals {
    /// How many things match, typos included, across all pages. Paging
    /// reaches the heaviest 2,000 exact matches and 2,000 with typos.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let query = &self.query;
        let key = format!("search count {query:?}");
        while_content_holds(ctx, key, || search::count(db(ctx), query))
            .await
            .gql()
    }
}

pub type SearchConnection =
    Connection<SearchItem, SearchTotals, SearchMatch, SearchHitConnection, SearchHitEdge, String>;

connection_names!(
    SearchHitConnection / SearchHitEdge = "A page of search hits, most relevant first: the exact hits, then those that needed a typo. Each edge says how its item matched."
);

/// The words and kinds a search's cursors are bound to.
fn binding(query: &search::Query) -> String {
    format!("search/{}/{}", query.kinds.join(","), query.words.join(" "))
}

pub async fn search(
    ctx: &Context<'_>,
    text: &str,
    first: i32,
    after: Option<String>,
    kinds: Option<Vec<SearchKind>>,
) -> AppResult<SearchConnection> {
    if !(0..=50).contains(&first) {
        return Err(AppError::bad_input(format!(
            "`first` must be between 0 and 50, got {first}"
        )));
    }
    let mut kinds: Vec<&'static str> = kinds
        .unwrap_or_default()
        .into_iter()
        .map(SearchKind::stored)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let query = search::Query::parse(text, kinds)?;
    let keys = cursor_keys(ctx);
    let start = match &after {
        Some(raw) => pagination::cursor::decode_offset(keys, &binding(&query), raw)? + 1,
        None => 0,
    };
    let query = if query.may_have_typos() {
        let vocabulary = while_content_holds(ctx, "search vocabulary".into(), || async {
            Ok(Arc::new(search::Vocabulary::load(db(ctx)).await?))
        })
        .await?;
        query.with_typos(&vocabulary)
    } else {
        query
    };
    let key = format!("search hits {query:?}");
    let hits: Arc<Vec<search::Hit>> = while_content_holds(ctx, key, || async {
        Ok(Arc::new(search::ranked(db(ctx), &query).await?))
    })
    .await?;
    let end = (start + first as usize).min(hits.len());
    let page = hits.get(start.min(end)..end).unwrap_or_default();
    let items = resolve(ctx, page).await?;
    let mut connection = SearchConnection::new(
        start > 0,
        end < hits.len(),
        SearchTotals {
            query: query.clone(),
        },
    );
    let binding = binding(&query);
    for (offset, (hit, item)) in (start..).zip(page.iter().zip(items)) {
        let Some(item) = item else { continue };
        let cursor = pagination::cursor::encode_offset(keys, &binding, offset);
        let details = SearchMatch {
            score: hit.score,
            with_typo: hit.with_typo,
        };
        connection
            .edges
            .push(Edge::with_additional_fields(cursor, item, details));
    }
    Ok(connection)
}

/// The items of `hits`, in order (`None` for one deleted meanwhile).
async fn resolve(ctx: &Context<'_>, hits: &[search::Hit]) -> AppResult<Vec<Option<SearchItem>>> {
    let loader = loader(ctx);
    let ids = |kind: &str| {
        hits.iter()
            .filter(|hit| hit.kind == kind)
            .map(|hit| hit.target)
            .collect::<Vec<_>>()
    };
    // Films and people read the columns the hits' fragments ask for.
    let nodes = pagination::node_selections(ctx);
    let (film_columns, person_columns) = (film_columns(&nodes), person_columns(&nodes));
    // Together, so the four kinds are read in one round trip.
    let (films, people, characters, quotes) = futures_util::try_join!(
        loader.by_ids_with::<film::Entity>(ids("FILM"), film_columns),
        loader.by_ids_with::<person::Entity>(ids("PERSON"), person_columns),
        loader.by_ids::<film_character::Entity>(ids("CHARACTER")),
        loader.by_ids::<quote::Entity>(ids("QUOTE")),
    )?;
    Ok(hits
        .iter()
        .map(|hit| {
            let key = hit.target;
            Some(match hit.kind.as_str() {
                "FILM" => {
                    let row = films.get(&key)?.clone();
                    SearchItem::Film(Film::with_columns(row, film_columns))
                }
                "PERSON" => {
                    let row = people.get(&key)?.clone();
                    SearchItem::Person(Person::with_columns(row, person_columns))
                }
                "CHARACTER" => SearchItem::Character(Character(characters.get(&key)?.clone())),
                "QUOTE" => SearchItem::Quote(Quote(quotes.get(&key)?.clone())),
                _ => return None,
            })
        })
        .collect())
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Films, people, characters and quotes matching every word of `query` as a
    /// word prefix, ignoring case and accents, most relevant first; a word of
    /// five letters or more may have one typo (three or four letters: two
    /// neighbours swapped), and such hits come after the exact ones.
    // Full-text candidates and a ranking of up to 2,000 of them.
    #[graphql(
        directive = cost::apply(10),
        directive = list_size::apply(forward_connection(20))
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The words to look for: 1 to 8 words, at most 200 characters.")]
        query: String,
        #[graphql(
            default = 10,
            desc = "How many hits from the start, or after `after` (0 to 50)."
        )]
        first: i32,
        #[graphql(desc = "Cursor of a hit of this same search: the page starts after it.")]
        after: Option<String>,
        #[graphql(desc = "Only these kinds of thing (all when omitted).")] kinds: Option<
            Vec<SearchKind>,
        >,
    ) -> async_graphql::Result<SearchConnection> {
        search(ctx, &query, first, after, kinds).await.gql()
    }
}

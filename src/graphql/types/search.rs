//! Search over films, people, characters and quotes.
//!
//! The database finds candidates (SQLite FTS5; PostgreSQL full-text search on
//! the same folded text): every word of the query must start a word of the
//! text, so "nic cag" finds Nicolas Cage. Candidates are then ranked here, by
//! one formula on both databases, so both return the same hits in the same order.

use async_graphql::{Context, Enum, Object, Union};

use super::character::{Character, Quote};
use super::film::Film;
use super::person::Person;
use crate::db::entities::{film, film_character, person, quote};
use crate::db::queries::search::{self as documents, Candidate};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, db, loader};
use crate::graphql::loaders::RowLoader;
use crate::text::fold;

/// Longest query accepted, in words.
const MAX_WORDS: usize = 8;

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

pub struct SearchHit {
    score: f64,
    item: SearchItem,
}

/// One search result with its relevance.
#[Object]
impl SearchHit {
    /// Relevance: higher is better; only comparable within one search.
    async fn score(&self) -> f64 {
        self.score
    }
    /// The film, person, character or quote found.
    async fn item(&self) -> &SearchItem {
        &self.item
    }
}

pub async fn search(
    ctx: &Context<'_>,
    query: &str,
    first: i32,
    kinds: Option<Vec<SearchKind>>,
) -> AppResult<Vec<SearchHit>> {
    if !(1..=50).contains(&first) {
        return Err(AppError::bad_input(format!(
            "`first` must be between 1 and 50, got {first}"
        )));
    }
    if query.len() > 200 {
        return Err(AppError::bad_input("a search is limited to 200 characters"));
    }
    let words: Vec<String> = fold(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        return Err(AppError::bad_input(
            "a search needs at least one letter or digit",
        ));
    }
    if words.len() > MAX_WORDS {
        return Err(AppError::bad_input(format!(
            "a search is limited to {MAX_WORDS} words"
        )));
    }
    let kinds: Vec<&str> = kinds
        .unwrap_or_default()
        .into_iter()
        .map(SearchKind::stored)
        .collect();
    let candidates = documents::candidates(db(ctx), &words, &kinds).await?;
    let mut scored: Vec<(f64, Candidate)> = candidates
        .into_iter()
        .map(|c| (relevance(&words, &c), c))
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.kind.cmp(&b.1.kind))
            .then(a.1.target.cmp(&b.1.target))
    });
    scored.truncate(first as usize);
    resolve(ctx, scored).await
}

/// Whole-word matches beat prefixes, matches in the query's order and at the
/// start beat scattered ones, and the weight (how credited) breaks near-ties.
fn relevance(words: &[String], candidate: &Candidate) -> f64 {
    let body: Vec<&str> = candidate.body.split(' ').collect();
    let mut score = 0.0;
    let mut positions = Vec::new();
    for word in words {
        let exact = body.iter().position(|w| w == word);
        let prefix = body.iter().position(|w| w.starts_with(word.as_str()));
        match (exact, prefix) {
            (Some(at), _) => {
                score += 3.0;
                positions.push(at);
            }
            (None, Some(at)) => {
                score += 2.0;
                positions.push(at);
            }
            (None, None) => {}
        }
    }
    if positions.windows(2).all(|w| w[1] == w[0] + 1) {
        score += 2.0;
    }
    if positions.first() == Some(&0) {
        score += 1.0;
    }
    // Short texts that are mostly the query rank above long ones that merely contain it.
    score += words.len() as f64 / body.len().max(1) as f64;
    score + (1.0 + candidate.weight).ln() * 0.25
}

async fn resolve(ctx: &Context<'_>, scored: Vec<(f64, Candidate)>) -> AppResult<Vec<SearchHit>> {
    let loader = loader(ctx);
    let ids = |kind: &str| {
        scored
            .iter()
            .filter(|(_, c)| c.kind == kind)
            .map(|(_, c)| c.target)
            .collect::<Vec<_>>()
    };
    // Together, so the four kinds are read in one round trip.
    let (films, people, characters, quotes) = futures_util::try_join!(
        loader.by_ids::<film::Entity>(ids("FILM")),
        loader.by_ids::<person::Entity>(ids("PERSON")),
        loader.by_ids::<film_character::Entity>(ids("CHARACTER")),
        loader.by_ids::<quote::Entity>(ids("QUOTE")),
    )?;
    Ok(scored
        .into_iter()
        .filter_map(|(score, c)| {
            let key = c.target;
            let item = match c.kind.as_str() {
                "FILM" => SearchItem::Film(Film(films.get(&key)?.clone())),
                "PERSON" => SearchItem::Person(Person(people.get(&key)?.clone())),
                "CHARACTER" => SearchItem::Character(Character(characters.get(&key)?.clone())),
                "QUOTE" => SearchItem::Quote(Quote(quotes.get(&key)?.clone())),
                _ => return None,
            };
            Some(SearchHit {
                score: (score * 1000.0).round() / 1000.0,
                item,
            })
        })
        .collect())
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Films, people, characters and quotes matching every word of `query` as a
    /// word prefix, ignoring case and accents, most relevant first.
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The words to look for: 1 to 8 words, at most 200 characters.")]
        query: String,
        #[graphql(default = 10, desc = "How many hits (1 to 50).")] first: i32,
        #[graphql(desc = "Only these kinds of thing (all when omitted).")] kinds: Option<
            Vec<SearchKind>,
        >,
    ) -> async_graphql::Result<Vec<SearchHit>> {
        search(ctx, &query, first, kinds).await.gql()
    }
}

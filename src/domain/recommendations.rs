//! `me.recommendations`: films the viewer has not rated, seen nor put on
//! the watchlist, each with the reason.
//!
//! 1. Item to item over co-ratings (the model in `film_neighbour`, rebuilt
//!    from every rating by [`rebuild_model`]): each film the viewer rated
//!    above the middle of the scale (5.5) lends its neighbours its
//!    similarity times how much the viewer liked it. The reason names the
//!    rated film that lent the most.
//! 2. For viewers the model knows too little about (a cold start): the
//!    similar films (the page's own and the computed ones) of the films the
//!    viewer likes, favours, saw or wants to see, with the similarity's own
//!    reason ("also directed by ...").
//! 3. For a viewer with no signal at all: what is trending this week, then
//!    the best rated films.
//!
//! A request reads the viewer's signals, the model's neighbours of the
//! liked films and their similar films: a handful of indexed statements.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use super::trending::{self, TrendWindow};
use crate::db::Db;
use crate::db::queries::keyset::Window;
use crate::db::queries::recommendations as statements;
use crate::error::AppResult;

/// The most a viewer may ask for at once.
pub const MAX_RECOMMENDATIONS: usize = 50;
/// Ratings above this are likes; their distance from it is how much.
const MIDDLE: f64 = 5.5;
/// A user's newest ratings that enter the model (bounds a heavy rater's
/// cost: pairs grow with the square).
const RATINGS_PER_USER: usize = 300;
/// Pairs rated by fewer people than this are chance.
const MIN_CO_RATERS: u32 = 3;
/// Similarities shrink towards 0 by `n / (n + SHRINK)` with n co-raters.
const SHRINK: f64 = 10.0;
/// Neighbours kept per film.
const NEIGHBOURS: usize = 50;
/// Distinct film pairs the model tracks at most (about 40 bytes each):
/// past it, only pairs already seen are counted, so memory stays bounded
/// whatever accounts rate.
const MOST_PAIRS: usize = 20_000_000;
/// Liked films used per request, most liked first.
const ANCHORS: usize = 200;
/// Advisory lock key of model rebuilds.
const REBUILD_LOCK: i64 = 0x6369_6e65_6e62; // "cinenb"

/// Why a film is recommended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// People who rated the viewer's films alike rated this one alike.
    CoRatings,
    /// It is like a film the viewer likes (shared people, genres, decade, or
    /// the film's page says so).
    SimilarFilm,
    /// Much activity this week.
    Trending,
    /// Among the best rated films (IMDb).
    BestRated,
}

/// One recommended film.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    pub film_id: i32,
    pub basis: Basis,
    /// The viewer's film it comes from, when there is one.
    pub because_of: Option<i32>,
    pub reason: String,
    /// How strongly it is recommended, comparable within one basis.
    pub strength: f64,
}

/// What the viewer did with a film, as a reason's opening words.
#[derive(Clone, Copy)]
enum Signal {
    Rated(i16),
    Favorite,
    Seen,
    Watchlist,
}

impl Signal {
    /// How much the signal says the viewer likes the film (0: not at all).
    fn liking(self) -> f64 {
        match self {
            Signal::Rated(score) => (f64::from(score) - MIDDLE).max(0.0),
            Signal::Favorite => 4.5,
            Signal::Seen => 1.0,
            Signal::Watchlist => 0.5,
        }
    }

    fn because(self, title: &str) -> String {
        match self {
            Signal::Rated(score) => format!("Because you rated {title} {score}/10"),
            Signal::Favorite => format!("Because {title} is one of your favourites"),
            Signal::Seen => format!("Because you saw {title}"),
            Signal::Watchlist => format!("Because {title} is on your watchlist"),
        }
    }
}

/// Up to `first` recommendations for `user`, the strongest first.
pub async fn for_user(db: &Db, user: i32, first: usize) -> AppResult<Vec<Recommendation>> {
    let first = first.min(MAX_RECOMMENDATIONS);
    if first == 0 {
        return Ok(Vec::new());
    }
    // The strongest signal per film: a rating over a favourite over the rest.
    let mut signals: HashMap<i32, Signal> = HashMap::new();
    for (film, kind, score) in statements::signals_of(db, user).await? {
        let signal = match (kind.as_str(), score) {
            ("rated", Some(score)) => Signal::Rated(score),
            ("favorite", _) => Signal::Favorite,
            ("seen", _) => Signal::Seen,
            _ => Signal::Watchlist,
        };
        let keep = signals
            .get(&film)
            .is_none_or(|held| rank_of(signal) > rank_of(*held));
        if keep {
            signals.insert(film, signal);
        }
    }
    let mut anchors: Vec<(i32, Signal)> = signals.iter().map(|(f, s)| (*f, *s)).collect();
    anchors.retain(|(_, signal)| signal.liking() > 0.0);
    anchors.sort_by(|a, b| b.1.liking().total_cmp(&a.1.liking()).then(a.0.cmp(&b.0)));
    anchors.truncate(ANCHORS);
    let mut picked = Picked::new(signals.keys().copied().collect(), first);

    let rated: Vec<i32> = anchors
        .iter()
        .filter(|(_, signal)| matches!(signal, Signal::Rated(_)))
        .map(|(film, _)| *film)
        .collect();
    let titles: HashMap<i32, String> = statements::titles(
        db,
        &anchors.iter().map(|(film, _)| *film).collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .collect();
    let title = |film: i32| titles.get(&film).cloned().unwrap_or_default();

    // 1. Co-ratings.
    let mut lent: HashMap<i32, (f64, i32, f64)> = HashMap::new(); // film → (sum, best anchor, its part)
    for (anchor, other, similarity) in statements::neighbours_of(db, &rated).await? {
        let part = similarity * signals.get(&anchor).map_or(0.0, |s| s.liking());
        let entry = lent.entry(other).or_insert((0.0, anchor, 0.0));
        entry.0 += part;
        if part > entry.2 || (part == entry.2 && anchor < entry.1) {
            (entry.1, entry.2) = (anchor, part);
        }
    }
    let mut by_ratings: Vec<(i32, (f64, i32, f64))> = lent.into_iter().collect();
    by_ratings.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.0.cmp(&b.0)));
    for (film, (sum, anchor, _)) in by_ratings {
        let reason = signals
            .get(&anchor)
            .map_or_else(String::new, |signal| signal.because(&title(anchor)));
        picked.offer(film, Basis::CoRatings, Some(anchor), reason, sum);
    }

    // 2. Similar films of what the viewer likes.
    if !picked.full() {
        let liking: HashMap<i32, f64> = anchors.iter().map(|(f, s)| (*f, s.liking())).collect();
        let mut similar: Vec<(f64, i32, i32, String)> = statements::similar_of(
            db,
            &anchors.iter().map(|(film, _)| *film).collect::<Vec<_>>(),
        )
        .await?
        .into_iter()
        .map(|(anchor, other, place, reason)| {
            // The page's own first, then by rank; scaled by the liking.
            let strength = liking.get(&anchor).copied().unwrap_or(0.0) / f64::from(place + 1);
            (strength, anchor, other, reason)
        })
        .collect();
        similar.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
        for (strength, anchor, other, why) in similar {
            let reason = signals.get(&anchor).map_or_else(String::new, |signal| {
                format!(
                    "{} ({})",
                    signal.because(&title(anchor)),
                    lowercase_first(&why)
                )
            });
            picked.offer(other, Basis::SimilarFilm, Some(anchor), reason, strength);
        }
    }

    // 3. Trending, then the best rated.
    if !picked.full() {
        let window = Window {
            limit: (first + signals.len()).min(500) as u64,
            backward: false,
            cursor: None,
        };
        for row in trending::page(db, TrendWindow::Week, &window, Utc::now())
            .await?
            .rows
        {
            let reason = "Trending this week".to_string();
            picked.offer(row.film_id, Basis::Trending, None, reason, row.score);
        }
    }
    if !picked.full() {
        let wanted = (first + signals.len()).min(1_000) as u64;
        for (film, rating) in statements::best_rated(db, wanted).await? {
            let reason = format!("Among the best rated films (IMDb {rating:.1})");
            picked.offer(film, Basis::BestRated, None, reason, rating);
        }
    }
    Ok(picked.chosen)
}

/// Which signal wins when a film has several.
fn rank_of(signal: Signal) -> u8 {
    match signal {
        Signal::Rated(_) => 3,
        Signal::Favorite => 2,
        Signal::Seen => 1,
        Signal::Watchlist => 0,
    }
}

/// A reason as a clause in parentheses: lowercase first, no final period.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.trim_end_matches('.').chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The recommendations chosen so far, none the viewer already has.
struct Picked {
    excluded: HashSet<i32>,
    chosen: Vec<Recommendation>,
    wanted: usize,
}

impl Picked {
    fn new(excluded: HashSet<i32>, wanted: usize) -> Self {
        Self {
            excluded,
            chosen: Vec::with_capacity(wanted),
            wanted,
        }
    }

    fn full(&self) -> bool {
        self.chosen.len() >= self.wanted
    }

    fn offer(
        &mut self,
        film_id: i32,
        basis: Basis,
        because_of: Option<i32>,
        reason: String,
        strength: f64,
    ) {
        if self.full() || !self.excluded.insert(film_id) {
            return;
        }
        self.chosen.push(Recommendation {
            film_id,
            basis,
            because_of,
            reason,
            strength,
        });
    }
}

/// Rebuilds the item-to-item model from every rating: adjusted cosine
/// similarity (each user's scores centred on the user's mean), shrunk
/// towards 0 for pairs few people rated, the [`NEIGHBOURS`] most similar
/// films kept per film. Returns how many pairs were stored.
pub async fn rebuild_model(db: &Db) -> AppResult<usize> {
    let started = std::time::Instant::now();
    let ratings = statements::all_ratings(db.connection()).await?;
    let count = ratings.len();
    // Seconds of CPU for a large model: off the async workers.
    let rows = tokio::task::spawn_blocking(move || model_of(&ratings))
        .await
        .map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("model build: {e}")))?;
    let pairs = rows.len();
    let txn = db.begin().await?;
    crate::db::lock_rebuild(&txn, REBUILD_LOCK).await?;
    statements::replace_neighbours(&txn, rows).await?;
    txn.commit().await?;
    tracing::info!(
        ratings = count,
        pairs,
        seconds = started.elapsed().as_secs_f64(),
        "rebuilt the recommendation model"
    );
    Ok(pairs)
}

/// Builds the model when none is stored but ratings are.
pub async fn rebuild_model_if_missing(db: &Db) -> AppResult<()> {
    if statements::no_neighbours(db.connection()).await? {
        rebuild_model(db).await?;
    }
    Ok(())
}

/// The model's rows from `(user, film, score)` ratings grouped by user.
fn model_of(ratings: &[(i32, i32, i16)]) -> Vec<statements::Neighbour> {
    let mut norms: HashMap<i32, f64> = HashMap::new();
    let mut pairs: HashMap<(i32, i32), (f64, u32)> = HashMap::new();
    for user_ratings in ratings.chunk_by(|a, b| a.0 == b.0) {
        let mean =
            user_ratings.iter().map(|r| f64::from(r.2)).sum::<f64>() / user_ratings.len() as f64;
        let centred: Vec<(i32, f64)> = user_ratings
            .iter()
            .take(RATINGS_PER_USER)
            .map(|r| (r.1, f64::from(r.2) - mean))
            .collect();
        for (film, c) in &centred {
            *norms.entry(*film).or_default() += c * c;
        }
        for (i, (a, ca)) in centred.iter().enumerate() {
            for (b, cb) in &centred[i + 1..] {
                let key = if a < b { (*a, *b) } else { (*b, *a) };
                let full = pairs.len() >= MOST_PAIRS;
                let pair = match pairs.get_mut(&key) {
                    Some(pair) => pair,
                    None if full => continue,
                    None => pairs.entry(key).or_default(),
                };
                pair.0 += ca * cb;
                pair.1 += 1;
            }
        }
    }
    let mut by_film: HashMap<i32, Vec<(i32, f64, u32)>> = HashMap::new();
    for ((a, b), (dot, n)) in pairs {
        if n < MIN_CO_RATERS || dot <= 0.0 {
            continue;
        }
        let norm = (norms[&a] * norms[&b]).sqrt();
        if norm == 0.0 {
            continue;
        }
        let similarity = dot / norm * f64::from(n) / (f64::from(n) + SHRINK);
        by_film.entry(a).or_default().push((b, similarity, n));
        by_film.entry(b).or_default().push((a, similarity, n));
    }
    let mut rows = Vec::new();
    let mut films: Vec<i32> = by_film.keys().copied().collect();
    films.sort_unstable();
    for film in films {
        let mut neighbours = by_film.remove(&film).unwrap_or_default();
        neighbours.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        neighbours.truncate(NEIGHBOURS);
        for (other, similarity, n) in neighbours {
            rows.push((film, other, similarity, n as i32));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn films_rated_alike_by_several_people_are_neighbours() {
        // Users 1-4 love films 10 and 11 and dislike 12; user 5 rated once.
        let mut ratings = Vec::new();
        for user in 1..=4 {
            ratings.extend([(user, 10, 9), (user, 11, 10), (user, 12, 2)]);
        }
        ratings.push((5, 10, 7));
        let model = model_of(&ratings);
        let pair = model
            .iter()
            .find(|r| (r.0, r.1) == (10, 11))
            .expect("10 ~ 11");
        assert_eq!(pair.3, 4);
        assert!(pair.2 > 0.2 && pair.2 <= 1.0, "{pair:?}");
        assert!(model.iter().any(|r| (r.0, r.1) == (11, 10)), "both ways");
        // Liked against disliked is a negative correlation: not kept.
        assert!(!model.iter().any(|r| (r.0, r.1) == (10, 12)), "{model:?}");
    }

    #[test]
    fn pairs_rated_by_too_few_are_left_out() {
        let ratings = vec![
            (1, 10, 9),
            (1, 11, 9),
            (1, 12, 1),
            (2, 10, 9),
            (2, 11, 9),
            (2, 12, 1),
        ];
        assert!(model_of(&ratings).is_empty());
    }

    #[test]
    fn only_likes_anchor_and_reasons_say_what_the_viewer_did() {
        assert_eq!(Signal::Rated(5).liking(), 0.0);
        assert_eq!(Signal::Rated(9).liking(), 3.5);
        assert_eq!(
            Signal::Rated(9).because("Heat"),
            "Because you rated Heat 9/10"
        );
        assert_eq!(lowercase_first("Also directed by X"), "also directed by X");
    }
}

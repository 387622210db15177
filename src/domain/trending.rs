//! What is trending: films ranked by recent activity (ratings, films marked
//! seen, watchlist adds), each event's weight halving every quarter of the
//! window (6 hours for DAY, 42 hours for WEEK).
//!
//! Computed incrementally, with no scan per request and no background job:
//! a film's decayed score at time `now` is `Σ w·2^{-(now−t)/h}`, which is
//! `e^{-λ·now} · Σ w·e^{λt}`. The second factor is the same for every film, so
//! the ranking at any instant is the ranking by `S = ln Σ w·e^{λ(t−t₀)}`
//! (against a fixed epoch `t₀`). Each activity adds its term to `S` in its
//! own transaction (`ln(e^S + e^x)`, computed without overflow), and a page
//! walks an index on `S`. A film drops out once its decayed score falls
//! under one sixteenth: a watchlist add one whole window ago.

use chrono::{DateTime, TimeZone, Utc};

use crate::db::queries::keyset::{KeysetPage, Window};
use crate::db::queries::trending as statements;
use crate::db::{Db, Transaction};
use crate::error::AppResult;

/// The period a ranking looks back over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrendWindow {
    Day,
    Week,
}

/// What someone did with a film, and how much it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// Rated it (or changed the score): 2.
    Rated,
    /// Marked it seen: 2.
    Seen,
    /// Put it on a watchlist: 1.
    Watchlisted,
}

impl Activity {
    fn weight(self) -> f64 {
        match self {
            Activity::Rated | Activity::Seen => 2.0,
            Activity::Watchlisted => 1.0,
        }
    }

    fn parse(name: &str) -> Option<Self> {
        match name {
            "rated" => Some(Activity::Rated),
            "seen" => Some(Activity::Seen),
            "watchlisted" => Some(Activity::Watchlisted),
            _ => None,
        }
    }
}

/// A decayed score under this is out of the ranking: a watchlist add (1)
/// after four half-lives, one whole window.
const FLOOR: f64 = 1.0 / 16.0;

impl TrendWindow {
    fn half_life_seconds(self) -> f64 {
        match self {
            TrendWindow::Day => 6.0 * 3600.0,
            TrendWindow::Week => 42.0 * 3600.0,
        }
    }

    /// λ, per second.
    fn rate(self) -> f64 {
        std::f64::consts::LN_2 / self.half_life_seconds()
    }

    /// `λ·(at − t₀)`: what a weight of 1 at `at` contributes, in log terms.
    fn exponent(self, at: DateTime<Utc>) -> f64 {
        let seconds = (at - epoch()).num_milliseconds() as f64 / 1000.0;
        self.rate() * seconds
    }

    /// The stored score `stored` with one more event of `activity` at `at`.
    pub fn add(self, stored: Option<f64>, activity: Activity, at: DateTime<Utc>) -> f64 {
        let term = activity.weight().ln() + self.exponent(at);
        match stored {
            None => term,
            Some(score) => log_add(score, term),
        }
    }

    /// The decayed score at `now` of the stored score `stored`.
    pub fn score_at(self, stored: f64, now: DateTime<Utc>) -> f64 {
        (stored - self.exponent(now)).exp()
    }

    /// The least stored score still in the ranking at `now`.
    fn floor_at(self, now: DateTime<Utc>) -> f64 {
        FLOOR.ln() + self.exponent(now)
    }

    fn is_week(self) -> bool {
        self == TrendWindow::Week
    }
}

/// The fixed epoch of stored scores: 2026-01-01 UTC.
fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// `ln(e^a + e^b)` without overflow.
fn log_add(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    high + (low - high).exp().ln_1p()
}

/// One account counts towards one film at most once in this long (a week,
/// the longer window), however often it rates, re-adds or rewatches it: one
/// account cannot push a film up the ranking.
const COUNT_AGAIN_AFTER: chrono::Duration = chrono::Duration::days(7);

/// Whether a user who last counted towards a film at `last` counts again at `at`.
fn counts_again(last: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    last.is_none_or(|last| at - last >= COUNT_AGAIN_AFTER)
}

/// Counts `user`'s `activity` on `film` at `at`, in the activity's
/// transaction (the film's scores row is locked until it commits), unless
/// the user counted towards the film within the last week.
pub async fn record_in(
    txn: &Transaction,
    user: i32,
    film: i32,
    activity: Activity,
    at: DateTime<Utc>,
) -> AppResult<()> {
    if !counts_again(statements::last_counted(txn, user, film).await?, at) {
        return Ok(());
    }
    statements::note_counted(txn, user, film, at).await?;
    let stored = statements::lock_scores(txn, film).await?;
    let day = TrendWindow::Day.add(stored.day, activity, at);
    let week = TrendWindow::Week.add(stored.week, activity, at);
    statements::set_scores(txn, film, day, week).await?;
    Ok(())
}

/// Writers of one film (ratings, and the watchlist adds and viewings that
/// count towards its trend) queue here first, in this process, so they wait
/// without holding a pooled connection: a burst of ratings of one popular film
/// used to take every connection, each waiting on the film's row lock, until
/// other requests timed out waiting for the pool. The row lock still orders
/// writers of different processes. Striped (film id modulo 64), so memory
/// stays fixed; two films sharing a stripe only queue together.
pub fn film_queue(film_id: i32) -> &'static tokio::sync::Mutex<()> {
    static LOCKS: std::sync::OnceLock<Vec<tokio::sync::Mutex<()>>> = std::sync::OnceLock::new();
    let locks = LOCKS.get_or_init(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    &locks[film_id.rem_euclid(64) as usize]
}

/// One film of a ranking and its decayed score now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trending {
    pub film_id: i32,
    /// The stored score, for the page's cursor.
    pub stored: f64,
    /// The activity score now: each rating or viewing counts 2 and each
    /// watchlist add 1 when it happens, halving every quarter of the window.
    pub score: f64,
}

/// One page of the window's ranking, read at `now`.
pub async fn page(
    db: &Db,
    window_of_time: TrendWindow,
    page: &Window,
    now: DateTime<Utc>,
) -> AppResult<KeysetPage<Trending>> {
    let floor = window_of_time.floor_at(now);
    let rows = statements::page(db, window_of_time.is_week(), floor, page).await?;
    Ok(KeysetPage {
        rows: rows
            .rows
            .into_iter()
            .map(|(film_id, stored)| Trending {
                film_id,
                stored,
                score: window_of_time.score_at(stored, now),
            })
            .collect(),
        has_previous: rows.has_previous,
        has_next: rows.has_next,
    })
}

/// Recomputes every film's scores from the recorded activity (ratings by
/// when first given, diary and watchlist entries by when added; each user
/// counting towards a film once a week, as [`record_in`] counts): for a
/// database from before trending, and for generated activity. Removed
/// ratings and entries no longer count, unlike in the incremental scores.
/// Writers of scores wait meanwhile. Returns how many films have a score.
pub async fn rebuild(db: &Db) -> AppResult<usize> {
    let txn = db.begin().await?;
    statements::lock_all(&txn).await?;
    let mut scores: std::collections::BTreeMap<i32, (f64, f64)> = Default::default();
    let mut counted: std::collections::HashMap<(i32, i32), DateTime<Utc>> = Default::default();
    for (user, film, kind, at) in statements::activity(&txn).await? {
        let Some(activity) = Activity::parse(&kind) else {
            continue;
        };
        if !counts_again(counted.get(&(user, film)).copied(), at) {
            continue;
        }
        counted.insert((user, film), at);
        let entry = scores.get(&film).copied();
        let day = TrendWindow::Day.add(entry.map(|s| s.0), activity, at);
        let week = TrendWindow::Week.add(entry.map(|s| s.1), activity, at);
        scores.insert(film, (day, week));
    }
    let rows: Vec<(i32, f64, f64)> = scores
        .into_iter()
        .map(|(film, (day, week))| (film, day, week))
        .collect();
    let counted: Vec<(i32, i32, DateTime<Utc>)> = counted
        .into_iter()
        .map(|((user, film), at)| (user, film, at))
        .collect();
    statements::replace_all(&txn, &rows, &counted).await?;
    txn.commit().await?;
    Ok(rows.len())
}

/// Rebuilds the scores when none are stored but activity is (a database
/// that predates trending); does nothing otherwise.
pub async fn rebuild_if_missing(db: &Db) -> AppResult<()> {
    if statements::is_empty(db.connection()).await? {
        let films = rebuild(db).await?;
        if films > 0 {
            tracing::info!(films, "computed trending scores from recorded activity");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(hours: i64) -> DateTime<Utc> {
        epoch() + Duration::days(300) + Duration::hours(hours)
    }

    #[test]
    fn a_score_halves_every_quarter_window() {
        let stored = TrendWindow::Day.add(None, Activity::Rated, at(0));
        assert!((TrendWindow::Day.score_at(stored, at(0)) - 2.0).abs() < 1e-9);
        assert!((TrendWindow::Day.score_at(stored, at(6)) - 1.0).abs() < 1e-9);
        let weekly = TrendWindow::Week.add(None, Activity::Watchlisted, at(0));
        assert!((TrendWindow::Week.score_at(weekly, at(42)) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn scores_add_up_and_rank_as_decayed_scores_do() {
        let window = TrendWindow::Day;
        // Three watchlist adds a day ago against one rating now.
        let mut old = None;
        for _ in 0..3 {
            old = Some(window.add(old, Activity::Watchlisted, at(0)));
        }
        let old = old.unwrap();
        let fresh = window.add(None, Activity::Rated, at(24));
        assert!((window.score_at(old, at(0)) - 3.0).abs() < 1e-9);
        assert!((window.score_at(old, at(24)) - 3.0 / 16.0).abs() < 1e-9);
        assert!(fresh > old, "the rating now outranks the adds of yesterday");
        // The same order at any later instant.
        assert!(window.score_at(fresh, at(100)) > window.score_at(old, at(100)));
    }

    #[test]
    fn years_of_activity_stay_finite() {
        let far = epoch() + Duration::days(365 * 50);
        let mut stored = None;
        for _ in 0..1000 {
            stored = Some(TrendWindow::Day.add(stored, Activity::Rated, far));
        }
        let stored = stored.unwrap();
        assert!(stored.is_finite());
        assert!((TrendWindow::Day.score_at(stored, far) - 2000.0).abs() < 1e-6);
    }

    #[test]
    fn an_account_counts_towards_a_film_once_a_week() {
        assert!(counts_again(None, at(0)));
        assert!(!counts_again(Some(at(0)), at(24 * 7 - 1)));
        assert!(counts_again(Some(at(0)), at(24 * 7)));
    }

    #[test]
    fn films_fall_out_a_window_after_their_last_activity() {
        let window = TrendWindow::Week;
        let stored = window.add(None, Activity::Watchlisted, at(0));
        assert!(stored >= window.floor_at(at(24 * 7 - 1)));
        assert!(stored < window.floor_at(at(24 * 7 + 1)));
    }
}

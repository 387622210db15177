//! `cinegraph generate --users N --ratings M`: synthetic accounts and their
//! ratings, for the recommendation and trending benchmarks. Deterministic
//! (same seed and database, same rows) and shaped like real taste: film
//! popularity follows a power law (the best rated films are rated most),
//! each user leans to one genre (two draws in three come from it), the
//! number of ratings per user is skewed (a few heavy raters, many light
//! ones), and a score follows the film's IMDb rating, plus the user's
//! leaning, plus noise. Ratings are dated over the last 14 days.
//! Nobody can sign in as them: they share the hash of a random password
//! that is never shown or kept.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};

use super::random::Rng;
use crate::db::queries::activity as statements;
use crate::db::{Db, Transaction};
use crate::domain::events::Events;

/// Every generated username starts with it.
pub const USERNAME_PREFIX: &str = "syn-user-";
/// Users per round of inserts.
const USERS_PER_CHUNK: usize = 5_000;

/// What `generate --users` wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ActivityReport {
    pub users: usize,
    pub ratings: usize,
}

/// Adds `users` accounts with `ratings` ratings between them, in one
/// transaction; refuses when synthetic accounts exist already. Trending
/// scores and the recommendation model are rebuilt afterwards.
pub async fn generate(
    db: &Db,
    events: &Events,
    users: usize,
    ratings: usize,
    seed: u64,
) -> anyhow::Result<ActivityReport> {
    if users == 0 || ratings < users {
        anyhow::bail!(
            "--users {users} --ratings {ratings}: every synthetic user rates at least one film, so give at least as many ratings as users"
        );
    }
    let txn = db.begin().await?;
    let existing = statements::users_with_prefix(&txn, USERNAME_PREFIX).await?;
    if existing > 0 {
        anyhow::bail!(
            "the database already holds {existing} synthetic users; generate into a fresh database"
        );
    }
    let films = Films::read(&txn).await?;
    let capacity = users * films.all.len();
    if ratings > capacity {
        anyhow::bail!(
            "{ratings} ratings cannot fit: {users} users can rate {} films each",
            films.all.len()
        );
    }
    let mut rng = Rng::new(seed ^ 0x0ACC_00A7);
    let counts = ratings_per_user(users, ratings, films.all.len(), &mut rng);
    let password = crate::domain::account::hash_password(&unguessable())
        .map_err(|e| anyhow::anyhow!("cannot hash the synthetic password: {e}"))?;
    let now = Utc::now();
    let mut report = ActivityReport::default();
    for (chunk_index, chunk) in counts.chunks(USERS_PER_CHUNK).enumerate() {
        let first = chunk_index * USERS_PER_CHUNK;
        let names: Vec<_> = (first..first + chunk.len())
            .map(|n| {
                let joined = now - Duration::days(30 + (rng.below(700) as i64));
                (format!("{USERNAME_PREFIX}{n:06}"), joined)
            })
            .collect();
        let ids = statements::insert_users(&txn, &names, &password).await?;
        let mut rows = Vec::new();
        for (user, count) in ids.iter().zip(chunk) {
            films.rate_as_one_user(*user, *count, &mut rng, now, &mut rows);
        }
        report.ratings += rows.len();
        statements::insert_ratings(&txn, &rows).await?;
        report.users += ids.len();
    }
    crate::db::queries::rating::recount_films(&txn, None).await?;
    crate::db::queries::content_version::bump(&txn).await?;
    commit(txn).await?;
    events.content_imported();
    crate::domain::trending::rebuild(db).await?;
    crate::domain::recommendations::rebuild_model(db).await?;
    Ok(report)
}

/// 32 bytes from the operating system, as hex: the synthetic accounts'
/// password, never shown or kept (the generator's own randomness is
/// seeded, so anyone could compute a password drawn from it).
fn unguessable() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

async fn commit(txn: Transaction) -> anyhow::Result<()> {
    txn.commit().await?;
    Ok(())
}

/// How many ratings each user gives: skewed (a power law over users),
/// each at least one, summing to `total`, none over `most`.
fn ratings_per_user(users: usize, total: usize, most: usize, rng: &mut Rng) -> Vec<usize> {
    let weights: Vec<f64> = (0..users)
        .map(|_| 1.0 / (0.02 + rng.unit()).powf(1.2))
        .collect();
    let sum: f64 = weights.iter().sum();
    let spare = total.saturating_sub(users);
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| (1 + (w / sum * spare as f64) as usize).min(most))
        .collect();
    // Rounding left some over (or a cap cut some): hand them out one by one.
    let mut given: usize = counts.iter().sum();
    let mut at = 0;
    while given < total {
        if counts[at % users] < most {
            counts[at % users] += 1;
            given += 1;
        }
        at += 1;
    }
    while given > total {
        if counts[at % users] > 1 {
            counts[at % users] -= 1;
            given -= 1;
        }
        at += 1;
    }
    counts
}

/// The films ratings are drawn from.
struct Films {
    /// `(film, IMDb rating)`, the best rated first.
    all: Vec<(i32, f64)>,
    /// Indexes into `all` per genre, in the same order.
    by_genre: Vec<Vec<usize>>,
}

impl Films {
    async fn read(txn: &Transaction) -> anyhow::Result<Self> {
        let rows = statements::films_to_rate(txn).await?;
        if rows.is_empty() {
            anyhow::bail!("there are no films to rate: import the catalogue first");
        }
        let mut genres: HashMap<i32, Vec<usize>> = HashMap::new();
        let mut all = Vec::with_capacity(rows.len());
        for (i, (film, genre, imdb)) in rows.into_iter().enumerate() {
            all.push((film, imdb));
            if let Some(genre) = genre {
                genres.entry(genre).or_default().push(i);
            }
        }
        let mut by_genre: Vec<(i32, Vec<usize>)> = genres.into_iter().collect();
        by_genre.sort_by_key(|(genre, _)| *genre);
        Ok(Self {
            all,
            by_genre: by_genre.into_iter().map(|(_, films)| films).collect(),
        })
    }

    /// Appends `count` ratings of distinct films by `user`.
    fn rate_as_one_user(
        &self,
        user: i32,
        count: usize,
        rng: &mut Rng,
        now: chrono::DateTime<Utc>,
        rows: &mut Vec<(i32, i32, i16, chrono::DateTime<Utc>)>,
    ) {
        let leaning = (!self.by_genre.is_empty()).then(|| rng.below(self.by_genre.len()));
        let harshness = rng.normal(0.0, 0.8);
        let mut taken: HashSet<usize> = HashSet::with_capacity(count);
        let mut tries = 0;
        while taken.len() < count && tries < count * 20 {
            tries += 1;
            let pick = match leaning {
                Some(genre) if rng.chance(2.0 / 3.0) => {
                    let pool = &self.by_genre[genre];
                    pool[rng.power_law(pool.len())]
                }
                _ => rng.power_law(self.all.len()),
            };
            if !taken.insert(pick) {
                continue;
            }
            let in_leaning = leaning.is_some_and(|g| self.by_genre[g].binary_search(&pick).is_ok());
            let (film, imdb) = self.all[pick];
            let score =
                imdb + if in_leaning { 1.0 } else { -0.5 } - harshness + rng.normal(0.0, 1.2);
            let score = score.round().clamp(1.0, 10.0) as i16;
            let at = now - Duration::seconds(rng.below(14 * 24 * 3600) as i64);
            rows.push((user, film, score, at));
        }
        // A user who leans hard on a small genre may find fewer distinct
        // films by drawing: fill up from the whole catalogue in order.
        let mut next = 0;
        while taken.len() < count && next < self.all.len() {
            if taken.insert(next) {
                let (film, imdb) = self.all[next];
                let score = (imdb - harshness).round().clamp(1.0, 10.0) as i16;
                rows.push((user, film, score, now - Duration::hours(next as i64 % 300)));
            }
            next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_per_user_add_up_and_are_skewed() {
        let mut rng = Rng::new(3);
        let counts = ratings_per_user(2_000, 20_000, 500, &mut rng);
        assert_eq!(counts.iter().sum::<usize>(), 20_000);
        assert!(counts.iter().all(|n| (1..=500).contains(n)));
        let most = *counts.iter().max().unwrap();
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        assert!(
            most > 5 * sorted[1_000],
            "a heavy head: {most} vs median {}",
            sorted[1_000]
        );
    }
}

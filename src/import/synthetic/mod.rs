//! `cinegraph generate --films N`: a synthetic catalogue added to the real
//! one, for scale tests. It is deterministic (the same seed and database give
//! the same rows) and shaped like the real catalogue: genres, countries,
//! languages and years are drawn with the bundled films' own frequencies,
//! credits follow a power law (a few people with thousands of credits, most
//! with a handful, the most credited real people at the head), and some films
//! have casts of a hundred and more. It streams: films are written in chunks
//! inside one transaction, so memory stays flat whatever N is.

pub mod activity;
mod random;

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};

use self::random::{Rng, Weighted, film_title, person_name};
use super::catalogue::person_slug;
use crate::db::entities::{Set, film};
use crate::db::queries::catalogue as statements;
use crate::db::queries::film_rows::FilmRows;
pub use crate::db::queries::origins::ORIGIN_SYNTHETIC;
use crate::db::queries::origins::SYNTHETIC_PROVIDER as PROVIDER;
use crate::db::queries::{changes, content_version, summaries};
use crate::db::{Db, Transaction};
use crate::domain::events::Events;
use crate::kinds::{BoxOfficeKind, ChangeKind, CreditKind, RatingSource};
use crate::text::{fold, slugify};
/// Every generated film's slug starts with it.
const SLUG_PREFIX: &str = "syn-";
/// Films per round of inserts: a few thousand rows per table, flat memory.
const FILMS_PER_CHUNK: usize = 2_000;
/// Rows per `WHERE slug IN (...)` lookup: within both databases' parameter limits.
const LOOKUP_CHUNK: usize = 10_000;

/// What `generate` wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyntheticReport {
    pub films: usize,
    pub people: usize,
    pub credits: usize,
}

/// Adds `films` synthetic films (and one new person per film) in one
/// transaction; refuses when the database already has synthetic films.
pub async fn generate(
    db: &Db,
    events: &Events,
    films: usize,
    seed: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<SyntheticReport> {
    let txn = db.begin().await?;
    let existing = statements::films_with_slug_prefix(&txn, SLUG_PREFIX).await?;
    if existing > 0 {
        anyhow::bail!(
            "the database already holds {existing} synthetic films; generate into a fresh database"
        );
    }
    content_version::bump(&txn).await?;
    let shapes = Shapes::read(&txn).await?;
    let mut rng = Rng::new(seed);
    let mut report = SyntheticReport::default();

    let people = add_people(&txn, films, &mut rng).await?;
    report.people = people.len();
    // The most credited real people head the power law, then the new people.
    let pool: Vec<i32> = shapes.people.iter().copied().chain(people).collect();
    // Directors come from every eighth person of the pool: a set of their own.
    let directors: Vec<i32> = pool.iter().step_by(8).copied().collect();
    let pools = Pools {
        people: &pool,
        directors: &directors,
    };

    let mut done = 0;
    while done < films {
        let count = FILMS_PER_CHUNK.min(films - done);
        let planned: Vec<PlannedFilm> = (done..done + count)
            .map(|n| PlannedFilm::draw(n, &shapes, &pools, &mut rng))
            .collect();
        report.credits += write_films(&txn, &planned).await?;
        done += count;
        progress(done as u64, films as u64);
    }
    report.films = films;

    summaries::refresh_people(&txn).await?;
    summaries::refresh_credit_order(&txn).await?;
    summaries::rebuild_search(&txn).await?;
    txn.commit().await?;
    events.content_imported();
    Ok(report)
}

/// Frequencies read from the real catalogue.
struct Shapes {
    genres: Weighted<i32>,
    countries: Weighted<String>,
    languages: Weighted<String>,
    /// Every known release year, one entry per real film: sampling it keeps the distribution.
    years: Vec<i32>,
    /// Real people, most credited first.
    people: Vec<i32>,
}

impl Shapes {
    async fn read(txn: &Transaction) -> anyhow::Result<Self> {
        let shapes = statements::shapes(txn).await?;
        let (genres, countries, languages) = (
            Weighted::new(shapes.genres),
            Weighted::new(shapes.countries),
            Weighted::new(shapes.languages),
        );
        let (years, people) = (shapes.years, shapes.people);
        if genres.is_empty() || countries.is_empty() || languages.is_empty() || years.is_empty() {
            anyhow::bail!(
                "generate draws its shapes from the bundled catalogue, and this database has none \
                 (start the server once on it, or import the catalogue)"
            );
        }
        Ok(Self {
            genres,
            countries,
            languages,
            years,
            people,
        })
    }
}

/// Inserts `count` new people with unique names; returns their ids in order.
async fn add_people(txn: &Transaction, count: usize, rng: &mut Rng) -> anyhow::Result<Vec<i32>> {
    let mut taken: HashSet<String> = statements::person_slugs(txn).await?.into_iter().collect();
    let mut ids = Vec::with_capacity(count);
    let mut next_name = 0usize;
    while ids.len() < count {
        let mut rows = Vec::new();
        let mut slugs = Vec::new();
        while slugs.len() < LOOKUP_CHUNK.min(count - ids.len()) {
            let name = person_name(next_name, rng);
            next_name += 1;
            let slug = person_slug(&name);
            if !taken.insert(slug.clone()) {
                continue;
            }
            rows.push((slug.clone(), name));
            slugs.push(slug);
        }
        statements::insert_people(txn, &rows).await?;
        let found = statements::person_ids_of(txn, &slugs).await?;
        for slug in &slugs {
            ids.push(
                *found
                    .get(slug)
                    .ok_or_else(|| anyhow::anyhow!("person {slug} has no row after its insert"))?,
            );
        }
    }
    Ok(ids)
}

/// Who credits are drawn from, most credited first.
struct Pools<'a> {
    people: &'a [i32],
    directors: &'a [i32],
}

/// One generated film and its rows, before ids are known.
struct PlannedFilm {
    slug: String,
    title: String,
    year: i32,
    released: Option<NaiveDate>,
    runtime: i32,
    certification: Option<&'static str>,
    genres: Vec<i32>,
    countries: Vec<String>,
    languages: Vec<String>,
    /// Person ids by kind, in billing order, without repeats within a kind.
    credits: Vec<(CreditKind, Vec<i32>)>,
    /// `(source, value, scale, votes)`.
    ratings: Vec<(RatingSource, f64, f64, Option<i64>)>,
    box_office: Vec<(BoxOfficeKind, i64)>,
    academy_awards: Option<(i32, i32)>,
}

impl PlannedFilm {
    fn draw(n: usize, shapes: &Shapes, pools: &Pools, rng: &mut Rng) -> Self {
        let title = film_title(rng);
        let year = shapes.years[rng.below(shapes.years.len())];
        let released = rng.chance(0.8).then(|| {
            NaiveDate::from_yo_opt(year, 1 + rng.below(365) as u32).unwrap_or(NaiveDate::MIN)
        });
        let genre_count = 1 + rng.below(3);
        let genres = rng.distinct(genre_count, |rng| *shapes.genres.pick(rng));
        let country_count = 1 + usize::from(rng.chance(0.2));
        let countries = rng.distinct(country_count, |rng| shapes.countries.pick(rng).clone());
        let language_count = 1 + usize::from(rng.chance(0.25));
        let languages = rng.distinct(language_count, |rng| shapes.languages.pick(rng).clone());
        // Long casts: most films bill 3 to 12 people, some 12 to 30, a few 50 to 150.
        let cast_length = match rng.unit() {
            u if u < 0.75 => 3 + rng.below(10),
            u if u < 0.97 => 12 + rng.below(19),
            _ => 50 + rng.below(101),
        };
        let directors = 1 + usize::from(rng.chance(0.12)) + usize::from(rng.chance(0.03));
        let writers = 1 + rng.below(3);
        let (people, director_pool) = (pools.people, pools.directors);
        let credits = vec![
            (
                CreditKind::Director,
                rng.distinct(directors, |rng| {
                    director_pool[rng.power_law(director_pool.len())]
                }),
            ),
            (
                CreditKind::Writer,
                rng.distinct(writers, |rng| people[rng.power_law(people.len())]),
            ),
            (
                CreditKind::Cast,
                rng.distinct(cast_length, |rng| people[rng.power_law(people.len())]),
            ),
        ];
        let mut ratings = Vec::new();
        let quality = rng.normal(6.4, 1.0).clamp(1.0, 9.8);
        if rng.chance(0.9) {
            let votes = (10f64.powf(rng.normal(3.5, 1.0).clamp(1.0, 6.5))) as i64;
            ratings.push((RatingSource::Imdb, round1(quality), 10.0, Some(votes)));
        }
        if rng.chance(0.45) {
            let score = ((quality - 1.0) / 8.8 * 100.0 + rng.normal(0.0, 15.0)).clamp(0.0, 100.0);
            ratings.push((RatingSource::RottenTomatoes, score.round(), 100.0, None));
        }
        if rng.chance(0.35) {
            let score = ((quality - 1.0) / 8.8 * 100.0 + rng.normal(0.0, 10.0)).clamp(1.0, 100.0);
            ratings.push((RatingSource::Metacritic, score.round(), 100.0, None));
        }
        let mut box_office = Vec::new();
        if rng.chance(0.3) {
            let budget = (10f64.powf(rng.normal(7.0, 0.6).clamp(5.0, 8.6))) as i64;
            let gross = (budget as f64 * rng.normal(2.0, 1.2).clamp(0.05, 12.0)) as i64;
            box_office.push((BoxOfficeKind::Budget, budget));
            box_office.push((BoxOfficeKind::WorldwideGross, gross));
        }
        let academy_awards = rng.chance(0.03).then(|| {
            let nominations = 1 + rng.below(8) as i32;
            (rng.below(nominations as usize + 1) as i32 / 2, nominations)
        });
        Self {
            slug: format!("{SLUG_PREFIX}{n}-{}", slugify(&title)),
            title,
            year,
            released,
            runtime: 75 + rng.below(90) as i32,
            certification: ["G", "PG", "PG-13", "R", "NC-17"]
                .get(rng.below(7))
                .copied(),
            genres,
            countries,
            languages,
            credits,
            ratings,
            box_office,
            academy_awards,
        }
    }

    fn rating(&self, source: RatingSource) -> Option<f64> {
        self.ratings
            .iter()
            .find(|(s, ..)| *s == source)
            .map(|(_, value, ..)| *value)
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Writes one chunk of films with their rows; returns how many credits it wrote.
async fn write_films(txn: &Transaction, planned: &[PlannedFilm]) -> anyhow::Result<usize> {
    let now = Utc::now();
    let rows = planned.iter().map(|f| film::ActiveModel {
        slug: Set(f.slug.clone()),
        title: Set(f.title.clone()),
        title_sort: Set(fold(&f.title)),
        release_date: Set(f.released),
        release_year: Set(Some(f.year)),
        release_sort: Set(summaries::release_sort(f.released, Some(f.year))),
        runtime_minutes: Set(Some(f.runtime)),
        certification: Set(f.certification.map(str::to_string)),
        academy_award_wins: Set(f.academy_awards.map(|(wins, _)| wins)),
        academy_award_nominations: Set(f.academy_awards.map(|(_, nominations)| nominations)),
        // The summary columns refresh_films would compute: synthetic films have one figure per source.
        rating_imdb: Set(f.rating(RatingSource::Imdb)),
        rating_rotten_tomatoes: Set(f.rating(RatingSource::RottenTomatoes)),
        rating_metacritic: Set(f.rating(RatingSource::Metacritic)),
        box_office_usd: Set(f
            .box_office
            .iter()
            .filter(|(kind, _)| *kind != BoxOfficeKind::Budget)
            .map(|(_, amount)| *amount)
            .max()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    });
    statements::insert_films(txn, rows.collect()).await?;
    let ids = statements::film_ids_by_slug(txn, planned.iter().map(|f| f.slug.clone())).await?;
    let mut created: Vec<i32> = ids.values().copied().collect();
    created.sort_unstable();
    changes::films_changed(txn, ChangeKind::Created, &created).await?;

    let mut rows = FilmRows::new();
    for f in planned {
        let id = *ids
            .get(&f.slug)
            .ok_or_else(|| anyhow::anyhow!("film {} has no row after its insert", f.slug))?;
        for (position, genre) in f.genres.iter().enumerate() {
            rows.genre(id, *genre, position);
        }
        for (position, country) in f.countries.iter().enumerate() {
            rows.country(id, country, position);
        }
        for (position, language) in f.languages.iter().enumerate() {
            rows.language(id, language, position);
        }
        for (kind, people) in &f.credits {
            for (position, person) in people.iter().enumerate() {
                let billing = (*kind == CreditKind::Cast).then_some(position as i32 + 1);
                rows.credit(id, *person, *kind, billing, ORIGIN_SYNTHETIC, Some(f.year));
            }
        }
        for (source, value, scale, votes) in &f.ratings {
            rows.rating(id, source.as_str(), (*value, *scale), *votes, PROVIDER);
        }
        for (kind, amount) in &f.box_office {
            rows.figure(id, kind.as_str(), *amount, "USD", PROVIDER);
        }
    }
    let written = rows.credit_count();
    rows.run(txn).await?;
    Ok(written)
}

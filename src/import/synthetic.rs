//! `cinegraph generate --films N`: a synthetic catalogue added to the real
//! one, for scale tests. It is deterministic (the same seed and database give
//! the same rows) and shaped like the real catalogue: genres, countries,
//! languages and years are drawn with the bundled films' own frequencies,
//! credits follow a power law (a few people with thousands of credits, most
//! with a handful, the most credited real people at the head), and some films
//! have casts of a hundred and more. It streams: films are written in chunks
//! inside one transaction, so memory stays flat whatever N is.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};

use super::catalogue::person_slug;
use super::film_rows::FilmRows;
use super::summaries;
use crate::db::bulk::BulkInsert;
use crate::db::bulk::ColumnType::*;
use crate::db::content_version;
use crate::db::entities::{film, person};
use crate::kinds::{BoxOfficeKind, CreditKind, RatingSource};
use crate::text::{fold, slugify};

/// `credit.origin`, `external_rating.provider` and `box_office_figure.source`
/// of generated rows, so no importer mistakes them for its own.
pub const ORIGIN_SYNTHETIC: &str = "SYNTHETIC";
const PROVIDER: &str = "synthetic";
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
    db: &DatabaseConnection,
    films: usize,
    seed: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<SyntheticReport> {
    let txn = db.begin().await?;
    let existing = film::Entity::find()
        .filter(film::Column::Slug.starts_with(SLUG_PREFIX))
        .count(&txn)
        .await?;
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
    summaries::rebuild_search(&txn).await?;
    txn.commit().await?;
    content_version::committed();
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
    async fn read(txn: &DatabaseTransaction) -> anyhow::Result<Self> {
        let genres = Weighted::new(
            counts(txn, "SELECT genre_id AS v, COUNT(*) AS n FROM film_genre GROUP BY genre_id ORDER BY genre_id")
                .await?
                .into_iter()
                .map(|(v, n)| Ok((v.parse::<i32>()?, n)))
                .collect::<anyhow::Result<_>>()?,
        );
        let countries = Weighted::new(
            counts(txn, "SELECT country AS v, COUNT(*) AS n FROM film_country GROUP BY country ORDER BY country").await?,
        );
        let languages = Weighted::new(
            counts(txn, "SELECT language AS v, COUNT(*) AS n FROM film_language GROUP BY language ORDER BY language").await?,
        );
        let years: Vec<i32> = film::Entity::find()
            .select_only()
            .column(film::Column::ReleaseYear)
            .filter(film::Column::ReleaseYear.is_not_null())
            .order_by_asc(film::Column::Id)
            .into_tuple::<i32>()
            .all(txn)
            .await?;
        let people: Vec<i32> = txn
            .query_all_raw(Statement::from_string(
                txn.get_database_backend(),
                "SELECT id FROM person ORDER BY credit_count DESC, id",
            ))
            .await?
            .iter()
            .map(|row| row.try_get::<i32>("", "id"))
            .collect::<Result<_, _>>()?;
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

/// `(value as text, count)` rows of a grouped statement with columns `v` and `n`.
async fn counts(txn: &DatabaseTransaction, sql: &str) -> anyhow::Result<Vec<(String, u64)>> {
    let rows = txn
        .query_all_raw(Statement::from_string(txn.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|row| {
            let value = match row.try_get::<String>("", "v") {
                Ok(text) => text,
                Err(_) => row.try_get::<i32>("", "v")?.to_string(),
            };
            Ok((value, row.try_get::<i64>("", "n")?.max(0) as u64))
        })
        .collect()
}

/// Inserts `count` new people with unique names; returns their ids in order.
async fn add_people(
    txn: &DatabaseTransaction,
    count: usize,
    rng: &mut Rng,
) -> anyhow::Result<Vec<i32>> {
    let mut taken: HashSet<String> = person::Entity::find()
        .select_only()
        .column(person::Column::Slug)
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut ids = Vec::with_capacity(count);
    let mut next_name = 0usize;
    while ids.len() < count {
        let mut rows = BulkInsert::new(
            "person",
            &[
                ("slug", Text),
                ("name", Text),
                ("name_sort", Text),
                ("credit_count", Int),
            ],
        );
        let mut slugs = Vec::new();
        while slugs.len() < LOOKUP_CHUNK.min(count - ids.len()) {
            let name = person_name(next_name, rng);
            next_name += 1;
            let slug = person_slug(&name);
            if !taken.insert(slug.clone()) {
                continue;
            }
            rows.push(vec![
                slug.clone().into(),
                name.clone().into(),
                fold(&name).into(),
                0.into(),
            ]);
            slugs.push(slug);
        }
        rows.run(txn).await?;
        let found: HashMap<String, i32> = person::Entity::find()
            .select_only()
            .column(person::Column::Slug)
            .column(person::Column::Id)
            .filter(person::Column::Slug.is_in(slugs.iter().cloned()))
            .into_tuple::<(String, i32)>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
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
async fn write_films(txn: &DatabaseTransaction, planned: &[PlannedFilm]) -> anyhow::Result<usize> {
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
    // Film rows have ~25 columns: 1,000 per statement stays under SQLite's 32,766 parameters.
    let rows: Vec<film::ActiveModel> = rows.collect();
    for chunk in rows.chunks(1_000) {
        film::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let ids: HashMap<String, i32> = film::Entity::find()
        .select_only()
        .column(film::Column::Slug)
        .column(film::Column::Id)
        .filter(film::Column::Slug.is_in(planned.iter().map(|f| f.slug.clone())))
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();

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

/// Values drawn with given weights (binary search over cumulative counts).
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    fn new(counted: Vec<(T, u64)>) -> Self {
        let mut total = 0;
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        for (item, count) in counted.into_iter().filter(|(_, n)| *n > 0) {
            total += count;
            items.push(item);
            cumulative.push(total);
        }
        Self { items, cumulative }
    }
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    fn pick(&self, rng: &mut Rng) -> &T {
        let total = *self.cumulative.last().unwrap_or(&1);
        let target = rng.next_u64() % total;
        let index = self.cumulative.partition_point(|&c| c <= target);
        &self.items[index.min(self.items.len() - 1)]
    }
}

/// splitmix64: small, fast and the same on every platform, which is what
/// "deterministic" needs (no dependency whose stream could change).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// An index in [0, n) with a heavy head: with n = 1,000,000 and ten million
    /// draws the first index gets about 1,800, the median one about 8.
    fn power_law(&mut self, n: usize) -> usize {
        ((n as f64) * self.unit().powf(1.6)) as usize % n.max(1)
    }
    /// Up to `count` distinct values from `draw` (gives up on repeats after a few tries).
    fn distinct<T: PartialEq>(
        &mut self,
        count: usize,
        mut draw: impl FnMut(&mut Self) -> T,
    ) -> Vec<T> {
        let mut values = Vec::with_capacity(count);
        for _ in 0..count * 3 {
            if values.len() == count {
                break;
            }
            let value = draw(self);
            if !values.contains(&value) {
                values.push(value);
            }
        }
        values
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Alice", "Amara", "Andrei", "Anna", "Arjun", "Ava", "Bea", "Ben", "Carla",
    "Carlos", "Chen", "Chloe", "Dara", "David", "Dmitri", "Elena", "Eli", "Emma", "Farah", "Felix",
    "Gabriel", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Ivy", "Jamal", "Jane", "Javier", "Jin",
    "Julia", "Kai", "Kenji", "Lara", "Leo", "Lina", "Luca", "Maya", "Mei", "Mila", "Nadia", "Noah",
    "Nora", "Omar", "Oscar", "Paula", "Pedro", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Soren",
    "Tariq", "Tess", "Theo", "Uma", "Vera", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brennan",
    "Castillo",
    "Chandra",
    "Costa",
    "Dubois",
    "Duarte",
    "Eriksen",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Greco",
    "Haddad",
    "Hansen",
    "Herrera",
    "Holt",
    "Ibrahim",
    "Ivanova",
    "Jensen",
    "Kaur",
    "Keller",
    "Kowalski",
    "Larsen",
    "Leclerc",
    "Lindqvist",
    "Lopez",
    "Marino",
    "Mendes",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Ortega",
    "Park",
    "Petrov",
    "Quinn",
    "Ramos",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Sokolov",
    "Tanaka",
    "Torres",
    "Varga",
    "Vidal",
    "Wagner",
    "Walsh",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Ziegler",
];

const ADJECTIVES: &[&str] = &[
    "Silent", "Crimson", "Last", "Hidden", "Broken", "Golden", "Distant", "Burning", "Endless",
    "Lonely", "Secret", "Wild", "Frozen", "Quiet", "Restless", "Hollow", "Bitter", "Electric",
    "Velvet", "Midnight", "Paper", "Iron", "Glass", "Savage", "Gentle", "Lost", "Northern",
];

const NOUNS: &[&str] = &[
    "River", "Harbor", "Summer", "City", "Garden", "Witness", "Frontier", "Kingdom", "Letter",
    "Voyage", "Mirror", "Storm", "Island", "Promise", "Stranger", "Hour", "Road", "Empire",
    "Heart", "Shadow", "Season", "Orchard", "Signal", "Tide", "Winter", "Machine", "Song",
];

/// A unique, realistic-looking name for person number `n` (initials and a
/// generation number tell apart the later ones).
fn person_name(n: usize, rng: &mut Rng) -> String {
    let first = FIRST_NAMES[n % FIRST_NAMES.len()];
    let rest = n / FIRST_NAMES.len();
    let last = LAST_NAMES[rest % LAST_NAMES.len()];
    let rest = rest / LAST_NAMES.len();
    let initial = rest % 27;
    let generation = rest / 27;
    let mut name = first.to_string();
    if initial > 0 {
        name.push(' ');
        name.push((b'A' + initial as u8 - 1) as char);
        name.push('.');
    }
    name.push(' ');
    name.push_str(last);
    if generation > 0 {
        name.push_str(&format!(" {}", generation + 1));
    }
    // One draw per person keeps the stream's position independent of naming rules.
    let _ = rng.next_u64();
    name
}

fn film_title(rng: &mut Rng) -> String {
    let adjective = ADJECTIVES[rng.below(ADJECTIVES.len())];
    let noun = NOUNS[rng.below(NOUNS.len())];
    let other = NOUNS[rng.below(NOUNS.len())];
    let mut title = match rng.below(4) {
        0 => format!("The {adjective} {noun}"),
        1 => format!("{adjective} {noun}"),
        2 => format!("The {noun} of the {adjective} {other}"),
        _ => format!("{noun} and {other}"),
    };
    if rng.chance(0.08) {
        title.push_str(&format!(" {}", 2 + rng.below(4)));
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_deterministic_and_power_law_has_a_heavy_head() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let draws: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(draws, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(8).next_u64(), draws[0]);

        let mut rng = Rng::new(1);
        let mut hits = vec![0u32; 1000];
        for _ in 0..100_000 {
            hits[rng.power_law(1000)] += 1;
        }
        let head: u32 = hits[..10].iter().sum();
        let tail: u32 = hits[990..].iter().sum();
        assert!(head > 5 * tail, "head {head}, tail {tail}");
        assert!(hits.iter().all(|&h| h > 0), "every index is drawn");
    }

    #[test]
    fn person_names_are_unique() {
        let mut rng = Rng::new(1);
        let names: HashSet<String> = (0..200_000).map(|n| person_name(n, &mut rng)).collect();
        assert_eq!(names.len(), 200_000);
        let slugs: HashSet<String> = names.iter().map(|n| person_slug(n)).collect();
        assert_eq!(slugs.len(), 200_000);
    }

    #[test]
    fn weighted_picks_follow_their_counts() {
        let weighted = Weighted::new(vec![("a", 9), ("b", 1), ("never", 0)]);
        let mut rng = Rng::new(3);
        let picks: Vec<&str> = (0..10_000).map(|_| *weighted.pick(&mut rng)).collect();
        let a = picks.iter().filter(|p| **p == "a").count();
        assert!((8_500..9_500).contains(&a), "{a}");
        assert!(!picks.contains(&"never"));
    }
}

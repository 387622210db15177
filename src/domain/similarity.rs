//! `Film.similarFilms` for every film of the catalogue, not only those with
//! a page document: the films most like each film by shared principal
//! people (directors count most, then writers, then the principal cast),
//! shared genres and decade, each with the reason in words. Computed whole
//! after every import (a few seconds for the bundled catalogue) and stored
//! (`film_similarity`), so a page reads it through a loader like any section.

use std::collections::HashMap;

use crate::db::queries::content_version;
use crate::db::queries::similarity::{self as statements, Similarity};
use crate::db::{Db, DbErr};

/// Similar films kept per film.
pub const KEPT: usize = 20;
/// Below this a pair is not similar enough to show (one shared genre and
/// the same decade is not enough; one shared director is).
const LEAST_SCORE: f64 = 2.0;
/// Films drawn per genre and decade for films that share no one.
const FALLBACK_PER_GENRE: usize = 30;
/// A person's films compared at most, the best rated first: the work grows
/// with the square of a person's films, and sharing someone with thousands
/// of credits says little.
const FILMS_PER_PERSON: usize = 1_000;
/// Films whose similar films are written per insert: memory stays flat
/// whatever the catalogue's size.
const FILMS_PER_CHUNK: usize = 5_000;
/// Advisory lock key of rebuilds.
const REBUILD_LOCK: i64 = 0x6369_6e65_7369; // "cinesi"

const DIRECTOR: f64 = 4.0;
const WRITER: f64 = 2.0;
const CAST: f64 = 1.5;
/// At most this many shared cast members count.
const CAST_COUNTED: usize = 4;
/// Times the share of genres in common (Jaccard).
const GENRES: f64 = 2.0;
const SAME_DECADE: f64 = 1.0;
const NEXT_DECADE: f64 = 0.5;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Role {
    Director,
    Writer,
    Cast,
}

impl Role {
    fn parse(kind: &str) -> Option<Self> {
        match kind {
            "DIRECTOR" => Some(Role::Director),
            "WRITER" => Some(Role::Writer),
            "CAST" => Some(Role::Cast),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Film {
    id: i32,
    decade: Option<i32>,
    rating: f64,
    genres: Vec<u16>,
    people: Vec<(Role, i32)>,
}

/// What two films share.
#[derive(Default)]
struct Shared {
    directors: Vec<i32>,
    writers: Vec<i32>,
    cast: Vec<i32>,
}

/// The facts of every film, indexed for comparison.
struct Catalogue {
    films: Vec<Film>,
    genre_names: Vec<String>,
    people: HashMap<i32, String>,
    /// Films (indexes) by role and person.
    by_person: HashMap<(Role, i32), Vec<usize>>,
    /// Films (indexes) by genre and decade, the best rated first.
    by_genre_decade: HashMap<(u16, i32), Vec<usize>>,
}

impl Catalogue {
    async fn read(db: &Db) -> Result<Self, DbErr> {
        let conn = db.connection();
        let rows = statements::films(conn).await?;
        let mut index = HashMap::with_capacity(rows.len());
        let mut films = Vec::with_capacity(rows.len());
        for (i, (id, year, rating)) in rows.into_iter().enumerate() {
            index.insert(id, i);
            films.push(Film {
                id,
                decade: year.map(|y| y.div_euclid(10) * 10),
                rating: rating.unwrap_or(0.0),
                ..Film::default()
            });
        }
        let mut genre_ids: HashMap<String, u16> = HashMap::new();
        let mut genre_names = Vec::new();
        for (film, name) in statements::genres(conn).await? {
            let Some(&i) = index.get(&film) else { continue };
            let next = genre_names.len() as u16;
            let genre = *genre_ids.entry(name.clone()).or_insert_with(|| {
                genre_names.push(name);
                next
            });
            films[i].genres.push(genre);
        }
        let mut people = HashMap::new();
        let mut by_person: HashMap<(Role, i32), Vec<usize>> = HashMap::new();
        for (film, person, name, kind) in statements::principal_people(conn).await? {
            let (Some(&i), Some(role)) = (index.get(&film), Role::parse(&kind)) else {
                continue;
            };
            films[i].people.push((role, person));
            by_person.entry((role, person)).or_default().push(i);
            people.entry(person).or_insert(name);
        }
        for posting in by_person.values_mut() {
            if posting.len() > FILMS_PER_PERSON {
                posting
                    .sort_by(|a, b| films[*b].rating.total_cmp(&films[*a].rating).then(a.cmp(b)));
                posting.truncate(FILMS_PER_PERSON);
            }
        }
        let mut by_genre_decade: HashMap<(u16, i32), Vec<usize>> = HashMap::new();
        for (i, film) in films.iter().enumerate() {
            if let Some(decade) = film.decade {
                for genre in &film.genres {
                    by_genre_decade.entry((*genre, decade)).or_default().push(i);
                }
            }
        }
        for bucket in by_genre_decade.values_mut() {
            bucket.sort_by(|a, b| films[*b].rating.total_cmp(&films[*a].rating).then(a.cmp(b)));
            bucket.truncate(FALLBACK_PER_GENRE + 1);
        }
        Ok(Self {
            films,
            genre_names,
            people,
            by_person,
            by_genre_decade,
        })
    }

    /// The films most like film `f`, best first, with their scores and reasons.
    fn similar_to(&self, f: usize) -> Vec<(usize, f64, String)> {
        let film = &self.films[f];
        let mut candidates: HashMap<usize, Shared> = HashMap::new();
        for (role, person) in &film.people {
            for &g in self.by_person.get(&(*role, *person)).into_iter().flatten() {
                if g == f {
                    continue;
                }
                let shared = candidates.entry(g).or_default();
                match role {
                    Role::Director => shared.directors.push(*person),
                    Role::Writer => shared.writers.push(*person),
                    Role::Cast => shared.cast.push(*person),
                }
            }
        }
        if let Some(decade) = film.decade {
            for genre in &film.genres {
                for &g in self
                    .by_genre_decade
                    .get(&(*genre, decade))
                    .into_iter()
                    .flatten()
                {
                    if g != f {
                        candidates.entry(g).or_default();
                    }
                }
            }
        }
        let mut scored: Vec<(usize, f64, Shared)> = candidates
            .into_iter()
            .map(|(g, shared)| (g, self.score(film, &self.films[g], &shared), shared))
            .filter(|(_, score, _)| *score >= LEAST_SCORE)
            .collect();
        scored.sort_by(|(a, sa, _), (b, sb, _)| {
            sb.total_cmp(sa)
                .then(self.films[*b].rating.total_cmp(&self.films[*a].rating))
                .then(self.films[*a].id.cmp(&self.films[*b].id))
        });
        scored.truncate(KEPT);
        scored
            .into_iter()
            .map(|(g, score, shared)| (g, score, self.reason(film, &self.films[g], &shared)))
            .collect()
    }

    fn score(&self, a: &Film, b: &Film, shared: &Shared) -> f64 {
        let common = a.genres.iter().filter(|g| b.genres.contains(g)).count();
        let union = a.genres.len() + b.genres.len() - common;
        let genres = if union == 0 {
            0.0
        } else {
            common as f64 / union as f64
        };
        let decade = match (a.decade, b.decade) {
            (Some(x), Some(y)) if x == y => SAME_DECADE,
            (Some(x), Some(y)) if (x - y).abs() == 10 => NEXT_DECADE,
            _ => 0.0,
        };
        DIRECTOR * shared.directors.len() as f64
            + WRITER * shared.writers.len() as f64
            + CAST * shared.cast.len().min(CAST_COUNTED) as f64
            + GENRES * genres
            + decade
    }

    /// The strongest thing the films share, in words: a shared director,
    /// writer or cast, else the genres (and decade) in common.
    fn reason(&self, a: &Film, b: &Film, shared: &Shared) -> String {
        let names = |ids: &[i32]| {
            let names: Vec<&str> = ids
                .iter()
                .take(2)
                .filter_map(|id| self.people.get(id).map(String::as_str))
                .collect();
            names.join(" and ")
        };
        if !shared.directors.is_empty() {
            return format!("Also directed by {}", names(&shared.directors));
        }
        if shared.cast.len() >= 2 || (shared.writers.is_empty() && !shared.cast.is_empty()) {
            return format!("Also stars {}", names(&shared.cast));
        }
        if !shared.writers.is_empty() {
            return format!("Also written by {}", names(&shared.writers));
        }
        let genres: Vec<&str> = a
            .genres
            .iter()
            .filter(|g| b.genres.contains(g))
            .map(|g| self.genre_names[*g as usize].as_str())
            .collect();
        let genres = match genres.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        match (a.decade, b.decade) {
            (Some(x), Some(y)) if x == y => format!("Also {genres}, from the {x}s"),
            _ => format!("Also {genres}"),
        }
    }
}

/// Computes every film's similar films and replaces the stored ones, in one
/// transaction (one rebuild at a time across servers) that tells every
/// server its cached answers are stale (this server's caller tells its own
/// events), writing a chunk of films at a time. Returns how many pairs
/// were stored.
pub async fn rebuild(db: &Db) -> Result<usize, DbErr> {
    let started = std::time::Instant::now();
    let catalogue = Catalogue::read(db).await?;
    if catalogue.films.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await?;
    crate::db::lock_rebuild(&txn, REBUILD_LOCK).await?;
    statements::clear(&txn).await?;
    let mut pairs = 0;
    for chunk in (0..catalogue.films.len())
        .collect::<Vec<_>>()
        .chunks(FILMS_PER_CHUNK)
    {
        let mut rows: Vec<Similarity> = Vec::new();
        for &f in chunk {
            for (rank, (g, score, reason)) in catalogue.similar_to(f).into_iter().enumerate() {
                rows.push((
                    catalogue.films[f].id,
                    catalogue.films[g].id,
                    score,
                    rank as i32 + 1,
                    reason,
                ));
            }
        }
        pairs += rows.len();
        statements::insert(&txn, rows).await?;
    }
    // Cached answers showed the old similar films, on every server.
    content_version::bump(&txn).await?;
    txn.commit().await?;
    tracing::info!(
        films = catalogue.films.len(),
        pairs,
        seconds = started.elapsed().as_secs_f64(),
        "computed similar films"
    );
    Ok(pairs)
}

/// Computes the similar films when none are stored but films are (a
/// database from before them).
pub async fn rebuild_if_missing(db: &Db) -> Result<(), DbErr> {
    if statements::is_empty(db.connection()).await? {
        rebuild(db).await?;
    }
    Ok(())
}

//! Parsing and checking a document before anything is written. Every problem is
//! reported with the JSON path of the value at fault.

use std::collections::HashSet;

use chrono::Datelike;

mod details;
mod sections;

pub use details::{is_country_code, is_language_tag};

use super::document::{FORMAT, FilmFacts, FilmPage, FilmRef};
use crate::import::{ImportError, json};
use crate::kinds::*;
use crate::text::slugify;

/// Parses `text` and checks every rule the database and the API rely on.
pub fn parse(source: &str, text: &str) -> Result<FilmPage, ImportError> {
    let page: FilmPage = json::from_str(text).map_err(|problem| ImportError {
        source: source.to_string(),
        path: problem.path,
        message: problem.message,
    })?;
    let mut check = Checker {
        source,
        errors: Vec::new(),
    };
    check.page(&page);
    match check.errors.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(page),
    }
}

/// Checks a film's own facts by the rules a document's `film` follows: the
/// editing mutations' check (one validator, two callers). Without
/// `imdb_id`, the IMDb id is not checked: a catalogue film may have none
/// (empty here), which a document may not.
pub fn film_facts(source: &str, film: &FilmFacts, imdb_id: bool) -> Result<(), ImportError> {
    let mut check = Checker {
        source,
        errors: Vec::new(),
    };
    check.film(film, imdb_id);
    check.errors.into_iter().next().map_or(Ok(()), Err)
}

/// `tt` followed by 7 to 9 digits.
pub fn is_imdb_id(value: &str) -> bool {
    let digits = value.strip_prefix("tt").unwrap_or("");
    (7..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Lowercase letters, digits and inner hyphens, at most 200 bytes.
pub fn is_slug(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 200
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
}

struct Checker<'a> {
    source: &'a str,
    errors: Vec<ImportError>,
}

impl Checker<'_> {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ImportError {
            source: self.source.to_string(),
            path: path.into(),
            message: message.into(),
        });
    }

    fn require(&mut self, ok: bool, path: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.fail(path, message);
        }
    }

    fn text(&mut self, value: &str, path: String) {
        self.require(!value.trim().is_empty(), path, "must not be empty");
    }

    fn kind<K>(
        &mut self,
        value: &str,
        path: String,
        parse: fn(&str) -> Option<K>,
        expected: String,
    ) {
        if parse(value).is_none() {
            self.fail(
                path,
                format!("unknown value {value:?}; expected one of {expected}"),
            );
        }
    }

    fn unique<'v>(
        &mut self,
        seen: &mut HashSet<&'v str>,
        value: &'v str,
        path: String,
        what: &str,
    ) {
        if !seen.insert(value) {
            self.fail(path, format!("duplicate {what} {value:?}"));
        }
    }

    /// A name films share through its slug (genres, keywords): "Sci-Fi" and
    /// "sci fi" would be one listed twice.
    fn shared_name(&mut self, seen: &mut HashSet<String>, name: &str, path: String, what: &str) {
        let slug = slugify(name);
        if slug.is_empty() {
            self.fail(path, "must contain a letter or a digit");
        } else if !seen.insert(slug) {
            self.fail(
                path,
                format!("duplicate {what} {name:?} ({what}s that differ only in case, accents or punctuation are one)"),
            );
        }
    }

    fn reference(&mut self, known: &HashSet<&str>, value: &str, path: String, what: &str) {
        if !known.contains(value) {
            self.fail(path, format!("unknown {what} {value:?}; declare it first"));
        }
    }

    fn film_ref(&mut self, film: &FilmRef, path: &str) {
        self.imdb_id(&film.imdb_id, format!("{path}.imdbId"));
        self.text(&film.title, format!("{path}.title"));
        if let Some(year) = film.release_year {
            self.year(year, format!("{path}.releaseYear"));
        }
    }

    fn imdb_id(&mut self, value: &str, path: String) {
        self.require(
            is_imdb_id(value),
            path,
            format!("{value:?} is not an IMDb id (tt followed by 7 to 9 digits)"),
        );
    }

    fn slug(&mut self, value: &str, path: String) {
        self.require(
            is_slug(value),
            path,
            format!("{value:?} is not a slug (lowercase letters, digits and inner hyphens)"),
        );
    }

    fn year(&mut self, year: i32, path: String) {
        self.require(
            (1870..=2100).contains(&year),
            path,
            format!("{year} is not a plausible year"),
        );
    }

    fn page(&mut self, page: &FilmPage) {
        self.require(
            page.format == FORMAT,
            "format",
            format!("unsupported format {:?}; expected {FORMAT:?}", page.format),
        );
        self.film(&page.film, true);
        let mut people = HashSet::new();
        for (i, person) in page.people.iter().enumerate() {
            self.slug(&person.slug, format!("people[{i}].slug"));
            self.text(&person.name, format!("people[{i}].name"));
            self.unique(
                &mut people,
                &person.slug,
                format!("people[{i}].slug"),
                "person",
            );
        }
        let mut characters = HashSet::new();
        let mut character_names = HashSet::new();
        for (i, character) in page.characters.iter().enumerate() {
            self.text(&character.key, format!("characters[{i}].key"));
            self.text(&character.name, format!("characters[{i}].name"));
            self.unique(
                &mut characters,
                &character.key,
                format!("characters[{i}].key"),
                "character key",
            );
            self.unique(
                &mut character_names,
                &character.name,
                format!("characters[{i}].name"),
                "character name",
            );
        }
        let mut billing = HashSet::new();
        let mut given = HashSet::new();
        for (i, credit) in page.credits.iter().enumerate() {
            let path = format!("credits[{i}]");
            self.require(
                given.insert((&credit.person, &credit.kind, &credit.character, &credit.job)),
                path.clone(),
                format!(
                    "{} credit of {:?} is given twice",
                    credit.kind, credit.person
                ),
            );
            self.reference(&people, &credit.person, format!("{path}.person"), "person");
            self.kind(
                &credit.kind,
                format!("{path}.kind"),
                CreditKind::parse,
                CreditKind::expected(),
            );
            let is_cast = credit.kind == CreditKind::Cast.as_str();
            if let Some(character) = &credit.character {
                self.require(
                    is_cast,
                    format!("{path}.character"),
                    "only CAST credits have a character",
                );
                self.reference(
                    &characters,
                    character,
                    format!("{path}.character"),
                    "character",
                );
            }
            if let Some(order) = credit.billing_order {
                self.require(
                    is_cast,
                    format!("{path}.billingOrder"),
                    "only CAST credits have a billing order",
                );
                self.require(
                    order >= 1,
                    format!("{path}.billingOrder"),
                    "must be 1 or more",
                );
                self.require(
                    billing.insert(order),
                    format!("{path}.billingOrder"),
                    format!("billing order {order} is used twice"),
                );
            }
        }
        if let Some(work) = &page.based_on {
            self.kind(
                &work.kind,
                "basedOn.kind".into(),
                SourceWorkKind::parse,
                SourceWorkKind::expected(),
            );
            self.text(&work.title, "basedOn.title".into());
            if let Some(year) = work.published_year {
                self.year(year, "basedOn.publishedYear".into());
            }
            for (i, author) in work.authors.iter().enumerate() {
                self.reference(&people, author, format!("basedOn.authors[{i}]"), "person");
            }
        }
        self.sections(page, &people, &characters);
        self.details(page, &people);
    }

    /// The film's own facts, genres, countries and languages; its IMDb id
    /// only with `imdb_id` (every document has one).
    fn film(&mut self, film: &FilmFacts, imdb_id: bool) {
        if imdb_id {
            self.imdb_id(&film.imdb_id, "film.imdbId".into());
        }
        self.slug(&film.slug, "film.slug".into());
        self.text(&film.title, "film.title".into());
        if let Some(year) = film.release_year {
            self.year(year, "film.releaseYear".into());
        }
        if let Some(date) = film.release_date {
            self.year(date.year(), "film.releaseDate".into());
        }
        if let (Some(date), Some(year)) = (film.release_date, film.release_year) {
            self.require(
                date.year() == year,
                "film.releaseYear",
                format!("{year} disagrees with releaseDate {date}"),
            );
        }
        if let Some(minutes) = film.runtime_minutes {
            self.require(
                (1..=1000).contains(&minutes),
                "film.runtimeMinutes",
                "must be between 1 and 1000",
            );
        }
        let mut genres = HashSet::new();
        for (i, name) in film.genres.iter().enumerate() {
            self.shared_name(&mut genres, name, format!("film.genres[{i}]"), "genre");
        }
        for (field, values) in [
            ("countries", &film.countries),
            ("languages", &film.languages),
        ] {
            let mut seen = HashSet::new();
            for (i, value) in values.iter().enumerate() {
                self.text(value, format!("film.{field}[{i}]"));
                self.unique(
                    &mut seen,
                    value,
                    format!("film.{field}[{i}]"),
                    field.trim_end_matches('s'),
                );
            }
        }
    }
}

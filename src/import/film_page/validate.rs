//! Parsing and checking a document before anything is written. Every problem is
//! reported with the JSON path of the value at fault.

use std::collections::HashSet;

use chrono::Datelike;

use super::document::{FORMAT, FilmPage, FilmRef};
use crate::db::queries::origins::CATALOGUE_PROVIDERS;
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

/// `tt` followed by 7 to 9 digits.
pub fn is_imdb_id(value: &str) -> bool {
    let digits = value.strip_prefix("tt").unwrap_or("");
    (7..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
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
        let ok = !value.is_empty()
            && value.len() <= 200
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        self.require(
            ok,
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
        let film = &page.film;
        self.imdb_id(&film.imdb_id, "film.imdbId".into());
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
        // Genres are shared by slug: "Sci-Fi" and "sci fi" would be one genre listed twice.
        let mut genres = HashSet::new();
        for (i, name) in film.genres.iter().enumerate() {
            let slug = slugify(name);
            if slug.is_empty() {
                self.fail(
                    format!("film.genres[{i}]"),
                    "must contain a letter or a digit",
                );
            } else if !genres.insert(slug) {
                self.fail(
                    format!("film.genres[{i}]"),
                    format!("duplicate genre {name:?} (genres that differ only in case, accents or punctuation are one)"),
                );
            }
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
        for (i, quote) in page.quotes.iter().enumerate() {
            self.text(&quote.text, format!("quotes[{i}].text"));
            if let Some(character) = &quote.character {
                self.reference(
                    &characters,
                    character,
                    format!("quotes[{i}].character"),
                    "character",
                );
            }
        }
        for (i, section) in page.synopsis.iter().enumerate() {
            self.text(&section.heading, format!("synopsis[{i}].heading"));
            self.text(&section.body, format!("synopsis[{i}].body"));
        }
        let mut sources = HashSet::new();
        for (i, rating) in page.external_ratings.iter().enumerate() {
            let path = format!("externalRatings[{i}]");
            self.kind(
                &rating.source,
                format!("{path}.source"),
                RatingSource::parse,
                RatingSource::expected(),
            );
            self.unique(
                &mut sources,
                &rating.source,
                format!("{path}.source"),
                "rating source",
            );
            self.require(
                rating.scale > 0.0 && rating.scale.is_finite(),
                format!("{path}.scale"),
                "must be positive",
            );
            self.require(
                rating.value >= 0.0 && rating.value <= rating.scale,
                format!("{path}.value"),
                format!("{} is outside 0..={}", rating.value, rating.scale),
            );
            if let Some(votes) = rating.votes {
                self.require(votes >= 0, format!("{path}.votes"), "must not be negative");
            }
        }
        let mut figures = HashSet::new();
        for (i, figure) in page.box_office.iter().enumerate() {
            let path = format!("boxOffice[{i}]");
            self.kind(
                &figure.kind,
                format!("{path}.kind"),
                BoxOfficeKind::parse,
                BoxOfficeKind::expected(),
            );
            self.require(
                figure.amount >= 0,
                format!("{path}.amount"),
                "must not be negative",
            );
            let currency_ok = figure.currency.len() == 3
                && figure.currency.bytes().all(|b| b.is_ascii_uppercase());
            self.require(
                currency_ok,
                format!("{path}.currency"),
                "must be an ISO 4217 code such as USD",
            );
            self.text(&figure.source, format!("{path}.source"));
            // The catalogue replaces its own figures by these names on every import.
            self.require(
                !CATALOGUE_PROVIDERS.contains(&figure.source.as_str()),
                format!("{path}.source"),
                format!(
                    "{:?} is reserved for the catalogue's figures",
                    figure.source
                ),
            );
            self.require(
                figures.insert((figure.kind.as_str(), figure.source.as_str())),
                format!("{path}.kind"),
                format!("{} from {:?} is given twice", figure.kind, figure.source),
            );
        }
        for (i, review) in page.reviews.iter().enumerate() {
            let path = format!("reviews[{i}]");
            let allowed = [ReviewKind::Critic.as_str(), ReviewKind::Editorial.as_str()];
            self.require(
                allowed.contains(&review.kind.as_str()),
                format!("{path}.kind"),
                format!("unknown value {:?}; expected one of CRITIC, EDITORIAL (user reviews come from users)", review.kind),
            );
            self.text(&review.body, format!("{path}.body"));
            if review.kind == ReviewKind::Critic.as_str() {
                self.require(
                    review.author.is_some(),
                    format!("{path}.author"),
                    "a critic review needs its critic",
                );
            }
            if let Some(score) = review.score {
                self.require(
                    (0.0..=10.0).contains(&score),
                    format!("{path}.score"),
                    "must be between 0 and 10",
                );
            }
        }
        for (i, reaction) in page.audience_reactions.iter().enumerate() {
            self.text(
                &reaction.headline,
                format!("audienceReactions[{i}].headline"),
            );
            self.text(
                &reaction.description,
                format!("audienceReactions[{i}].description"),
            );
        }
        for (field, values) in [
            ("recommendedFor", &page.recommended_for),
            ("contentWarnings", &page.content_warnings),
            ("trivia", &page.trivia),
        ] {
            for (i, value) in values.iter().enumerate() {
                self.text(value, format!("{field}[{i}]"));
            }
        }
        for (i, nomination) in page.nominations.iter().enumerate() {
            let path = format!("nominations[{i}]");
            self.text(&nomination.organization, format!("{path}.organization"));
            // Awards are shared by slug, so the name needs a letter or a digit.
            self.require(
                !slugify(&nomination.award).is_empty(),
                format!("{path}.award"),
                "must contain a letter or a digit",
            );
            self.text(&nomination.category, format!("{path}.category"));
            self.year(nomination.year, format!("{path}.year"));
            let mut seen = HashSet::new();
            for (j, person) in nomination.recipients.iter().enumerate() {
                self.reference(&people, person, format!("{path}.recipients[{j}]"), "person");
                self.unique(
                    &mut seen,
                    person,
                    format!("{path}.recipients[{j}]"),
                    "recipient",
                );
            }
        }
        for (i, entry) in page.faq.iter().enumerate() {
            self.text(&entry.question, format!("faq[{i}].question"));
            self.text(&entry.answer, format!("faq[{i}].answer"));
        }
        for (i, video) in page.videos.iter().enumerate() {
            self.kind(
                &video.kind,
                format!("videos[{i}].kind"),
                VideoKind::parse,
                VideoKind::expected(),
            );
            self.text(&video.title, format!("videos[{i}].title"));
        }
        for (i, track) in page.soundtrack.iter().enumerate() {
            self.text(&track.title, format!("soundtrack[{i}].title"));
            for (j, artist) in track.artists.iter().enumerate() {
                self.text(artist, format!("soundtrack[{i}].artists[{j}]"));
            }
            if let Some(seconds) = track.duration_seconds {
                self.require(
                    seconds > 0,
                    format!("soundtrack[{i}].durationSeconds"),
                    "must be positive",
                );
            }
        }
        for (i, location) in page.filming_locations.iter().enumerate() {
            self.text(&location.place, format!("filmingLocations[{i}].place"));
        }
        for (i, offer) in page.offers.iter().enumerate() {
            self.text(&offer.platform, format!("offers[{i}].platform"));
            self.kind(
                &offer.kind,
                format!("offers[{i}].kind"),
                OfferKind::parse,
                OfferKind::expected(),
            );
        }
        let mut similar = HashSet::new();
        for (i, entry) in page.similar_films.iter().enumerate() {
            let path = format!("similarFilms[{i}]");
            self.film_ref(&entry.film, &format!("{path}.film"));
            self.require(
                entry.film.imdb_id != film.imdb_id,
                format!("{path}.film.imdbId"),
                "a film is not similar to itself",
            );
            self.unique(
                &mut similar,
                &entry.film.imdb_id,
                format!("{path}.film.imdbId"),
                "similar film",
            );
            self.text(&entry.reason, format!("{path}.reason"));
        }
        let mut products = HashSet::new();
        for (i, product) in page.products.iter().enumerate() {
            let path = format!("products[{i}]");
            self.slug(&product.slug, format!("{path}.slug"));
            self.unique(
                &mut products,
                &product.slug,
                format!("{path}.slug"),
                "product",
            );
            self.text(&product.name, format!("{path}.name"));
            self.kind(
                &product.kind,
                format!("{path}.kind"),
                ProductKind::parse,
                ProductKind::expected(),
            );
            self.require(
                !product.films.is_empty(),
                format!("{path}.films"),
                "a product covers at least one film",
            );
            let mut covered = HashSet::new();
            for (j, covered_film) in product.films.iter().enumerate() {
                self.film_ref(covered_film, &format!("{path}.films[{j}]"));
                self.unique(
                    &mut covered,
                    &covered_film.imdb_id,
                    format!("{path}.films[{j}].imdbId"),
                    "film",
                );
            }
        }
    }
}

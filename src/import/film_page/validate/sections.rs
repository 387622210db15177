//! The rules of a page's lists: quotes, synopsis, outside ratings, box
//! office, reviews, audience reactions, nominations, FAQ, videos, soundtrack,
//! locations, offers, similar films and products.

use std::collections::HashSet;

use super::Checker;
use crate::db::queries::origins::CATALOGUE_PROVIDERS;
use crate::import::film_page::document::FilmPage;
use crate::kinds::*;
use crate::text::slugify;

impl Checker<'_> {
    pub(super) fn sections(
        &mut self,
        page: &FilmPage,
        people: &HashSet<&str>,
        characters: &HashSet<&str>,
    ) {
        let film = &page.film;
        for (i, quote) in page.quotes.iter().enumerate() {
            self.text(&quote.text, format!("quotes[{i}].text"));
            if let Some(character) = &quote.character {
                self.reference(
                    characters,
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
                self.reference(people, person, format!("{path}.recipients[{j}]"), "person");
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

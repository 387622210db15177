//! The film row of a page, and its genres, countries and languages.

use chrono::Utc;

use super::document::FilmFacts;
use crate::db::entities::{NotSet, Set, film, film_country, film_genre, film_language};
use crate::db::queries::{editing, film_details, film_page as statements, summaries};
use crate::db::{DbErr, Transaction};
use crate::text::fold;

/// The `document_hash` of a film an editor changed or created: no document's
/// hash (so importing its last document again is not "unchanged"), and still
/// page facts the catalogue does not overwrite.
pub const EDITED: &str = "edited";

/// The film as written: what the other sections need of it.
pub struct WrittenFilm {
    pub id: i32,
    pub imdb_id: String,
    /// The release year, known or derived from the date.
    pub release_year: Option<i32>,
}

/// Creates the film, or updates `existing` (the film being written) in
/// place, keeping its id, creation time and version (the writer raised it).
/// A film renamed to a new slug keeps the old one as a redirect, and a slug
/// a film takes stops redirecting to any other. `hash` is the document's, or
/// [`EDITED`]. An empty IMDb id (an editor's change of a film that has none)
/// is stored as none.
pub async fn write(
    txn: &Transaction,
    facts: &FilmFacts,
    existing: Option<film::Model>,
    hash: &str,
) -> Result<WrittenFilm, DbErr> {
    let now = Utc::now();
    let release_year = facts
        .release_year
        .or(facts.release_date.map(|d| chrono::Datelike::year(&d)));
    let mut row = film::ActiveModel {
        slug: Set(facts.slug.clone()),
        imdb_id: Set(Some(facts.imdb_id.clone()).filter(|id| !id.is_empty())),
        title: Set(facts.title.clone()),
        title_sort: Set(fold(&facts.title)),
        original_title: Set(facts.original_title.clone()),
        release_date: Set(facts.release_date),
        release_year: Set(release_year),
        release_sort: Set(summaries::release_sort(facts.release_date, release_year)),
        runtime_minutes: Set(facts.runtime_minutes),
        certification: Set(facts.certification.clone()),
        tagline: Set(facts.tagline.clone()),
        badly_explained_plot: Set(facts.badly_explained_plot.clone()),
        overview: Set(facts.overview.clone()),
        ending_explained: Set(facts.ending_explained.clone()),
        consensus: Set(facts.consensus.clone()),
        where_to_watch_note: Set(facts.where_to_watch_note.clone()),
        soundtrack_note: Set(facts.soundtrack_note.clone()),
        document_hash: Set(Some(hash.to_string())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    editing::drop_redirect(txn, &facts.slug).await?;
    if let Some(old) = existing {
        row.id = Set(old.id);
        row.created_at = Set(old.created_at);
        if old.slug != facts.slug {
            editing::keep_redirect(txn, &old.slug, old.id).await?;
        }
    } else {
        row.id = NotSet;
    }
    let id = statements::save_film(txn, row).await?;
    Ok(WrittenFilm {
        id,
        imdb_id: facts.imdb_id.clone(),
        release_year,
    })
}

/// The film's genres (created when new), countries and languages, in page order.
pub async fn write_lists(txn: &Transaction, film_id: i32, facts: &FilmFacts) -> Result<(), DbErr> {
    let mut genres = Vec::with_capacity(facts.genres.len());
    for (position, name) in facts.genres.iter().enumerate() {
        let genre_id = film_details::upsert_genre(txn, name).await?;
        genres.push(film_genre::ActiveModel {
            film_id: Set(film_id),
            genre_id: Set(genre_id),
            position: Set(position as i32),
        });
    }
    statements::insert_all(txn, genres).await?;
    let countries = facts
        .countries
        .iter()
        .enumerate()
        .map(|(position, country)| film_country::ActiveModel {
            film_id: Set(film_id),
            country: Set(country.clone()),
            position: Set(position as i32),
        });
    statements::insert_all(txn, countries.collect()).await?;
    let languages = facts
        .languages
        .iter()
        .enumerate()
        .map(|(position, language)| film_language::ActiveModel {
            film_id: Set(film_id),
            language: Set(language.clone()),
            position: Set(position as i32),
        });
    statements::insert_all(txn, languages.collect()).await
}

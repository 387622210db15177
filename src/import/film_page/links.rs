//! What a page shares with the rest of the catalogue: award nominations
//! (awards are shared by slug), similar films and the films of products
//! (other films, by IMDb id, created from the reference when the catalogue
//! does not have them yet, so a later catalogue import merges with them).

use chrono::Utc;

use super::document::{FilmPage, FilmRef};
use super::film::WrittenFilm;
use super::people::Keys;
use crate::db::entities::*;
use crate::db::queries::{film_page as statements, summaries};
use crate::db::{DbErr, Transaction};
use crate::text::{fold, slugify};

pub async fn write(
    txn: &Transaction,
    film: &WrittenFilm,
    page: &FilmPage,
    keys: &Keys<'_>,
) -> Result<(), DbErr> {
    for entry in &page.nominations {
        let award_id = statements::upsert_award(txn, &entry.organization, &entry.award).await?;
        let nomination = nomination::ActiveModel {
            id: NotSet,
            film_id: Set(film.id),
            award_id: Set(award_id),
            year: Set(entry.year),
            category: Set(entry.category.clone()),
            won: Set(entry.won),
        };
        let nomination_id = statements::insert_nomination(txn, nomination).await?;
        let recipients = entry
            .recipients
            .iter()
            .map(|person| nomination_recipient::ActiveModel {
                nomination_id: Set(nomination_id),
                person_id: Set(keys.people[person.as_str()]),
            });
        statements::insert_all(txn, recipients.collect()).await?;
    }
    for (position, entry) in page.similar_films.iter().enumerate() {
        let other = find_or_create_film(txn, &entry.film).await?;
        let row = similar_film::ActiveModel {
            id: NotSet,
            film_id: Set(film.id),
            similar_film_id: Set(other),
            position: Set(position as i32 + 1),
            reason: Set(entry.reason.clone()),
        };
        statements::insert_all(txn, vec![row]).await?;
    }
    for product in &page.products {
        let row = product::ActiveModel {
            id: NotSet,
            slug: Set(product.slug.clone()),
            name: Set(product.name.clone()),
            kind: Set(product.kind.clone()),
            description: Set(product.description.clone()),
        };
        let product_id = statements::upsert_product(txn, row).await?;
        statements::clear_product_films(txn, product_id).await?;
        for (position, covered) in product.films.iter().enumerate() {
            let covered_id = if covered.imdb_id == film.imdb_id {
                film.id
            } else {
                find_or_create_film(txn, covered).await?
            };
            let link = product_film::ActiveModel {
                product_id: Set(product_id),
                film_id: Set(covered_id),
                position: Set(position as i32 + 1),
            };
            statements::insert_all(txn, vec![link]).await?;
        }
    }
    Ok(())
}

/// The film with this IMDb id, created from the reference's facts when the
/// catalogue does not have it yet (the catalogue import fills it in later).
async fn find_or_create_film(txn: &Transaction, film_ref: &FilmRef) -> Result<i32, DbErr> {
    if let Some(found) = statements::film_by_imdb_id(txn, &film_ref.imdb_id).await? {
        return Ok(found.id);
    }
    // The title's slug, else with the year, else with the IMDb id (unique among films).
    let base = slugify(&film_ref.title);
    let id = film_ref.imdb_id.to_lowercase();
    let mut candidates = Vec::new();
    if !base.is_empty() {
        candidates.push(base.clone());
        if let Some(year) = film_ref.release_year {
            candidates.push(format!("{base}-{year}"));
        }
        candidates.push(format!("{base}-{id}"));
    } else {
        candidates.push(id);
    }
    let taken = statements::taken_film_slugs(txn, &candidates).await?;
    // With every candidate taken the last goes in, the unique slug refuses it
    // and the whole document rolls back.
    let slug = candidates
        .iter()
        .find(|c| !taken.contains(c))
        .unwrap_or(&candidates[candidates.len() - 1])
        .clone();
    let now = Utc::now();
    let row = film::ActiveModel {
        slug: Set(slug),
        imdb_id: Set(Some(film_ref.imdb_id.clone())),
        title: Set(film_ref.title.clone()),
        title_sort: Set(fold(&film_ref.title)),
        release_year: Set(film_ref.release_year),
        release_sort: Set(summaries::release_sort(None, film_ref.release_year)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    statements::insert_film(txn, row).await
}

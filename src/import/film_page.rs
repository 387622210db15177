//! Writing one validated film page to the database, in one transaction.

use std::collections::HashMap;
use std::fmt;

use chrono::Utc;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::ImportError;
use super::document::{FilmPage, FilmRef};
use crate::db::content_version;
use crate::db::entities::*;
use crate::kinds::ARTIST_SEPARATOR;
use crate::kinds::{CreditKind, ReviewKind};
use crate::text::{fold, slugify};

use super::{CATALOGUE_PROVIDERS, DOCUMENT_PROVIDER, ORIGIN_DOCUMENT, summaries};

/// What an import did to its film.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// The same document was imported before: nothing was written.
    Unchanged,
    /// A catalogue file with this many films was imported.
    Catalogue(usize),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Created => f.write_str("created"),
            Outcome::Updated => f.write_str("updated"),
            Outcome::Unchanged => f.write_str("unchanged"),
            Outcome::Catalogue(films) => write!(f, "catalogue of {films} films imported"),
        }
    }
}

pub async fn write(
    db: &DatabaseConnection,
    source: &str,
    page: &FilmPage,
    bytes: &[u8],
) -> Result<Outcome, ImportError> {
    let hash = hex::encode(Sha256::digest(bytes));
    let fail = |err: DbErr| {
        tracing::error!(file = source, error = %err, "import failed; rolled back");
        ImportError {
            source: source.to_string(),
            path: String::new(),
            message: format!("the database refused the document ({err}); nothing was written"),
        }
    };
    let txn = db.begin().await.map_err(fail)?;
    // Dropping the transaction on this early return rolls it back.
    if let Some(other) = slug_owner(&txn, page).await.map_err(fail)? {
        return Err(ImportError {
            source: source.to_string(),
            path: "film.slug".to_string(),
            message: format!(
                "{:?} is already the slug of another film ({:?}, IMDb id {})",
                page.film.slug,
                other.title,
                other.imdb_id.as_deref().unwrap_or("none")
            ),
        });
    }
    let outcome = write_in(&txn, page, &hash).await.map_err(fail)?;
    txn.commit().await.map_err(fail)?;
    crate::db::content_version::committed();
    Ok(outcome)
}

/// Another film that holds the document's slug: the write would fail on the
/// unique slug without saying which film is in the way.
async fn slug_owner(
    txn: &DatabaseTransaction,
    page: &FilmPage,
) -> Result<Option<film::Model>, DbErr> {
    let owner = film::Entity::find()
        .filter(film::Column::Slug.eq(&page.film.slug))
        .one(txn)
        .await?;
    Ok(owner.filter(|f| f.imdb_id.as_deref() != Some(page.film.imdb_id.as_str())))
}

async fn write_in(
    txn: &DatabaseTransaction,
    page: &FilmPage,
    hash: &str,
) -> Result<Outcome, DbErr> {
    let facts = &page.film;
    let now = Utc::now();
    let existing = film::Entity::find()
        .filter(film::Column::ImdbId.eq(&facts.imdb_id))
        .one(txn)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|f| f.document_hash.as_deref() == Some(hash))
    {
        return Ok(Outcome::Unchanged);
    }
    let outcome = if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    };
    content_version::bump(txn).await?;
    let release_year = facts
        .release_year
        .or(facts.release_date.map(|d| chrono::Datelike::year(&d)));
    let mut row = film::ActiveModel {
        slug: Set(facts.slug.clone()),
        imdb_id: Set(Some(facts.imdb_id.clone())),
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
    let film_id = match existing {
        Some(old) => {
            row.id = Set(old.id);
            row.created_at = Set(old.created_at);
            row.update(txn).await?.id
        }
        None => row.insert(txn).await?.id,
    };
    clear_film_sections(txn, film_id).await?;

    // Genres, countries, languages.
    for (position, name) in facts.genres.iter().enumerate() {
        let genre_id = upsert_genre(txn, name).await?;
        film_genre::ActiveModel {
            film_id: Set(film_id),
            genre_id: Set(genre_id),
            position: Set(position as i32),
        }
        .insert(txn)
        .await?;
    }
    for (position, country) in facts.countries.iter().enumerate() {
        film_country::ActiveModel {
            film_id: Set(film_id),
            country: Set(country.clone()),
            position: Set(position as i32),
        }
        .insert(txn)
        .await?;
    }
    for (position, language) in facts.languages.iter().enumerate() {
        film_language::ActiveModel {
            film_id: Set(film_id),
            language: Set(language.clone()),
            position: Set(position as i32),
        }
        .insert(txn)
        .await?;
    }

    // People and characters keep their ids across re-imports (they are nodes).
    let mut people = HashMap::new();
    for person in &page.people {
        let id = upsert_person(
            txn,
            &person.slug,
            &person.name,
            person.bio.clone(),
            person.birth_date,
        )
        .await?;
        people.insert(person.slug.as_str(), id);
    }
    let characters = sync_characters(txn, film_id, page).await?;

    // Credits: the document's, plus a NOVEL credit for each source work author it does not list.
    let mut credits: Vec<credit::ActiveModel> = page
        .credits
        .iter()
        .map(|c| credit::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            person_id: Set(people[c.person.as_str()]),
            kind: Set(c.kind.clone()),
            job: Set(c.job.clone()),
            billing_order: Set(c.billing_order),
            character_id: Set(c.character.as_ref().map(|k| characters[k.as_str()])),
            origin: Set(ORIGIN_DOCUMENT.to_string()),
            film_year: Set(release_year.unwrap_or(0)),
        })
        .collect();
    if let Some(work) = &page.based_on {
        for author in &work.authors {
            let person_id = people[author.as_str()];
            let novel = CreditKind::Novel.as_str();
            let listed = page
                .credits
                .iter()
                .any(|c| c.person == *author && c.kind == novel);
            if !listed {
                credits.push(credit::ActiveModel {
                    id: NotSet,
                    film_id: Set(film_id),
                    person_id: Set(person_id),
                    kind: Set(novel.to_string()),
                    job: Set(None),
                    billing_order: Set(None),
                    character_id: Set(None),
                    origin: Set(ORIGIN_DOCUMENT.to_string()),
                    film_year: Set(release_year.unwrap_or(0)),
                });
            }
        }
        source_work::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            kind: Set(work.kind.clone()),
            title: Set(work.title.clone()),
            published_year: Set(work.published_year),
            description: Set(work.description.clone()),
        }
        .insert(txn)
        .await?;
    }
    for credit in credits {
        credit.insert(txn).await?;
    }
    summaries::reconcile_catalogue_credits(txn, film_id).await?;

    for (position, quote) in page.quotes.iter().enumerate() {
        quote::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            character_id: Set(quote.character.as_ref().map(|k| characters[k.as_str()])),
            text: Set(quote.text.clone()),
            context: Set(quote.context.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, section) in page.synopsis.iter().enumerate() {
        synopsis_section::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            heading: Set(section.heading.clone()),
            body: Set(section.body.clone()),
            spoiler: Set(section.spoiler),
        }
        .insert(txn)
        .await?;
    }
    for rating in &page.external_ratings {
        external_rating::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            source: Set(rating.source.clone()),
            value: Set(rating.value),
            scale: Set(rating.scale),
            votes: Set(rating.votes),
            provider: Set(DOCUMENT_PROVIDER.to_string()),
        }
        .insert(txn)
        .await?;
    }
    for figure in &page.box_office {
        box_office_figure::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            kind: Set(figure.kind.clone()),
            amount: Set(figure.amount),
            currency: Set(figure.currency.clone()),
            source: Set(figure.source.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, review) in page.reviews.iter().enumerate() {
        review::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            kind: Set(review.kind.clone()),
            user_id: Set(None),
            author: Set(review.author.clone()),
            outlet: Set(review.outlet.clone()),
            title: Set(review.title.clone()),
            body: Set(review.body.clone()),
            score: Set(review.score),
            spoiler: Set(review.spoiler),
            helpful_count: Set(0),
            position: Set(position as i32 + 1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
    }
    for (position, reaction) in page.audience_reactions.iter().enumerate() {
        audience_reaction::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            headline: Set(reaction.headline.clone()),
            description: Set(reaction.description.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, text) in page.content_warnings.iter().enumerate() {
        content_warning::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            text: Set(text.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, text) in page.recommended_for.iter().enumerate() {
        recommended_audience::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            text: Set(text.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, text) in page.trivia.iter().enumerate() {
        trivia::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            text: Set(text.clone()),
        }
        .insert(txn)
        .await?;
    }
    for entry in &page.nominations {
        let award_id = upsert_award(txn, &entry.organization, &entry.award).await?;
        let nomination = nomination::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            award_id: Set(award_id),
            year: Set(entry.year),
            category: Set(entry.category.clone()),
            won: Set(entry.won),
        }
        .insert(txn)
        .await?;
        for person in &entry.recipients {
            nomination_recipient::ActiveModel {
                nomination_id: Set(nomination.id),
                person_id: Set(people[person.as_str()]),
            }
            .insert(txn)
            .await?;
        }
    }
    for (position, entry) in page.faq.iter().enumerate() {
        faq_entry::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            question: Set(entry.question.clone()),
            answer: Set(entry.answer.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, video) in page.videos.iter().enumerate() {
        video::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            kind: Set(video.kind.clone()),
            title: Set(video.title.clone()),
            description: Set(video.description.clone()),
            url: Set(video.url.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, track) in page.soundtrack.iter().enumerate() {
        soundtrack_track::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            title: Set(track.title.clone()),
            artists: Set(track.artists.join(&ARTIST_SEPARATOR.to_string())),
            duration_seconds: Set(track.duration_seconds),
        }
        .insert(txn)
        .await?;
    }
    for (position, location) in page.filming_locations.iter().enumerate() {
        filming_location::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            place: Set(location.place.clone()),
            note: Set(location.note.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, offer) in page.offers.iter().enumerate() {
        offer::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            platform: Set(offer.platform.clone()),
            kind: Set(offer.kind.clone()),
            format: Set(offer.format.clone()),
            region: Set(offer.region.clone()),
            url: Set(offer.url.clone()),
        }
        .insert(txn)
        .await?;
    }
    for (position, entry) in page.similar_films.iter().enumerate() {
        let other = find_or_create_film(txn, &entry.film).await?;
        similar_film::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            similar_film_id: Set(other),
            position: Set(position as i32 + 1),
            reason: Set(entry.reason.clone()),
        }
        .insert(txn)
        .await?;
    }
    for product in &page.products {
        let product_id = upsert_product(txn, product).await?;
        product_film::Entity::delete_many()
            .filter(product_film::Column::ProductId.eq(product_id))
            .exec(txn)
            .await?;
        for (position, covered) in product.films.iter().enumerate() {
            let covered_id = if covered.imdb_id == facts.imdb_id {
                film_id
            } else {
                find_or_create_film(txn, covered).await?
            };
            product_film::ActiveModel {
                product_id: Set(product_id),
                film_id: Set(covered_id),
                position: Set(position as i32 + 1),
            }
            .insert(txn)
            .await?;
        }
    }
    summaries::refresh_films(txn, Some(film_id)).await?;
    summaries::refresh_people(txn).await?;
    // The catalogue's credits of this film, if the page changed its year.
    summaries::refresh_credit_years(txn, Some(film_id)).await?;
    summaries::rebuild_search(txn).await?;
    Ok(outcome)
}

/// Removes what a previous import of this document wrote, except the rows that
/// are nodes clients may hold ids of (characters, people, products), what the
/// catalogue wrote, and users' own reviews and ratings.
async fn clear_film_sections(txn: &DatabaseTransaction, film_id: i32) -> Result<(), DbErr> {
    macro_rules! clear {
        ($($entity:ident),*) => {$(
            $entity::Entity::delete_many().filter($entity::Column::FilmId.eq(film_id)).exec(txn).await?;
        )*};
    }
    clear!(
        film_genre,
        film_country,
        film_language,
        quote,
        synopsis_section,
        audience_reaction,
        content_warning,
        recommended_audience,
        trivia,
        nomination,
        faq_entry,
        video,
        soundtrack_track,
        filming_location,
        offer,
        similar_film,
        source_work
    );
    // The catalogue's credits, ratings and figures for this film stay.
    credit::Entity::delete_many()
        .filter(credit::Column::FilmId.eq(film_id))
        .filter(credit::Column::Origin.eq(ORIGIN_DOCUMENT))
        .exec(txn)
        .await?;
    external_rating::Entity::delete_many()
        .filter(external_rating::Column::FilmId.eq(film_id))
        .filter(external_rating::Column::Provider.eq(DOCUMENT_PROVIDER))
        .exec(txn)
        .await?;
    box_office_figure::Entity::delete_many()
        .filter(box_office_figure::Column::FilmId.eq(film_id))
        .filter(box_office_figure::Column::Source.is_not_in(CATALOGUE_PROVIDERS))
        .exec(txn)
        .await?;
    review::Entity::delete_many()
        .filter(review::Column::FilmId.eq(film_id))
        .filter(review::Column::Kind.ne(ReviewKind::User.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Keeps each character's row (and id) by name; drops the ones the document no longer has.
async fn sync_characters<'p>(
    txn: &DatabaseTransaction,
    film_id: i32,
    page: &'p FilmPage,
) -> Result<HashMap<&'p str, i32>, DbErr> {
    let existing = film_character::Entity::find()
        .filter(film_character::Column::FilmId.eq(film_id))
        .all(txn)
        .await?;
    let mut ids = HashMap::new();
    for (position, character) in page.characters.iter().enumerate() {
        let mut row = film_character::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            name: Set(character.name.clone()),
            description: Set(character.description.clone()),
        };
        let id = match existing.iter().find(|c| c.name == character.name) {
            Some(old) => {
                row.id = Set(old.id);
                row.update(txn).await?.id
            }
            None => row.insert(txn).await?.id,
        };
        ids.insert(character.key.as_str(), id);
    }
    let stale: Vec<i32> = existing
        .iter()
        .filter(|c| !page.characters.iter().any(|d| d.name == c.name))
        .map(|c| c.id)
        .collect();
    if !stale.is_empty() {
        film_character::Entity::delete_many()
            .filter(film_character::Column::Id.is_in(stale))
            .exec(txn)
            .await?;
    }
    Ok(ids)
}

async fn upsert_person(
    txn: &DatabaseTransaction,
    slug: &str,
    name: &str,
    bio: Option<String>,
    birth_date: Option<chrono::NaiveDate>,
) -> Result<i32, DbErr> {
    let existing = person::Entity::find()
        .filter(person::Column::Slug.eq(slug))
        .one(txn)
        .await?;
    let mut row = person::ActiveModel {
        slug: Set(slug.to_string()),
        name: Set(name.to_string()),
        name_sort: Set(fold(name)),
        bio: Set(bio),
        birth_date: Set(birth_date),
        ..Default::default()
    };
    Ok(match existing {
        Some(old) => {
            // A document without a bio does not erase one written elsewhere.
            if row.bio.as_ref().is_none() {
                row.bio = Set(old.bio.clone());
            }
            if row.birth_date.as_ref().is_none() {
                row.birth_date = Set(old.birth_date);
            }
            row.id = Set(old.id);
            row.update(txn).await?.id
        }
        None => row.insert(txn).await?.id,
    })
}

async fn upsert_genre(txn: &DatabaseTransaction, name: &str) -> Result<i32, DbErr> {
    let slug = slugify(name);
    if let Some(found) = genre::Entity::find()
        .filter(genre::Column::Slug.eq(&slug))
        .one(txn)
        .await?
    {
        return Ok(found.id);
    }
    let row = genre::ActiveModel {
        id: NotSet,
        slug: Set(slug),
        name: Set(name.to_string()),
    };
    Ok(row.insert(txn).await?.id)
}

async fn upsert_award(
    txn: &DatabaseTransaction,
    organization: &str,
    name: &str,
) -> Result<i32, DbErr> {
    let slug = slugify(name);
    if let Some(found) = award::Entity::find()
        .filter(award::Column::Slug.eq(&slug))
        .one(txn)
        .await?
    {
        return Ok(found.id);
    }
    let row = award::ActiveModel {
        id: NotSet,
        slug: Set(slug),
        organization: Set(organization.to_string()),
        name: Set(name.to_string()),
    };
    Ok(row.insert(txn).await?.id)
}

async fn upsert_product(
    txn: &DatabaseTransaction,
    product: &super::document::ProductFacts,
) -> Result<i32, DbErr> {
    let existing = product::Entity::find()
        .filter(product::Column::Slug.eq(&product.slug))
        .one(txn)
        .await?;
    let mut row = product::ActiveModel {
        id: NotSet,
        slug: Set(product.slug.clone()),
        name: Set(product.name.clone()),
        kind: Set(product.kind.clone()),
        description: Set(product.description.clone()),
    };
    Ok(match existing {
        Some(old) => {
            row.id = Set(old.id);
            row.update(txn).await?.id
        }
        None => row.insert(txn).await?.id,
    })
}

/// The film with this IMDb id, created from the reference's facts when the
/// catalogue does not have it yet (the catalogue import fills it in later).
async fn find_or_create_film(txn: &DatabaseTransaction, film_ref: &FilmRef) -> Result<i32, DbErr> {
    if let Some(found) = film::Entity::find()
        .filter(film::Column::ImdbId.eq(&film_ref.imdb_id))
        .one(txn)
        .await?
    {
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
    let taken: Vec<String> = film::Entity::find()
        .select_only()
        .column(film::Column::Slug)
        .filter(film::Column::Slug.is_in(candidates.clone()))
        .into_tuple()
        .all(txn)
        .await?;
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
    Ok(row.insert(txn).await?.id)
}

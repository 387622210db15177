//! The statements of writing a film page document, each in the writer's
//! transaction: the film row, the upserts of what pages share (people,
//! genres, awards, products, mentioned films), and clearing what an earlier
//! import of the page wrote. The sections' rows are built by
//! `import::film_page` and inserted here.

use std::collections::HashMap;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::db::entities::*;
use crate::db::queries::origins::{CATALOGUE_PROVIDERS, DOCUMENT_PROVIDER, ORIGIN_DOCUMENT};
use crate::db::{DbErr, Transaction};
use crate::kinds::ReviewKind;
use crate::text::{fold, slugify};

/// Inserts rows one by one (a page's sections are a few dozen rows).
pub async fn insert_all<A>(txn: &Transaction, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    for row in rows {
        row.insert(txn).await?;
    }
    Ok(())
}

/// The film with this IMDb id.
pub async fn film_by_imdb_id(
    txn: &Transaction,
    imdb_id: &str,
) -> Result<Option<film::Model>, DbErr> {
    film::Entity::find()
        .filter(film::Column::ImdbId.eq(imdb_id))
        .one(txn)
        .await
}

/// The films with these IMDb ids, by IMDb id (one statement per thousand).
pub async fn films_by_imdb_ids(
    txn: &Transaction,
    imdb_ids: &[&str],
) -> Result<HashMap<String, film::Model>, DbErr> {
    let mut found = HashMap::with_capacity(imdb_ids.len());
    for chunk in imdb_ids.chunks(1000) {
        let films = film::Entity::find()
            .filter(film::Column::ImdbId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        for film in films {
            if let Some(imdb_id) = film.imdb_id.clone() {
                found.insert(imdb_id, film);
            }
        }
    }
    Ok(found)
}

/// The film holding `slug`, if any.
pub async fn film_by_slug(txn: &Transaction, slug: &str) -> Result<Option<film::Model>, DbErr> {
    film::Entity::find()
        .filter(film::Column::Slug.eq(slug))
        .one(txn)
        .await
}

/// Inserts the film row, or updates it when `row.id` is set; returns its id.
pub async fn save_film(txn: &Transaction, row: film::ActiveModel) -> Result<i32, DbErr> {
    Ok(if row.id.is_set() {
        row.update(txn).await?.id
    } else {
        row.insert(txn).await?.id
    })
}

/// Removes what a previous import of this document wrote, except the rows that
/// are nodes clients may hold ids of (characters, people, products), what the
/// catalogue wrote, and users' own reviews and ratings.
pub async fn clear_sections(txn: &Transaction, film_id: i32) -> Result<(), DbErr> {
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

/// A character of the document: name and description, in page order.
pub struct CharacterRow<'a> {
    pub name: &'a str,
    pub description: Option<String>,
}

/// Keeps each character's row (and id) by name; drops the ones the document
/// no longer has. Returns the ids in the order given.
pub async fn sync_characters(
    txn: &Transaction,
    film_id: i32,
    characters: &[CharacterRow<'_>],
) -> Result<Vec<i32>, DbErr> {
    let existing = film_character::Entity::find()
        .filter(film_character::Column::FilmId.eq(film_id))
        .all(txn)
        .await?;
    let mut ids = Vec::with_capacity(characters.len());
    for (position, character) in characters.iter().enumerate() {
        let mut row = film_character::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: Set(position as i32 + 1),
            name: Set(character.name.to_string()),
            description: Set(character.description.clone()),
        };
        let id = match existing.iter().find(|c| c.name == character.name) {
            Some(old) => {
                row.id = Set(old.id);
                row.update(txn).await?.id
            }
            None => row.insert(txn).await?.id,
        };
        ids.push(id);
    }
    let stale: Vec<i32> = existing
        .iter()
        .filter(|c| !characters.iter().any(|d| d.name == c.name))
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

/// The person with this slug, created or updated with these facts; a missing
/// bio or birth date does not erase one written elsewhere. Returns the id.
pub async fn upsert_person(
    txn: &Transaction,
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

/// The award with this name's slug, created when missing; returns its id.
pub async fn upsert_award(txn: &Transaction, organization: &str, name: &str) -> Result<i32, DbErr> {
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

/// Inserts a nomination; returns its id.
pub async fn insert_nomination(
    txn: &Transaction,
    row: nomination::ActiveModel,
) -> Result<i32, DbErr> {
    Ok(row.insert(txn).await?.id)
}

/// The product with `row`'s slug, created or updated; returns its id.
pub async fn upsert_product(
    txn: &Transaction,
    mut row: product::ActiveModel,
) -> Result<i32, DbErr> {
    let slug = row.slug.clone().unwrap();
    let existing = product::Entity::find()
        .filter(product::Column::Slug.eq(slug))
        .one(txn)
        .await?;
    Ok(match existing {
        Some(old) => {
            row.id = Set(old.id);
            row.update(txn).await?.id
        }
        None => row.insert(txn).await?.id,
    })
}

/// Removes a product's film links (the document lists them anew).
pub async fn clear_product_films(txn: &Transaction, product_id: i32) -> Result<(), DbErr> {
    product_film::Entity::delete_many()
        .filter(product_film::Column::ProductId.eq(product_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Which of these slugs films already hold.
pub async fn taken_film_slugs(txn: &Transaction, slugs: &[String]) -> Result<Vec<String>, DbErr> {
    film::Entity::find()
        .select_only()
        .column(film::Column::Slug)
        .filter(film::Column::Slug.is_in(slugs.iter().cloned()))
        .into_tuple()
        .all(txn)
        .await
}

/// Inserts a film row; returns its id.
pub async fn insert_film(txn: &Transaction, row: film::ActiveModel) -> Result<i32, DbErr> {
    Ok(row.insert(txn).await?.id)
}

//! The statements of writing a film's details (localised titles, releases,
//! images, keywords, collection, companies) from its page document, in the
//! writer's transaction, and of reading the shared rows they name.

use std::collections::HashMap;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::db::entities::*;
use crate::db::queries::origins::DOCUMENT_PROVIDER;
use crate::db::queries::page_export::by_id;
use crate::db::{DbErr, Transaction};
use crate::text::slugify;

/// Removes the details an earlier import of the film's document wrote (the
/// catalogue's releases and companies stay; shared keywords, companies and collections
/// stay for the other films that name them).
pub async fn clear(txn: &Transaction, film_id: i32) -> Result<(), DbErr> {
    macro_rules! clear {
        ($($entity:ident),*) => {$(
            $entity::Entity::delete_many().filter($entity::Column::FilmId.eq(film_id)).exec(txn).await?;
        )*};
    }
    clear!(film_title, image, film_keyword, collection_film);
    film_release::Entity::delete_many()
        .filter(film_release::Column::FilmId.eq(film_id))
        .filter(film_release::Column::Provider.eq(DOCUMENT_PROVIDER))
        .exec(txn)
        .await?;
    film_company::Entity::delete_many()
        .filter(film_company::Column::FilmId.eq(film_id))
        .filter(film_company::Column::Provider.eq(DOCUMENT_PROVIDER))
        .exec(txn)
        .await?;
    Ok(())
}

macro_rules! shared_by_slug {
    ($($(#[$doc:meta])* $name:ident: $entity:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub async fn $name(txn: &Transaction, name: &str) -> Result<i32, DbErr> {
            let slug = slugify(name);
            if let Some(found) = $entity::Entity::find()
                .filter($entity::Column::Slug.eq(&slug))
                .one(txn)
                .await?
            {
                return Ok(found.id);
            }
            let row = $entity::ActiveModel {
                id: NotSet,
                slug: Set(slug),
                name: Set(name.to_string()),
            };
            Ok(row.insert(txn).await?.id)
        }
    )*};
}

shared_by_slug!(
    /// The genre with this name's slug, created when missing; returns its id.
    upsert_genre: genre,
    /// The keyword with this name's slug, created when missing; returns its id.
    upsert_keyword: keyword,
    /// The company with this name's slug, created when missing; returns its id.
    upsert_company: company,
);

/// The collection with this slug, created or renamed to these facts (the
/// latest document that names it says what it is called); returns its id.
pub async fn upsert_collection(
    txn: &Transaction,
    slug: &str,
    name: &str,
    overview: Option<String>,
) -> Result<i32, DbErr> {
    let existing = collection::Entity::find()
        .filter(collection::Column::Slug.eq(slug))
        .one(txn)
        .await?;
    let row = collection::ActiveModel {
        id: existing.as_ref().map_or(NotSet, |old| Set(old.id)),
        slug: Set(slug.to_string()),
        name: Set(name.to_string()),
        overview: Set(overview),
    };
    Ok(match existing {
        Some(_) => row.update(txn).await?.id,
        None => row.insert(txn).await?.id,
    })
}

/// The films in the collections with these slugs.
pub async fn collection_members(txn: &Transaction, slugs: &[&str]) -> Result<Vec<i32>, DbErr> {
    let collections = collection::Entity::find()
        .filter(collection::Column::Slug.is_in(slugs.iter().copied()))
        .all(txn)
        .await?;
    let links = collection_film::Entity::find()
        .filter(collection_film::Column::CollectionId.is_in(collections.iter().map(|c| c.id)))
        .all(txn)
        .await?;
    Ok(links.into_iter().map(|link| link.film_id).collect())
}

/// Takes these films out of whatever collection they are in.
pub async fn leave_collections(txn: &Transaction, film_ids: &[i32]) -> Result<(), DbErr> {
    collection_film::Entity::delete_many()
        .filter(collection_film::Column::FilmId.is_in(film_ids.iter().copied()))
        .exec(txn)
        .await?;
    Ok(())
}

/// The details of a film's document, in page order, for its export.
#[derive(Default)]
pub struct DetailRows {
    pub titles: Vec<film_title::Model>,
    pub releases: Vec<film_release::Model>,
    pub images: Vec<image::Model>,
    pub keywords: Vec<keyword::Model>,
    pub collection: Option<(collection::Model, i32)>,
    pub companies: Vec<(company::Model, String)>,
}

/// The details of each of these films' documents (a film with none is
/// missing from the map).
pub async fn details_of(
    txn: &Transaction,
    film_ids: &[i32],
) -> Result<HashMap<i32, DetailRows>, DbErr> {
    let ids = || film_ids.iter().copied();
    macro_rules! section {
        ($entity:ident) => {
            $entity::Entity::find()
                .filter($entity::Column::FilmId.is_in(ids()))
                .order_by_asc($entity::Column::Position)
                .order_by_asc($entity::Column::Id)
        };
    }
    let titles = section!(film_title).all(txn).await?;
    let releases = section!(film_release)
        .filter(film_release::Column::Provider.eq(DOCUMENT_PROVIDER))
        .all(txn)
        .await?;
    let images = section!(image).all(txn).await?;
    let keyword_links = film_keyword::Entity::find()
        .filter(film_keyword::Column::FilmId.is_in(ids()))
        .order_by_asc(film_keyword::Column::Position)
        .all(txn)
        .await?;
    let keyword_ids = keyword_links.iter().map(|l| l.keyword_id).collect();
    let keywords = by_id::<keyword::Entity, _>(txn, keyword::Column::Id, keyword_ids, |k| k.id);
    let keywords = keywords.await?;
    let company_links = section!(film_company)
        .filter(film_company::Column::Provider.eq(DOCUMENT_PROVIDER))
        .all(txn)
        .await?;
    let company_ids = company_links.iter().map(|l| l.company_id).collect();
    let companies = by_id::<company::Entity, _>(txn, company::Column::Id, company_ids, |c| c.id);
    let companies = companies.await?;
    let memberships = collection_film::Entity::find()
        .filter(collection_film::Column::FilmId.is_in(ids()))
        .all(txn)
        .await?;
    let collection_ids = memberships.iter().map(|m| m.collection_id).collect();
    let collections =
        by_id::<collection::Entity, _>(txn, collection::Column::Id, collection_ids, |c| c.id);
    let collections = collections.await?;

    let mut details: HashMap<i32, DetailRows> = HashMap::new();
    for row in titles {
        details.entry(row.film_id).or_default().titles.push(row);
    }
    for row in releases {
        details.entry(row.film_id).or_default().releases.push(row);
    }
    for row in images {
        details.entry(row.film_id).or_default().images.push(row);
    }
    for link in keyword_links {
        if let Some(keyword) = keywords.get(&link.keyword_id) {
            let film = details.entry(link.film_id).or_default();
            film.keywords.push(keyword.clone());
        }
    }
    for link in company_links {
        if let Some(company) = companies.get(&link.company_id) {
            let film = details.entry(link.film_id).or_default();
            film.companies.push((company.clone(), link.role));
        }
    }
    for link in memberships {
        if let Some(collection) = collections.get(&link.collection_id) {
            let film = details.entry(link.film_id).or_default();
            film.collection = Some((collection.clone(), link.position));
        }
    }
    Ok(details)
}

//! The statements of writing a film's details (localised titles, releases,
//! images, keywords, collection, companies) from its page document, in the
//! writer's transaction, and of reading the shared rows they name.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::db::entities::*;
use crate::db::queries::origins::DOCUMENT_PROVIDER;
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

/// Takes these films out of whatever collection they are in.
pub async fn leave_collections(txn: &Transaction, film_ids: &[i32]) -> Result<(), DbErr> {
    collection_film::Entity::delete_many()
        .filter(collection_film::Column::FilmId.is_in(film_ids.iter().copied()))
        .exec(txn)
        .await?;
    Ok(())
}

/// The details of a film's document, in page order, for its export.
pub struct DetailRows {
    pub titles: Vec<film_title::Model>,
    pub releases: Vec<film_release::Model>,
    pub images: Vec<image::Model>,
    pub keywords: Vec<keyword::Model>,
    pub collection: Option<(collection::Model, i32)>,
    pub companies: Vec<(company::Model, String)>,
}

pub async fn detail_rows(txn: &Transaction, film_id: i32) -> Result<DetailRows, DbErr> {
    macro_rules! section {
        ($entity:ident) => {
            $entity::Entity::find()
                .filter($entity::Column::FilmId.eq(film_id))
                .order_by_asc($entity::Column::Position)
                .order_by_asc($entity::Column::Id)
        };
    }
    let releases = section!(film_release)
        .filter(film_release::Column::Provider.eq(DOCUMENT_PROVIDER))
        .all(txn)
        .await?;
    let keyword_links = film_keyword::Entity::find()
        .filter(film_keyword::Column::FilmId.eq(film_id))
        .order_by_asc(film_keyword::Column::Position)
        .all(txn)
        .await?;
    let keywords = keyword::Entity::find()
        .filter(keyword::Column::Id.is_in(keyword_links.iter().map(|l| l.keyword_id)))
        .all(txn)
        .await?;
    let company_links = section!(film_company)
        .filter(film_company::Column::Provider.eq(DOCUMENT_PROVIDER))
        .all(txn)
        .await?;
    let companies = company::Entity::find()
        .filter(company::Column::Id.is_in(company_links.iter().map(|l| l.company_id)))
        .all(txn)
        .await?;
    let membership = collection_film::Entity::find()
        .filter(collection_film::Column::FilmId.eq(film_id))
        .one(txn)
        .await?;
    let collection = match membership {
        Some(link) => collection::Entity::find_by_id(link.collection_id)
            .one(txn)
            .await?
            .map(|collection| (collection, link.position)),
        None => None,
    };
    Ok(DetailRows {
        titles: section!(film_title).all(txn).await?,
        releases,
        images: section!(image).all(txn).await?,
        keywords: keyword_links
            .iter()
            .filter_map(|l| keywords.iter().find(|k| k.id == l.keyword_id).cloned())
            .collect(),
        collection,
        companies: company_links
            .into_iter()
            .filter_map(|l| {
                let company = companies.iter().find(|c| c.id == l.company_id)?;
                Some((company.clone(), l.role))
            })
            .collect(),
    })
}

//! A film's details from its page document: localised titles, releases,
//! images, keywords, its place in a collection and its companies. Keywords,
//! companies and collections are shared with other films by slug.

use super::document::FilmPage;
use super::people::Keys;
use crate::db::entities::*;
use crate::db::queries::film_details as statements;
use crate::db::queries::film_page::insert_all;
use crate::db::queries::origins::DOCUMENT_PROVIDER;
use crate::db::{DbErr, Transaction};

/// Position `index` of a list, counted from 1.
fn position(index: usize) -> ActiveValue<i32> {
    Set(index as i32 + 1)
}

pub async fn write(
    txn: &Transaction,
    film_id: i32,
    page: &FilmPage,
    keys: &Keys<'_>,
) -> Result<(), DbErr> {
    statements::clear(txn, film_id).await?;
    let titles = page
        .titles
        .iter()
        .enumerate()
        .map(|(i, title)| film_title::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            language: Set(title.language.clone()),
            title: Set(title.title.clone()),
            overview: Set(title.overview.clone()),
        });
    insert_all(txn, titles.collect()).await?;
    let releases = page
        .releases
        .iter()
        .enumerate()
        .map(|(i, release)| film_release::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            country: Set(release.country.clone()),
            kind: Set(Some(release.kind.clone())),
            release_date: Set(Some(release.date)),
            certification: Set(release.certification.clone()),
            note: Set(release.note.clone()),
            provider: Set(DOCUMENT_PROVIDER.to_string()),
        });
    insert_all(txn, releases.collect()).await?;
    let images = page
        .images
        .iter()
        .enumerate()
        .map(|(i, image)| image::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            kind: Set(image.kind.clone()),
            url: Set(image.url.clone()),
            width: Set(image.width),
            height: Set(image.height),
            language: Set(image.language.clone()),
            source: Set(image.source.clone()),
            person_id: Set(image.person.as_ref().map(|slug| keys.people[slug.as_str()])),
        });
    insert_all(txn, images.collect()).await?;
    let mut keywords = Vec::with_capacity(page.keywords.len());
    for (i, name) in page.keywords.iter().enumerate() {
        keywords.push(film_keyword::ActiveModel {
            film_id: Set(film_id),
            keyword_id: Set(statements::upsert_keyword(txn, name).await?),
            position: position(i),
        });
    }
    insert_all(txn, keywords).await?;
    let mut companies = Vec::with_capacity(page.companies.len());
    for (i, company) in page.companies.iter().enumerate() {
        companies.push(film_company::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            company_id: Set(statements::upsert_company(txn, &company.name).await?),
            role: Set(company.role.clone()),
            position: position(i),
            provider: Set(DOCUMENT_PROVIDER.to_string()),
        });
    }
    insert_all(txn, companies).await?;
    if let Some(collection) = &page.collection {
        let collection_id = statements::upsert_collection(
            txn,
            &collection.slug,
            &collection.name,
            collection.overview.clone(),
        )
        .await?;
        let link = collection_film::ActiveModel {
            id: NotSet,
            collection_id: Set(collection_id),
            film_id: Set(film_id),
            position: Set(collection.position),
        };
        insert_all(txn, vec![link]).await?;
    }
    Ok(())
}

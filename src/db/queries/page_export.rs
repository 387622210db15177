//! The statements of reading a film back as its page document
//! (`import::film_page::export`): every row a document's import writes for
//! the film, in the order the document gives them, and only those (the
//! catalogue's credits, ratings and figures and users' reviews are not the
//! document's). Run in one snapshot (`Db::begin_snapshot`), so the rows agree
//! with each other and with the film's version.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::db::entities::*;
use crate::db::queries::editing;
use crate::db::queries::film_details::{DetailRows, detail_rows};
use crate::db::queries::origins::{CATALOGUE_PROVIDERS, DOCUMENT_PROVIDER, ORIGIN_DOCUMENT};
use crate::db::{DbErr, Transaction};
use crate::kinds::ReviewKind;

/// Every row of a film's page, as its document's import wrote them.
pub struct PageRows {
    pub film: film::Model,
    pub genres: Vec<String>,
    pub countries: Vec<String>,
    pub languages: Vec<String>,
    pub based_on: Option<source_work::Model>,
    pub characters: Vec<film_character::Model>,
    pub credits: Vec<credit::Model>,
    /// The people the page names (credits, nominations, profile photos), by id.
    pub people: HashMap<i32, person::Model>,
    pub quotes: Vec<quote::Model>,
    pub synopsis: Vec<synopsis_section::Model>,
    pub external_ratings: Vec<external_rating::Model>,
    pub box_office: Vec<box_office_figure::Model>,
    pub reviews: Vec<review::Model>,
    pub audience_reactions: Vec<audience_reaction::Model>,
    pub recommended_for: Vec<recommended_audience::Model>,
    pub content_warnings: Vec<content_warning::Model>,
    /// Each nomination with its award and its recipients' ids, in order.
    pub nominations: Vec<(nomination::Model, award::Model, Vec<i32>)>,
    pub trivia: Vec<trivia::Model>,
    pub faq: Vec<faq_entry::Model>,
    pub videos: Vec<video::Model>,
    pub soundtrack: Vec<soundtrack_track::Model>,
    pub filming_locations: Vec<filming_location::Model>,
    pub offers: Vec<offer::Model>,
    pub similar_films: Vec<similar_film::Model>,
    /// The products that cover the film, each with the films it covers in order.
    pub products: Vec<(product::Model, Vec<i32>)>,
    /// The other films the page mentions (similar films, products' films), by id.
    pub films: HashMap<i32, film::Model>,
    pub details: DetailRows,
}

/// The page of `film_id`, or `None` when there is no such film.
pub async fn page_rows(txn: &Transaction, film_id: i32) -> Result<Option<PageRows>, DbErr> {
    let Some(film) = film::Entity::find_by_id(film_id).one(txn).await? else {
        return Ok(None);
    };
    // A section of the film in page order (`$order`, then the row id: the
    // order of insertion, which is the document's).
    macro_rules! section {
        ($entity:ident, $order:ident) => {
            $entity::Entity::find()
                .filter($entity::Column::FilmId.eq(film_id))
                .order_by_asc($entity::Column::$order)
                .order_by_asc($entity::Column::Id)
                .all(txn)
                .await?
        };
    }
    let (genres, countries, languages) = editing::film_lists(txn, film_id).await?;
    let credits = credit::Entity::find()
        .filter(credit::Column::FilmId.eq(film_id))
        .filter(credit::Column::Origin.eq(ORIGIN_DOCUMENT))
        .order_by_asc(credit::Column::Id)
        .all(txn)
        .await?;
    let nominations = section!(nomination, Id);
    let nomination_ids: Vec<i32> = nominations.iter().map(|n| n.id).collect();
    let recipients = nomination_recipient::Entity::find()
        .filter(nomination_recipient::Column::NominationId.is_in(nomination_ids))
        .all(txn)
        .await?;
    let award_ids: Vec<i32> = nominations.iter().map(|n| n.award_id).collect();
    let awards: HashMap<i32, award::Model> = award::Entity::find()
        .filter(award::Column::Id.is_in(award_ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|award| (award.id, award))
        .collect();
    let mut with_awards = Vec::with_capacity(nominations.len());
    for nomination in nominations {
        let award = awards
            .get(&nomination.award_id)
            .cloned()
            .ok_or_else(|| missing("award", nomination.award_id))?;
        // Recipients have no order of their own: by person, as written.
        let mut people: Vec<i32> = recipients
            .iter()
            .filter(|r| r.nomination_id == nomination.id)
            .map(|r| r.person_id)
            .collect();
        people.sort_unstable();
        with_awards.push((nomination, award, people));
    }
    let details = detail_rows(txn, film_id).await?;
    let person_ids: Vec<i32> = credits
        .iter()
        .map(|c| c.person_id)
        .chain(recipients.iter().map(|r| r.person_id))
        .chain(details.images.iter().filter_map(|i| i.person_id))
        .collect();
    let people = by_id::<person::Entity, _>(txn, person::Column::Id, person_ids, |p| p.id).await?;

    let covering = product_film::Entity::find()
        .filter(product_film::Column::FilmId.eq(film_id))
        .order_by_asc(product_film::Column::ProductId)
        .all(txn)
        .await?;
    let product_ids: Vec<i32> = covering.iter().map(|link| link.product_id).collect();
    let products = product::Entity::find()
        .filter(product::Column::Id.is_in(product_ids.clone()))
        .order_by_asc(product::Column::Id)
        .all(txn)
        .await?;
    let links = product_film::Entity::find()
        .filter(product_film::Column::ProductId.is_in(product_ids))
        .order_by_asc(product_film::Column::Position)
        .all(txn)
        .await?;
    let products: Vec<(product::Model, Vec<i32>)> = products
        .into_iter()
        .map(|product| {
            let films = links
                .iter()
                .filter(|link| link.product_id == product.id)
                .map(|link| link.film_id)
                .collect();
            (product, films)
        })
        .collect();
    let similar_films = section!(similar_film, Position);
    let film_ids: Vec<i32> = similar_films
        .iter()
        .map(|s| s.similar_film_id)
        .chain(products.iter().flat_map(|(_, films)| films.iter().copied()))
        .collect();
    let films = by_id::<film::Entity, _>(txn, film::Column::Id, film_ids, |f| f.id).await?;

    Ok(Some(PageRows {
        genres,
        countries,
        languages,
        based_on: source_work::Entity::find()
            .filter(source_work::Column::FilmId.eq(film_id))
            .one(txn)
            .await?,
        characters: section!(film_character, Position),
        credits,
        people,
        quotes: section!(quote, Position),
        synopsis: section!(synopsis_section, Position),
        external_ratings: external_rating::Entity::find()
            .filter(external_rating::Column::FilmId.eq(film_id))
            .filter(external_rating::Column::Provider.eq(DOCUMENT_PROVIDER))
            .order_by_asc(external_rating::Column::Id)
            .all(txn)
            .await?,
        box_office: box_office_figure::Entity::find()
            .filter(box_office_figure::Column::FilmId.eq(film_id))
            .filter(box_office_figure::Column::Source.is_not_in(CATALOGUE_PROVIDERS))
            .order_by_asc(box_office_figure::Column::Id)
            .all(txn)
            .await?,
        reviews: review::Entity::find()
            .filter(review::Column::FilmId.eq(film_id))
            .filter(review::Column::Kind.ne(ReviewKind::User.as_str()))
            .order_by_asc(review::Column::Position)
            .order_by_asc(review::Column::Id)
            .all(txn)
            .await?,
        audience_reactions: section!(audience_reaction, Position),
        recommended_for: section!(recommended_audience, Position),
        content_warnings: section!(content_warning, Position),
        nominations: with_awards,
        trivia: section!(trivia, Position),
        faq: section!(faq_entry, Position),
        videos: section!(video, Position),
        soundtrack: section!(soundtrack_track, Position),
        filming_locations: section!(filming_location, Position),
        offers: section!(offer, Position),
        similar_films,
        products,
        films,
        details,
        film,
    }))
}

/// The rows of `entity` whose `column` is one of `ids`, by id.
async fn by_id<E, K>(
    txn: &impl ConnectionTrait,
    column: E::Column,
    mut ids: Vec<i32>,
    key: K,
) -> Result<HashMap<i32, E::Model>, DbErr>
where
    E: EntityTrait,
    K: Fn(&E::Model) -> i32,
{
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = E::find().filter(column.is_in(ids)).all(txn).await?;
    Ok(rows.into_iter().map(|row| (key(&row), row)).collect())
}

/// A row a foreign key names is gone: the database broke its own rule.
fn missing(table: &str, id: i32) -> DbErr {
    DbErr::RecordNotFound(format!("{table} {id}, named by a film's page"))
}

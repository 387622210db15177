//! The statements of reading a film back as its page document
//! (`import::film_page::export`): every row a document's import writes for
//! the film, in the order the document gives them, and only those (the
//! catalogue's credits, ratings and figures and users' reviews are not the
//! document's). Run in one snapshot (`Db::begin_snapshot`), so the rows agree
//! with each other and with the film's version.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};

use crate::db::entities::*;
use crate::db::queries::editing::{self, FilmLists};
use crate::db::queries::film_details::{self, DetailRows};
use crate::db::queries::origins::{CATALOGUE_PROVIDERS, DOCUMENT_PROVIDER, ORIGIN_DOCUMENT};
use crate::db::{DbErr, Transaction};
use crate::kinds::ReviewKind;

/// Every row of a film's page, as its document's import wrote them.
pub struct PageRows {
    pub film: film::Model,
    pub lists: FilmLists,
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
    Ok(pages_rows(txn, &[film_id]).await?.pop())
}

/// How many films' pages [`pages_rows`] reads with one statement per section.
pub const PAGES_PER_READ: usize = 500;

/// The pages of the films with these ids (at most [`PAGES_PER_READ`]), in
/// the order of the ids; a film there is no such film for is left out.
/// Each section is one statement for all of them.
pub async fn pages_rows(txn: &Transaction, film_ids: &[i32]) -> Result<Vec<PageRows>, DbErr> {
    let ids = || film_ids.iter().copied();
    let found = by_id::<film::Entity, _>(txn, film::Column::Id, ids().collect(), |f| f.id).await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    // A section of the films in page order (`$order`, then the row id: the
    // order of insertion, which is the document's), by film.
    macro_rules! section {
        ($entity:ident, $order:ident) => {
            section!($entity, $order, |query| query)
        };
        ($entity:ident, $order:ident, $narrow:expr) => {
            by_film(
                $narrow(
                    $entity::Entity::find()
                        .filter($entity::Column::FilmId.is_in(ids()))
                        .order_by_asc($entity::Column::$order)
                        .order_by_asc($entity::Column::Id),
                )
                .all(txn)
                .await?,
                |row: &$entity::Model| row.film_id,
            )
        };
    }
    let mut lists = editing::films_lists(txn, film_ids).await?;
    let mut credits = section!(credit, Id, |q: Select<credit::Entity>| q
        .filter(credit::Column::Origin.eq(ORIGIN_DOCUMENT)));
    let mut nominations = section!(nomination, Id);
    let nomination_ids: Vec<i32> = nominations.values().flatten().map(|n| n.id).collect();
    let recipients = nomination_recipient::Entity::find()
        .filter(nomination_recipient::Column::NominationId.is_in(nomination_ids))
        .all(txn)
        .await?;
    let award_ids: Vec<i32> = nominations.values().flatten().map(|n| n.award_id).collect();
    let awards = by_id::<award::Entity, _>(txn, award::Column::Id, award_ids, |a| a.id).await?;
    let mut details = film_details::details_of(txn, film_ids).await?;
    let person_ids: Vec<i32> = credits
        .values()
        .flatten()
        .map(|c| c.person_id)
        .chain(recipients.iter().map(|r| r.person_id))
        .chain(
            details
                .values()
                .flat_map(|d| d.images.iter().filter_map(|i| i.person_id)),
        )
        .collect();
    let people = by_id::<person::Entity, _>(txn, person::Column::Id, person_ids, |p| p.id).await?;

    let mut covering = by_film(
        product_film::Entity::find()
            .filter(product_film::Column::FilmId.is_in(ids()))
            .order_by_asc(product_film::Column::ProductId)
            .all(txn)
            .await?,
        |link| link.film_id,
    );
    let product_ids: Vec<i32> = covering.values().flatten().map(|l| l.product_id).collect();
    let products =
        by_id::<product::Entity, _>(txn, product::Column::Id, product_ids.clone(), |p| p.id)
            .await?;
    let links = product_film::Entity::find()
        .filter(product_film::Column::ProductId.is_in(product_ids))
        .order_by_asc(product_film::Column::Position)
        .all(txn)
        .await?;
    let films_of_product = |product_id: i32| -> Vec<i32> {
        links
            .iter()
            .filter(|link| link.product_id == product_id)
            .map(|link| link.film_id)
            .collect()
    };
    let mut similar_films = section!(similar_film, Position);
    let mentioned: Vec<i32> = similar_films
        .values()
        .flatten()
        .map(|s| s.similar_film_id)
        .chain(links.iter().map(|link| link.film_id))
        .collect();
    let mentioned = by_id::<film::Entity, _>(txn, film::Column::Id, mentioned, |f| f.id).await?;

    let mut based_on = by_film(
        source_work::Entity::find()
            .filter(source_work::Column::FilmId.is_in(ids()))
            .all(txn)
            .await?,
        |work| work.film_id,
    );
    let mut characters = section!(film_character, Position);
    let mut quotes = section!(quote, Position);
    let mut synopsis = section!(synopsis_section, Position);
    let mut external_ratings =
        section!(external_rating, Id, |q: Select<external_rating::Entity>| q
            .filter(external_rating::Column::Provider.eq(DOCUMENT_PROVIDER)));
    let mut box_office = section!(box_office_figure, Id, |q: Select<
        box_office_figure::Entity,
    >| q
        .filter(box_office_figure::Column::Source.is_not_in(CATALOGUE_PROVIDERS)));
    let mut reviews = section!(review, Position, |q: Select<review::Entity>| q
        .filter(review::Column::Kind.ne(ReviewKind::User.as_str())));
    let mut audience_reactions = section!(audience_reaction, Position);
    let mut recommended_for = section!(recommended_audience, Position);
    let mut content_warnings = section!(content_warning, Position);
    let mut trivia = section!(trivia, Position);
    let mut faq = section!(faq_entry, Position);
    let mut videos = section!(video, Position);
    let mut soundtrack = section!(soundtrack_track, Position);
    let mut filming_locations = section!(filming_location, Position);
    let mut offers = section!(offer, Position);

    let mut pages = Vec::with_capacity(found.len());
    for film_id in film_ids {
        let Some(film) = found.get(film_id).cloned() else {
            continue;
        };
        let film_id = *film_id;
        let credits = take(&mut credits, film_id);
        let mut with_awards = Vec::new();
        for nomination in take(&mut nominations, film_id) {
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
        let details = details.remove(&film_id).unwrap_or_default();
        let named: HashMap<i32, person::Model> = credits
            .iter()
            .map(|c| c.person_id)
            .chain(
                with_awards
                    .iter()
                    .flat_map(|(_, _, people)| people.iter().copied()),
            )
            .chain(details.images.iter().filter_map(|i| i.person_id))
            .filter_map(|id| Some((id, people.get(&id)?.clone())))
            .collect();
        let products: Vec<(product::Model, Vec<i32>)> = take(&mut covering, film_id)
            .iter()
            .filter_map(|link| products.get(&link.product_id).cloned())
            .map(|product| {
                let films = films_of_product(product.id);
                (product, films)
            })
            .collect();
        let similar_films = take(&mut similar_films, film_id);
        let films: HashMap<i32, film::Model> = similar_films
            .iter()
            .map(|s| s.similar_film_id)
            .chain(products.iter().flat_map(|(_, films)| films.iter().copied()))
            .filter_map(|id| Some((id, mentioned.get(&id)?.clone())))
            .collect();
        pages.push(PageRows {
            lists: lists.remove(&film_id).unwrap_or_default(),
            based_on: take(&mut based_on, film_id).pop(),
            characters: take(&mut characters, film_id),
            credits,
            people: named,
            quotes: take(&mut quotes, film_id),
            synopsis: take(&mut synopsis, film_id),
            external_ratings: take(&mut external_ratings, film_id),
            box_office: take(&mut box_office, film_id),
            reviews: take(&mut reviews, film_id),
            audience_reactions: take(&mut audience_reactions, film_id),
            recommended_for: take(&mut recommended_for, film_id),
            content_warnings: take(&mut content_warnings, film_id),
            nominations: with_awards,
            trivia: take(&mut trivia, film_id),
            faq: take(&mut faq, film_id),
            videos: take(&mut videos, film_id),
            soundtrack: take(&mut soundtrack, film_id),
            filming_locations: take(&mut filming_locations, film_id),
            offers: take(&mut offers, film_id),
            similar_films,
            products,
            films,
            details,
            film,
        });
    }
    Ok(pages)
}

/// Rows by the film they belong to, each film's in the order read.
pub(super) fn by_film<M>(rows: Vec<M>, film_id: impl Fn(&M) -> i32) -> HashMap<i32, Vec<M>> {
    let mut grouped: HashMap<i32, Vec<M>> = HashMap::new();
    for row in rows {
        grouped.entry(film_id(&row)).or_default().push(row);
    }
    grouped
}

/// A film's rows of a section [`by_film`] grouped (none when it has none).
pub(super) fn take<M>(grouped: &mut HashMap<i32, Vec<M>>, film_id: i32) -> Vec<M> {
    grouped.remove(&film_id).unwrap_or_default()
}

/// The rows of `entity` whose `column` is one of `ids`, by id.
pub(super) async fn by_id<E, K>(
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

//! The people of a page (shared with other pages by slug), its characters
//! (kept by name, so their ids survive a re-import), its credits, and the
//! work it is based on.

use std::collections::HashMap;

use super::document::FilmPage;
use super::film::WrittenFilm;
use crate::db::entities::{NotSet, Set, credit, source_work};
use crate::db::queries::film_page::{self as statements, CharacterRow};
use crate::db::queries::origins::ORIGIN_DOCUMENT;
use crate::db::queries::summaries;
use crate::db::{DbErr, Transaction};
use crate::kinds::CreditKind;

/// Row ids of the document's keys: people by slug, characters by key.
pub struct Keys<'p> {
    pub people: HashMap<&'p str, i32>,
    pub characters: HashMap<&'p str, i32>,
}

pub async fn write<'p>(
    txn: &Transaction,
    film: &WrittenFilm,
    page: &'p FilmPage,
) -> Result<Keys<'p>, DbErr> {
    // People and characters keep their ids across re-imports (they are nodes).
    let mut people = HashMap::new();
    for person in &page.people {
        let id = statements::upsert_person(
            txn,
            &person.slug,
            &person.name,
            person.bio.clone(),
            person.birth_date,
        )
        .await?;
        people.insert(person.slug.as_str(), id);
    }
    let rows: Vec<CharacterRow> = page
        .characters
        .iter()
        .map(|c| CharacterRow {
            name: &c.name,
            description: c.description.clone(),
        })
        .collect();
    let ids = statements::sync_characters(txn, film.id, &rows).await?;
    let characters: HashMap<&str, i32> = page
        .characters
        .iter()
        .map(|c| c.key.as_str())
        .zip(ids)
        .collect();

    // Credits: the document's, plus a NOVEL credit for each source work author it does not list.
    let film_year = film.release_year.unwrap_or(0);
    let credit_row = |person_id: i32, kind: String| credit::ActiveModel {
        id: NotSet,
        film_id: Set(film.id),
        person_id: Set(person_id),
        kind: Set(kind),
        job: Set(None),
        billing_order: Set(None),
        character_id: Set(None),
        origin: Set(ORIGIN_DOCUMENT.to_string()),
        film_year: Set(film_year),
        // Set for every credit of the film by `summaries::refresh_credit_order`.
        list_position: Set(0),
    };
    let mut credits: Vec<credit::ActiveModel> = page
        .credits
        .iter()
        .map(|c| credit::ActiveModel {
            job: Set(c.job.clone()),
            billing_order: Set(c.billing_order),
            character_id: Set(c.character.as_ref().map(|k| characters[k.as_str()])),
            ..credit_row(people[c.person.as_str()], c.kind.clone())
        })
        .collect();
    if let Some(work) = &page.based_on {
        let novel = CreditKind::Novel.as_str();
        for author in &work.authors {
            let listed = page
                .credits
                .iter()
                .any(|c| c.person == *author && c.kind == novel);
            if !listed {
                credits.push(credit_row(people[author.as_str()], novel.to_string()));
            }
        }
        let source = source_work::ActiveModel {
            id: NotSet,
            film_id: Set(film.id),
            kind: Set(work.kind.clone()),
            title: Set(work.title.clone()),
            published_year: Set(work.published_year),
            description: Set(work.description.clone()),
        };
        statements::insert_all(txn, vec![source]).await?;
    }
    statements::insert_all(txn, credits).await?;
    summaries::reconcile_catalogue_credits(txn, film.id).await?;
    Ok(Keys { people, characters })
}

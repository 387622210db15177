//! A film read back as its page document: what importing that document
//! again would write, so an editor can change a page without the file it
//! came from. Only what a document states is in it: the catalogue's
//! credits, ratings and figures and users' reviews are not. What the
//! database does not keep is made up the same way each time: character keys
//! (from the names), the order of people (as the credits name them) and of
//! an award's recipients (as they were first stored).

use std::collections::HashMap;

use super::document::*;
use crate::db::entities::{film, person};
use crate::db::queries::editing::FilmLists;
use crate::db::queries::page_export::PageRows;
use crate::kinds::{ARTIST_SEPARATOR, CreditKind};
use crate::text::slugify;

/// Why a film cannot be written as a document.
#[derive(Debug)]
pub struct NotExportable(pub String);

/// A film's own facts, as its document's `film` states them.
pub fn facts_of(film: &film::Model, lists: FilmLists) -> FilmFacts {
    FilmFacts {
        imdb_id: film.imdb_id.clone().unwrap_or_default(),
        slug: film.slug.clone(),
        title: film.title.clone(),
        original_title: film.original_title.clone(),
        release_date: film.release_date,
        release_year: film.release_year,
        runtime_minutes: film.runtime_minutes,
        certification: film.certification.clone(),
        tagline: film.tagline.clone(),
        badly_explained_plot: film.badly_explained_plot.clone(),
        overview: film.overview.clone(),
        ending_explained: film.ending_explained.clone(),
        consensus: film.consensus.clone(),
        where_to_watch_note: film.where_to_watch_note.clone(),
        soundtrack_note: film.soundtrack_note.clone(),
        genres: lists.genres,
        countries: lists.countries,
        languages: lists.languages,
    }
}

/// The document of a page's rows.
pub fn page_of(rows: PageRows) -> Result<FilmPage, NotExportable> {
    let PageRows {
        film,
        lists,
        based_on,
        characters,
        credits,
        people,
        quotes,
        synopsis,
        external_ratings,
        box_office,
        reviews,
        audience_reactions,
        recommended_for,
        content_warnings,
        nominations,
        trivia,
        faq,
        videos,
        soundtrack,
        filming_locations,
        offers,
        similar_films,
        products,
        films,
        details,
    } = rows;
    if film.imdb_id.is_none() {
        return Err(NotExportable(format!(
            "film {:?} has no IMDb id, which a page document needs: give it one with updateFilm",
            film.title
        )));
    }
    let keys = character_keys(&characters);
    let character_key = |id: Option<i32>| id.and_then(|id| keys.get(&id).cloned());
    let mentioned = |id: i32| film_ref(films.get(&id), id);

    // People in the order the page first names them: credits, awards, then photos.
    let mut named: Vec<i32> = Vec::new();
    for id in credits
        .iter()
        .map(|c| c.person_id)
        .chain(nominations.iter().flat_map(|(_, _, r)| r.iter().copied()))
        .chain(details.images.iter().filter_map(|i| i.person_id))
    {
        if !named.contains(&id) {
            named.push(id);
        }
    }
    let person = |id: i32| people.get(&id).ok_or_else(|| gone("person", id));
    let slug_of = |id: i32| person(id).map(|p| p.slug.clone());

    let novel = CreditKind::Novel.as_str();
    let based_on = match based_on {
        Some(work) => Some(SourceWork {
            kind: work.kind,
            title: work.title,
            published_year: work.published_year,
            description: work.description,
            // The import credits every author as NOVEL; those credits are
            // listed below, so importing this again adds none.
            authors: credits
                .iter()
                .filter(|c| c.kind == novel)
                .map(|c| slug_of(c.person_id))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .fold(Vec::new(), |mut authors, slug| {
                    if !authors.contains(&slug) {
                        authors.push(slug);
                    }
                    authors
                }),
        }),
        None => None,
    };
    Ok(FilmPage {
        format: FORMAT.to_string(),
        film: facts_of(&film, lists),
        based_on,
        people: named
            .into_iter()
            .map(|id| person(id).map(person_facts))
            .collect::<Result<_, _>>()?,
        characters: characters
            .iter()
            .map(|c| CharacterFacts {
                key: keys[&c.id].clone(),
                name: c.name.clone(),
                description: c.description.clone(),
            })
            .collect(),
        credits: credits
            .iter()
            .map(|c| {
                Ok(CreditFacts {
                    person: slug_of(c.person_id)?,
                    kind: c.kind.clone(),
                    job: c.job.clone(),
                    character: character_key(c.character_id),
                    billing_order: c.billing_order,
                })
            })
            .collect::<Result<_, NotExportable>>()?,
        quotes: quotes
            .into_iter()
            .map(|q| QuoteFacts {
                character: character_key(q.character_id),
                text: q.text,
                context: q.context,
            })
            .collect(),
        synopsis: synopsis
            .into_iter()
            .map(|s| SynopsisFacts {
                heading: s.heading,
                body: s.body,
                spoiler: s.spoiler,
            })
            .collect(),
        external_ratings: external_ratings
            .into_iter()
            .map(|r| ExternalRatingFacts {
                source: r.source,
                value: r.value,
                scale: r.scale,
                votes: r.votes,
            })
            .collect(),
        box_office: box_office
            .into_iter()
            .map(|b| BoxOfficeFacts {
                kind: b.kind,
                amount: b.amount,
                currency: b.currency,
                source: b.source,
            })
            .collect(),
        reviews: reviews
            .into_iter()
            .map(|r| ReviewFacts {
                kind: r.kind,
                author: r.author,
                outlet: r.outlet,
                title: r.title,
                body: r.body,
                score: r.score,
                spoiler: r.spoiler,
            })
            .collect(),
        audience_reactions: audience_reactions
            .into_iter()
            .map(|a| AudienceReactionFacts {
                headline: a.headline,
                description: a.description,
            })
            .collect(),
        recommended_for: recommended_for.into_iter().map(|r| r.text).collect(),
        content_warnings: content_warnings.into_iter().map(|w| w.text).collect(),
        nominations: nominations
            .into_iter()
            .map(|(nomination, award, recipients)| {
                Ok(NominationFacts {
                    organization: award.organization,
                    award: award.name,
                    category: nomination.category,
                    year: nomination.year,
                    won: nomination.won,
                    recipients: recipients
                        .into_iter()
                        .map(slug_of)
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, NotExportable>>()?,
        trivia: trivia.into_iter().map(|t| t.text).collect(),
        faq: faq
            .into_iter()
            .map(|f| FaqFacts {
                question: f.question,
                answer: f.answer,
            })
            .collect(),
        videos: videos
            .into_iter()
            .map(|v| VideoFacts {
                kind: v.kind,
                title: v.title,
                description: v.description,
                url: v.url,
            })
            .collect(),
        soundtrack: soundtrack
            .into_iter()
            .map(|t| TrackFacts {
                title: t.title,
                artists: t
                    .artists
                    .split(ARTIST_SEPARATOR)
                    .filter(|artist| !artist.is_empty())
                    .map(str::to_string)
                    .collect(),
                duration_seconds: t.duration_seconds,
            })
            .collect(),
        filming_locations: filming_locations
            .into_iter()
            .map(|l| LocationFacts {
                place: l.place,
                note: l.note,
            })
            .collect(),
        offers: offers
            .into_iter()
            .map(|o| OfferFacts {
                platform: o.platform,
                kind: o.kind,
                format: o.format,
                region: o.region,
                url: o.url,
            })
            .collect(),
        similar_films: similar_films
            .into_iter()
            .map(|s| {
                Ok(SimilarFilmFacts {
                    film: mentioned(s.similar_film_id)?,
                    reason: s.reason,
                })
            })
            .collect::<Result<_, NotExportable>>()?,
        products: products
            .into_iter()
            .map(|(product, covered)| {
                Ok(ProductFacts {
                    slug: product.slug,
                    name: product.name,
                    kind: product.kind,
                    description: product.description,
                    films: covered
                        .into_iter()
                        .map(mentioned)
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, NotExportable>>()?,
        titles: details
            .titles
            .into_iter()
            .map(|t| TitleFacts {
                language: t.language,
                title: t.title,
                overview: t.overview,
            })
            .collect(),
        releases: details
            .releases
            .into_iter()
            .map(|r| {
                Ok(ReleaseFacts {
                    country: r.country,
                    kind: r.kind.ok_or_else(|| incomplete("release", r.id, "kind"))?,
                    date: r
                        .release_date
                        .ok_or_else(|| incomplete("release", r.id, "date"))?,
                    certification: r.certification,
                    note: r.note,
                })
            })
            .collect::<Result<_, NotExportable>>()?,
        images: details
            .images
            .into_iter()
            .map(|i| {
                Ok(ImageFacts {
                    kind: i.kind,
                    url: i.url,
                    width: i.width,
                    height: i.height,
                    language: i.language,
                    source: i.source,
                    person: i.person_id.map(slug_of).transpose()?,
                })
            })
            .collect::<Result<_, NotExportable>>()?,
        keywords: details.keywords.into_iter().map(|k| k.name).collect(),
        collection: details
            .collection
            .map(|(collection, position)| CollectionFacts {
                slug: collection.slug,
                name: collection.name,
                overview: collection.overview,
                position,
            }),
        companies: details
            .companies
            .into_iter()
            .map(|(company, role)| CompanyFacts {
                name: company.name,
                role,
            })
            .collect(),
    })
}

/// A document's row lacks what every document states.
fn incomplete(table: &str, id: i32, field: &str) -> NotExportable {
    NotExportable(format!("{table} {id} of the page has no {field}"))
}

fn person_facts(person: &person::Model) -> PersonFacts {
    PersonFacts {
        slug: person.slug.clone(),
        name: person.name.clone(),
        bio: person.bio.clone(),
        birth_date: person.birth_date,
    }
}

/// A film the page mentions, as the document refers to it (by IMDb id).
fn film_ref(film: Option<&film::Model>, id: i32) -> Result<FilmRef, NotExportable> {
    let film = film.ok_or_else(|| gone("film", id))?;
    let imdb_id = film.imdb_id.clone().ok_or_else(|| {
        NotExportable(format!(
            "the page mentions film {:?}, which has no IMDb id for a document to name it by: give it one with updateFilm",
            film.title
        ))
    })?;
    Ok(FilmRef {
        imdb_id,
        title: film.title.clone(),
        release_year: film.release_year,
    })
}

/// Each character's document key: its name's slug (`character` when the
/// name has none), with `-2`, `-3`... when another character has it.
fn character_keys(
    characters: &[crate::db::entities::film_character::Model],
) -> HashMap<i32, String> {
    let mut keys: HashMap<i32, String> = HashMap::new();
    for character in characters {
        let mut base = slugify(&character.name);
        if base.is_empty() {
            base = "character".to_string();
        }
        let mut key = base.clone();
        let mut n = 1;
        while keys.values().any(|k| *k == key) {
            n += 1;
            key = format!("{base}-{n}");
        }
        keys.insert(character.id, key);
    }
    keys
}

fn gone(table: &str, id: i32) -> NotExportable {
    NotExportable(format!("{table} {id}, named by the page, is missing"))
}

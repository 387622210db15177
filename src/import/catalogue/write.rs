//! Writing a parsed catalogue in one transaction: people and films in bulk,
//! each catalogue film merged into the film it matches (by IMDb id, then
//! Wikidata id) or created, then the rows around the films.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use super::{CatalogueFilm, CatalogueReport};
use crate::db::entities::{Set, film};
use crate::db::queries::catalogue as statements;
use crate::db::queries::film_rows::FilmRows;
use crate::db::queries::origins::{CATALOGUE_COUNTRY, CATALOGUE_DETAILS, ORIGIN_CATALOGUE};
use crate::db::queries::{changes, content_version, film_details, summaries};
use crate::db::{Db, DbErr, Transaction};
use crate::domain::events::Events;
use crate::import::bulk_revisions::BulkHistory;
use crate::import::revisions::Author;
use crate::kinds::{ChangeKind, CompanyRole, CreditKind, ReleaseKind};
use crate::text::{fold, slugify};

/// Imports parsed catalogue films (of the file `source`) in one
/// transaction; `progress` is told each step.
pub async fn write(
    db: &Db,
    events: &Events,
    source: &str,
    films: &[CatalogueFilm],
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> Result<CatalogueReport, DbErr> {
    let txn = db.begin().await?;
    let report = write_in(&txn, source, films, progress).await?;
    txn.commit().await?;
    events.content_imported();
    Ok(report)
}

async fn write_in(
    txn: &Transaction,
    source: &str,
    films: &[CatalogueFilm],
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> Result<CatalogueReport, DbErr> {
    let mut report = CatalogueReport::default();
    let total = films.len() as u64;
    content_version::bump(txn).await?;
    let existing = statements::all_films(txn).await?;
    let matches = match_existing(&existing, films)?;
    // The films it will change, as they are, for their revisions.
    let merged: Vec<i32> = matches.iter().flatten().map(|film| film.id).collect();
    let history = BulkHistory::before(txn, Author::importer(source), &merged).await?;

    // People: one per distinct slug of a name (the source has no person ids).
    let people = upsert_people(txn, films).await?;
    report.people = people.len();
    progress("people", total / 10, total);

    // Films: merge with existing ones by IMDb id, then Wikidata id; insert the rest.
    let (ids, existed) = upsert_films(txn, films, &existing, &matches, &mut report).await?;
    progress("films", total / 4, total);

    let film_ids: Vec<i32> = ids.iter().map(|(id, _)| *id).collect();
    statements::clear_catalogue_rows(txn, &film_ids).await?;

    let mut genre_ids = statements::genre_ids(txn).await?;
    let mut company_ids = Companies(statements::company_ids(txn).await?);
    let mut rows = FilmRows::new();
    for (film, (film_id, has_document)) in films.iter().zip(&ids) {
        let film_id = *film_id;
        // A film page's own genres, countries and languages are authoritative.
        if !has_document {
            for (position, name) in film.genres.iter().enumerate() {
                let slug = slugify(name);
                let genre_id = match genre_ids.get(&slug) {
                    Some(id) => *id,
                    None => {
                        let id = statements::insert_genre(txn, &slug, name).await?;
                        genre_ids.insert(slug, id);
                        id
                    }
                };
                rows.genre(film_id, genre_id, position);
            }
            for (position, country) in film.countries.iter().enumerate() {
                rows.country(film_id, country, position);
            }
            for (position, language) in film.languages.iter().enumerate() {
                rows.language(film_id, language, position);
            }
        }
        // The US release and distributor the sources know, beside any page's own.
        if film.certification.is_some() || film.us_release.is_some() {
            let kind = film.us_release.map(|_| ReleaseKind::Theatrical.as_str());
            let certification = film.certification.as_deref();
            let release = (kind, film.us_release);
            rows.release(
                film_id,
                CATALOGUE_COUNTRY,
                release,
                certification,
                CATALOGUE_DETAILS,
            );
        }
        if let Some(name) = &film.us_distributor {
            let company_id = company_ids.id(txn, name).await?;
            let role = CompanyRole::Distribution.as_str();
            rows.company(film_id, company_id, role, CATALOGUE_DETAILS);
        }
        for (kind, names) in [
            (CreditKind::Director, &film.directors),
            (CreditKind::Writer, &film.writers),
            (CreditKind::Cast, &film.cast),
        ] {
            let mut seen = HashSet::new();
            for name in names {
                let person_id = people[&person_slug(name)];
                if !seen.insert(person_id) {
                    continue;
                }
                // The source lists cast alphabetically: no billing order is known.
                rows.credit(film_id, person_id, kind, None, ORIGIN_CATALOGUE, film.year);
            }
        }
        for rating in &film.ratings {
            let figures = (rating.value, rating.scale);
            rows.rating(film_id, &rating.source, figures, rating.votes, &rating.from);
        }
        for figure in &film.box_office {
            let (kind, currency) = (&figure.kind, &figure.currency);
            rows.figure(film_id, kind, figure.amount, currency, &figure.source);
        }
    }
    report.credits = rows.credit_count();
    progress("credits", total / 2, total);
    rows.run(txn).await?;
    progress("summaries", total * 3 / 4, total);
    for (film_id, has_document) in &ids {
        if *has_document {
            summaries::reconcile_catalogue_credits(txn, *film_id).await?;
        }
    }
    summaries::refresh_films(txn, None).await?;
    summaries::refresh_people(txn).await?;
    summaries::refresh_credit_order(txn).await?;
    // Merged films may have taken the catalogue's year.
    summaries::refresh_credit_years(txn, None).await?;
    summaries::rebuild_search(txn).await?;
    let pages_changed: HashSet<i32> = history.record(txn, &film_ids).await?.into_iter().collect();
    // The feed gets each film the catalogue made, and each it changed: its
    // page, or its line since the last import (the rows the line gives).
    let kept = statements::line_hashes(txn).await?;
    let lines: Vec<(i32, String)> = films
        .iter()
        .zip(&film_ids)
        .map(|(film, id)| (*id, film.line_hash()))
        .collect();
    let (mut created, mut updated) = (Vec::new(), Vec::new());
    for (id, hash) in &lines {
        if !existed.contains(id) {
            created.push(*id);
        } else if pages_changed.contains(id) || kept.get(id) != Some(hash) {
            updated.push(*id);
        }
    }
    report.changed = created.len() + updated.len();
    changes::films_changed(txn, ChangeKind::Created, &created).await?;
    changes::films_changed(txn, ChangeKind::Updated, &updated).await?;
    statements::keep_line_hashes(txn, &lines).await?;
    progress("done", total, total);
    Ok(report)
}

/// Companies by slug, created as the catalogue names them.
struct Companies(HashMap<String, i32>);

impl Companies {
    async fn id(&mut self, txn: &Transaction, name: &str) -> Result<i32, DbErr> {
        let slug = slugify(name);
        if let Some(id) = self.0.get(&slug) {
            return Ok(*id);
        }
        let id = film_details::upsert_company(txn, name).await?;
        self.0.insert(slug, id);
        Ok(id)
    }
}

/// A person's slug: the folded name, or for names with no Latin letters a stable hash.
pub fn person_slug(name: &str) -> String {
    let slug = slugify(name);
    if slug.is_empty() {
        use sha2::Digest;
        format!(
            "p-{}",
            &hex::encode(sha2::Sha256::digest(name.as_bytes()))[..12]
        )
    } else {
        slug
    }
}

/// Every person the films name, created when new; every person's id by slug.
async fn upsert_people(
    txn: &Transaction,
    films: &[CatalogueFilm],
) -> Result<HashMap<String, i32>, DbErr> {
    let ids = statements::person_ids(txn).await?;
    let mut new_people = Vec::new();
    let mut planned = HashSet::new();
    for film in films {
        for name in film.directors.iter().chain(&film.writers).chain(&film.cast) {
            let slug = person_slug(name);
            if !ids.contains_key(&slug) && planned.insert(slug.clone()) {
                new_people.push((slug, name.clone()));
            }
        }
    }
    statements::insert_people(txn, &new_people).await?;
    statements::person_ids(txn).await
}

/// The existing film each catalogue film matches (by IMDb id, then
/// Wikidata id), in order; refused when two lines match one film.
fn match_existing<'a>(
    existing: &'a [film::Model],
    films: &[CatalogueFilm],
) -> Result<Vec<Option<&'a film::Model>>, DbErr> {
    let by_imdb: HashMap<&str, &film::Model> = existing
        .iter()
        .filter_map(|f| f.imdb_id.as_deref().map(|i| (i, f)))
        .collect();
    let by_wikidata: HashMap<&str, &film::Model> = existing
        .iter()
        .filter_map(|f| f.wikidata_id.as_deref().map(|w| (w, f)))
        .collect();
    let mut merged = HashMap::new();
    let mut matches = Vec::with_capacity(films.len());
    for film in films {
        let found = film
            .imdb_id
            .as_deref()
            .and_then(|i| by_imdb.get(i))
            .or_else(|| by_wikidata.get(film.wikidata_id.as_str()))
            .copied();
        if let Some(old) = found {
            // One line by IMDb id, another by Wikidata id: both would overwrite one film.
            if let Some(first) = merged.insert(old.id, &film.wikidata_id) {
                return Err(DbErr::Custom(format!(
                    "{first} and {} both match the existing film {:?} (by IMDb id or Wikidata id)",
                    film.wikidata_id, old.slug
                )));
            }
        }
        matches.push(found);
    }
    Ok(matches)
}

/// Returns, for each catalogue film in order, its row id and whether a film
/// page document owns it; and the ids of the films there were before.
/// `matches` are the films' existing films ([`match_existing`]).
async fn upsert_films(
    txn: &Transaction,
    films: &[CatalogueFilm],
    existing: &[film::Model],
    matches: &[Option<&film::Model>],
    report: &mut CatalogueReport,
) -> Result<(Vec<(i32, bool)>, HashSet<i32>), DbErr> {
    let existed: HashSet<i32> = existing.iter().map(|film| film.id).collect();
    let mut slugs: HashSet<String> = existing.iter().map(|f| f.slug.clone()).collect();
    let now = Utc::now();
    let mut new_rows = Vec::new();
    for (film, found) in films.iter().zip(matches) {
        if let Some(old) = found {
            report.merged_with_existing += 1;
            merge_into(txn, old, film).await?;
            continue;
        }
        let slug = unique_slug(&mut slugs, film);
        new_rows.push(film::ActiveModel {
            slug: Set(slug),
            imdb_id: Set(film.imdb_id.clone()),
            wikidata_id: Set(Some(film.wikidata_id.clone())),
            title: Set(film.title.clone()),
            title_sort: Set(fold(&film.title)),
            release_date: Set(film.released),
            release_year: Set(film.year),
            release_sort: Set(summaries::release_sort(film.released, film.year)),
            runtime_minutes: Set(film.runtime),
            certification: Set(film.certification.clone()),
            academy_award_wins: Set(film.academy_awards.and_then(|a| a.wins)),
            academy_award_nominations: Set(film.academy_awards.and_then(|a| a.nominations)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    report.films = films.len();
    statements::insert_films(txn, new_rows).await?;
    let ids = statements::films_by_wikidata_id(txn).await?;
    let written = films
        .iter()
        .map(|f| {
            ids.get(&f.wikidata_id).copied().ok_or_else(|| {
                DbErr::Custom(format!(
                    "{} has no film row after the import",
                    f.wikidata_id
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok((written, existed))
}

/// The catalogue fills what an existing film lacks; a film page's facts are kept.
async fn merge_into(
    txn: &Transaction,
    old: &film::Model,
    film: &CatalogueFilm,
) -> Result<(), DbErr> {
    let document = old.document_hash.is_some();
    let mut row = film::ActiveModel {
        id: Set(old.id),
        wikidata_id: Set(Some(film.wikidata_id.clone())),
        academy_award_wins: Set(film.academy_awards.and_then(|a| a.wins)),
        academy_award_nominations: Set(film.academy_awards.and_then(|a| a.nominations)),
        ..Default::default()
    };
    if !document || old.release_date.is_none() {
        row.release_date = Set(film.released.or(old.release_date));
        let year = film.year.or(old.release_year);
        row.release_year = Set(year);
        row.release_sort = Set(summaries::release_sort(
            film.released.or(old.release_date),
            year,
        ));
    }
    if !document || old.runtime_minutes.is_none() {
        row.runtime_minutes = Set(film.runtime.or(old.runtime_minutes));
    }
    if !document || old.certification.is_none() {
        row.certification = Set(film.certification.clone().or(old.certification.clone()));
    }
    if !document {
        row.title = Set(film.title.clone());
        row.title_sort = Set(fold(&film.title));
    }
    // Its version is raised with its revision, when its page changed
    // (`BulkHistory::record`).
    statements::update_film(txn, row).await
}

fn unique_slug(taken: &mut HashSet<String>, film: &CatalogueFilm) -> String {
    let base = match slugify(&film.title) {
        s if s.is_empty() => film.wikidata_id.to_lowercase(),
        s => s,
    };
    let mut candidates = vec![base.clone()];
    if let Some(year) = film.year {
        candidates.push(format!("{base}-{year}"));
    }
    candidates.push(format!("{base}-{}", film.wikidata_id.to_lowercase()));
    let slug = candidates
        .into_iter()
        .find(|c| !taken.contains(c))
        .unwrap_or(base);
    taken.insert(slug.clone());
    slug
}

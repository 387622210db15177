//! Collections files (`format: "cinegraph-collections/1"`): collections
//! (franchises) with their films in order, named by IMDb id. The bundled
//! one (`data/collections.json`) is imported on first start after the
//! catalogue and the pages; `cinegraph import` takes others. Only films the
//! database has join a collection (a film missing is skipped, and keeps its
//! place in the order); a film whose title is not the one the file gives
//! is refused, so a wrong id never joins the wrong film. A film's page
//! written later sets its collection again (the page's own wins).

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::bulk_revisions::BulkHistory;
use super::film_page::{Outcome, is_imdb_id, is_slug};
use super::revisions::Author;
use super::{ImportError, document_text, json};
use crate::db::entities::{ActiveValue::NotSet, Set, collection_film, film};
use crate::db::queries::film_page::{films_by_imdb_ids, insert_all};
use crate::db::queries::{changes, content_version, film_details};
use crate::db::{Db, DbErr, Transaction};
use crate::domain::events::Events;
use crate::kinds::ChangeKind;
use crate::text::fold;

/// The `format` every collections file carries.
pub const FORMAT: &str = "cinegraph-collections/1";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionsFile {
    pub format: String,
    pub collections: Vec<CollectionEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionEntry {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub overview: Option<String>,
    /// The films in the collection's order.
    pub films: Vec<CollectionFilm>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionFilm {
    pub imdb_id: String,
    /// The film's title, checked against the database's.
    pub title: String,
}

/// Whether `bytes` is a collections file (by its `format`), not a film page.
pub fn is_collections_file(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Format {
        format: Option<String>,
    }
    serde_json::from_slice::<Format>(bytes).is_ok_and(|f| f.format.as_deref() == Some(FORMAT))
}

/// Parses and checks a collections file without touching a database.
pub fn parse(source: &str, bytes: &[u8]) -> Result<CollectionsFile, ImportError> {
    let text = document_text(source, bytes)?;
    let file: CollectionsFile = json::from_str(text).map_err(|problem| ImportError {
        source: source.to_string(),
        path: problem.path,
        message: problem.message,
    })?;
    let fail = |path: String, message: String| ImportError {
        source: source.to_string(),
        path,
        message,
    };
    if file.format != FORMAT {
        let message = format!("unsupported format {:?}; expected {FORMAT:?}", file.format);
        return Err(fail("format".into(), message));
    }
    let (mut slugs, mut films) = (HashSet::new(), HashSet::new());
    for (i, collection) in file.collections.iter().enumerate() {
        let path = format!("collections[{i}]");
        if !is_slug(&collection.slug) {
            let message = format!(
                "{:?} is not a slug (lowercase letters, digits and inner hyphens)",
                collection.slug
            );
            return Err(fail(format!("{path}.slug"), message));
        }
        if !slugs.insert(&collection.slug) {
            let message = format!("duplicate collection {:?}", collection.slug);
            return Err(fail(format!("{path}.slug"), message));
        }
        if collection.name.trim().is_empty() {
            return Err(fail(format!("{path}.name"), "must not be empty".into()));
        }
        if collection.films.is_empty() {
            return Err(fail(format!("{path}.films"), "must name a film".into()));
        }
        for (j, film) in collection.films.iter().enumerate() {
            let path = format!("{path}.films[{j}]");
            if !is_imdb_id(&film.imdb_id) {
                let message = format!("{:?} is not an IMDb id", film.imdb_id);
                return Err(fail(format!("{path}.imdbId"), message));
            }
            if !films.insert(&film.imdb_id) {
                let message = format!("{} is in two collections (a film is in one)", film.imdb_id);
                return Err(fail(format!("{path}.imdbId"), message));
            }
        }
    }
    Ok(file)
}

/// Parses, checks and writes a collections file in one transaction.
pub async fn import(
    db: &Db,
    events: &Events,
    source: &str,
    bytes: &[u8],
) -> Result<Outcome, ImportError> {
    let file = parse(source, bytes)?;
    let failed = |err: DbErr| {
        ImportError::whole(
            source,
            format!("the database refused it ({err}); nothing was written"),
        )
    };
    let txn = db.begin().await.map_err(failed)?;
    let changed = match write(&txn, source, &file).await {
        Ok(changed) => changed,
        Err(Refused::Invalid(err)) => return Err(err),
        Err(Refused::Database(err)) => return Err(failed(err)),
    };
    txn.commit().await.map_err(failed)?;
    if changed.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    events.content_imported();
    Ok(Outcome::Updated)
}

enum Refused {
    Invalid(ImportError),
    Database(DbErr),
}

impl From<DbErr> for Refused {
    fn from(err: DbErr) -> Self {
        Refused::Database(err)
    }
}

/// Writes every collection with the films the database has; returns the
/// films whose pages it changed.
async fn write(
    txn: &Transaction,
    source: &str,
    file: &CollectionsFile,
) -> Result<Vec<i32>, Refused> {
    let imdb_ids: Vec<&str> = file
        .collections
        .iter()
        .flat_map(|collection| collection.films.iter().map(|film| film.imdb_id.as_str()))
        .collect();
    let found = films_by_imdb_ids(txn, &imdb_ids).await?;
    let members = file
        .collections
        .iter()
        .enumerate()
        .map(|(i, collection)| members_of(&found, source, i, collection))
        .collect::<Result<Vec<_>, _>>()?;
    let joined: Vec<i32> = members.iter().flatten().map(|(film, _)| *film).collect();
    if joined.is_empty() {
        return Ok(joined);
    }
    // Every film whose page names one of these collections, as it is.
    let slugs: Vec<&str> = file.collections.iter().map(|c| c.slug.as_str()).collect();
    let mut touched = film_details::collection_members(txn, &slugs).await?;
    touched.extend(&joined);
    touched.sort_unstable();
    touched.dedup();
    let history = BulkHistory::before(txn, Author::importer(source), &touched).await?;
    for (collection, members) in file.collections.iter().zip(&members) {
        if members.is_empty() {
            continue;
        }
        let overview = collection.overview.clone();
        let id = film_details::upsert_collection(txn, &collection.slug, &collection.name, overview)
            .await?;
        let film_ids: Vec<i32> = members.iter().map(|(film, _)| *film).collect();
        film_details::leave_collections(txn, &film_ids).await?;
        let rows = members
            .iter()
            .map(|(film, position)| collection_film::ActiveModel {
                id: NotSet,
                collection_id: Set(id),
                film_id: Set(*film),
                position: Set(*position),
            });
        insert_all(txn, rows.collect()).await?;
    }
    let changed = history.record(txn, &touched).await?;
    if !changed.is_empty() {
        content_version::bump(txn).await?;
        changes::films_changed(txn, ChangeKind::Updated, &changed).await?;
    }
    Ok(changed)
}

/// The films of the `index`th collection the database has (`found`, by
/// IMDb id), with their places; refused when a film's title is not the one
/// the file gives.
fn members_of(
    found: &HashMap<String, film::Model>,
    source: &str,
    index: usize,
    collection: &CollectionEntry,
) -> Result<Vec<(i32, i32)>, Refused> {
    let mut members = Vec::new();
    for (j, film) in collection.films.iter().enumerate() {
        let Some(found) = found.get(&film.imdb_id) else {
            continue;
        };
        if fold(&found.title) != fold(&film.title) {
            return Err(Refused::Invalid(ImportError {
                source: source.to_string(),
                path: format!("collections[{index}].films[{j}].title"),
                message: format!(
                    "{} is {:?} here, not {:?}",
                    film.imdb_id, found.title, film.title
                ),
            }));
        }
        members.push((found.id, j as i32 + 1));
    }
    Ok(members)
}

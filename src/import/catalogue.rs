//! The bundled catalogue: 17,472 films from Wikidata merged with vega-datasets
//! (see `data/catalogue/README.md`), imported in one transaction with bulk
//! inserts. A film the catalogue shares with a film page document (same IMDb
//! id) stays one film: the document's facts win, the catalogue fills the rest.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::Datelike;
use chrono::Utc;
use flate2::read::MultiGzDecoder;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, TransactionTrait,
};
use serde::Deserialize;

use super::film_rows::FilmRows;
use super::validate::is_imdb_id;
use super::{
    CATALOGUE_PROVIDERS, ImportError, MAX_CATALOGUE_BYTES, ORIGIN_CATALOGUE, json, summaries,
};
use crate::db::bulk::BulkInsert;
use crate::db::bulk::ColumnType::*;
use crate::db::content_version;
use crate::db::entities::*;
use crate::kinds::{BoxOfficeKind, CreditKind, RatingSource};
use crate::text::{fold, slugify};

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogueFilm {
    pub wikidata_id: String,
    pub imdb_id: Option<String>,
    pub title: String,
    pub year: Option<i32>,
    pub released: Option<chrono::NaiveDate>,
    pub runtime: Option<i32>,
    pub certification: Option<String>,
    pub genres: Vec<String>,
    pub countries: Vec<String>,
    pub languages: Vec<String>,
    pub directors: Vec<String>,
    pub writers: Vec<String>,
    pub cast: Vec<String>,
    pub ratings: Vec<CatalogueRating>,
    pub box_office: Vec<CatalogueFigure>,
    pub academy_awards: Option<AcademyAwards>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueRating {
    pub source: String,
    pub value: f64,
    pub scale: f64,
    pub votes: Option<i64>,
    pub from: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFigure {
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcademyAwards {
    pub wins: i32,
    pub nominations: i32,
}

/// How many rows the import wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CatalogueReport {
    pub films: usize,
    pub merged_with_existing: usize,
    pub people: usize,
    pub credits: usize,
}

/// Reads gzip'd JSON Lines; any bad line refuses the whole file with its line number.
pub fn parse(source: &str, gzipped: &[u8]) -> Result<Vec<CatalogueFilm>, ImportError> {
    let fail = |line: usize, path: &str, message: String| ImportError {
        source: source.to_string(),
        path: match (line, path) {
            (0, _) => path.to_string(),
            (_, "") => format!("line {line}"),
            _ => format!("line {line}: {path}"),
        },
        message,
    };
    // Concatenated gzip members are one file, as gzip reads them; a member cut
    // short or anything else after the last one is refused.
    let mut bytes = Vec::new();
    MultiGzDecoder::new(gzipped)
        .take(MAX_CATALOGUE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            fail(
                0,
                "",
                format!("not a complete gzip file (cut short or corrupt): {e}"),
            )
        })?;
    if bytes.len() > MAX_CATALOGUE_BYTES {
        return Err(fail(
            0,
            "",
            format!("decompresses to more than {MAX_CATALOGUE_BYTES} bytes, the limit"),
        ));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| fail(0, "", json::utf8_error(&bytes, e)))?;
    let mut films = Vec::new();
    let mut seen_wikidata = HashSet::new();
    let mut seen_imdb = HashSet::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let film: CatalogueFilm =
            json::from_str(line).map_err(|problem| fail(number, &problem.path, problem.message))?;
        check_film(&film).map_err(|(path, message)| fail(number, &path, message))?;
        if !seen_wikidata.insert(film.wikidata_id.clone()) {
            return Err(fail(
                number,
                "wikidataId",
                format!("duplicate {}", film.wikidata_id),
            ));
        }
        if let Some(imdb) = &film.imdb_id
            && !seen_imdb.insert(imdb.clone())
        {
            return Err(fail(number, "imdbId", format!("duplicate {imdb}")));
        }
        films.push(film);
    }
    // Importing replaces every catalogue credit and figure: an empty file would erase them.
    if films.is_empty() {
        return Err(fail(0, "", "has no films".into()));
    }
    Ok(films)
}

/// The rules of one catalogue line: the JSON path and message of the first one broken.
fn check_film(film: &CatalogueFilm) -> Result<(), (String, String)> {
    let fail = |path: String, message: String| Err((path, message));
    let wikidata = &film.wikidata_id;
    let digits = wikidata.strip_prefix('Q').unwrap_or("");
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return fail(
            "wikidataId".into(),
            format!("{wikidata:?} is not a Wikidata id (Q followed by digits)"),
        );
    }
    if let Some(imdb) = &film.imdb_id
        && !is_imdb_id(imdb)
    {
        return fail(
            "imdbId".into(),
            format!("{imdb:?} is not an IMDb id (tt followed by 7 to 9 digits)"),
        );
    }
    if film.title.trim().is_empty() {
        return fail("title".into(), "must not be empty".into());
    }
    // Release sort keys are year * 10,000 + ...: a wild year would overflow them.
    for (path, year) in [
        ("year", film.year),
        ("released", film.released.map(|d| d.year())),
    ] {
        if let Some(year) = year
            && !(1870..=2100).contains(&year)
        {
            return fail(path.into(), format!("{year} is not a plausible year"));
        }
    }
    if let Some(minutes) = film.runtime
        && !(1..=1000).contains(&minutes)
    {
        return fail("runtime".into(), "must be between 1 and 1000".into());
    }
    // One row per film and value; genres are shared by slug ("Sci-Fi" is "sci fi").
    for (field, values) in [
        ("genres", &film.genres),
        ("countries", &film.countries),
        ("languages", &film.languages),
    ] {
        let mut seen = HashSet::new();
        for (i, value) in values.iter().enumerate() {
            let key = if field == "genres" {
                slugify(value)
            } else {
                value.trim().to_string()
            };
            if key.is_empty() {
                return fail(
                    format!("{field}[{i}]"),
                    "must contain a letter or a digit".into(),
                );
            }
            if !seen.insert(key) {
                return fail(format!("{field}[{i}]"), format!("duplicate {value:?}"));
            }
        }
    }
    for (field, names) in [
        ("directors", &film.directors),
        ("writers", &film.writers),
        ("cast", &film.cast),
    ] {
        for (i, name) in names.iter().enumerate() {
            if name.trim().is_empty() {
                return fail(format!("{field}[{i}]"), "must not be empty".into());
            }
        }
    }
    let mut ratings = HashSet::new();
    for (i, rating) in film.ratings.iter().enumerate() {
        if RatingSource::parse(&rating.source).is_none() {
            return fail(
                format!("ratings[{i}].source"),
                format!("unknown source {:?}", rating.source),
            );
        }
        if !(rating.scale > 0.0 && (0.0..=rating.scale).contains(&rating.value)) {
            return fail(
                format!("ratings[{i}].value"),
                format!("{} is outside 0..={}", rating.value, rating.scale),
            );
        }
        if rating.votes.is_some_and(|v| v < 0) {
            return fail(format!("ratings[{i}].votes"), "must not be negative".into());
        }
        // A re-import removes earlier figures by these names, so no other may be written.
        if !CATALOGUE_PROVIDERS.contains(&rating.from.as_str()) {
            return fail(
                format!("ratings[{i}].from"),
                format!(
                    "unknown provider {:?}; expected one of {CATALOGUE_PROVIDERS:?}",
                    rating.from
                ),
            );
        }
        if !ratings.insert((&rating.source, &rating.from)) {
            return fail(
                format!("ratings[{i}]"),
                format!("{} from {} is given twice", rating.source, rating.from),
            );
        }
    }
    let mut figures = HashSet::new();
    for (i, figure) in film.box_office.iter().enumerate() {
        if BoxOfficeKind::parse(&figure.kind).is_none() {
            return fail(
                format!("boxOffice[{i}].kind"),
                format!("unknown kind {:?}", figure.kind),
            );
        }
        if figure.amount < 0 {
            return fail(
                format!("boxOffice[{i}].amount"),
                "must not be negative".into(),
            );
        }
        let currency = &figure.currency;
        if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
            return fail(
                format!("boxOffice[{i}].currency"),
                "must be an ISO 4217 code such as USD".into(),
            );
        }
        if !CATALOGUE_PROVIDERS.contains(&figure.source.as_str()) {
            return fail(
                format!("boxOffice[{i}].source"),
                format!(
                    "unknown provider {:?}; expected one of {CATALOGUE_PROVIDERS:?}",
                    figure.source
                ),
            );
        }
        if !figures.insert((&figure.kind, &figure.source)) {
            return fail(
                format!("boxOffice[{i}]"),
                format!("{} from {} is given twice", figure.kind, figure.source),
            );
        }
    }
    // Not wins <= nominations: the source counts some wins it lists no nomination for.
    if let Some(awards) = &film.academy_awards
        && (awards.wins < 0 || awards.nominations < 0)
    {
        return fail("academyAwards".into(), "counts must not be negative".into());
    }
    Ok(())
}

/// Imports parsed catalogue films in one transaction; `progress` is told each step.
pub async fn write(
    db: &DatabaseConnection,
    films: &[CatalogueFilm],
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> Result<CatalogueReport, DbErr> {
    let txn = db.begin().await?;
    let report = write_in(&txn, films, progress).await?;
    txn.commit().await?;
    crate::db::content_version::committed();
    Ok(report)
}

async fn write_in(
    txn: &DatabaseTransaction,
    films: &[CatalogueFilm],
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> Result<CatalogueReport, DbErr> {
    let mut report = CatalogueReport::default();
    let total = films.len() as u64;
    content_version::bump(txn).await?;

    // People: one per distinct slug of a name (the source has no person ids).
    let people = upsert_people(txn, films).await?;
    report.people = people.len();
    progress("people", total / 10, total);

    // Films: merge with existing ones by IMDb id, then Wikidata id; insert the rest.
    let ids = upsert_films(txn, films, &mut report).await?;
    progress("films", total / 4, total);

    let film_ids: Vec<i32> = ids.iter().map(|(id, _)| *id).collect();
    clear_catalogue_rows(txn, &film_ids).await?;

    let mut genre_ids: HashMap<String, i32> = genre::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|g| (g.slug, g.id))
        .collect();
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
                        let row = genre::ActiveModel {
                            id: NotSet,
                            slug: Set(slug.clone()),
                            name: Set(name.clone()),
                        };
                        let id = row.insert(txn).await?.id;
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
        for (kind, names) in [
            (CreditKind::Director, &film.directors),
            (CreditKind::Writer, &film.writers),
            (CreditKind::Cast, &film.cast),
        ] {
            let mut seen = HashSet::new();
            for (position, name) in names.iter().enumerate() {
                let person_id = people[&person_slug(name)];
                if !seen.insert(person_id) {
                    continue;
                }
                // Billing follows the source's order, except after a film page's billed cast.
                let billing =
                    (kind == CreditKind::Cast && !has_document).then_some(position as i32 + 1);
                rows.credit(
                    film_id,
                    person_id,
                    kind,
                    billing,
                    ORIGIN_CATALOGUE,
                    film.year,
                );
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
    // Merged films may have taken the catalogue's year.
    summaries::refresh_credit_years(txn, None).await?;
    summaries::rebuild_search(txn).await?;
    progress("done", total, total);
    Ok(report)
}

/// A person's slug: the folded name, or for names with no Latin letters a stable hash.
pub(super) fn person_slug(name: &str) -> String {
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

/// Every person's id by slug.
async fn person_ids(txn: &DatabaseTransaction) -> Result<HashMap<String, i32>, DbErr> {
    let rows = person::Entity::find()
        .select_only()
        .column(person::Column::Slug)
        .column(person::Column::Id)
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?;
    Ok(rows.into_iter().collect())
}

async fn upsert_people(
    txn: &DatabaseTransaction,
    films: &[CatalogueFilm],
) -> Result<HashMap<String, i32>, DbErr> {
    let ids = person_ids(txn).await?;
    let mut new_people = BulkInsert::new(
        "person",
        &[
            ("slug", Text),
            ("name", Text),
            ("name_sort", Text),
            ("credit_count", Int),
        ],
    );
    let mut planned = HashSet::new();
    for film in films {
        for name in film.directors.iter().chain(&film.writers).chain(&film.cast) {
            let slug = person_slug(name);
            if !ids.contains_key(&slug) && planned.insert(slug.clone()) {
                new_people.push(vec![
                    slug.into(),
                    name.clone().into(),
                    fold(name).into(),
                    0.into(),
                ]);
            }
        }
    }
    new_people.run(txn).await?;
    person_ids(txn).await
}

/// Returns, for each catalogue film in order, its row id and whether a film page document owns it.
async fn upsert_films(
    txn: &DatabaseTransaction,
    films: &[CatalogueFilm],
    report: &mut CatalogueReport,
) -> Result<Vec<(i32, bool)>, DbErr> {
    let existing = film::Entity::find().all(txn).await?;
    let mut slugs: HashSet<String> = existing.iter().map(|f| f.slug.clone()).collect();
    let by_imdb: HashMap<&str, &film::Model> = existing
        .iter()
        .filter_map(|f| f.imdb_id.as_deref().map(|i| (i, f)))
        .collect();
    let by_wikidata: HashMap<&str, &film::Model> = existing
        .iter()
        .filter_map(|f| f.wikidata_id.as_deref().map(|w| (w, f)))
        .collect();
    let now = Utc::now();
    let mut new_rows = Vec::new();
    let mut merged = HashMap::new();
    for film in films {
        let found = film
            .imdb_id
            .as_deref()
            .and_then(|i| by_imdb.get(i))
            .or_else(|| by_wikidata.get(film.wikidata_id.as_str()));
        if let Some(old) = found {
            // One line by IMDb id, another by Wikidata id: both would overwrite one film.
            if let Some(first) = merged.insert(old.id, &film.wikidata_id) {
                return Err(DbErr::Custom(format!(
                    "{first} and {} both match the existing film {:?} (by IMDb id or Wikidata id)",
                    film.wikidata_id, old.slug
                )));
            }
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
            academy_award_wins: Set(film.academy_awards.as_ref().map(|a| a.wins)),
            academy_award_nominations: Set(film.academy_awards.as_ref().map(|a| a.nominations)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    report.films = films.len();
    insert_chunks(txn, new_rows).await?;
    let rows = film::Entity::find()
        .select_only()
        .column(film::Column::WikidataId)
        .column(film::Column::Id)
        .column(film::Column::DocumentHash)
        .into_tuple::<(Option<String>, i32, Option<String>)>()
        .all(txn)
        .await?;
    let ids: HashMap<String, (i32, bool)> = rows
        .into_iter()
        .filter_map(|(wikidata, id, hash)| wikidata.map(|w| (w, (id, hash.is_some()))))
        .collect();
    films
        .iter()
        .map(|f| {
            ids.get(&f.wikidata_id).copied().ok_or_else(|| {
                DbErr::Custom(format!(
                    "{} has no film row after the import",
                    f.wikidata_id
                ))
            })
        })
        .collect()
}

/// The catalogue fills what an existing film lacks; a film page's facts are kept.
async fn merge_into(
    txn: &DatabaseTransaction,
    old: &film::Model,
    film: &CatalogueFilm,
) -> Result<(), DbErr> {
    let document = old.document_hash.is_some();
    let mut row = film::ActiveModel {
        id: Set(old.id),
        wikidata_id: Set(Some(film.wikidata_id.clone())),
        academy_award_wins: Set(film.academy_awards.as_ref().map(|a| a.wins)),
        academy_award_nominations: Set(film.academy_awards.as_ref().map(|a| a.nominations)),
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
    row.update(txn).await?;
    Ok(())
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

/// Removes what an earlier catalogue import wrote for these films.
async fn clear_catalogue_rows(txn: &DatabaseTransaction, films: &[i32]) -> Result<(), DbErr> {
    credit::Entity::delete_many()
        .filter(credit::Column::Origin.eq(ORIGIN_CATALOGUE))
        .exec(txn)
        .await?;
    external_rating::Entity::delete_many()
        .filter(external_rating::Column::Provider.is_in(CATALOGUE_PROVIDERS))
        .exec(txn)
        .await?;
    box_office_figure::Entity::delete_many()
        .filter(box_office_figure::Column::Source.is_in(CATALOGUE_PROVIDERS))
        .exec(txn)
        .await?;
    for chunk in films.chunks(CHUNK) {
        let without_document = film::Entity::find()
            .select_only()
            .column(film::Column::Id)
            .filter(film::Column::Id.is_in(chunk.iter().copied()))
            .filter(film::Column::DocumentHash.is_null())
            .into_tuple::<i32>()
            .all(txn)
            .await?;
        film_genre::Entity::delete_many()
            .filter(film_genre::Column::FilmId.is_in(without_document.clone()))
            .exec(txn)
            .await?;
        film_country::Entity::delete_many()
            .filter(film_country::Column::FilmId.is_in(without_document.clone()))
            .exec(txn)
            .await?;
        film_language::Entity::delete_many()
            .filter(film_language::Column::FilmId.is_in(without_document))
            .exec(txn)
            .await?;
    }
    Ok(())
}

async fn insert_chunks<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

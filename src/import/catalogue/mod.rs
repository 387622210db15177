//! The bundled catalogue: 17,472 films from Wikidata merged with vega-datasets
//! (see `data/catalogue/README.md`): its line format and rules here, its
//! writing (one transaction, bulk inserts) in `write`. A film the catalogue
//! shares with a film page document (same IMDb id) stays one film: the
//! document's facts win, the catalogue fills the rest.

mod awards;
pub mod findings;
mod write;

use std::collections::HashSet;
use std::io::Read;

use chrono::Datelike;
use flate2::read::MultiGzDecoder;
use serde::{Deserialize, Serialize};

pub use awards::AcademyAwards;
pub use findings::{Finding, Reason};
pub use write::{person_slug, write};

use super::film_page::is_imdb_id;
use super::{ImportError, MAX_CATALOGUE_BYTES, json};
use crate::db::queries::origins::CATALOGUE_PROVIDERS;
use crate::kinds::{BoxOfficeKind, RatingSource};
use crate::text::slugify;

#[derive(Debug, Deserialize, Serialize)]
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
    /// The source's own words on Oscars ("Won 1 Oscar. Nominated for 3 Oscars.").
    pub academy_awards_text: Option<String>,
    /// The US theatrical release day (vega-datasets, US box office data).
    #[serde(default)]
    pub us_release: Option<chrono::NaiveDate>,
    /// The US distributor (vega-datasets), such as "MGM".
    #[serde(default)]
    pub us_distributor: Option<String>,
    /// The counts read from `academy_awards_text` (see `awards`).
    #[serde(skip)]
    pub academy_awards: Option<AcademyAwards>,
}

impl CatalogueFilm {
    /// A hash of what the import takes from the line (after the values
    /// dropped as not known): the same hash, the same rows.
    pub fn line_hash(&self) -> String {
        use sha2::Digest;
        // Plain fields and lists: serialising cannot fail.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(sha2::Sha256::digest(&bytes))
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueRating {
    pub source: String,
    pub value: f64,
    pub scale: f64,
    pub votes: Option<i64>,
    pub from: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFigure {
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub source: String,
}

/// How many rows the import wrote, and what it dropped.
#[derive(Debug, Default, PartialEq)]
pub struct CatalogueReport {
    pub films: usize,
    pub merged_with_existing: usize,
    /// The films it made or changed (the changes feed's entries).
    pub changed: usize,
    pub people: usize,
    pub credits: usize,
    /// The values not taken as fact, with why (see `findings`).
    pub findings: Vec<Finding>,
}

/// The lines of a catalogue file, checked, and what was dropped from them.
#[derive(Debug)]
pub struct Catalogue {
    pub films: Vec<CatalogueFilm>,
    pub findings: Vec<Finding>,
}

/// Reads gzip'd JSON Lines; any bad line refuses the whole file with its line number.
pub fn parse(source: &str, gzipped: &[u8]) -> Result<Catalogue, ImportError> {
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
    let mut findings = Vec::new();
    let mut seen_wikidata = HashSet::new();
    let mut seen_imdb = HashSet::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut film: CatalogueFilm =
            json::from_str(line).map_err(|problem| fail(number, &problem.path, problem.message))?;
        check_film(&film).map_err(|(path, message)| fail(number, &path, message))?;
        findings.extend(findings::apply(&mut film));
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
    Ok(Catalogue { films, findings })
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
    Ok(())
}

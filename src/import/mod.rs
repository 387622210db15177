//! Importing film page documents (JSON) into the database.
//!
//! Each document is validated completely before anything is written, then
//! written in one transaction: a bad file changes nothing. Importing the same
//! document again changes nothing; a corrected one updates its film in place.

pub mod catalogue;
pub mod document;
mod film_page;
mod summaries;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::db::entities::film;

pub use film_page::Outcome;

/// Largest document accepted; a film page is a few tens of kilobytes.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// Why a document was refused, precisely enough to fix it.
#[derive(Debug)]
pub struct ImportError {
    /// The file (or bundled name) the document came from.
    pub source: String,
    /// JSON path of the offending value, such as `credits[3].person`; empty for the whole file.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.source, self.message)
        } else {
            write!(f, "{}: at {}: {}", self.source, self.path, self.message)
        }
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    fn whole(source: &str, message: impl Into<String>) -> Self {
        Self {
            source: source.to_string(),
            path: String::new(),
            message: message.into(),
        }
    }
}

/// Parses, validates and imports one document given as bytes.
pub async fn import_bytes(
    db: &DatabaseConnection,
    source: &str,
    bytes: &[u8],
) -> Result<Outcome, ImportError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ImportError::whole(
            source,
            format!(
                "file is {} bytes; the limit is {MAX_DOCUMENT_BYTES}",
                bytes.len()
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::whole(
            source,
            format!(
                "not valid UTF-8 (first bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let page = validate::parse(source, text)?;
    film_page::write(db, source, &page, text).await
}

/// Imports every path: a film page (`*.json`), a catalogue (`*.jsonl.gz`), or a
/// directory of them (sorted by name).
/// Stops at the first bad document; the ones before it stay imported.
pub async fn import_paths(
    db: &DatabaseConnection,
    paths: &[PathBuf],
) -> anyhow::Result<Vec<(String, Outcome)>> {
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, &mut files)?;
    }
    let mut outcomes = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let bytes =
            std::fs::read(&file).map_err(|e| anyhow::anyhow!("{name}: cannot read: {e}"))?;
        let outcome = import_bytes(db, &name, &bytes).await?;
        tracing::info!(file = %name, outcome = %outcome, "imported film page");
        outcomes.push((name, outcome));
    }
    Ok(outcomes)
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    || p.to_string_lossy().ends_with(".jsonl.gz")
            })
            .collect();
        entries.sort();
        files.extend(entries);
    } else {
        files.push(path.to_path_buf());
    }
    Ok(())
}

/// Imports the bundled catalogue, then the bundled film pages, when the
/// database has no films yet (the first start).
pub async fn import_bundled_if_empty(db: &DatabaseConnection) -> anyhow::Result<()> {
    let films = film::Entity::find().count(db).await?;
    if films > 0 {
        tracing::info!(
            films,
            "database already has films; skipping the bundled import"
        );
        return Ok(());
    }
    import_catalogue(db, crate::data::CATALOGUE_NAME, crate::data::CATALOGUE).await?;
    import_bundled_pages(db).await
}

/// Imports the film page documents bundled in the binary.
pub async fn import_bundled_pages(db: &DatabaseConnection) -> anyhow::Result<()> {
    for (name, text) in crate::data::FILM_PAGES {
        let outcome = import_bytes(db, name, text.as_bytes()).await?;
        tracing::info!(file = name, outcome = %outcome, "imported bundled film page");
    }
    Ok(())
}

/// Imports a catalogue file (gzip'd JSON Lines), showing progress on a terminal.
pub async fn import_catalogue(
    db: &DatabaseConnection,
    source: &str,
    gzipped: &[u8],
) -> anyhow::Result<catalogue::CatalogueReport> {
    let started = std::time::Instant::now();
    let films = catalogue::parse(source, gzipped)?;
    tracing::info!(
        file = source,
        films = films.len(),
        "importing the catalogue"
    );
    let bar = progress_bar(films.len() as u64);
    let report = catalogue::write(db, &films, &|step, done, total| match &bar {
        Some(bar) => {
            bar.set_position(done);
            bar.set_message(step.to_string());
        }
        None => tracing::info!(step, done, total, "catalogue import"),
    })
    .await
    .map_err(|e| {
        anyhow::anyhow!("{source}: the database refused the catalogue ({e}); nothing was written")
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // Fresh statistics, or the planners guess: PostgreSQL sorted whole tables
    // for list pages it walks in an index once it knows the data.
    db.execute_unprepared("ANALYZE")
        .await
        .map_err(|e| anyhow::anyhow!("{source}: imported, but ANALYZE failed: {e}"))?;
    tracing::info!(
        file = source,
        films = report.films,
        merged = report.merged_with_existing,
        people = report.people,
        credits = report.credits,
        seconds = started.elapsed().as_secs_f64(),
        "imported the catalogue"
    );
    Ok(report)
}

/// A progress bar when stderr is a terminal; plain log lines otherwise.
fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} importing catalogue [{bar:40}] {pos}/{len} films  {msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// `external_rating.provider` of figures from film page documents.
pub const DOCUMENT_PROVIDER: &str = "film page";
/// Providers of the bundled catalogue's figures (ratings and box office).
pub const CATALOGUE_PROVIDERS: [&str; 2] = ["wikidata", "vega-datasets"];
/// `credit.origin` values: which importer owns a credit.
pub const ORIGIN_DOCUMENT: &str = "DOCUMENT";
pub const ORIGIN_CATALOGUE: &str = "CATALOGUE";

//! Importing content: film page documents (`film_page`), the catalogue
//! (`catalogue`) and the synthetic catalogue of `cinegraph generate`
//! (`synthetic`), from files, the bundled data or bytes.
//!
//! Each file is checked completely before anything is written, then written
//! in one transaction: a bad file changes nothing. Importing the same
//! document again changes nothing; a corrected one updates its film in place.
//! The statements live in `db::queries`; this module decides what to write.

mod bulk_revisions;
pub mod catalogue;
pub mod collections;
pub mod editor;
pub mod film_page;
pub mod film_sections;
mod json;
pub mod report;
pub mod revisions;
pub mod synthetic;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::db::Db;
use crate::db::queries::{content_version, film as films, summaries};
use crate::domain::events::Events;

pub use film_page::{FilmPage, Outcome, import_bytes, parse_document};
pub use report::ImportedFile;

/// Largest document accepted; a film page is a few tens of kilobytes.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;
/// Largest catalogue accepted, decompressed (and so compressed too): the
/// bundled one is 14 MB, and a gzip bomb stops here instead of filling memory.
pub const MAX_CATALOGUE_BYTES: usize = 256 * 1024 * 1024;

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
    pub(crate) fn whole(source: &str, message: impl Into<String>) -> Self {
        Self {
            source: source.to_string(),
            path: String::new(),
            message: message.into(),
        }
    }
}

/// A document's bytes as text: at most [`MAX_DOCUMENT_BYTES`], UTF-8.
pub(crate) fn document_text<'b>(source: &str, bytes: &'b [u8]) -> Result<&'b str, ImportError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        let message = too_big(bytes.len(), MAX_DOCUMENT_BYTES);
        return Err(ImportError::whole(source, message));
    }
    std::str::from_utf8(bytes).map_err(|e| ImportError::whole(source, json::utf8_error(bytes, e)))
}

pub(crate) fn too_big(bytes: impl fmt::Display, limit: usize) -> String {
    format!("file is {bytes} bytes; the limit is {limit}")
}

/// Imports every path: a film page or a collections file (`*.json`, told
/// apart by `format`), a catalogue (`*.jsonl.gz`), or a
/// directory of them (sorted by name).
/// Stops at the first bad file; the ones before it stay imported.
pub async fn import_paths(
    db: &Db,
    events: &Events,
    paths: &[PathBuf],
) -> anyhow::Result<Vec<ImportedFile>> {
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, &mut files)?;
    }
    let mut outcomes = Vec::new();
    let mut failed = None;
    for file in files {
        match import_file(db, events, &file).await {
            Ok(imported) => outcomes.push(imported),
            Err(err) => {
                failed = Some(err);
                break;
            }
        }
    }
    // A catalogue recomputed them already; pages change people and genres
    // too (and stay imported when a later file fails).
    if outcomes
        .iter()
        .any(|file| matches!(file.outcome, Outcome::Created | Outcome::Updated))
    {
        refresh_similar_films(db, events).await?;
    }
    match failed {
        Some(err) => Err(err),
        None => Ok(outcomes),
    }
}

async fn import_file(db: &Db, events: &Events, file: &Path) -> anyhow::Result<ImportedFile> {
    let name = file.display().to_string();
    let (outcome, findings) = if name.ends_with(".jsonl.gz") {
        let bytes = read_at_most(file, &name, MAX_CATALOGUE_BYTES)?;
        let report = import_catalogue(db, events, &name, &bytes).await?;
        (Outcome::Catalogue(report.films), report.findings)
    } else {
        let bytes = read_at_most(file, &name, MAX_DOCUMENT_BYTES)?;
        let outcome = if collections::is_collections_file(&bytes) {
            collections::import(db, events, &name, &bytes).await?
        } else {
            import_bytes(db, events, &name, &bytes).await?
        };
        tracing::info!(file = %name, outcome = %outcome, "imported");
        (outcome, Vec::new())
    };
    Ok(ImportedFile {
        file: name,
        outcome,
        findings,
    })
}

/// Computes what is derived from films and activity when a database from
/// before it lacks it: similar films, trending scores, the recommendation
/// model. Nothing when present.
pub async fn derive_missing(db: &Db) -> anyhow::Result<()> {
    crate::domain::similarity::rebuild_if_missing(db)
        .await
        .context("cannot compute similar films")?;
    crate::domain::trending::rebuild_if_missing(db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot compute trending scores: {e}"))?;
    crate::domain::recommendations::rebuild_model_if_missing(db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot build the recommendation model: {e}"))?;
    Ok(())
}

/// Recomputes every film's similar films after an import changed films.
pub async fn refresh_similar_films(db: &Db, events: &Events) -> anyhow::Result<()> {
    crate::domain::similarity::rebuild(db)
        .await
        .map_err(|e| anyhow::anyhow!("imported, but cannot compute similar films: {e}"))?;
    events.content_imported();
    Ok(())
}

/// Reads a file, refusing one over `limit` bytes before reading it (and, for
/// what has no size, such as a pipe, once `limit` bytes have come).
fn read_at_most(path: &Path, name: &str, limit: usize) -> anyhow::Result<Vec<u8>> {
    let cannot = |e: std::io::Error| anyhow::anyhow!("{name}: cannot read: {e}");
    let file = std::fs::File::open(path).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    if size > limit as u64 {
        anyhow::bail!("{name}: {}", too_big(size, limit));
    }
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > limit {
        anyhow::bail!("{name}: {}", too_big(format!("over {limit}"), limit));
    }
    Ok(bytes)
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
pub async fn import_bundled_if_empty(db: &Db, events: &Events) -> anyhow::Result<()> {
    let films = films::count(db).await?;
    if films > 0 {
        tracing::info!(
            films,
            "database already has films; skipping the bundled import"
        );
        return Ok(());
    }
    // The pages' import computes the similar films, for both.
    write_catalogue(
        db,
        events,
        crate::data::CATALOGUE_NAME,
        crate::data::CATALOGUE,
    )
    .await?;
    import_bundled_pages(db, events).await
}

/// Folds stored titles and names again where `text::fold` changed since the
/// database was written (see `summaries::refold_changed_letters`); run at
/// every start, it costs a few scans when there is nothing to do.
pub async fn refold_text(db: &Db, events: &Events) -> anyhow::Result<()> {
    let failed =
        |e: crate::db::DbErr| anyhow::Error::new(e).context("cannot refold titles and names");
    let txn = db.begin().await.map_err(failed)?;
    let changed = summaries::refold_changed_letters(&txn)
        .await
        .map_err(failed)?;
    if changed > 0 {
        // Cached answers and counts were made from the old folding.
        content_version::bump(&txn).await.map_err(failed)?;
    }
    txn.commit().await.map_err(failed)?;
    if changed > 0 {
        events.content_imported();
        tracing::info!(
            changed,
            "folded titles and names again for search and sorting"
        );
    }
    Ok(())
}

/// Imports the film page documents bundled in the binary, then the bundled
/// collections (of the films the database has).
pub async fn import_bundled_pages(db: &Db, events: &Events) -> anyhow::Result<()> {
    for (name, text) in crate::data::FILM_PAGES {
        let outcome = import_bytes(db, events, name, text.as_bytes()).await?;
        tracing::info!(file = name, outcome = %outcome, "imported bundled film page");
    }
    let (name, text) = crate::data::COLLECTIONS;
    let outcome = collections::import(db, events, name, text.as_bytes()).await?;
    tracing::info!(file = name, outcome = %outcome, "imported bundled collections");
    refresh_similar_films(db, events).await
}

/// Imports a catalogue file (gzip'd JSON Lines), showing progress on a
/// terminal, then computes every film's similar films again.
pub async fn import_catalogue(
    db: &Db,
    events: &Events,
    source: &str,
    gzipped: &[u8],
) -> anyhow::Result<catalogue::CatalogueReport> {
    let report = write_catalogue(db, events, source, gzipped).await?;
    refresh_similar_films(db, events).await?;
    Ok(report)
}

/// Imports a catalogue without computing similar films: for a caller that
/// imports film pages next, whose import computes them for both (the first
/// start, the tests' data).
pub async fn write_catalogue(
    db: &Db,
    events: &Events,
    source: &str,
    gzipped: &[u8],
) -> anyhow::Result<catalogue::CatalogueReport> {
    let started = std::time::Instant::now();
    let catalogue::Catalogue { films, findings } = catalogue::parse(source, gzipped)?;
    tracing::info!(
        file = source,
        films = films.len(),
        dropped = ?catalogue::findings::summary(&findings),
        "importing the catalogue; values dropped as not known or not plausible (see cinegraph import --report)"
    );
    let bar = progress_bar("importing catalogue", films.len() as u64);
    let report = catalogue::write(
        db,
        events,
        source,
        &films,
        &|step, done, total| match &bar {
            Some(bar) => {
                bar.set_position(done);
                bar.set_message(step.to_string());
            }
            None => tracing::info!(step, done, total, "catalogue import"),
        },
    )
    .await
    .map_err(|e| {
        anyhow::anyhow!("{source}: the database refused the catalogue ({e}); nothing was written")
    })?;
    let report = catalogue::CatalogueReport { findings, ..report };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    analyze(db)
        .await
        .map_err(|e| anyhow::anyhow!("{source}: imported, but {e}"))?;
    tracing::info!(
        file = source,
        films = report.films,
        merged = report.merged_with_existing,
        changed = report.changed,
        people = report.people,
        credits = report.credits,
        seconds = started.elapsed().as_secs_f64(),
        "imported the catalogue"
    );
    Ok(report)
}

/// Adds a synthetic catalogue (`cinegraph generate`), showing progress on a terminal.
pub async fn generate_synthetic(
    db: &Db,
    events: &Events,
    films: usize,
    seed: u64,
) -> anyhow::Result<synthetic::SyntheticReport> {
    let started = std::time::Instant::now();
    tracing::info!(films, seed, "generating a synthetic catalogue");
    let bar = progress_bar("generating films", films as u64);
    // Without a terminal, a log line per tenth.
    let tenths_logged = std::sync::atomic::AtomicU64::new(0);
    let report = synthetic::generate(db, events, films, seed, &|done, total| match &bar {
        Some(bar) => bar.set_position(done),
        None => {
            let tenth = done * 10 / total.max(1);
            if tenths_logged.fetch_max(tenth, std::sync::atomic::Ordering::Relaxed) < tenth {
                tracing::info!(done, total, "generating films");
            }
        }
    })
    .await
    .map_err(|e| {
        anyhow::anyhow!("cannot generate the synthetic catalogue: {e}; nothing was written")
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    analyze(db)
        .await
        .map_err(|e| anyhow::anyhow!("generated the synthetic catalogue, but {e}"))?;
    refresh_similar_films(db, events).await?;
    tracing::info!(
        films = report.films,
        people = report.people,
        credits = report.credits,
        seconds = started.elapsed().as_secs_f64(),
        "generated the synthetic catalogue"
    );
    Ok(report)
}

/// Fresh statistics after a bulk write (and its dead rows vacuumed on
/// PostgreSQL), or the planners guess: PostgreSQL
/// sorted whole tables for list pages it walks in an index once it knows the data.
async fn analyze(db: &Db) -> anyhow::Result<()> {
    summaries::analyze(db)
        .await
        .map_err(|e| anyhow::anyhow!("VACUUM/ANALYZE failed: {e}"))
}

/// A progress bar when stderr is a terminal; plain log lines otherwise.
fn progress_bar(label: &str, total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {label} [{{bar:40}}] {{pos}}/{{len}} films  {{msg}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

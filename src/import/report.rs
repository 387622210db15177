//! The import report of `cinegraph import --report FILE`: per file, what it
//! did and every value the importer did not take as fact, with the reason
//! (`catalogue::findings`). Counts per reason come first, so a reader sees
//! at a glance what a file lost.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::Outcome;
use super::catalogue::findings::{self, Finding, Reason};

/// The report's format name, for readers that check what they read.
pub const FORMAT: &str = "cinegraph-import-report/1";

/// One imported file.
#[derive(Debug)]
pub struct ImportedFile {
    pub file: String,
    pub outcome: Outcome,
    /// What was dropped (catalogues only: a page document with an
    /// implausible value is refused whole).
    pub findings: Vec<Finding>,
}

#[derive(Serialize)]
struct Report<'a> {
    format: &'static str,
    files: Vec<FileReport<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileReport<'a> {
    file: &'a str,
    outcome: String,
    dropped: BTreeMap<Reason, usize>,
    /// Left out of a summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<&'a [Finding]>,
}

/// The report as JSON (pretty-printed: it is read by people too).
pub fn to_json(files: &[ImportedFile]) -> String {
    render(files, true)
}

/// The report without the findings themselves: counts per reason only (the
/// form committed for the bundled catalogue, `data/catalogue/import-report-summary.json`).
pub fn summary_json(files: &[ImportedFile]) -> String {
    render(files, false)
}

fn render(files: &[ImportedFile], with_findings: bool) -> String {
    let report = Report {
        format: FORMAT,
        files: files
            .iter()
            .map(|f| FileReport {
                file: &f.file,
                outcome: f.outcome.to_string(),
                dropped: findings::summary(&f.findings),
                findings: with_findings.then_some(f.findings.as_slice()),
            })
            .collect(),
    };
    let mut json = serde_json::to_string_pretty(&report).expect("the report serialises");
    json.push('\n');
    json
}

/// Writes the report, replacing `path`.
pub fn write(path: &Path, files: &[ImportedFile]) -> anyhow::Result<()> {
    std::fs::write(path, to_json(files))
        .map_err(|e| anyhow::anyhow!("cannot write the import report {}: {e}", path.display()))
}

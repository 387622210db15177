//! Who wrote a row: each importer replaces only its own rows, so these names
//! are part of the data.

/// `external_rating.provider` of figures from film page documents.
pub const DOCUMENT_PROVIDER: &str = "film page";
/// Providers of the bundled catalogue's figures (ratings and box office).
pub const CATALOGUE_PROVIDERS: [&str; 2] = ["wikidata", "vega-datasets"];
/// `credit.origin` values: which importer owns a credit.
pub const ORIGIN_DOCUMENT: &str = "DOCUMENT";
pub const ORIGIN_CATALOGUE: &str = "CATALOGUE";
/// `credit.origin`, `external_rating.provider` and `box_office_figure.source`
/// of generated rows, so no importer mistakes them for its own.
pub const ORIGIN_SYNTHETIC: &str = "SYNTHETIC";
pub const SYNTHETIC_PROVIDER: &str = "synthetic";

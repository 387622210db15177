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
/// `film_release.provider` and `film_company.provider` of the bundled
/// catalogue's US release (certification: Wikidata's, else vega-datasets';
/// day: vega-datasets') and US distributor (vega-datasets).
pub const CATALOGUE_DETAILS: &str = "catalogue";
/// The country of the catalogue's release and distributor (MPAA ratings, US
/// box office data).
pub const CATALOGUE_COUNTRY: &str = "US";

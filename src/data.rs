//! Data bundled into the binary, so a fresh clone serves without `shared/` or
//! any download. The files live under `data/`; `data/README.md` says where each
//! comes from and under which licence.

/// The film page documents imported on first start: (name, JSON text).
pub const FILM_PAGES: &[(&str, &str)] = &[(
    "data/films/leaving-las-vegas.json",
    include_str!("../data/films/leaving-las-vegas.json"),
)];

/// Collections (franchises) of catalogue films, imported after the pages.
pub const COLLECTIONS: (&str, &str) = (
    "data/collections.json",
    include_str!("../data/collections.json"),
);

/// The catalogue: gzip'd JSON Lines derived from Wikidata and vega-datasets
/// by `scripts/derive_catalogue.py` (see `data/catalogue/README.md`).
pub const CATALOGUE: &[u8] = include_bytes!("../data/catalogue/films.jsonl.gz");
pub const CATALOGUE_NAME: &str = "data/catalogue/films.jsonl.gz";

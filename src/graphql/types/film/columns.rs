//! Which columns of a film's row each `Film` field reads: the loaders read
//! only those a query's selection needs (plus the id). A field missing from
//! this table would read none (see `film_columns`; a test checks that none
//! is missing), and a resolver that reads a column the loader left out
//! panics in debug builds (`Film::row`), which the tests that run every
//! playground example and snapshot query would show.

use async_graphql::SelectionField;

use crate::db::columns::ColumnSet;
use crate::db::entities::film::{self, Column as C};
use crate::db::entities::person;
use crate::graphql::pagination::MAX_PAGE_SIZE;
use crate::graphql::types::person::Person;
use crate::kinds::KindSet;

#[derive(Clone)]
pub struct Film {
    pub(super) row: film::Model,
    /// The columns `row` holds; the others are defaults, never to be read.
    read: ColumnSet,
    /// How many credits of each kind set the film has, where the statement
    /// that read it counted them (the `films` list, for its nodes'
    /// `credits(kinds: ...) { totalCount }`); other counts are loaded.
    credit_counts: Vec<(KindSet, i64)>,
    /// The directors (with the columns of their set), where the statement
    /// that read the film read them (the `films` list); else loaded.
    directors: Option<(Vec<person::Model>, ColumnSet)>,
}

impl Film {
    /// A film of the answer being built (named in its surrogate keys), with
    /// every column of its row.
    pub fn new(model: film::Model) -> Self {
        Self::with_columns(model, ColumnSet::all::<film::Entity>())
    }

    /// A film whose row holds only the columns of `read`.
    pub fn with_columns(model: film::Model, read: ColumnSet) -> Self {
        crate::cache::edge::saw_film(model.id);
        Film {
            row: model,
            read,
            credit_counts: Vec::new(),
            directors: None,
        }
    }

    /// The film with the counts of its credits of some kind sets, read with it.
    pub fn with_credit_counts(self, credit_counts: Vec<(KindSet, i64)>) -> Self {
        Film {
            credit_counts,
            ..self
        }
    }

    /// The film with its directors (their rows holding the columns of
    /// `read`), read with it: as many as `Film.directors` loads otherwise.
    pub fn with_directors(self, mut directors: Vec<person::Model>, read: ColumnSet) -> Self {
        directors.truncate(MAX_PAGE_SIZE as usize);
        Film {
            directors: Some((directors, read)),
            ..self
        }
    }

    /// The directors, if read with the film.
    pub(super) fn known_directors(&self) -> Option<Vec<Person>> {
        let (people, read) = self.directors.as_ref()?;
        let person = |row: &person::Model| Person::with_columns(row.clone(), *read);
        Some(people.iter().map(person).collect())
    }

    /// How many credits of `kinds` the film has, if read with it.
    pub(super) fn known_credit_count(&self, kinds: KindSet) -> Option<i64> {
        let counted = self.credit_counts.iter().find(|(set, _)| *set == kinds);
        counted.map(|(_, count)| *count)
    }

    /// The film's row id.
    pub fn row_id(&self) -> i32 {
        self.row.id
    }

    /// The row, to read `column` of. In debug builds a column the loader
    /// left out panics (add it to the field's columns in `columns.rs`).
    pub(super) fn row(&self, column: film::Column) -> &film::Model {
        debug_assert!(
            self.read.has::<film::Entity>(column),
            "Film read {column:?}, which its loader left out"
        );
        &self.row
    }
}

/// Every field of `Film` and the columns of its row it reads (the id is
/// always read; fields resolved through the loaders by id read nothing else).
pub(super) const FIELDS: &[(&str, &[C])] = &[
    ("__typename", &[]),
    ("id", &[]),
    ("slug", &[C::Slug]),
    ("imdbId", &[C::ImdbId]),
    ("title", &[C::Title]),
    ("originalTitle", &[C::OriginalTitle]),
    ("releaseDate", &[C::ReleaseDate]),
    ("releaseYear", &[C::ReleaseYear]),
    ("runtimeMinutes", &[C::RuntimeMinutes]),
    ("certification", &[C::Certification]),
    ("tagline", &[C::Tagline]),
    ("badlyExplainedPlot", &[C::BadlyExplainedPlot]),
    ("overview", &[C::Overview]),
    ("endingExplained", &[C::EndingExplained]),
    ("consensus", &[C::Consensus]),
    ("whereToWatchNote", &[C::WhereToWatchNote]),
    ("soundtrackNote", &[C::SoundtrackNote]),
    ("wikidataId", &[C::WikidataId]),
    ("version", &[C::Version]),
    (
        "academyAwards",
        &[C::AcademyAwardWins, C::AcademyAwardNominations],
    ),
    ("userRatingAverage", &[C::UserRatingAverage]),
    ("userRatingCount", &[C::UserRatingCount]),
    // Without `histogram`, the count and average of the row (kept by every
    // rating write); with it, counted from the ratings.
    ("ratingSummary", &[C::UserRatingCount, C::UserRatingAverage]),
    ("viewerRating", &[]),
    ("viewerState", &[]),
    ("genres", &[]),
    ("countries", &[]),
    ("languages", &[]),
    ("synopsis", &[]),
    ("externalRatings", &[]),
    ("boxOffice", &[]),
    ("credits", &[]),
    ("castOrder", &[]),
    ("directors", &[]),
    ("characters", &[]),
    ("quotes", &[]),
    ("reviews", &[]),
    ("audienceReactions", &[]),
    ("contentWarnings", &[]),
    ("recommendedFor", &[]),
    ("nominations", &[]),
    ("trivia", &[]),
    ("faq", &[]),
    ("videos", &[]),
    ("soundtrack", &[]),
    ("filmingLocations", &[]),
    ("basedOn", &[]),
    ("offers", &[]),
    ("similarFilms", &[]),
    ("lists", &[]),
    ("revisions", &[]),
    ("products", &[]),
    ("titles", &[]),
    ("releases", &[]),
    ("images", &[]),
    ("poster", &[]),
    ("keywords", &[]),
    ("collection", &[]),
    ("companies", &[]),
];

/// The columns the films selected by `fields` (each a field whose value is a
/// film, or a list of them) need. The selections are flattened through
/// fragments without their type conditions, so a name the table does not
/// know is another type's field (a search hit's `... on Person { name }`):
/// the table names every field of `Film` (a test checks), and it reads
/// nothing. A name both types have reads the film's columns too, which is
/// only wider than needed.
pub fn film_columns(fields: &[SelectionField<'_>]) -> ColumnSet {
    let mut set = ColumnSet::key::<film::Entity>();
    for field in fields {
        for selected in field.selection_set() {
            if let Some((_, columns)) = FIELDS.iter().find(|(name, _)| *name == selected.name()) {
                set = set.union(ColumnSet::of::<film::Entity>(columns));
            }
        }
    }
    set
}

/// The names of the fields of `type {name}` in the schema's SDL.
#[cfg(test)]
pub(crate) fn sdl_fields(name: &str) -> Vec<String> {
    let sdl = crate::graphql::export_sdl();
    let body = sdl
        .split(&format!("\ntype {name} "))
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("the type is in the schema");
    // Without descriptions, a field starts a line one tab in; its arguments
    // are two tabs in.
    let body: String = body.split("\"\"\"").step_by(2).collect();
    body.lines()
        .filter_map(|line| line.strip_prefix('\t'))
        .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
        .map(|line| line.split(['(', ':']).next().unwrap_or(line).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field the table does not know reads no column (it must be another
    /// type's): each field of `Film` is in it, and nothing else.
    #[test]
    fn the_table_names_every_field_of_film_and_no_other() {
        let mut schema = sdl_fields("Film");
        schema.push("__typename".to_string());
        schema.sort();
        let mut table: Vec<String> = FIELDS.iter().map(|(name, _)| name.to_string()).collect();
        table.sort();
        assert_eq!(table, schema);
    }
}

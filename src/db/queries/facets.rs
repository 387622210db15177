//! The film list's facets: how many films of the list have each genre,
//! decade, country, language, certification and runtime band.
//!
//! Facets are disjunctive: each one counts under every filter of the list
//! except its own (`FilmFilter::without`), so a sidebar still shows what
//! picking another value of the same facet would give. The counts reuse the
//! list's own conditions (`FilmFilter::push_from`), never a copy of them.

use std::cmp::Reverse;

use sea_orm::FromQueryResult;

use crate::db::Db;
use crate::db::entities::genre;
use crate::db::queries::film_list::{FilmFilter, GenreMatch, Probe};
use crate::db::sql::Sql;
use crate::error::{AppError, AppResult};

/// A facet of the film list, named by what it counts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Facet {
    /// Ignores `genres` and `genre_match`.
    Genres,
    /// Ignores `release_year`.
    Decades,
    /// Ignores `countries`.
    Countries,
    /// Ignores `languages`.
    Languages,
    /// Ignores `certifications`.
    Certifications,
    /// Ignores `runtime_minutes`.
    Runtimes,
}

impl FilmFilter {
    /// The filter without the facet's own condition: the films a facet
    /// counts, whichever of its values are selected.
    pub fn without(&self, facet: Facet) -> FilmFilter {
        let mut filter = self.clone();
        match facet {
            Facet::Genres => {
                filter.genres = None;
                filter.genre_match = GenreMatch::default();
            }
            Facet::Decades => filter.release_year = None,
            Facet::Countries => filter.countries = None,
            Facet::Languages => filter.languages = None,
            Facet::Certifications => filter.certifications = None,
            Facet::Runtimes => filter.runtime_minutes = None,
        }
        filter
    }
}

/// A band of running times, shortest first.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RuntimeBand {
    Under90,
    From90To119,
    From120To149,
    From150,
}

impl RuntimeBand {
    /// Every band, shortest first; together they cover every running time
    /// from 0 minutes up, each once.
    pub const ALL: [RuntimeBand; 4] = [
        RuntimeBand::Under90,
        RuntimeBand::From90To119,
        RuntimeBand::From120To149,
        RuntimeBand::From150,
    ];

    /// The shortest running time in the band, in minutes.
    pub fn min_minutes(self) -> i32 {
        match self {
            RuntimeBand::Under90 => 0,
            RuntimeBand::From90To119 => 90,
            RuntimeBand::From120To149 => 120,
            RuntimeBand::From150 => 150,
        }
    }

    /// The longest running time in the band, in minutes; none for the last.
    pub fn max_minutes(self) -> Option<i32> {
        match self {
            RuntimeBand::Under90 => Some(89),
            RuntimeBand::From90To119 => Some(119),
            RuntimeBand::From120To149 => Some(149),
            RuntimeBand::From150 => None,
        }
    }
}

/// How many films of the list have each genre, most films first, then by
/// name; the list's genre filter is ignored.
pub async fn genres(db: &Db, filter: &FilmFilter) -> AppResult<Vec<(genre::Model, i64)>> {
    let filter = filter.without(Facet::Genres);
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT g.id, g.slug, g.name, counted.total FROM genre g JOIN (SELECT fg.genre_id, COUNT(*) AS total");
    sql.push(" FROM film_genre fg WHERE fg.film_id IN (SELECT f.id");
    filter.push_from(&mut sql, Probe::Set)?;
    sql.push(") GROUP BY fg.genre_id) counted ON counted.genre_id = g.id ORDER BY counted.total DESC, g.name");
    let rows = sql.query_all_own_plan(db).await?;
    rows.iter()
        .map(|row| {
            Ok((
                genre::Model::from_query_result(row, "")?,
                row.try_get("", "total")?,
            ))
        })
        .collect()
}

/// How many films of the list came out in each decade (its first year),
/// oldest first; the list's release year range is ignored, and films whose
/// year is not known are not counted.
pub async fn decades(db: &Db, filter: &FilmFilter) -> AppResult<Vec<(i32, i64)>> {
    let filter = filter.without(Facet::Decades);
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT (f.release_year / 10) * 10 AS decade, COUNT(*) AS total");
    filter.push_from(&mut sql, Probe::Set)?;
    sql.push(" AND f.release_year IS NOT NULL GROUP BY (f.release_year / 10) * 10 ORDER BY decade");
    let rows = sql.query_all_own_plan(db).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "decade")?, row.try_get("", "total")?)))
        .collect()
}

/// How many films of the list were made in each country, most films first,
/// then by name; the list's country filter is ignored.
pub async fn countries(db: &Db, filter: &FilmFilter) -> AppResult<Vec<(String, i64)>> {
    let filter = filter.without(Facet::Countries);
    per_related_value(db, &filter, "film_country", "country").await
}

/// How many films of the list are spoken in each language, most films first,
/// then by name; the list's language filter is ignored.
pub async fn languages(db: &Db, filter: &FilmFilter) -> AppResult<Vec<(String, i64)>> {
    let filter = filter.without(Facet::Languages);
    per_related_value(db, &filter, "film_language", "language").await
}

/// How many films of the list have each certification, most films first,
/// then by name; the list's certification filter is ignored, and films
/// without a certification are not counted.
pub async fn certifications(db: &Db, filter: &FilmFilter) -> AppResult<Vec<(String, i64)>> {
    let filter = filter.without(Facet::Certifications);
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT f.certification AS value, COUNT(*) AS total");
    filter.push_from(&mut sql, Probe::Set)?;
    sql.push(" AND f.certification IS NOT NULL GROUP BY f.certification");
    let rows = sql.query_all_own_plan(db).await?;
    let counted = rows
        .iter()
        .map(|row| Ok((row.try_get("", "value")?, row.try_get("", "total")?)))
        .collect::<AppResult<Vec<(String, i64)>>>()?;
    Ok(most_first(counted))
}

/// How many films of the list fall in each runtime band, shortest band
/// first; the list's runtime range is ignored, films whose length is not
/// known are not counted, and bands without films are left out.
pub async fn runtimes(db: &Db, filter: &FilmFilter) -> AppResult<Vec<(RuntimeBand, i64)>> {
    let filter = filter.without(Facet::Runtimes);
    let mut sql = Sql::new(db.backend());
    // The band's position in `RuntimeBand::ALL`, from the bands' own bounds;
    // a length in no band (below the first) is NULL and not counted.
    sql.push("SELECT banded.band, COUNT(*) AS total FROM (SELECT CASE");
    for (index, band) in RuntimeBand::ALL.iter().enumerate() {
        sql.push(" WHEN f.runtime_minutes >= ")
            .bind(band.min_minutes());
        if let Some(max) = band.max_minutes() {
            sql.push(" AND f.runtime_minutes <= ").bind(max);
        }
        sql.push(&format!(" THEN {index}"));
    }
    sql.push(" END AS band");
    filter.push_from(&mut sql, Probe::Set)?;
    sql.push(" AND f.runtime_minutes IS NOT NULL) banded WHERE banded.band IS NOT NULL");
    sql.push(" GROUP BY banded.band ORDER BY banded.band");
    let rows = sql.query_all_own_plan(db).await?;
    rows.iter()
        .map(|row| {
            let index: i32 = row.try_get("", "band")?;
            let band = usize::try_from(index)
                .ok()
                .and_then(|i| RuntimeBand::ALL.get(i).copied())
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("runtime band {index} out of range"))
                })?;
            Ok((band, row.try_get("", "total")?))
        })
        .collect()
}

/// How many films of the list have each value of a film's related list
/// (`film_country.country`, `film_language.language`), most films first.
async fn per_related_value(
    db: &Db,
    filter: &FilmFilter,
    table: &str,
    column: &str,
) -> AppResult<Vec<(String, i64)>> {
    let mut sql = Sql::new(db.backend());
    sql.push(&format!(
        "SELECT x.{column} AS value, COUNT(*) AS total FROM {table} x WHERE x.film_id IN (SELECT f.id"
    ));
    filter.push_from(&mut sql, Probe::Set)?;
    sql.push(&format!(") GROUP BY x.{column}"));
    let rows = sql.query_all_own_plan(db).await?;
    let counted = rows
        .iter()
        .map(|row| Ok((row.try_get("", "value")?, row.try_get("", "total")?)))
        .collect::<AppResult<Vec<(String, i64)>>>()?;
    Ok(most_first(counted))
}

/// Most films first, then by value in byte order. Sorted here rather than in
/// SQL so that both databases order ties alike whatever PostgreSQL's
/// collation (a few hundred values at most).
fn most_first(mut counted: Vec<(String, i64)>) -> Vec<(String, i64)> {
    counted.sort_by(|a, b| (Reverse(a.1), &a.0).cmp(&(Reverse(b.1), &b.0)));
    counted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::queries::film_list::IntRange;

    #[test]
    fn each_facet_clears_only_its_own_filter() {
        let range = Some(IntRange {
            min: Some(1),
            max: Some(2),
        });
        let list = |v: &str| Some(vec![v.to_string()]);
        let filter = FilmFilter {
            genres: list("drama"),
            genre_match: GenreMatch::All,
            release_year: range,
            runtime_minutes: range,
            certifications: list("R"),
            countries: list("France"),
            languages: list("French"),
            title: Some("vegas".into()),
            ..FilmFilter::default()
        };
        let genres = filter.without(Facet::Genres);
        assert!(genres.genres.is_none() && genres.genre_match == GenreMatch::Any);
        assert!(genres.release_year.is_some() && genres.countries.is_some());
        assert!(filter.without(Facet::Decades).release_year.is_none());
        assert!(filter.without(Facet::Runtimes).runtime_minutes.is_none());
        assert!(filter.without(Facet::Countries).countries.is_none());
        assert!(filter.without(Facet::Languages).languages.is_none());
        assert!(
            filter
                .without(Facet::Certifications)
                .certifications
                .is_none()
        );
        for facet in [
            Facet::Genres,
            Facet::Decades,
            Facet::Countries,
            Facet::Languages,
            Facet::Certifications,
            Facet::Runtimes,
        ] {
            let cleared = filter.without(facet);
            assert_eq!(cleared.title, filter.title, "{facet:?}");
            // Exactly one condition (genres with their match) is gone.
            let kept = [
                cleared.genres.is_some(),
                cleared.release_year.is_some(),
                cleared.runtime_minutes.is_some(),
                cleared.certifications.is_some(),
                cleared.countries.is_some(),
                cleared.languages.is_some(),
            ];
            assert_eq!(kept.iter().filter(|k| **k).count(), 5, "{facet:?}");
        }
    }

    #[test]
    fn runtime_bands_cover_every_length_once_in_order() {
        assert_eq!(RuntimeBand::ALL[0].min_minutes(), 0);
        for pair in RuntimeBand::ALL.windows(2) {
            assert_eq!(pair[0].max_minutes(), Some(pair[1].min_minutes() - 1));
        }
        assert_eq!(RuntimeBand::ALL[3].max_minutes(), None);
    }

    #[test]
    fn ties_are_ordered_by_value_in_byte_order() {
        let counted = vec![
            ("b".to_string(), 1),
            ("a".to_string(), 1),
            ("c".to_string(), 5),
        ];
        let sorted = most_first(counted);
        let order: Vec<&str> = sorted.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"]);
    }
}

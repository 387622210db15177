//! The rows around a film that the catalogue importer and `cinegraph generate`
//! both write in bulk: genres, countries, languages, credits, outside ratings
//! and box office figures.

use sea_orm::{DatabaseTransaction, DbErr};

use crate::db::bulk::BulkInsert;
use crate::db::bulk::ColumnType::*;
use crate::kinds::CreditKind;

/// The position of the catalogue's release and company of a film: after
/// any its page lists (a page's positions count from 1).
const CATALOGUE_POSITION: i32 = 100_000;

pub struct FilmRows {
    genres: BulkInsert,
    countries: BulkInsert,
    languages: BulkInsert,
    credits: BulkInsert,
    ratings: BulkInsert,
    figures: BulkInsert,
    releases: BulkInsert,
    companies: BulkInsert,
}

impl Default for FilmRows {
    fn default() -> Self {
        Self::new()
    }
}

impl FilmRows {
    pub fn new() -> Self {
        Self {
            genres: BulkInsert::new(
                "film_genre",
                &[("film_id", Int), ("genre_id", Int), ("position", Int)],
            ),
            countries: BulkInsert::new(
                "film_country",
                &[("film_id", Int), ("country", Text), ("position", Int)],
            ),
            languages: BulkInsert::new(
                "film_language",
                &[("film_id", Int), ("language", Text), ("position", Int)],
            ),
            credits: BulkInsert::new(
                "credit",
                &[
                    ("film_id", Int),
                    ("person_id", Int),
                    ("kind", Text),
                    ("billing_order", NullableInt),
                    ("origin", Text),
                    ("film_year", Int),
                ],
            ),
            ratings: BulkInsert::new(
                "external_rating",
                &[
                    ("film_id", Int),
                    ("source", Text),
                    ("value", Double),
                    ("scale", Double),
                    ("votes", NullableBigInt),
                    ("provider", Text),
                ],
            ),
            figures: BulkInsert::new(
                "box_office_figure",
                &[
                    ("film_id", Int),
                    ("kind", Text),
                    ("amount", BigInt),
                    ("currency", Text),
                    ("source", Text),
                ],
            ),
            releases: BulkInsert::new(
                "film_release",
                &[
                    ("film_id", Int),
                    ("position", Int),
                    ("country", Text),
                    ("kind", NullableText),
                    ("release_date", NullableDate),
                    ("certification", NullableText),
                    ("provider", Text),
                ],
            ),
            companies: BulkInsert::new(
                "film_company",
                &[
                    ("film_id", Int),
                    ("company_id", Int),
                    ("role", Text),
                    ("position", Int),
                    ("provider", Text),
                ],
            ),
        }
    }

    pub fn genre(&mut self, film: i32, genre: i32, position: usize) {
        self.genres
            .push(vec![film.into(), genre.into(), (position as i32).into()]);
    }

    pub fn country(&mut self, film: i32, country: &str, position: usize) {
        self.countries
            .push(vec![film.into(), country.into(), (position as i32).into()]);
    }

    pub fn language(&mut self, film: i32, language: &str, position: usize) {
        self.languages
            .push(vec![film.into(), language.into(), (position as i32).into()]);
    }

    pub fn credit(
        &mut self,
        film: i32,
        person: i32,
        kind: CreditKind,
        billing: Option<i32>,
        origin: &str,
        film_year: Option<i32>,
    ) {
        self.credits.push(vec![
            film.into(),
            person.into(),
            kind.as_str().into(),
            billing.into(),
            origin.into(),
            film_year.unwrap_or(0).into(),
        ]);
    }

    /// `source` is a `RatingSource` name, `provider` who reported the figure.
    pub fn rating(
        &mut self,
        film: i32,
        source: &str,
        (value, scale): (f64, f64),
        votes: Option<i64>,
        provider: &str,
    ) {
        self.ratings.push(vec![
            film.into(),
            source.into(),
            value.into(),
            scale.into(),
            votes.into(),
            provider.into(),
        ]);
    }

    /// `kind` is a `BoxOfficeKind` name.
    pub fn figure(&mut self, film: i32, kind: &str, amount: i64, currency: &str, source: &str) {
        self.figures.push(vec![
            film.into(),
            kind.into(),
            amount.into(),
            currency.into(),
            source.into(),
        ]);
    }

    /// A release in `country`: `kind` a `ReleaseKind` name; what the source
    /// does not know is `None`.
    pub fn release(
        &mut self,
        film: i32,
        country: &str,
        (kind, day): (Option<&str>, Option<chrono::NaiveDate>),
        certification: Option<&str>,
        provider: &str,
    ) {
        self.releases.push(vec![
            film.into(),
            CATALOGUE_POSITION.into(),
            country.into(),
            kind.map(str::to_string).into(),
            day.map(|day| day.format("%Y-%m-%d").to_string()).into(),
            certification.map(str::to_string).into(),
            provider.into(),
        ]);
    }

    /// `role` is a `CompanyRole` name.
    pub fn company(&mut self, film: i32, company: i32, role: &str, provider: &str) {
        self.companies.push(vec![
            film.into(),
            company.into(),
            role.into(),
            CATALOGUE_POSITION.into(),
            provider.into(),
        ]);
    }

    pub fn credit_count(&self) -> usize {
        self.credits.len()
    }

    pub async fn run(self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        for rows in [
            self.genres,
            self.countries,
            self.languages,
            self.credits,
            self.ratings,
            self.figures,
            self.releases,
            self.companies,
        ] {
            rows.run(txn).await?;
        }
        Ok(())
    }
}

//! The statements of the catalogue import and of `cinegraph generate`, each
//! in the importer's transaction: people and films in bulk, the merge of a
//! catalogue film into an existing one, clearing what an earlier catalogue
//! import wrote, and the frequencies the generator draws from.

use std::collections::HashMap;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use crate::db::bulk::BulkInsert;
use crate::db::bulk::ColumnType::*;
use crate::db::entities::*;
use crate::db::queries::origins::{CATALOGUE_DETAILS, CATALOGUE_PROVIDERS, ORIGIN_CATALOGUE};
use crate::db::sql::Sql;
use crate::db::{DbErr, Transaction};
use crate::text::fold;

/// Rows per multi-row INSERT and per `IN (...)` list: well under SQLite's
/// and PostgreSQL's parameter limits.
const CHUNK: usize = 1000;

/// Every person's id by slug.
pub async fn person_ids(txn: &Transaction) -> Result<HashMap<String, i32>, DbErr> {
    let rows = person::Entity::find()
        .select_only()
        .column(person::Column::Slug)
        .column(person::Column::Id)
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The ids of the people with these slugs.
pub async fn person_ids_of(
    txn: &Transaction,
    slugs: &[String],
) -> Result<HashMap<String, i32>, DbErr> {
    Ok(person::Entity::find()
        .select_only()
        .column(person::Column::Slug)
        .column(person::Column::Id)
        .filter(person::Column::Slug.is_in(slugs.iter().cloned()))
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect())
}

/// New people, `(slug, name)`, with no credits yet.
pub async fn insert_people(txn: &Transaction, people: &[(String, String)]) -> Result<(), DbErr> {
    let mut rows = BulkInsert::new(
        "person",
        &[
            ("slug", Text),
            ("name", Text),
            ("name_sort", Text),
            ("credit_count", Int),
        ],
    );
    for (slug, name) in people {
        rows.push(vec![
            slug.clone().into(),
            name.clone().into(),
            fold(name).into(),
            0.into(),
        ]);
    }
    rows.run(txn).await
}

/// Every film.
pub async fn all_films(txn: &Transaction) -> Result<Vec<film::Model>, DbErr> {
    film::Entity::find().all(txn).await
}

/// Inserts film rows in chunks.
pub async fn insert_films(txn: &Transaction, rows: Vec<film::ActiveModel>) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<film::ActiveModel> = rows.by_ref().take(CHUNK).collect();
        film::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Updates the columns `row` sets on an existing film.
pub async fn update_film(txn: &Transaction, row: film::ActiveModel) -> Result<(), DbErr> {
    row.update(txn).await?;
    Ok(())
}

/// Every catalogue film's id and whether a film page document owns it, by Wikidata id.
pub async fn films_by_wikidata_id(
    txn: &Transaction,
) -> Result<HashMap<String, (i32, bool)>, DbErr> {
    let rows = film::Entity::find()
        .select_only()
        .column(film::Column::WikidataId)
        .column(film::Column::Id)
        .column(film::Column::DocumentHash)
        .into_tuple::<(Option<String>, i32, Option<String>)>()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(wikidata, id, hash)| wikidata.map(|w| (w, (id, hash.is_some()))))
        .collect())
}

/// The ids of the films with these slugs.
pub async fn film_ids_by_slug(
    txn: &Transaction,
    slugs: impl Iterator<Item = String>,
) -> Result<HashMap<String, i32>, DbErr> {
    Ok(film::Entity::find()
        .select_only()
        .column(film::Column::Slug)
        .column(film::Column::Id)
        .filter(film::Column::Slug.is_in(slugs))
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect())
}

/// The hash of each film's catalogue line as last imported, by film id.
pub async fn line_hashes(txn: &Transaction) -> Result<HashMap<i32, String>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT film_id, hash FROM catalogue_line");
    let rows: Vec<(i32, String)> = sql.tuples(txn).await?;
    Ok(rows.into_iter().collect())
}

/// Keeps the hash of each film's line (replacing the one it had).
pub async fn keep_line_hashes(txn: &Transaction, lines: &[(i32, String)]) -> Result<(), DbErr> {
    let mut rows = BulkInsert::new("catalogue_line", &[("film_id", Int), ("hash", Text)]);
    for chunk in lines.chunks(CHUNK) {
        let ids: Vec<i32> = chunk.iter().map(|(film_id, _)| *film_id).collect();
        let mut delete = Sql::new(txn.get_database_backend());
        delete
            .push("DELETE FROM catalogue_line WHERE film_id IN (")
            .bind_list(&ids)
            .push(")");
        delete.execute(txn).await?;
    }
    for (film_id, hash) in lines {
        rows.push(vec![(*film_id).into(), hash.clone().into()]);
    }
    rows.run(txn).await
}

/// Removes what an earlier catalogue import wrote: its credits, ratings and
/// figures, and the genres, countries and languages of these films unless a
/// film page document owns them.
pub async fn clear_catalogue_rows(txn: &Transaction, films: &[i32]) -> Result<(), DbErr> {
    credit::Entity::delete_many()
        .filter(credit::Column::Origin.eq(ORIGIN_CATALOGUE))
        .exec(txn)
        .await?;
    external_rating::Entity::delete_many()
        .filter(external_rating::Column::Provider.is_in(CATALOGUE_PROVIDERS))
        .exec(txn)
        .await?;
    box_office_figure::Entity::delete_many()
        .filter(box_office_figure::Column::Source.is_in(CATALOGUE_PROVIDERS))
        .exec(txn)
        .await?;
    film_release::Entity::delete_many()
        .filter(film_release::Column::Provider.eq(CATALOGUE_DETAILS))
        .exec(txn)
        .await?;
    film_company::Entity::delete_many()
        .filter(film_company::Column::Provider.eq(CATALOGUE_DETAILS))
        .exec(txn)
        .await?;
    for chunk in films.chunks(CHUNK) {
        let without_document = film::Entity::find()
            .select_only()
            .column(film::Column::Id)
            .filter(film::Column::Id.is_in(chunk.iter().copied()))
            .filter(film::Column::DocumentHash.is_null())
            .into_tuple::<i32>()
            .all(txn)
            .await?;
        film_genre::Entity::delete_many()
            .filter(film_genre::Column::FilmId.is_in(without_document.clone()))
            .exec(txn)
            .await?;
        film_country::Entity::delete_many()
            .filter(film_country::Column::FilmId.is_in(without_document.clone()))
            .exec(txn)
            .await?;
        film_language::Entity::delete_many()
            .filter(film_language::Column::FilmId.is_in(without_document))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Every company's id by slug.
pub async fn company_ids(txn: &Transaction) -> Result<HashMap<String, i32>, DbErr> {
    let rows = company::Entity::find().all(txn).await?;
    Ok(rows.into_iter().map(|c| (c.slug, c.id)).collect())
}

/// Every genre's id by slug.
pub async fn genre_ids(txn: &Transaction) -> Result<HashMap<String, i32>, DbErr> {
    Ok(genre::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|g| (g.slug, g.id))
        .collect())
}

/// Inserts a genre; returns its id.
pub async fn insert_genre(txn: &Transaction, slug: &str, name: &str) -> Result<i32, DbErr> {
    let row = genre::ActiveModel {
        id: NotSet,
        slug: Set(slug.to_string()),
        name: Set(name.to_string()),
    };
    Ok(row.insert(txn).await?.id)
}

/// How many films have slugs starting with `prefix`.
pub async fn films_with_slug_prefix(txn: &Transaction, prefix: &str) -> Result<u64, DbErr> {
    film::Entity::find()
        .filter(film::Column::Slug.starts_with(prefix))
        .count(txn)
        .await
}

/// A value and how often it occurs among the catalogue's films.
pub type Frequencies<T> = Vec<(T, u64)>;

/// How often each genre, country and language occurs on films, every known
/// release year (one per film, in id order), and every person's id, most
/// credited first: the shapes `cinegraph generate` draws from.
pub struct Shapes {
    pub genres: Frequencies<i32>,
    pub countries: Frequencies<String>,
    pub languages: Frequencies<String>,
    pub years: Vec<i32>,
    pub people: Vec<i32>,
}

pub async fn shapes(txn: &Transaction) -> Result<Shapes, DbErr> {
    let genres = counts(
        txn,
        "SELECT genre_id AS v, COUNT(*) AS n FROM film_genre GROUP BY genre_id ORDER BY genre_id",
    )
    .await?
    .into_iter()
    .filter_map(|(v, n)| Some((v.parse::<i32>().ok()?, n)))
    .collect();
    let countries = counts(
        txn,
        "SELECT country AS v, COUNT(*) AS n FROM film_country GROUP BY country ORDER BY country",
    )
    .await?;
    let languages = counts(
        txn,
        "SELECT language AS v, COUNT(*) AS n FROM film_language GROUP BY language ORDER BY language",
    )
    .await?;
    let years: Vec<i32> = film::Entity::find()
        .select_only()
        .column(film::Column::ReleaseYear)
        .filter(film::Column::ReleaseYear.is_not_null())
        .order_by_asc(film::Column::Id)
        .into_tuple::<i32>()
        .all(txn)
        .await?;
    let people: Vec<i32> = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            "SELECT id FROM person ORDER BY credit_count DESC, id",
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<i32>("", "id"))
        .collect::<Result<_, _>>()?;
    Ok(Shapes {
        genres,
        countries,
        languages,
        years,
        people,
    })
}

/// `(value as text, count)` rows of a grouped statement with columns `v` and `n`.
async fn counts(txn: &Transaction, sql: &str) -> Result<Vec<(String, u64)>, DbErr> {
    let rows = txn
        .query_all_raw(Statement::from_string(txn.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|row| {
            let value = match row.try_get::<String>("", "v") {
                Ok(text) => text,
                Err(_) => row.try_get::<i32>("", "v")?.to_string(),
            };
            Ok((value, row.try_get::<i64>("", "n")?.max(0) as u64))
        })
        .collect()
}

/// Every person's slug.
pub async fn person_slugs(txn: &Transaction) -> Result<Vec<String>, DbErr> {
    person::Entity::find()
        .select_only()
        .column(person::Column::Slug)
        .into_tuple::<String>()
        .all(txn)
        .await
}

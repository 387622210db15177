//! The facts films are compared on (years, genres, principal people) and
//! the computed similar films (`film_similarity`), replaced whole.

use sea_orm::{ConnectionTrait, Value};

use crate::db::bulk::{BulkInsert, ColumnType};
use crate::db::sql::Sql;
use crate::db::{DbErr, Transaction};

/// Cast members past this place in a film's credit list (billed cast in
/// billing order, then by prominence) are not compared.
pub const PRINCIPAL_CAST: i32 = 10;

/// A film: id, release year, IMDb rating (for ties and fallbacks).
pub type FilmFact = (i32, Option<i32>, Option<f64>);

/// Every film's id, year and IMDb rating.
pub async fn films(db: &impl ConnectionTrait) -> Result<Vec<FilmFact>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT id, release_year, rating_imdb FROM film ORDER BY id");
    sql.tuples(db).await
}

/// Every film's genres: `(film, genre name)`, in the film's order.
pub async fn genres(db: &impl ConnectionTrait) -> Result<Vec<(i32, String)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT fg.film_id, g.name FROM film_genre fg JOIN genre g ON g.id = fg.genre_id \
         ORDER BY fg.film_id, fg.position",
    );
    sql.tuples(db).await
}

/// Every film's directors, writers and principal cast: `(film, person,
/// person's name, kind)`.
pub async fn principal_people(
    db: &impl ConnectionTrait,
) -> Result<Vec<(i32, i32, String, String)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT DISTINCT c.film_id, c.person_id, p.name, c.kind FROM credit c \
         JOIN person p ON p.id = c.person_id \
         WHERE c.kind IN ('DIRECTOR', 'WRITER') OR (c.kind = 'CAST' AND c.list_position <= ",
    )
    .bind(PRINCIPAL_CAST)
    .push(") ORDER BY c.film_id, c.kind, c.person_id");
    sql.tuples(db).await
}

/// One computed similar film: `(film, other film, score, rank, reason)`.
pub type Similarity = (i32, i32, f64, i32, String);

/// Deletes every computed similar film (the start of a rebuild).
pub async fn clear(txn: &Transaction) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("DELETE FROM film_similarity");
    sql.execute(txn).await?;
    Ok(())
}

/// Inserts computed similar films.
pub async fn insert(txn: &Transaction, rows: Vec<Similarity>) -> Result<(), DbErr> {
    let mut insert = BulkInsert::new(
        "film_similarity",
        &[
            ("film_id", ColumnType::Int),
            ("other_film_id", ColumnType::Int),
            ("score", ColumnType::Double),
            ("rank", ColumnType::Int),
            ("reason", ColumnType::Text),
        ],
    );
    for (film, other, score, rank, reason) in rows {
        insert.push(vec![
            Value::Int(Some(film)),
            Value::Int(Some(other)),
            Value::Double(Some(score)),
            Value::Int(Some(rank)),
            Value::String(Some(reason)),
        ]);
    }
    insert.run(txn).await
}

/// Whether no similar film is computed yet (a database from before them).
pub async fn is_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT id FROM film_similarity LIMIT 1");
    Ok(sql.query_all(db).await?.is_empty())
}

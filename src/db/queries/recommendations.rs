//! What recommendations are made of: every rating (for the item-to-item
//! model), the model itself (`film_neighbour`), one viewer's signals, and
//! the similar films of the films a viewer likes.

use sea_orm::{ConnectionTrait, Value};

use crate::db::bulk::{BulkInsert, ColumnType};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr, Transaction};

/// Every rating as `(user, film, score)`, by user, each user's newest first.
pub async fn all_ratings(db: &impl ConnectionTrait) -> Result<Vec<(i32, i32, i16)>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT user_id, film_id, score FROM rating ORDER BY user_id, updated_at DESC, id DESC",
    );
    sql.tuples(db).await
}

/// One pair of the model: `(film, other film, similarity, co-raters)`.
pub type Neighbour = (i32, i32, f64, i32);

/// Replaces the whole model with `rows`.
pub async fn replace_neighbours(txn: &Transaction, rows: Vec<Neighbour>) -> Result<(), DbErr> {
    let mut insert = BulkInsert::new(
        "film_neighbour",
        &[
            ("film_id", ColumnType::Int),
            ("other_film_id", ColumnType::Int),
            ("score", ColumnType::Double),
            ("co_raters", ColumnType::Int),
        ],
    );
    for (film, other, score, co_raters) in rows {
        insert.push(vec![
            Value::Int(Some(film)),
            Value::Int(Some(other)),
            Value::Double(Some(score)),
            Value::Int(Some(co_raters)),
        ]);
    }
    insert.replace_table(txn).await
}

/// Whether the model is empty.
pub async fn no_neighbours(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT id FROM film_neighbour LIMIT 1");
    Ok(sql.query_all(db).await?.is_empty())
}

/// What one user did with films: `(film, signal, score)` where signal is
/// `rated` (with the score), `favorite`, `seen` or `watchlist`.
pub async fn signals_of(db: &Db, user: i32) -> Result<Vec<(i32, String, Option<i16>)>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT film_id, 'rated' AS signal, score FROM rating WHERE user_id = ")
        .bind(user)
        .push(" UNION ALL SELECT film_id, 'favorite' AS signal, CAST(NULL AS SMALLINT) AS score FROM favorite_film WHERE user_id = ")
        .bind(user)
        .push(" UNION ALL SELECT DISTINCT film_id, 'seen' AS signal, CAST(NULL AS SMALLINT) AS score FROM diary_entry WHERE user_id = ")
        .bind(user)
        .push(" UNION ALL SELECT film_id, 'watchlist' AS signal, CAST(NULL AS SMALLINT) AS score FROM watchlist_entry WHERE user_id = ")
        .bind(user);
    sql.tuples_own_plan(db).await
}

/// The model's neighbours of these films: `(film, other film, similarity)`.
pub async fn neighbours_of(db: &Db, films: &[i32]) -> Result<Vec<(i32, i32, f64)>, DbErr> {
    if films.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT film_id, other_film_id, score FROM film_neighbour WHERE film_id IN (")
        .bind_list(films)
        .push(")");
    sql.tuples_own_plan(db).await
}

/// The similar films of these films, the page's own and the computed ones:
/// `(film, other film, place, reason)`, the page's first (place 0).
pub async fn similar_of(db: &Db, films: &[i32]) -> Result<Vec<(i32, i32, i32, String)>, DbErr> {
    if films.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT film_id, similar_film_id AS other_film_id, 0 AS place, reason FROM similar_film WHERE film_id IN (")
        .bind_list(films)
        .push(") UNION ALL SELECT film_id, other_film_id, rank AS place, reason FROM film_similarity WHERE film_id IN (")
        .bind_list(films)
        .push(")");
    sql.tuples_own_plan(db).await
}

/// Films' titles, for reasons.
pub async fn titles(db: &Db, films: &[i32]) -> Result<Vec<(i32, String)>, DbErr> {
    if films.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT id, title FROM film WHERE id IN (")
        .bind_list(films)
        .push(")");
    sql.tuples_own_plan(db).await
}

/// The best rated films by IMDb (with their rating), for viewers with no
/// signal at all: `limit` of them.
pub async fn best_rated(db: &Db, limit: u64) -> Result<Vec<(i32, f64)>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push(&format!(
        "SELECT id, rating_imdb FROM film WHERE rating_imdb IS NOT NULL \
         ORDER BY rating_imdb DESC, id LIMIT {limit}"
    ));
    sql.tuples_own_plan(db).await
}

//! Genres with how many films have each.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

use crate::db::entities::genre;
use crate::db::{Db, DbErr};

/// Every genre with its number of films, most films first.
pub async fn with_film_counts(db: &Db) -> Result<Vec<(genre::Model, i64)>, DbErr> {
    let rows = db
        .connection()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT g.id, g.slug, g.name, COUNT(fg.film_id) AS film_count FROM genre g \
             LEFT JOIN film_genre fg ON fg.genre_id = g.id GROUP BY g.id, g.slug, g.name \
             ORDER BY film_count DESC, g.name",
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                genre::Model::from_query_result(row, "")?,
                row.try_get("", "film_count")?,
            ))
        })
        .collect()
}

//! Films' activity scores (`film_trend`): the read-modify-write of one
//! film's scores inside an activity's transaction, the ranked page, and the
//! activity history a rebuild starts from. The arithmetic is the domain's
//! (`domain::trending`); SQLite has no logarithms in SQL.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};

use crate::db::bulk::{BulkInsert, ColumnType};
use crate::db::queries::keyset::{KeysetPage, Ordering, ValueKind, Window};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr, Transaction};
use crate::error::AppResult;

/// A film's two stored scores (logarithms; none before its first activity).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StoredScores {
    pub day: Option<f64>,
    pub week: Option<f64>,
}

/// The column of a window's score.
pub fn score_column(week: bool) -> &'static str {
    if week { "week_score" } else { "day_score" }
}

/// Locks the film's scores row (creating it first when absent) and reads
/// it: concurrent activity on one film queues here, so no update is lost.
pub async fn lock_scores(txn: &Transaction, film: i32) -> Result<StoredScores, DbErr> {
    let backend = txn.get_database_backend();
    let mut insert = Sql::new(backend);
    insert
        .push("INSERT INTO film_trend (film_id) VALUES (")
        .bind(film)
        .push(") ON CONFLICT (film_id) DO NOTHING");
    insert.execute(txn).await?;
    let mut lock = Sql::new(backend);
    lock.push("UPDATE film_trend SET day_score = day_score WHERE film_id = ")
        .bind(film)
        .push(" RETURNING day_score, week_score");
    let rows = lock.query_all(txn).await?;
    let row = rows
        .first()
        .ok_or_else(|| DbErr::RecordNotFound(format!("film_trend row of film {film}")))?;
    Ok(StoredScores {
        day: row.try_get("", "day_score")?,
        week: row.try_get("", "week_score")?,
    })
}

/// When the user last counted towards the film's trend, if ever.
pub async fn last_counted(
    txn: &Transaction,
    user: i32,
    film: i32,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT counted_at FROM film_trend_contribution WHERE user_id = ")
        .bind(user)
        .push(" AND film_id = ")
        .bind(film);
    Ok(sql
        .tuples::<(DateTime<Utc>,)>(txn)
        .await?
        .first()
        .map(|(at,)| *at))
}

/// Notes that the user counted towards the film's trend at `at`.
pub async fn note_counted(
    txn: &Transaction,
    user: i32,
    film: i32,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("INSERT INTO film_trend_contribution (user_id, film_id, counted_at) VALUES (")
        .bind(user)
        .push(", ")
        .bind(film)
        .push(", ")
        .bind(at)
        .push(") ON CONFLICT (user_id, film_id) DO UPDATE SET counted_at = excluded.counted_at");
    sql.execute(txn).await?;
    Ok(())
}

/// Writes the film's scores (after [`lock_scores`] in the same transaction).
pub async fn set_scores(txn: &Transaction, film: i32, day: f64, week: f64) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film_trend SET day_score = ")
        .bind(day)
        .push(", week_score = ")
        .bind(week)
        .push(" WHERE film_id = ")
        .bind(film);
    sql.execute(txn).await?;
    Ok(())
}

/// The order of a ranking: the highest score first, then the newest film
/// id, over the alias `e` of [`page`]'s rows.
pub fn ordering(week: bool) -> Ordering {
    Ordering {
        tag: format!("trending:{}", score_column(week)),
        column: "e.score".to_string(),
        kind: ValueKind::Float,
        descending: true,
        nullable: false,
    }
}

/// One page of films by the window's stored score, those at `floor` or above.
pub async fn page(
    db: &Db,
    week: bool,
    floor: f64,
    window: &Window,
) -> AppResult<KeysetPage<(i32, f64)>> {
    let column = score_column(week);
    let select = |sql: &mut Sql| {
        sql.push(&format!(
            "SELECT e.* FROM (SELECT film_id AS id, {column} AS score FROM film_trend) e \
             WHERE e.score >= "
        ))
        .bind(floor);
        Ok(())
    };
    let rows = window.fetch(db, &ordering(week), &select).await?;
    let films = rows
        .iter()
        .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "score")?)))
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok(KeysetPage::from_rows(films, window))
}

/// What counts as activity, oldest first: `(user, film, kind, at)` with
/// kind one of `rated` (when first rated), `seen`, `watchlisted`.
pub async fn activity(txn: &Transaction) -> Result<Vec<(i32, i32, String, DateTime<Utc>)>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push(
        "SELECT user_id, film_id, 'rated' AS kind, created_at AS at FROM rating \
         UNION ALL SELECT user_id, film_id, 'seen' AS kind, added_at AS at FROM diary_entry \
         UNION ALL SELECT user_id, film_id, 'watchlisted' AS kind, added_at AS at FROM watchlist_entry \
         ORDER BY at",
    );
    sql.tuples(txn).await
}

/// Holds off every other writer of scores until the transaction ends (the
/// rebuild reads the activity and replaces the scores in between; SQLite's
/// write lock does it there).
pub async fn lock_all(txn: &Transaction) -> Result<(), DbErr> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        let mut sql = Sql::new(sea_orm::DbBackend::Postgres);
        sql.push("LOCK TABLE film_trend, film_trend_contribution IN SHARE ROW EXCLUSIVE MODE");
        sql.execute(txn).await?;
    }
    Ok(())
}

/// Replaces every film's scores with `scores` (`(film, day, week)`) and the
/// record of who counted when with `counted` (`(user, film, at)`).
pub async fn replace_all(
    txn: &Transaction,
    scores: &[(i32, f64, f64)],
    counted: &[(i32, i32, DateTime<Utc>)],
) -> Result<(), DbErr> {
    let mut rows = BulkInsert::new(
        "film_trend",
        &[
            ("film_id", ColumnType::Int),
            ("day_score", ColumnType::Double),
            ("week_score", ColumnType::Double),
        ],
    );
    for (film, day, week) in scores {
        rows.push(vec![
            Value::Int(Some(*film)),
            Value::Double(Some(*day)),
            Value::Double(Some(*week)),
        ]);
    }
    rows.replace_table(txn).await?;
    let mut contributions = BulkInsert::new(
        "film_trend_contribution",
        &[
            ("user_id", ColumnType::Int),
            ("film_id", ColumnType::Int),
            ("counted_at", ColumnType::Timestamp),
        ],
    );
    for (user, film, at) in counted {
        contributions.push(vec![
            Value::Int(Some(*user)),
            Value::Int(Some(*film)),
            (*at).into(),
        ]);
    }
    contributions.replace_table(txn).await
}

/// Whether no film has a score yet (a database from before trending).
pub async fn is_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT film_id FROM film_trend LIMIT 1");
    Ok(sql.query_all(db).await?.is_empty())
}

//! The users' own library: watchlist, favourites and the diary of films seen,
//! their pages, and each film's state for one viewer. Writes run in the
//! caller's transaction, after [`lock_user`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult};

use crate::db::entities::rating;
use crate::db::queries::keyset::{KeysetPage, Ordering, SortValue, ValueKind, Window};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr, Transaction};
use crate::error::AppResult;

/// One of a user's three collections of films.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shelf {
    Watchlist,
    Favorites,
    /// Films seen: one entry per film and day.
    Diary,
}

impl Shelf {
    fn table(self) -> &'static str {
        match self {
            Shelf::Watchlist => "watchlist_entry",
            Shelf::Favorites => "favorite_film",
            Shelf::Diary => "diary_entry",
        }
    }
}

/// What a shelf's page is ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShelfOrderField {
    /// When added; the diary by the day seen, then by when entered.
    Added,
    Title,
    ReleaseDate,
    /// The user's own score of the film (unrated films last).
    YourScore,
}

/// One entry of a shelf: the film and when it was added (and for the
/// diary, the day seen and whether it was a rewatch).
#[derive(Clone, Debug, PartialEq)]
pub struct ShelfEntry {
    pub id: i32,
    pub film_id: i32,
    pub added_at: DateTime<Utc>,
    pub seen_on: Option<NaiveDate>,
    pub rewatch: bool,
    /// The entry's value under the page's ordering.
    pub sort: SortValue,
}

/// The order of a shelf's page, over the alias `e` of [`page`]'s rows.
pub fn ordering(shelf: Shelf, field: ShelfOrderField, descending: bool) -> Ordering {
    let (kind, nullable) = match field {
        ShelfOrderField::Added => (ValueKind::Int, false),
        ShelfOrderField::Title => (ValueKind::Text, false),
        ShelfOrderField::ReleaseDate | ShelfOrderField::YourScore => (ValueKind::Int, true),
    };
    Ordering {
        tag: format!("{}:{field:?}:{descending}", shelf.table()),
        column: "e.sort_value".to_string(),
        kind,
        descending,
        nullable,
    }
}

/// The days since 1970-01-01 of a date column, in the backend's words.
fn day_number(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("({column} - DATE '1970-01-01')"),
        _ => format!("CAST(julianday({column}) - 2440587.5 AS INTEGER)"),
    }
}

/// One page of the user's shelf in the order of `field`.
pub async fn page(
    db: &Db,
    shelf: Shelf,
    user: i32,
    field: ShelfOrderField,
    ordering: &Ordering,
    window: &Window,
) -> AppResult<KeysetPage<ShelfEntry>> {
    let backend = db.backend();
    let diary = shelf == Shelf::Diary;
    let sort = match field {
        ShelfOrderField::Added if diary => {
            // Days times 2^31 plus the entry's id: the day seen, then entry order.
            format!(
                "CAST({} AS BIGINT) * 2147483648 + x.id",
                day_number(backend, "x.seen_on")
            )
        }
        // Whole numbers are read back as 64-bit.
        ShelfOrderField::Added => "CAST(x.id AS BIGINT)".to_string(),
        ShelfOrderField::Title => "f.title_sort".to_string(),
        ShelfOrderField::ReleaseDate => "CAST(f.release_sort AS BIGINT)".to_string(),
        ShelfOrderField::YourScore => "CAST(r.score AS BIGINT)".to_string(),
    };
    let (seen_on, rewatch) = if diary {
        ("x.seen_on", "x.rewatch")
    } else {
        ("NULL", "FALSE")
    };
    let select = |sql: &mut Sql| {
        sql.push(&format!(
            "SELECT e.* FROM (SELECT x.id, x.film_id, x.added_at, {seen_on} AS seen_on, \
             {rewatch} AS rewatch, {sort} AS sort_value FROM {table} x \
             JOIN film f ON f.id = x.film_id \
             LEFT JOIN rating r ON r.film_id = x.film_id AND r.user_id = x.user_id \
             WHERE x.user_id = ",
            table = shelf.table()
        ))
        .bind(user)
        .push(") e WHERE 1 = 1");
        Ok(())
    };
    let rows = window.fetch(db, ordering, &select).await?;
    let entries = rows
        .iter()
        .map(|row| entry_of(row, ordering.kind, diary))
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok(KeysetPage::from_rows(entries, window))
}

fn entry_of(row: &QueryResult, kind: ValueKind, diary: bool) -> Result<ShelfEntry, DbErr> {
    let sort = match kind {
        ValueKind::Text => row
            .try_get::<Option<String>>("", "sort_value")?
            .map_or(SortValue::Null, SortValue::Text),
        ValueKind::Float => row
            .try_get::<Option<f64>>("", "sort_value")?
            .map_or(SortValue::Null, SortValue::Float),
        ValueKind::Int => row
            .try_get::<Option<i64>>("", "sort_value")?
            .map_or(SortValue::Null, SortValue::Int),
    };
    Ok(ShelfEntry {
        id: row.try_get("", "id")?,
        film_id: row.try_get("", "film_id")?,
        added_at: row.try_get("", "added_at")?,
        seen_on: if diary {
            row.try_get("", "seen_on")?
        } else {
            None
        },
        rewatch: diary && row.try_get("", "rewatch")?,
        sort,
    })
}

/// How many entries the user's shelf holds.
pub async fn count(db: &impl ConnectionTrait, shelf: Shelf, user: i32) -> Result<i64, DbErr> {
    super::account::count_owned(db, shelf.table(), user).await
}

/// Takes the user's row lock (on SQLite the write lock) before anything
/// else, so one user's library writes queue up and the limits count exactly;
/// false when the account is gone.
pub async fn lock_user(txn: &Transaction, user: i32) -> Result<bool, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE app_user SET username = username WHERE id = ")
        .bind(user);
    Ok(sql.execute(txn).await?.rows_affected() > 0)
}

/// Whether the film exists.
pub async fn film_exists(txn: &Transaction, film: i32) -> Result<bool, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT id FROM film WHERE id = ").bind(film);
    Ok(!sql.query_all(txn).await?.is_empty())
}

/// Puts the film on the watchlist or favourites; false when it was there.
pub async fn shelve(
    txn: &Transaction,
    shelf: Shelf,
    user: i32,
    film: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    debug_assert_ne!(shelf, Shelf::Diary);
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push(&format!(
        "INSERT INTO {} (user_id, film_id, added_at) VALUES (",
        shelf.table()
    ))
    .bind(user)
    .push(", ")
    .bind(film)
    .push(", ")
    .bind(now)
    .push(") ON CONFLICT (user_id, film_id) DO NOTHING");
    Ok(sql.execute(txn).await?.rows_affected() > 0)
}

/// Takes the film off the shelf (every diary entry of it, or those of
/// day `on`); how many entries went.
pub async fn unshelve(
    txn: &Transaction,
    shelf: Shelf,
    user: i32,
    film: i32,
    on: Option<NaiveDate>,
) -> Result<u64, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push(&format!("DELETE FROM {} WHERE user_id = ", shelf.table()))
        .bind(user)
        .push(" AND film_id = ")
        .bind(film);
    if let Some(on) = on {
        sql.push(" AND seen_on = ").bind(on);
    }
    Ok(sql.execute(txn).await?.rows_affected())
}

/// Whether the user's diary has the film on a day before `on`.
pub async fn seen_before(
    txn: &Transaction,
    user: i32,
    film: i32,
    on: NaiveDate,
) -> Result<bool, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT id FROM diary_entry WHERE user_id = ")
        .bind(user)
        .push(" AND film_id = ")
        .bind(film)
        .push(" AND seen_on < ")
        .bind(on)
        .push(" LIMIT 1");
    Ok(!sql.query_all(txn).await?.is_empty())
}

/// Records that the user saw the film on day `on` (an entry for that day is
/// kept, with `rewatch` as given), and returns the entry.
pub async fn enter_in_diary(
    txn: &Transaction,
    user: i32,
    film: i32,
    on: NaiveDate,
    rewatch: bool,
    now: DateTime<Utc>,
) -> Result<ShelfEntry, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("INSERT INTO diary_entry (user_id, film_id, seen_on, rewatch, added_at) VALUES (")
        .bind(user)
        .push(", ")
        .bind(film)
        .push(", ")
        .bind(on)
        .push(", ")
        .bind(rewatch)
        .push(", ")
        .bind(now)
        .push(") ON CONFLICT (user_id, film_id, seen_on) DO UPDATE SET rewatch = ")
        .bind(rewatch);
    sql.execute(txn).await?;
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT id, film_id, added_at, seen_on, rewatch, CAST(0 AS BIGINT) AS sort_value FROM diary_entry WHERE user_id = ")
        .bind(user)
        .push(" AND film_id = ")
        .bind(film)
        .push(" AND seen_on = ")
        .bind(on);
    let row = sql.query_all(txn).await?.into_iter().next();
    let row = row.ok_or_else(|| DbErr::RecordNotFound("the diary entry just written".into()))?;
    entry_of(&row, ValueKind::Int, true)
}

/// What one viewer keeps of one film.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewerState {
    pub in_watchlist: bool,
    pub favorite: bool,
    /// How many days the diary has the film on.
    pub seen_count: i64,
    pub last_seen_on: Option<NaiveDate>,
    pub rating: Option<rating::Model>,
}

/// The user's state of each of these films, from one statement.
pub async fn viewer_states(
    db: &Db,
    user: i32,
    films: &[i32],
) -> Result<HashMap<i32, ViewerState>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT f.id AS film_id, EXISTS (SELECT 1 FROM watchlist_entry w WHERE w.user_id = ")
        .bind(user)
        .push(" AND w.film_id = f.id) AS in_watchlist, EXISTS (SELECT 1 FROM favorite_film v WHERE v.user_id = ")
        .bind(user)
        .push(" AND v.film_id = f.id) AS favorite, d.seen_count, d.last_seen_on, \
               r.id AS rating_id, r.score, r.created_at, r.updated_at \
               FROM film f LEFT JOIN rating r ON r.film_id = f.id AND r.user_id = ")
        .bind(user)
        .push(" LEFT JOIN (SELECT film_id, COUNT(*) AS seen_count, MAX(seen_on) AS last_seen_on \
               FROM diary_entry WHERE user_id = ")
        .bind(user)
        .push(" AND film_id IN (")
        .bind_list(films)
        .push(") GROUP BY film_id) d ON d.film_id = f.id WHERE f.id IN (")
        .bind_list(films)
        .push(")");
    let rows = sql.query_all_prepared(db).await?;
    let mut states = HashMap::with_capacity(rows.len());
    for row in rows {
        let film_id: i32 = row.try_get("", "film_id")?;
        let rating = match row.try_get::<Option<i32>>("", "rating_id")? {
            Some(id) => Some(rating::Model {
                id,
                user_id: user,
                film_id,
                score: row.try_get("", "score")?,
                created_at: row.try_get("", "created_at")?,
                updated_at: row.try_get("", "updated_at")?,
            }),
            None => None,
        };
        let state = ViewerState {
            in_watchlist: row.try_get("", "in_watchlist")?,
            favorite: row.try_get("", "favorite")?,
            seen_count: row.try_get::<Option<i64>>("", "seen_count")?.unwrap_or(0),
            last_seen_on: row.try_get("", "last_seen_on")?,
            rating,
        };
        states.insert(film_id, state);
    }
    Ok(states)
}

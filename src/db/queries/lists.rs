//! Users' lists of films and their items. Writes run in the caller's
//! transaction, after [`lock_list`] (or, for a new list, the user's lock).

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryResult};

use crate::db::entities::film_list;
use crate::db::queries::keyset::{KeysetPage, Ordering, SortValue, ValueKind, Window};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr, Transaction};
use crate::error::AppResult;

/// One item of a list: the film, its key in the list's order, its note.
#[derive(Clone, Debug, PartialEq)]
pub struct ListItem {
    pub id: i32,
    pub film_id: i32,
    pub position: String,
    pub note: Option<String>,
    pub added_at: DateTime<Utc>,
    /// 1 for the first item (read with pages only; 0 otherwise).
    pub rank: i64,
}

/// Takes the list's row lock (on SQLite the write lock) and reads the list;
/// None when there is no such list.
pub async fn lock_list(txn: &Transaction, list: i32) -> Result<Option<film_list::Model>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film_list SET item_count = item_count WHERE id = ")
        .bind(list);
    if sql.execute(txn).await?.rows_affected() == 0 {
        return Ok(None);
    }
    film_list::Entity::find_by_id(list).one(txn).await
}

/// What a list says of itself.
pub struct ListFields {
    pub name: String,
    pub description: Option<String>,
    pub visibility: &'static str,
    pub ranked: bool,
}

pub async fn insert(
    txn: &Transaction,
    user: i32,
    fields: ListFields,
    now: DateTime<Utc>,
) -> Result<film_list::Model, DbErr> {
    film_list::ActiveModel {
        id: NotSet,
        user_id: Set(user),
        name: Set(fields.name),
        description: Set(fields.description),
        visibility: Set(fields.visibility.to_string()),
        ranked: Set(fields.ranked),
        item_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
}

pub async fn update(
    txn: &Transaction,
    list: &film_list::Model,
    fields: ListFields,
    now: DateTime<Utc>,
) -> Result<film_list::Model, DbErr> {
    film_list::ActiveModel {
        id: Set(list.id),
        name: Set(fields.name),
        description: Set(fields.description),
        visibility: Set(fields.visibility.to_string()),
        ranked: Set(fields.ranked),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(txn)
    .await
}

/// Deletes the list and (by the foreign key) its items.
pub async fn delete(txn: &Transaction, list: i32) -> Result<(), DbErr> {
    film_list::Entity::delete_by_id(list).exec(txn).await?;
    Ok(())
}

/// Counts `delta` more items (or fewer) and marks the list changed.
pub async fn touch(
    txn: &Transaction,
    list: i32,
    delta: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film_list SET item_count = item_count + ")
        .bind(delta)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(list);
    sql.execute(txn).await?;
    Ok(())
}

const ITEM_COLUMNS: &str = "i.id, i.film_id, i.position, i.note, i.added_at";

fn item_of(row: &QueryResult, with_rank: bool) -> Result<ListItem, DbErr> {
    Ok(ListItem {
        id: row.try_get("", "id")?,
        film_id: row.try_get("", "film_id")?,
        position: row.try_get("", "position")?,
        note: row.try_get("", "note")?,
        added_at: row.try_get("", "added_at")?,
        rank: if with_rank {
            row.try_get("", "item_rank")?
        } else {
            0
        },
    })
}

/// The list's item for the film, if any.
pub async fn item(txn: &Transaction, list: i32, film: i32) -> Result<Option<ListItem>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push(&format!(
        "SELECT {ITEM_COLUMNS} FROM film_list_item i WHERE i.list_id = "
    ))
    .bind(list)
    .push(" AND i.film_id = ")
    .bind(film);
    let row = sql.query_all(txn).await?.into_iter().next();
    row.map(|row| item_of(&row, false)).transpose()
}

/// The keys around place `index` (0 is first) of the list without the
/// film `moving`: the key of the item that would come before it and of the
/// one after, from one statement.
pub async fn neighbours(
    txn: &Transaction,
    list: i32,
    moving: Option<i32>,
    index: u64,
) -> Result<(Option<String>, Option<String>), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT i.position FROM film_list_item i WHERE i.list_id = ")
        .bind(list);
    if let Some(film) = moving {
        sql.push(" AND i.film_id <> ").bind(film);
    }
    let (offset, limit) = if index == 0 { (0, 1) } else { (index - 1, 2) };
    sql.push(&format!(
        " ORDER BY i.position LIMIT {limit} OFFSET {offset}"
    ));
    let keys = sql
        .query_all(txn)
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "position"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut keys = keys.into_iter();
    Ok(if index == 0 {
        (None, keys.next())
    } else {
        (keys.next(), keys.next())
    })
}

pub async fn insert_item(
    txn: &Transaction,
    list: i32,
    film: i32,
    position: &str,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("INSERT INTO film_list_item (list_id, film_id, position, note, added_at) VALUES (")
        .bind(list)
        .push(", ")
        .bind(film)
        .push(", ")
        .bind(position.to_string())
        .push(", ")
        .bind(note)
        .push(", ")
        .bind(now)
        .push(")");
    sql.execute(txn).await?;
    Ok(())
}

/// Gives the item a new key: one row written, whatever the list's length.
pub async fn move_item(txn: &Transaction, item: i32, position: &str) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film_list_item SET position = ")
        .bind(position.to_string())
        .push(" WHERE id = ")
        .bind(item);
    sql.execute(txn).await?;
    Ok(())
}

/// The list's item ids in order.
pub async fn item_ids_in_order(txn: &Transaction, list: i32) -> Result<Vec<i32>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT i.id FROM film_list_item i WHERE i.list_id = ")
        .bind(list)
        .push(" ORDER BY i.position");
    Ok(sql
        .tuples::<(i32,)>(txn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

/// Gives every item of the list the key paired with its id: first each a
/// unique stand-in (`~` and its id, after any real key), so no two items
/// share a key on the way (the list's keys are unique).
pub async fn rekey(txn: &Transaction, list: i32, keys: &[(i32, String)]) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let mut clear = Sql::new(backend);
    clear
        .push("UPDATE film_list_item SET position = '~' || CAST(id AS TEXT) WHERE list_id = ")
        .bind(list);
    clear.execute(txn).await?;
    for (item, key) in keys {
        move_item(txn, *item, key).await?;
    }
    Ok(())
}

/// Removes the film from the list; false when it was not there.
pub async fn delete_item(txn: &Transaction, list: i32, film: i32) -> Result<bool, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("DELETE FROM film_list_item WHERE list_id = ")
        .bind(list)
        .push(" AND film_id = ")
        .bind(film);
    Ok(sql.execute(txn).await?.rows_affected() > 0)
}

/// The order of a list's items: by key, as the owner arranged them.
pub fn item_order(list: i32) -> Ordering {
    Ordering {
        tag: format!("list-items:{list}"),
        column: "e.position".to_string(),
        kind: ValueKind::Text,
        descending: false,
        nullable: false,
    }
}

/// One page of a list's items, each with its rank (1 for the first).
pub async fn items_page(db: &Db, list: i32, window: &Window) -> AppResult<KeysetPage<ListItem>> {
    let select = |sql: &mut Sql| {
        sql.push(&format!(
            "SELECT e.* FROM (SELECT {ITEM_COLUMNS}, (SELECT COUNT(*) FROM film_list_item o \
             WHERE o.list_id = i.list_id AND o.position < i.position) + 1 AS item_rank \
             FROM film_list_item i WHERE i.list_id = "
        ))
        .bind(list)
        .push(") e WHERE 1 = 1");
        Ok(())
    };
    let rows = window.fetch(db, &item_order(list), &select).await?;
    let items = rows
        .iter()
        .map(|row| item_of(row, true))
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok(KeysetPage::from_rows(items, window))
}

/// The order of lists: the newest first.
pub fn list_order(tag: &str) -> Ordering {
    Ordering {
        tag: format!("lists:{tag}"),
        column: "e.id".to_string(),
        kind: ValueKind::Int,
        descending: true,
        nullable: false,
    }
}

/// Which lists a page shows.
pub enum ListsOf {
    /// The user's lists; their private and unlisted ones too when `all`.
    User { user: i32, all: bool },
    /// The public lists that hold the film.
    Film(i32),
}

/// The condition on `film_list e` that picks the lists of `of`.
fn lists_of(sql: &mut Sql, of: &ListsOf) {
    match of {
        ListsOf::User { user, all } => {
            sql.push("e.user_id = ").bind(*user);
            if !all {
                sql.push(" AND e.visibility = 'PUBLIC'");
            }
        }
        ListsOf::Film(film) => {
            sql.push("e.visibility = 'PUBLIC' AND e.id IN (SELECT list_id FROM film_list_item WHERE film_id = ")
                .bind(*film)
                .push(")");
        }
    }
}

/// One page of lists, the newest first.
pub async fn lists_page(
    db: &Db,
    of: &ListsOf,
    ordering: &Ordering,
    window: &Window,
) -> AppResult<KeysetPage<film_list::Model>> {
    let select = |sql: &mut Sql| {
        sql.push("SELECT e.* FROM film_list e WHERE ");
        lists_of(sql, of);
        Ok(())
    };
    window.fetch_page(db, ordering, &select).await
}

/// How many lists a page of `of` is cut from.
pub async fn count_lists(db: &Db, of: &ListsOf) -> Result<i64, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT COUNT(*) AS n FROM film_list e WHERE ");
    lists_of(&mut sql, of);
    let row = sql.query_all_prepared(db).await?.into_iter().next();
    row.map_or(Ok(0), |row| row.try_get("", "n"))
}

/// The sort value of a list under [`list_order`].
pub fn list_position(list: &film_list::Model) -> SortValue {
    SortValue::Int(list.id.into())
}

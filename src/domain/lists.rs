//! Users' lists of films: their rules (limits, who may see and change one)
//! and their writes.
//!
//! Each write to a list is one transaction that first locks the list's row,
//! so writers from several devices queue up and compute an item's place
//! against the list as the last one left it. An item's place is a
//! fractional key (`order_keys`): adding or moving an item writes that
//! item's row alone, never the rest of the list.

use chrono::Utc;

use super::events::Events;
use super::order_keys::key_between;
use super::retry::retrying;
use crate::db::entities::film_list;
use crate::db::queries::account::count_owned;
use crate::db::queries::library::{film_exists, lock_user};
use crate::db::queries::lists::{self as statements, ListFields};
use crate::db::{Db, Transaction};
use crate::error::{AppError, AppResult};
use crate::ids::{self, NodeKind};
use crate::kinds::ListVisibility;

/// Lists one user may have.
pub const LISTS_PER_USER: i64 = 500;
/// Films one list may hold.
pub const ITEMS_PER_LIST: i32 = 5_000;
/// Characters of an item's note.
pub const NOTE_LENGTH: usize = 1_000;
/// Characters of a list's name.
pub const NAME_LENGTH: usize = 100;
/// Characters of a list's description.
pub const DESCRIPTION_LENGTH: usize = 2_000;

/// A list's own fields as a client gives them (None: leave as it is).
#[derive(Default)]
pub struct ListChange {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub visibility: Option<ListVisibility>,
    pub ranked: Option<bool>,
}

/// Whether `viewer` may see the list: its owner always, anyone else unless
/// it is private.
pub fn visible_to(list: &film_list::Model, viewer: Option<i32>) -> bool {
    viewer == Some(list.user_id) || list.visibility != ListVisibility::Private.as_str()
}

fn not_found(list: i32) -> AppError {
    AppError::not_found("list", ids::encode(NodeKind::List, list))
}

/// The list, locked, for its owner to change: a list the viewer cannot see is
/// NOT_FOUND (a private list's existence is private), one they can see but
/// do not own is FORBIDDEN.
async fn owned_list(txn: &Transaction, user: i32, list: i32) -> AppResult<film_list::Model> {
    let found = statements::lock_list(txn, list).await?;
    match found {
        Some(found) if found.user_id == user => Ok(found),
        Some(found) if visible_to(&found, Some(user)) => Err(AppError::Forbidden(
            "only its owner may change a list".into(),
        )),
        _ => Err(not_found(list)),
    }
}

fn checked_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_LENGTH {
        return Err(AppError::bad_input(format!(
            "a list's name has 1 to {NAME_LENGTH} characters"
        )));
    }
    Ok(name.to_string())
}

fn checked_description(description: Option<String>) -> AppResult<Option<String>> {
    let description = description
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > DESCRIPTION_LENGTH)
    {
        return Err(AppError::bad_input(format!(
            "a list's description is limited to {DESCRIPTION_LENGTH} characters"
        )));
    }
    Ok(description)
}

fn checked_note(note: Option<String>) -> AppResult<Option<String>> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTE_LENGTH)
    {
        return Err(AppError::bad_input(format!(
            "an item's note is limited to {NOTE_LENGTH} characters"
        )));
    }
    Ok(note)
}

/// Creates a list for the user (at most [`LISTS_PER_USER`]).
pub async fn create(
    db: &Db,
    events: &Events,
    user: i32,
    name: &str,
    description: Option<String>,
    visibility: ListVisibility,
    ranked: bool,
) -> AppResult<film_list::Model> {
    let name = checked_name(name)?;
    let description = checked_description(description)?;
    let now = Utc::now();
    let written = retrying(|| async {
        let txn = db.begin().await?;
        if !lock_user(&txn, user).await? {
            return Err(AppError::Unauthenticated);
        }
        if count_owned(&txn, "film_list", user).await? >= LISTS_PER_USER {
            return Err(AppError::bad_input(format!(
                "the lists limit is reached: a user has at most {LISTS_PER_USER} lists"
            )));
        }
        let fields = ListFields {
            name: name.clone(),
            description: description.clone(),
            visibility: visibility.as_str(),
            ranked,
        };
        let list = statements::insert(&txn, user, fields, now).await?;
        txn.commit().await?;
        Ok(list)
    })
    .await?;
    events.public_content_committed(db).await;
    Ok(written)
}

/// Changes the list's own fields (those given).
pub async fn update(
    db: &Db,
    events: &Events,
    user: i32,
    list: i32,
    change: ListChange,
) -> AppResult<film_list::Model> {
    let name = change.name.as_deref().map(checked_name).transpose()?;
    let description = change.description.map(checked_description).transpose()?;
    let now = Utc::now();
    let written = retrying(|| async {
        let txn = db.begin().await?;
        let found = owned_list(&txn, user, list).await?;
        let fields = ListFields {
            name: name.clone().unwrap_or_else(|| found.name.clone()),
            description: description
                .clone()
                .unwrap_or_else(|| found.description.clone()),
            visibility: change.visibility.map_or_else(
                || {
                    ListVisibility::parse(&found.visibility)
                        .unwrap_or(ListVisibility::Private)
                        .as_str()
                },
                ListVisibility::as_str,
            ),
            ranked: change.ranked.unwrap_or(found.ranked),
        };
        let updated = statements::update(&txn, &found, fields, now).await?;
        txn.commit().await?;
        Ok(updated)
    })
    .await?;
    events.public_content_committed(db).await;
    Ok(written)
}

/// Deletes the list and its items.
pub async fn delete(db: &Db, events: &Events, user: i32, list: i32) -> AppResult<()> {
    retrying(|| async {
        let txn = db.begin().await?;
        owned_list(&txn, user, list).await?;
        statements::delete(&txn, list).await?;
        txn.commit().await?;
        Ok(())
    })
    .await?;
    events.public_content_committed(db).await;
    Ok(())
}

/// Where an item goes: a place counted from 1 (`None`: the end), within
/// `1..=last`.
fn place_index(position: Option<i32>, last: i32) -> AppResult<u64> {
    match position {
        None => Ok(last as u64 - 1),
        Some(p) if (1..=last).contains(&p) => Ok(p as u64 - 1),
        Some(p) => Err(AppError::bad_input(format!(
            "`position` is a place from 1 to {last}, got {p}"
        ))),
    }
}

/// Adds the film to the list at `position` (1 is first; the end when not
/// given), with a note. A film already in the list stays where it is, as it
/// is: the answer is false.
pub async fn add(
    db: &Db,
    events: &Events,
    user: i32,
    list: i32,
    film: i32,
    note: Option<String>,
    position: Option<i32>,
) -> AppResult<(film_list::Model, bool)> {
    let note = checked_note(note)?;
    let now = Utc::now();
    let written = retrying(|| async {
        let txn = db.begin().await?;
        let found = owned_list(&txn, user, list).await?;
        if !film_exists(&txn, film).await? {
            return Err(AppError::not_found(
                "film",
                ids::encode(NodeKind::Film, film),
            ));
        }
        if statements::item(&txn, list, film).await?.is_some() {
            return Ok((found, false));
        }
        if found.item_count >= ITEMS_PER_LIST {
            return Err(AppError::bad_input(format!(
                "the items limit is reached: a list holds at most {ITEMS_PER_LIST} films"
            )));
        }
        let index = place_index(position, found.item_count + 1)?;
        let (before, after) = statements::neighbours(&txn, list, None, index).await?;
        let key = key_between(before.as_deref(), after.as_deref());
        statements::insert_item(&txn, list, film, &key, note.clone(), now).await?;
        respace_if_long(&txn, list, &key).await?;
        statements::touch(&txn, list, 1, now).await?;
        let list = statements::lock_list(&txn, list)
            .await?
            .ok_or_else(|| not_found(list))?;
        txn.commit().await?;
        Ok((list, true))
    })
    .await?;
    events.public_content_committed(db).await;
    Ok(written)
}

/// Moves the film to `position` (1 is first) in the list: one row written
/// (the whole list only when keys grew long, see [`respace_if_long`]).
/// Returns the list as written and whether the film moved (false when it
/// already was at that place).
pub async fn move_item(
    db: &Db,
    events: &Events,
    user: i32,
    list: i32,
    film: i32,
    position: i32,
) -> AppResult<(film_list::Model, bool)> {
    let now = Utc::now();
    let written = retrying(|| async {
        let txn = db.begin().await?;
        let found = owned_list(&txn, user, list).await?;
        let item = statements::item(&txn, list, film)
            .await?
            .ok_or_else(|| AppError::not_found("list item", ids::encode(NodeKind::Film, film)))?;
        let index = place_index(Some(position), found.item_count)?;
        let (before, after) = statements::neighbours(&txn, list, Some(film), index).await?;
        // Already there: between the same neighbours.
        let stays = before.as_deref().is_none_or(|b| b < item.position.as_str())
            && after.as_deref().is_none_or(|a| item.position.as_str() < a);
        if stays {
            return Ok((found, false));
        }
        let key = key_between(before.as_deref(), after.as_deref());
        statements::move_item(&txn, item.id, &key).await?;
        respace_if_long(&txn, list, &key).await?;
        statements::touch(&txn, list, 0, now).await?;
        let list = statements::lock_list(&txn, list)
            .await?
            .ok_or_else(|| not_found(list))?;
        txn.commit().await?;
        Ok((list, true))
    })
    .await?;
    if written.1 {
        events.public_content_committed(db).await;
    }
    Ok(written)
}

/// Keys longer than this are respaced with the rest of their list.
const LONGEST_KEY: usize = 40;

/// A key grows by a character every five or so moves into the same gap;
/// past [`LONGEST_KEY`] the whole list gets short, evenly spread keys again
/// (a rewrite of every item, once in a few hundred moves at worst), so keys
/// stay far under the index's row size limit whatever clients do.
async fn respace_if_long(txn: &crate::db::Transaction, list: i32, key: &str) -> AppResult<()> {
    if key.len() <= LONGEST_KEY {
        return Ok(());
    }
    let items = statements::item_ids_in_order(txn, list).await?;
    let mut previous: Option<String> = None;
    let mut keys = Vec::with_capacity(items.len());
    for item in items {
        let key = key_between(previous.as_deref(), None);
        previous = Some(key.clone());
        keys.push((item, key));
    }
    statements::rekey(txn, list, &keys).await?;
    Ok(())
}

/// Removes the film from the list; false when it was not there.
pub async fn remove(
    db: &Db,
    events: &Events,
    user: i32,
    list: i32,
    film: i32,
) -> AppResult<(film_list::Model, bool)> {
    let now = Utc::now();
    let written = retrying(|| async {
        let txn = db.begin().await?;
        owned_list(&txn, user, list).await?;
        let removed = statements::delete_item(&txn, list, film).await?;
        if removed {
            statements::touch(&txn, list, -1, now).await?;
        }
        let list = statements::lock_list(&txn, list)
            .await?
            .ok_or_else(|| not_found(list))?;
        txn.commit().await?;
        Ok((list, removed))
    })
    .await?;
    events.public_content_committed(db).await;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_from_one() {
        assert_eq!(place_index(None, 3).unwrap(), 2);
        assert_eq!(place_index(Some(1), 3).unwrap(), 0);
        assert_eq!(place_index(Some(3), 3).unwrap(), 2);
        assert!(place_index(Some(0), 3).is_err());
        assert!(place_index(Some(4), 3).is_err());
    }
}

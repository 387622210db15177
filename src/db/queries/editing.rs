//! The statements of changing a film outside a whole import (`import::editor`)
//! and of the versions and slug redirects both writers keep: raising a film's
//! version (only from the one an editor read, when one is given), keeping a
//! renamed film's old slug, reading a film's lists as the document states
//! them, reindexing one film for search, deleting a film.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait};

use crate::db::entities::film;
use crate::db::queries::summaries::FILM_SEARCH_ENTRIES;
use crate::db::sql::Sql;
use crate::db::{Db, DbErr};

/// Raises the film's version by one, only if it is `expected` when given:
/// the new version, or `None` when the film is missing or its version is
/// another. When it is the transaction's first statement it takes the write
/// lock on SQLite and the row's lock on PostgreSQL, so of two editors who read
/// the same version one wins and the other finds the version moved.
pub async fn raise_version(
    txn: &DatabaseTransaction,
    film_id: i32,
    expected: Option<i32>,
) -> Result<Option<i32>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film SET version = version + 1 WHERE id = ")
        .bind(film_id);
    if let Some(expected) = expected {
        sql.push(" AND version = ").bind(expected);
    }
    sql.push(" RETURNING version");
    let rows: Vec<(i32,)> = sql.tuples(txn).await?;
    Ok(rows.into_iter().next().map(|(version,)| version))
}

/// Raises the version of each of these films by one (a bulk import's
/// changes, which no editor's `expectedVersion` guards).
pub async fn raise_versions(txn: &DatabaseTransaction, film_ids: &[i32]) -> Result<(), DbErr> {
    for chunk in film_ids.chunks(1000) {
        let mut sql = Sql::new(txn.get_database_backend());
        sql.push("UPDATE film SET version = version + 1 WHERE id IN (")
            .bind_list(chunk)
            .push(")");
        sql.execute(txn).await?;
    }
    Ok(())
}

/// The film's version now, or `None` when there is no such film.
pub async fn version_of(txn: &impl ConnectionTrait, film_id: i32) -> Result<Option<i32>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT version FROM film WHERE id = ")
        .bind(film_id);
    let rows: Vec<(i32,)> = sql.tuples(txn).await?;
    Ok(rows.into_iter().next().map(|(version,)| version))
}

/// Deletes the film if its version is `expected` (its sections, credits,
/// ratings, reviews and library entries go with it, by their foreign keys);
/// whether it did.
pub async fn delete_film(
    txn: &DatabaseTransaction,
    film_id: i32,
    expected: i32,
) -> Result<bool, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("DELETE FROM film WHERE id = ")
        .bind(film_id)
        .push(" AND version = ")
        .bind(expected);
    Ok(sql.execute(txn).await?.rows_affected() == 1)
}

/// Keeps `slug`, which `film_id` no longer has, as a way to reach it.
pub async fn keep_redirect(
    txn: &DatabaseTransaction,
    slug: &str,
    film_id: i32,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("INSERT INTO film_slug_redirect (slug, film_id, created_at) VALUES (")
        .bind(slug.to_string())
        .push(", ")
        .bind(film_id)
        .push(", ")
        .bind(chrono::Utc::now())
        .push(") ON CONFLICT (slug) DO UPDATE SET film_id = excluded.film_id, created_at = excluded.created_at");
    sql.execute(txn).await?;
    Ok(())
}

/// Forgets a redirect from `slug`: a film has it as its own slug now, and a
/// film's own slug wins over another's old one.
pub async fn drop_redirect(txn: &DatabaseTransaction, slug: &str) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("DELETE FROM film_slug_redirect WHERE slug = ")
        .bind(slug.to_string());
    sql.execute(txn).await?;
    Ok(())
}

/// The film a former slug leads to.
pub async fn film_by_redirect(db: &Db, slug: &str) -> Result<Option<i32>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT film_id FROM film_slug_redirect WHERE slug = ")
        .bind(slug.to_string());
    let rows: Vec<(i32,)> = sql.tuples(db.connection()).await?;
    Ok(rows.into_iter().next().map(|(id,)| id))
}

/// A film's genres, countries and languages, each in the document's order.
#[derive(Debug, Clone, Default)]
pub struct FilmLists {
    pub genres: Vec<String>,
    pub countries: Vec<String>,
    pub languages: Vec<String>,
}

/// The film's lists, as the document states them.
pub async fn film_lists(txn: &DatabaseTransaction, film_id: i32) -> Result<FilmLists, DbErr> {
    Ok(films_lists(txn, &[film_id])
        .await?
        .remove(&film_id)
        .unwrap_or_default())
}

/// The lists of each of these films (three statements for all of them); a
/// film with none is missing from the map.
pub async fn films_lists(
    txn: &DatabaseTransaction,
    film_ids: &[i32],
) -> Result<HashMap<i32, FilmLists>, DbErr> {
    let mut lists: HashMap<i32, FilmLists> = HashMap::new();
    if film_ids.is_empty() {
        return Ok(lists);
    }
    // Each list's statement, and the list of a film it fills.
    type List = fn(&mut FilmLists) -> &mut Vec<String>;
    let sources: [(&str, &str, List); 3] = [
        (
            "SELECT fg.film_id, g.name FROM film_genre fg JOIN genre g ON g.id = fg.genre_id",
            "fg.film_id",
            |lists| &mut lists.genres,
        ),
        (
            "SELECT film_id, country FROM film_country",
            "film_id",
            |lists| &mut lists.countries,
        ),
        (
            "SELECT film_id, language FROM film_language",
            "film_id",
            |lists| &mut lists.languages,
        ),
    ];
    for (select, film_id, list) in sources {
        let mut sql = Sql::new(txn.get_database_backend());
        sql.push(select)
            .push(&format!(" WHERE {film_id} IN ("))
            .bind_list(film_ids)
            .push(&format!(") ORDER BY {film_id}, position"));
        let rows: Vec<(i32, String)> = sql.tuples(txn).await?;
        for (id, name) in rows {
            list(lists.entry(id).or_default()).push(name);
        }
    }
    Ok(lists)
}

/// Removes a film's genres, countries and languages (to be written again).
pub async fn clear_film_lists(txn: &DatabaseTransaction, film_id: i32) -> Result<(), DbErr> {
    for table in ["film_genre", "film_country", "film_language"] {
        let mut sql = Sql::new(txn.get_database_backend());
        sql.push(&format!("DELETE FROM {table} WHERE film_id = "))
            .bind(film_id);
        sql.execute(txn).await?;
    }
    Ok(())
}

/// Writes the film's search entry again from its row (its title or year
/// changed, or it is new), as `summaries::rebuild_search` writes every
/// film's; SQLite's full-text index is told of the old text and the new.
pub async fn reindex_film(txn: &DatabaseTransaction, film_id: i32) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let run = |text: &str| {
        let mut sql = Sql::new(backend);
        sql.push(text).bind(film_id);
        sql
    };
    let sqlite = backend == DbBackend::Sqlite;
    if sqlite {
        run("INSERT INTO search_fts(search_fts, rowid, body) SELECT 'delete', id, body FROM search_document WHERE kind = 'FILM' AND target_id = ")
            .execute(txn)
            .await?;
    }
    run("DELETE FROM search_document WHERE kind = 'FILM' AND target_id = ")
        .execute(txn)
        .await?;
    run(&format!("{FILM_SEARCH_ENTRIES} WHERE f.id = "))
        .execute(txn)
        .await?;
    if sqlite {
        run("INSERT INTO search_fts(rowid, body) SELECT id, body FROM search_document WHERE kind = 'FILM' AND target_id = ")
            .execute(txn)
            .await?;
    }
    Ok(())
}

/// The film with this id, whole, as its writer reads it before a change.
pub async fn film_row(
    txn: &DatabaseTransaction,
    film_id: i32,
) -> Result<Option<film::Model>, DbErr> {
    film::Entity::find_by_id(film_id).one(txn).await
}

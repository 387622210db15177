//! The statements of a film's history (`import::revisions`): writing a
//! revision in the transaction of the change it records, and reading them
//! back, a film's newest first.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::db::Transaction;
use crate::db::bulk::{BulkInsert, ColumnType};
use crate::db::entities::{ActiveValue::Set, app_user, film_revision};
use crate::db::queries::keyset::{KeysetPage, Ordering, SortValue, ValueKind, Window};
use crate::db::sql::Sql;
use crate::error::AppResult;

/// A revision to write.
pub struct NewRevision {
    pub film_id: i32,
    pub version: i32,
    pub kind: &'static str,
    pub author_id: Option<i32>,
    pub author_name: String,
    pub source: Option<String>,
    pub comment: Option<String>,
    pub state: String,
    pub changes: String,
}

/// Writes the revision; its id.
pub async fn insert(txn: &Transaction, revision: NewRevision) -> Result<i32, DbErr> {
    let row = film_revision::ActiveModel {
        film_id: Set(revision.film_id),
        version: Set(revision.version),
        kind: Set(revision.kind.to_string()),
        author_id: Set(revision.author_id),
        author_name: Set(revision.author_name),
        source: Set(revision.source),
        comment: Set(revision.comment),
        created_at: Set(chrono::Utc::now()),
        state: Set(revision.state),
        changes: Set(revision.changes),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(row.id)
}

/// Writes many revisions at once (a bulk import's), all made `at`.
pub async fn insert_all(
    txn: &Transaction,
    revisions: Vec<NewRevision>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut rows = BulkInsert::new(
        "film_revision",
        &[
            ("film_id", ColumnType::Int),
            ("version", ColumnType::Int),
            ("kind", ColumnType::Text),
            ("author_id", ColumnType::NullableInt),
            ("author_name", ColumnType::Text),
            ("source", ColumnType::NullableText),
            ("comment", ColumnType::NullableText),
            ("created_at", ColumnType::Timestamp),
            ("state", ColumnType::Text),
            ("changes", ColumnType::Text),
        ],
    );
    for revision in revisions {
        rows.push(vec![
            revision.film_id.into(),
            revision.version.into(),
            revision.kind.into(),
            revision.author_id.into(),
            revision.author_name.into(),
            revision.source.into(),
            revision.comment.into(),
            at.into(),
            revision.state.into(),
            revision.changes.into(),
        ]);
    }
    rows.run(txn).await
}

/// The revision with this id.
pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<film_revision::Model>, DbErr> {
    film_revision::Entity::find_by_id(id).one(conn).await
}

/// The username of the account, as a revision names its author.
pub async fn username(txn: &Transaction, user_id: i32) -> Result<Option<String>, DbErr> {
    Ok(app_user::Entity::find_by_id(user_id)
        .one(txn)
        .await?
        .map(|user| user.username))
}

/// The order of a film's revisions: the newest first.
pub fn revision_order(film_id: i32) -> Ordering {
    Ordering {
        tag: format!("revisions:{film_id}"),
        column: "e.id".to_string(),
        kind: ValueKind::Int,
        descending: true,
        nullable: false,
    }
}

/// The sort value of a revision under [`revision_order`].
pub fn revision_position(revision: &film_revision::Model) -> SortValue {
    SortValue::Int(revision.id.into())
}

/// A page of the film's revisions.
pub async fn revisions_page(
    db: &Db,
    film_id: i32,
    ordering: &Ordering,
    window: &Window,
) -> AppResult<KeysetPage<film_revision::Model>> {
    let select = |sql: &mut Sql| {
        sql.push("SELECT e.* FROM film_revision e WHERE e.film_id = ")
            .bind(film_id);
        Ok(())
    };
    window.fetch_page(db, ordering, &select).await
}

/// How many revisions the film has.
pub async fn count_revisions(db: &Db, film_id: i32) -> Result<i64, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT COUNT(*) AS n FROM film_revision WHERE film_id = ")
        .bind(film_id);
    let row = sql.query_all_prepared(db).await?.into_iter().next();
    row.map_or(Ok(0), |row| row.try_get("", "n"))
}

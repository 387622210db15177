//! The statements of the changes feed: the outbox rows a content write adds
//! in its own transaction (after `content_version::bump`, whose lock orders
//! the writers, so the numbers are in commit order), and pages of them.

use chrono::{DateTime, Utc};
use sea_orm::{DbErr, FromQueryResult};

use crate::db::entities::content_change;
use crate::db::queries::keyset::{KeysetPage, Ordering, SortValue, ValueKind, Window};
use crate::db::sql::Sql;
use crate::db::{Db, Transaction};
use crate::error::AppResult;
use crate::kinds::{ChangeEntity, ChangeKind};

/// Rows written per statement.
const CHUNK: usize = 500;

/// Writes that `ids` of `entity` had a change of `kind`, in the caller's
/// transaction, which must have raised the content version first.
pub async fn record(txn: &Transaction, entity: &str, kind: &str, ids: &[i32]) -> Result<(), DbErr> {
    let at = Utc::now();
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new(sea_orm::ConnectionTrait::get_database_backend(txn));
        sql.push("INSERT INTO content_change (entity, entity_id, kind, at) VALUES ");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(entity.to_string())
                .push(", ")
                .bind(*id)
                .push(", ")
                .bind(kind.to_string())
                .push(", ")
                .bind(at)
                .push(")");
        }
        sql.execute(txn).await?;
    }
    Ok(())
}

/// Writes that the films `ids` had a change of `kind` (see [`record`]).
pub async fn films_changed(txn: &Transaction, kind: ChangeKind, ids: &[i32]) -> Result<(), DbErr> {
    record(txn, ChangeEntity::Film.as_str(), kind.as_str(), ids).await
}

/// The feed's order: oldest first, by number.
pub fn change_order() -> Ordering {
    Ordering {
        tag: "changes".to_string(),
        column: "e.id".to_string(),
        kind: ValueKind::Int,
        descending: false,
        nullable: false,
    }
}

/// The sort value of a change under [`change_order`].
pub fn change_position(change: &content_change::Model) -> SortValue {
    SortValue::Int(change.id.into())
}

/// Which changes a page of the feed shows.
#[derive(Debug, Default, Clone)]
pub struct ChangeFilter {
    /// Changes made at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// These kinds (`kinds::ChangeKind` names); none: all.
    pub kinds: Vec<String>,
}

/// A page of the feed.
pub async fn changes_page(
    db: &Db,
    filter: &ChangeFilter,
    ordering: &Ordering,
    window: &Window,
) -> AppResult<KeysetPage<content_change::Model>> {
    let select = |sql: &mut Sql| {
        sql.push("SELECT e.* FROM content_change e WHERE 1 = 1");
        if let Some(since) = filter.since {
            sql.push(" AND e.at >= ").bind(since);
        }
        if !filter.kinds.is_empty() {
            sql.push(" AND e.kind IN (")
                .push_plain_text_list(&filter.kinds)
                .push(")");
        }
        Ok(())
    };
    window.fetch_page(db, ordering, &select).await
}

/// The changes numbered after `after`, oldest first, at most `limit`.
pub async fn changes_after(
    db: &Db,
    after: i32,
    limit: u64,
) -> Result<Vec<content_change::Model>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT e.* FROM content_change e WHERE e.id > ")
        .bind(after)
        .push(&format!(" ORDER BY e.id LIMIT {limit}"));
    let rows = sql.query_all_prepared(db).await?;
    rows.iter()
        .map(|row| content_change::Model::from_query_result(row, ""))
        .collect()
}

/// The number of the latest change committed (0 when there is none).
pub async fn latest(db: &Db) -> Result<i32, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT COALESCE(MAX(id), 0) AS n FROM content_change");
    let row = sql.query_all_prepared(db).await?.into_iter().next();
    row.map_or(Ok(0), |row| row.try_get("", "n"))
}

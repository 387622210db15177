//! The statements of webhooks (`domain::webhooks`): the webhooks, and their
//! deliveries as the worker makes them. Deliveries are enqueued from the
//! changes feed's outbox, each webhook from the number it has reached, and
//! claimed with a lease, so several servers share the work and a dead
//! worker's delivery is tried again once its lease runs out.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::db::Db;
use crate::db::entities::{ActiveValue::Set, content_change, webhook, webhook_delivery};
use crate::db::queries::changes;
use crate::db::queries::keyset::{KeysetPage, Ordering, SortValue, ValueKind, Window};
use crate::db::sql::Sql;
use crate::error::AppResult;

pub const PENDING: &str = "PENDING";
pub const DELIVERED: &str = "DELIVERED";
pub const FAILED: &str = "FAILED";

/// Adds a webhook; it is delivered the changes committed from now on.
pub async fn insert(
    db: &Db,
    url: &str,
    events: &str,
    secret: &str,
    created_by: i32,
) -> Result<webhook::Model, DbErr> {
    let from = changes::latest(db).await?;
    webhook::ActiveModel {
        url: Set(url.to_string()),
        events: Set(events.to_string()),
        secret: Set(secret.to_string()),
        created_by: Set(Some(created_by)),
        created_at: Set(Utc::now()),
        last_change_id: Set(from),
        ..Default::default()
    }
    .insert(db.connection())
    .await
}

/// Every webhook, the oldest first.
pub async fn all(db: &Db) -> Result<Vec<webhook::Model>, DbErr> {
    webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db.connection())
        .await
}

/// Deletes a webhook and its deliveries; whether there was one.
pub async fn delete(db: &Db, id: i32) -> Result<bool, DbErr> {
    let result = webhook::Entity::delete_by_id(id)
        .exec(db.connection())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Adds a pending delivery to each webhook for each change of a kind it
/// wants, up to the latest change read first, and moves the webhooks on to
/// it: in one transaction, and at most once per webhook and change
/// (servers may enqueue at once). How many it added.
pub async fn enqueue(db: &Db) -> Result<u64, DbErr> {
    // Reads first: most of the time no webhook is behind, and no write
    // (on SQLite, the database's one writer) is needed.
    let latest = changes::latest(db).await?;
    let mut behind = Sql::new(db.backend());
    behind
        .push("SELECT id FROM webhook WHERE last_change_id < ")
        .bind(latest)
        .push(" LIMIT 1");
    let behind: Vec<(i32,)> = behind.tuples(db.connection()).await?;
    if behind.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    let now = Utc::now();
    let mut sql = Sql::new(backend);
    sql.push("INSERT INTO webhook_delivery (webhook_id, change_id, event, status, attempts, next_attempt_at, created_at) ")
        .push("SELECT w.id, c.id, c.entity || '.' || c.kind, '")
        .push(PENDING)
        .push("', 0, ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(" FROM webhook w JOIN content_change c ON c.id > w.last_change_id AND c.id <= ")
        .bind(latest)
        .push(" WHERE w.events = '' OR (',' || w.events || ',') LIKE ('%,' || c.kind || ',%')")
        .push(" ON CONFLICT (webhook_id, change_id) DO NOTHING");
    let added = sql.execute(&txn).await?.rows_affected();
    let mut sql = Sql::new(backend);
    sql.push("UPDATE webhook SET last_change_id = ")
        .bind(latest)
        .push(" WHERE last_change_id < ")
        .bind(latest);
    sql.execute(&txn).await?;
    txn.commit().await?;
    Ok(added)
}

/// A delivery a worker has claimed, with what it needs to make it.
pub struct Claimed {
    pub delivery: webhook_delivery::Model,
    pub webhook: webhook::Model,
    pub change: content_change::Model,
}

/// Claims up to `limit` deliveries that are due and that no live worker
/// holds, until `lease_until`.
pub async fn claim_due(
    db: &Db,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Claimed>, DbErr> {
    let now = Utc::now();
    let conn = db.connection();
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT id FROM webhook_delivery WHERE status = '")
        .push(PENDING)
        .push("' AND next_attempt_at <= ")
        .bind(now)
        .push(" AND (lease_until IS NULL OR lease_until < ")
        .bind(now)
        .push(&format!(") ORDER BY id LIMIT {limit}"));
    let due: Vec<(i32,)> = sql.tuples(conn).await?;
    let mut ids = Vec::new();
    for (id,) in due {
        // Only one worker's update finds the lease free.
        let mut sql = Sql::new(db.backend());
        sql.push("UPDATE webhook_delivery SET lease_until = ")
            .bind(lease_until)
            .push(" WHERE id = ")
            .bind(id)
            .push(" AND status = '")
            .push(PENDING)
            .push("' AND (lease_until IS NULL OR lease_until < ")
            .bind(now)
            .push(")");
        if sql.execute(conn).await?.rows_affected() == 1 {
            ids.push(id);
        }
    }
    // Nothing claimed (the usual poll): no reads for nothing. Each empty
    // `IN ()` was a statement (`WHERE 1 = 2`) twice a second per server.
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // What the claimed deliveries need, in three reads for all of them.
    let deliveries = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .order_by_asc(webhook_delivery::Column::Id)
        .all(conn)
        .await?;
    let webhooks: HashMap<i32, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(deliveries.iter().map(|d| d.webhook_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let changes: HashMap<i32, content_change::Model> = content_change::Entity::find()
        .filter(content_change::Column::Id.is_in(deliveries.iter().map(|d| d.change_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let claimed = deliveries
        .into_iter()
        .filter_map(|delivery| {
            let webhook = webhooks.get(&delivery.webhook_id)?.clone();
            let change = changes.get(&delivery.change_id)?.clone();
            Some(Claimed {
                delivery,
                webhook,
                change,
            })
        })
        .collect();
    Ok(claimed)
}

/// What one try of a delivery came to.
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered { status: i32 },
    /// Try again at `next` (`None`: no tries left, the delivery failed).
    Failed {
        status: Option<i32>,
        error: String,
        next: Option<DateTime<Utc>>,
    },
}

/// Records a try of the delivery and lets go of its lease.
pub async fn record_try(db: &Db, id: i32, outcome: Outcome) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut sql = Sql::new(db.backend());
    sql.push("UPDATE webhook_delivery SET attempts = attempts + 1, lease_until = NULL, ");
    match outcome {
        Outcome::Delivered { status } => {
            sql.push("status = '")
                .push(DELIVERED)
                .push("', response_status = ")
                .bind(status)
                .push(", last_error = NULL, delivered_at = ")
                .bind(now);
        }
        Outcome::Failed {
            status,
            error,
            next,
        } => {
            sql.push("response_status = ")
                .bind(status)
                .push(", last_error = ")
                .bind(error);
            match next {
                Some(next) => sql.push(", next_attempt_at = ").bind(next),
                None => sql.push(", status = '").push(FAILED).push("'"),
            };
        }
    }
    sql.push(" WHERE id = ").bind(id);
    sql.execute(db.connection()).await?;
    Ok(())
}

/// The order of a webhook's deliveries: the newest first.
pub fn delivery_order(webhook_id: i32) -> Ordering {
    Ordering {
        tag: format!("deliveries:{webhook_id}"),
        column: "e.id".to_string(),
        kind: ValueKind::Int,
        descending: true,
        nullable: false,
    }
}

/// The sort value of a delivery under [`delivery_order`].
pub fn delivery_position(delivery: &webhook_delivery::Model) -> SortValue {
    SortValue::Int(delivery.id.into())
}

/// A page of the webhook's deliveries.
pub async fn deliveries_page(
    db: &Db,
    webhook_id: i32,
    ordering: &Ordering,
    window: &Window,
) -> AppResult<KeysetPage<webhook_delivery::Model>> {
    let select = |sql: &mut Sql| {
        sql.push("SELECT e.* FROM webhook_delivery e WHERE e.webhook_id = ")
            .bind(webhook_id);
        Ok(())
    };
    window.fetch_page(db, ordering, &select).await
}

//! Webhooks (issue 23): admins point URLs at the changes feed, and a worker
//! on every server delivers each change to each webhook that wants it, at
//! least once. Deliveries come from the feed's outbox and are kept in the
//! database (`webhook_delivery`) until the receiver answers 2xx or the
//! tries run out, so a process that dies mid-delivery loses nothing: its
//! lease on the delivery runs out and a worker (after a restart, or on
//! another server) tries again, with the same `Cinegraph-Delivery` id.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::account::Viewer;
use super::events::Events;
use super::roles::{self, Role};
use super::webhook_sender::{self, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER};
pub use crate::config::Webhooks as WebhookSettings;
use crate::db::Db;
use crate::db::entities::webhook;
use crate::db::queries::webhooks::{self as statements, Claimed, Outcome};
use crate::error::{AppError, AppResult};
use crate::kinds::ChangeKind;
use crate::telemetry::in_background;

/// Tries of one delivery before it is marked FAILED.
pub const MAX_TRIES: i32 = 10;
/// The wait before the second try; it doubles with each try after.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// The longest wait between tries.
const LONGEST_RETRY: Duration = Duration::from_secs(3600);
/// How often the worker looks for due deliveries (retries, and those a
/// dead worker held).
const WORKER_POLL: Duration = Duration::from_millis(500);
/// How often it enqueues without being told of a change (one made on a
/// server whose notification it missed).
const ENQUEUE_POLL: Duration = Duration::from_secs(10);
/// A secret's length, in characters.
const SECRET_CHARS: std::ops::RangeInclusive<usize> = 16..=200;

/// Adds a webhook for `events` (every kind when empty); admins only. The
/// URL must be http(s) and (unless the operator allows it) not point at a
/// loopback, link-local or private address.
pub async fn create(
    db: &Db,
    viewer: &Viewer,
    settings: &WebhookSettings,
    url: &str,
    events: &[ChangeKind],
    secret: &str,
) -> AppResult<webhook::Model> {
    roles::require(db, viewer, Role::Admin).await?;
    if url.len() > 2000 {
        return Err(invalid("url", "a URL has at most 2000 characters".into()));
    }
    webhook_sender::target(url, settings.allow_private)
        .await
        .map_err(|why| invalid("url", why))?;
    if !SECRET_CHARS.contains(&secret.chars().count()) {
        return Err(invalid(
            "secret",
            format!(
                "a secret has {} to {} characters",
                SECRET_CHARS.start(),
                SECRET_CHARS.end()
            ),
        ));
    }
    let events = ChangeKind::names(Some(events.to_vec())).join(",");
    Ok(statements::insert(db, url, &events, secret, viewer.user_id).await?)
}

/// Every webhook; admins only.
pub async fn list(db: &Db, viewer: &Viewer) -> AppResult<Vec<webhook::Model>> {
    roles::require(db, viewer, Role::Admin).await?;
    Ok(statements::all(db).await?)
}

/// Deletes a webhook and its deliveries; admins only. NOT_FOUND for none.
pub async fn delete(db: &Db, viewer: &Viewer, id: i32) -> AppResult<()> {
    roles::require(db, viewer, Role::Admin).await?;
    if !statements::delete(db, id).await? {
        return Err(AppError::not_found("webhook", id));
    }
    Ok(())
}

fn invalid(path: &str, message: String) -> AppError {
    AppError::Invalid {
        path: path.into(),
        message,
    }
}

/// Delivers webhooks until the process ends: enqueues when the feed has a
/// change (heard through `Events`, from this server or another), and looks
/// for due deliveries every [`WORKER_POLL`].
pub fn run_worker(db: &Db, events: &Events, settings: WebhookSettings) {
    let db = db.clone();
    let mut changes = events.subscribe_content();
    tokio::spawn(in_background(async move {
        // At start: changes made while no server was running.
        let mut changed = true;
        let mut enqueued = tokio::time::Instant::now();
        loop {
            if changed || enqueued.elapsed() >= ENQUEUE_POLL {
                if let Err(err) = statements::enqueue(&db).await {
                    tracing::warn!(error = %err, "webhook deliveries: cannot enqueue them");
                }
                enqueued = tokio::time::Instant::now();
            }
            if let Err(err) = deliver_due(&db, &settings).await {
                tracing::warn!(error = %err, "webhook deliveries: cannot read or record them");
            }
            changed = tokio::select! {
                heard = changes.recv() => match heard {
                    Ok(_) | Err(RecvError::Lagged(_)) => true,
                    // The server is gone.
                    Err(RecvError::Closed) => return,
                },
                _ = tokio::time::sleep(WORKER_POLL) => false,
            };
        }
    }));
}

/// Makes every delivery that is due.
async fn deliver_due(db: &Db, settings: &WebhookSettings) -> AppResult<()> {
    loop {
        // Long enough for one try; a worker that dies holds it no longer.
        let lease = Utc::now() + settings.timeout * 2;
        let claimed = statements::claim_due(db, lease, 16).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        for delivery in claimed {
            let id = delivery.delivery.id;
            let outcome = attempt(&delivery, settings).await;
            statements::record_try(db, id, outcome).await?;
        }
    }
}

/// One try of a delivery: the POST, signed, and what came of it.
async fn attempt(claimed: &Claimed, settings: &WebhookSettings) -> Outcome {
    let Claimed {
        delivery,
        webhook,
        change,
    } = claimed;
    let body = json!({
        "id": delivery.id,
        "event": delivery.event,
        "change": {
            "sequence": change.id,
            "entity": change.entity,
            "entityId": crate::ids::encode(crate::ids::NodeKind::Film, change.entity_id),
            "kind": change.kind,
            "at": change.at,
        },
    })
    .to_string()
    .into_bytes();
    let sent_at = Utc::now().timestamp();
    let headers = [
        (
            SIGNATURE_HEADER,
            webhook_sender::signature(&webhook.secret, sent_at, &body),
        ),
        (DELIVERY_HEADER, delivery.id.to_string()),
        (EVENT_HEADER, delivery.event.clone()),
    ];
    // Checked again at each try: the name may point elsewhere by now.
    let result = match webhook_sender::target(&webhook.url, settings.allow_private).await {
        Ok(target) => webhook_sender::post(&target, &headers, body, settings.timeout).await,
        Err(why) => Err(why),
    };
    let tries = delivery.attempts + 1;
    let (status, error) = match result {
        Ok(status) if (200..300).contains(&status) => {
            return Outcome::Delivered {
                status: status.into(),
            };
        }
        Ok(status) => (
            Some(i32::from(status)),
            format!("the receiver answered {status}"),
        ),
        Err(why) => (None, why),
    };
    let next = (tries < MAX_TRIES).then(|| {
        let wait = FIRST_RETRY
            .saturating_mul(1 << (tries - 1).min(20))
            .min(LONGEST_RETRY);
        Utc::now() + wait
    });
    tracing::info!(delivery = delivery.id, tries, error = %error, "a webhook delivery failed");
    Outcome::Failed {
        status,
        error,
        next,
    }
}

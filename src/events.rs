//! Rating change events. Within one process a broadcast channel carries the
//! ids of films whose ratings changed; with PostgreSQL every write also sends
//! `NOTIFY film_rating_changed` in its transaction, and each server LISTENs and
//! forwards what it hears, so subscribers on every node see every change.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend};
use tokio::sync::broadcast;

pub const CHANNEL: &str = "film_rating_changed";
/// Any other change to what public queries answer (mutations, imports):
/// servers drop their cached responses when they hear it.
pub const CHANGED_CHANNEL: &str = "cinegraph_changed";

#[derive(Clone)]
pub struct RatingEvents {
    sender: broadcast::Sender<i32>,
    /// Changes announced by other servers on `CHANGED_CHANNEL`.
    changes: broadcast::Sender<()>,
    /// True while this server hears every change: always on SQLite, while the
    /// LISTEN connection is up on PostgreSQL. Caches are trusted only then.
    pub hearing_everything: Arc<AtomicBool>,
    /// With PostgreSQL the LISTEN task delivers every change, ours included.
    delivered_by_database: bool,
}

impl RatingEvents {
    pub fn new(backend: DbBackend) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let (changes, _) = broadcast::channel(64);
        Self {
            sender,
            changes,
            hearing_everything: Arc::new(AtomicBool::new(backend != DbBackend::Postgres)),
            delivered_by_database: backend == DbBackend::Postgres,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i32> {
        self.sender.subscribe()
    }

    /// Changes other servers announce (PostgreSQL only).
    pub fn subscribe_changes(&self) -> broadcast::Receiver<()> {
        self.changes.subscribe()
    }

    /// Announces a committed change (SQLite; PostgreSQL's comes through LISTEN).
    pub fn committed(&self, film_id: i32) {
        if !self.delivered_by_database {
            let _ = self.sender.send(film_id);
        }
    }

    /// Forwards PostgreSQL notifications to this process's subscribers until
    /// the process ends, reconnecting whenever the connection drops.
    pub fn listen(&self, database_url: String) {
        if !self.delivered_by_database {
            return;
        }
        let sender = self.sender.clone();
        let changes = self.changes.clone();
        let hearing = self.hearing_everything.clone();
        tokio::spawn(async move {
            loop {
                match sea_orm::sqlx::postgres::PgListener::connect(&database_url).await {
                    Ok(mut listener) => {
                        if let Err(err) = listener.listen_all([CHANNEL, CHANGED_CHANNEL]).await {
                            tracing::warn!(error = %err, "cannot LISTEN for rating changes");
                        } else {
                            tracing::info!("listening for rating changes from every server");
                            // Changes made while nobody listened are unknown: say so.
                            let _ = changes.send(());
                            hearing.store(true, Ordering::SeqCst);
                            // `try_recv` (not `recv`, which reconnects silently) so a lost
                            // connection, and the notifications lost with it, is noticed.
                            while let Ok(Some(notification)) = listener.try_recv().await {
                                if notification.channel() == CHANGED_CHANNEL {
                                    let _ = changes.send(());
                                } else if let Ok(film_id) = notification.payload().parse::<i32>() {
                                    let _ = sender.send(film_id);
                                }
                            }
                            hearing.store(false, Ordering::SeqCst);
                            let _ = changes.send(());
                            tracing::warn!("lost the LISTEN connection; reconnecting");
                        }
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot connect to LISTEN for rating changes; retrying")
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
}

/// Queues a notification that PostgreSQL delivers when the transaction commits.
pub async fn notify_in(txn: &impl ConnectionTrait, film_id: i32) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let mut sql = crate::db::sql::Sql::new(DbBackend::Postgres);
        sql.push(&format!("SELECT pg_notify('{CHANNEL}', "))
            .bind(film_id.to_string())
            .push(")");
        txn.query_one_raw(sql.statement()).await?;
    }
    Ok(())
}

/// Tells every server (PostgreSQL) that data public queries read has changed.
/// Sent after a mutation commits; a failure only delays other servers' view.
pub async fn announce_change(db: &impl ConnectionTrait) {
    if db.get_database_backend() == DbBackend::Postgres {
        let sql = format!("SELECT pg_notify('{CHANGED_CHANNEL}', '')");
        if let Err(err) = db.execute_unprepared(&sql).await {
            tracing::warn!(error = %err, "cannot announce a change to other servers");
        }
    }
}

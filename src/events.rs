//! Rating change events. Within one process a broadcast channel carries the
//! ids of films whose ratings changed; with PostgreSQL every write also sends
//! `NOTIFY film_rating_changed` in its transaction, and each server LISTENs and
//! forwards what it hears, so subscribers on every node see every change.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend};
use tokio::sync::broadcast;

pub const CHANNEL: &str = "film_rating_changed";

#[derive(Clone)]
pub struct RatingEvents {
    sender: broadcast::Sender<i32>,
    /// With PostgreSQL the LISTEN task delivers every change, ours included.
    delivered_by_database: bool,
}

impl RatingEvents {
    pub fn new(backend: DbBackend) -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self {
            sender,
            delivered_by_database: backend == DbBackend::Postgres,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i32> {
        self.sender.subscribe()
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
        tokio::spawn(async move {
            loop {
                match sea_orm::sqlx::postgres::PgListener::connect(&database_url).await {
                    Ok(mut listener) => {
                        if let Err(err) = listener.listen(CHANNEL).await {
                            tracing::warn!(error = %err, "cannot LISTEN for rating changes");
                        } else {
                            tracing::info!("listening for rating changes from every server");
                            while let Ok(notification) = listener.recv().await {
                                if let Ok(film_id) = notification.payload().parse::<i32>() {
                                    let _ = sender.send(film_id);
                                }
                            }
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

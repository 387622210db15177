//! PostgreSQL notifications between servers: `NOTIFY` inside a writing
//! transaction (delivered only if it commits) and one `LISTEN` connection per
//! server that hears them. SQLite has no other servers: there is nothing to
//! send or hear.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::Db;
use super::sql::Sql;

/// A film's user ratings changed; the payload is the film's row id.
pub const RATING_CHANNEL: &str = "film_rating_changed";
/// Any other change to what public queries answer (reviews, imports).
pub const CHANGED_CHANNEL: &str = "cinegraph_changed";
/// A change to one user's own library; the payload is `user:film:kind`.
pub const LIBRARY_CHANNEL: &str = "cinegraph_library";

/// What the listening connection reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The connection listens: from now on every notification is heard.
    Listening,
    /// The connection was lost: notifications until the next `Listening` are lost.
    Lost,
    /// The ratings of this film changed.
    RatingChanged(i32),
    /// Something else public queries read changed.
    ContentChanged,
    /// A user's library changed: what (a name of `domain::library::ChangeKind`) to which film.
    LibraryChanged {
        user_id: i32,
        film_id: i32,
        kind: String,
    },
    /// A sync point (see `domain::events::Events::settle`): nothing changed,
    /// but every notification sent before it has been heard.
    SyncPoint(String),
}

/// Queues a rating notification that PostgreSQL delivers when `txn` commits.
pub async fn rating_changed_in(txn: &impl ConnectionTrait, film_id: i32) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let mut sql = Sql::new(DbBackend::Postgres);
        sql.push(&format!("SELECT pg_notify('{RATING_CHANNEL}', "))
            .bind(film_id.to_string())
            .push(")");
        txn.query_one_raw(sql.statement()).await?;
    }
    Ok(())
}

/// Queues a change notification that PostgreSQL delivers when `txn` commits.
pub async fn content_changed_in(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_notify('{CHANGED_CHANNEL}', '')"))
            .await?;
    }
    Ok(())
}

/// Queues a library notification that PostgreSQL delivers when `txn` commits.
pub async fn library_changed_in(
    txn: &impl ConnectionTrait,
    user_id: i32,
    film_id: i32,
    kind: &str,
) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let mut sql = Sql::new(DbBackend::Postgres);
        sql.push(&format!("SELECT pg_notify('{LIBRARY_CHANNEL}', "))
            .bind(format!("{user_id}:{film_id}:{kind}"))
            .push(")");
        txn.query_one_raw(sql.statement()).await?;
    }
    Ok(())
}

/// A library notification's payload, `user:film:kind`.
fn library_notice(payload: &str) -> Option<Notice> {
    let mut parts = payload.splitn(3, ':');
    Some(Notice::LibraryChanged {
        user_id: parts.next()?.parse().ok()?,
        film_id: parts.next()?.parse().ok()?,
        kind: parts.next()?.to_string(),
    })
}

/// Listens on every channel until the process ends, reconnecting whenever the
/// connection drops, and reports what it hears to `notices`. Does nothing on
/// SQLite.
pub fn listen(db: &Db, url: String, notices: impl Fn(Notice) + Send + 'static) {
    if !db.is_postgres() {
        return;
    }
    tokio::spawn(async move {
        loop {
            match sea_orm::sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(err) = listener
                        .listen_all([RATING_CHANNEL, CHANGED_CHANNEL, LIBRARY_CHANNEL])
                        .await
                    {
                        tracing::warn!(error = %err, "cannot LISTEN for rating changes");
                    } else {
                        tracing::info!("listening for rating changes from every server");
                        notices(Notice::Listening);
                        // `try_recv` (not `recv`, which reconnects silently) so a lost
                        // connection, and the notifications lost with it, is noticed.
                        while let Ok(Some(notification)) = listener.try_recv().await {
                            if notification.channel() == LIBRARY_CHANNEL {
                                if let Some(notice) = library_notice(notification.payload()) {
                                    notices(notice);
                                }
                            } else if notification.channel() == CHANGED_CHANNEL {
                                let payload = notification.payload();
                                notices(if payload.is_empty() {
                                    Notice::ContentChanged
                                } else {
                                    Notice::SyncPoint(payload.to_string())
                                });
                            } else if let Ok(film_id) = notification.payload().parse::<i32>() {
                                notices(Notice::RatingChanged(film_id));
                            }
                        }
                        notices(Notice::Lost);
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

/// Tells every server (PostgreSQL) that data public queries read has changed
/// (`payload` empty; sent after the change committed), or, with a non-empty
/// `payload`, sends a sync point that changes nothing.
pub async fn announce_content_change(db: &Db, payload: &str) -> Result<(), DbErr> {
    if db.is_postgres() {
        let mut sql = Sql::new(DbBackend::Postgres);
        sql.push(&format!("SELECT pg_notify('{CHANGED_CHANNEL}', "))
            .bind(payload.to_string())
            .push(")");
        db.connection().query_one_raw(sql.statement()).await?;
    }
    Ok(())
}

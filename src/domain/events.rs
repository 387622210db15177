//! Changes, as they are committed here and heard from other servers.
//!
//! Within one process a broadcast channel carries the ids of films whose
//! ratings changed (for subscriptions), and listeners registered with
//! [`Events::on_change`] (the response cache) hear every change at once, in
//! the writer's own task, so a client that wrote sees its write on its next
//! read. With PostgreSQL every write also sends a notification in its
//! transaction (`db::notify`), and each server LISTENs and forwards what it
//! hears, so subscribers and caches on every node see every change.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::{Notify, broadcast, watch};

use super::library::{ChangeKind, LibraryChange};
use crate::db::Db;
use crate::db::entities::content_change;
use crate::db::notify::{self, Notice};
use crate::db::queries::changes;
use crate::telemetry::in_background;

/// How often the follower of the changes feed looks without being woken.
const FEED_POLL: std::time::Duration = std::time::Duration::from_secs(2);
/// Rows the follower reads at a time.
const FEED_BATCH: u64 = 500;

type Listener = Box<dyn Fn() + Send + Sync>;
type WriteListener = Box<dyn Fn(&Stale) + Send + Sync>;

/// What a write committed here made stale (the edge cache purges it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stale {
    /// One film's own data (its ratings, its reviews), and so any list that
    /// shows or ranks it.
    Film(i32),
    /// Anything (an import).
    Everything,
}

#[derive(Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

struct Inner {
    ratings: broadcast::Sender<i32>,
    /// Changes to users' libraries (each subscriber keeps its viewer's).
    library: broadcast::Sender<LibraryChange>,
    /// The changes feed's rows as they commit, here or elsewhere.
    content: broadcast::Sender<content_change::Model>,
    /// Wakes the follower of the changes feed: content may have changed.
    outbox: Arc<Notify>,
    /// Called on every change made or heard.
    listeners: RwLock<Vec<Listener>>,
    /// Called on every write committed here (not on those heard of: the
    /// server that writes tells the edge cache, once).
    write_listeners: RwLock<Vec<WriteListener>>,
    /// True while this server hears every change: always on SQLite, while the
    /// LISTEN connection is up on PostgreSQL. Caches are trusted only then.
    hearing_everything: Arc<AtomicBool>,
    /// With PostgreSQL the LISTEN task delivers every rating change, ours included.
    delivered_by_database: bool,
    /// Whether the LISTEN connection is up (always false on SQLite).
    listening: watch::Sender<bool>,
    /// The last sync point heard (see [`Events::settle`]).
    last_heard: watch::Sender<String>,
}

impl Events {
    pub fn new(db: &Db) -> Self {
        let postgres = db.is_postgres();
        let (ratings, _) = broadcast::channel(1024);
        let (library, _) = broadcast::channel(1024);
        let (content, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                ratings,
                library,
                content,
                outbox: Arc::new(Notify::new()),
                listeners: RwLock::new(Vec::new()),
                write_listeners: RwLock::new(Vec::new()),
                hearing_everything: Arc::new(AtomicBool::new(!postgres)),
                delivered_by_database: postgres,
                listening: watch::Sender::new(false),
                last_heard: watch::Sender::new(String::new()),
            }),
        }
    }

    /// The ids of films whose ratings changed, from now on.
    pub fn subscribe_ratings(&self) -> broadcast::Receiver<i32> {
        self.inner.ratings.subscribe()
    }

    /// The changes feed's rows, from now on (once [`Events::follow_changes`] runs).
    pub fn subscribe_content(&self) -> broadcast::Receiver<content_change::Model> {
        self.inner.content.subscribe()
    }

    /// Follows the changes feed until the process ends: whenever content
    /// may have changed (a write here, a notification from another server,
    /// or every [`FEED_POLL`] in case one was missed), reads the rows
    /// numbered after the last one seen and broadcasts them in order. The
    /// outbox, not the notifications, says what changed, so no change is
    /// skipped and each comes once.
    pub fn follow_changes(&self, db: &Db) {
        let inner = self.inner.clone();
        let db = db.clone();
        tokio::spawn(in_background(async move {
            let mut last = loop {
                match changes::latest(&db).await {
                    Ok(latest) => break latest,
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot read the changes feed; trying again");
                        tokio::time::sleep(FEED_POLL).await;
                    }
                }
            };
            loop {
                tokio::select! {
                    _ = inner.outbox.notified() => {}
                    _ = tokio::time::sleep(FEED_POLL) => {}
                }
                loop {
                    let rows = match changes::changes_after(&db, last, FEED_BATCH).await {
                        Ok(rows) => rows,
                        Err(err) => {
                            tracing::warn!(error = %err, "cannot read the changes feed");
                            break;
                        }
                    };
                    let full = rows.len() as u64 == FEED_BATCH;
                    for row in rows {
                        last = row.id;
                        let _ = inner.content.send(row);
                    }
                    if !full {
                        break;
                    }
                }
            }
        }));
    }

    /// Changes to users' libraries, from now on.
    pub fn subscribe_library(&self) -> broadcast::Receiver<LibraryChange> {
        self.inner.library.subscribe()
    }

    /// A change to a user's library committed here (with PostgreSQL the
    /// LISTEN task delivers it, as it delivers other servers' changes).
    /// Public answers do not change: no cache hears of it.
    pub fn library_committed(&self, change: LibraryChange) {
        if !self.inner.delivered_by_database {
            let _ = self.inner.library.send(change);
        }
    }

    /// Calls `listener` on every change made here or heard from elsewhere,
    /// and whenever changes may have gone unheard.
    pub fn on_change(&self, listener: impl Fn() + Send + Sync + 'static) {
        self.inner
            .listeners
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(Box::new(listener));
    }

    /// Calls `listener` with what each write committed here made stale.
    pub fn on_write(&self, listener: impl Fn(&Stale) + Send + Sync + 'static) {
        self.inner
            .write_listeners
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(Box::new(listener));
    }

    fn wrote(&self, stale: Stale) {
        for listener in self
            .inner
            .write_listeners
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
        {
            listener(&stale);
        }
    }

    /// The flag that says whether every change is heard (see [`Inner`]).
    pub fn hearing_everything(&self) -> Arc<AtomicBool> {
        self.inner.hearing_everything.clone()
    }

    /// Whether the LISTEN connection is up, as it changes.
    pub fn listening(&self) -> watch::Receiver<bool> {
        self.inner.listening.subscribe()
    }

    /// A rating write to this film committed here.
    pub fn rating_committed(&self, film_id: i32) {
        self.changed();
        self.wrote(Stale::Film(film_id));
        if !self.inner.delivered_by_database {
            let _ = self.inner.ratings.send(film_id);
        }
    }

    /// A write to a film's content (its reviews) committed here: this
    /// server's listeners hear it now, other servers through PostgreSQL. A
    /// failed announcement only delays other servers' view.
    pub async fn content_committed(&self, db: &Db, film_id: i32) {
        self.changed();
        self.wrote(Stale::Film(film_id));
        if let Err(err) = notify::announce_content_change(db, "").await {
            tracing::warn!(error = %err, "cannot announce a change to other servers");
        }
    }

    /// A write to what public answers show beyond one film (a user's lists,
    /// which `Film.lists`, `User.lists` and list nodes show, or a profile)
    /// committed here: every cache starts over, here, on the other servers
    /// (through PostgreSQL) and at the edge (no finer key names a list).
    pub async fn public_content_committed(&self, db: &Db) {
        self.changed();
        self.wrote(Stale::Everything);
        if let Err(err) = notify::announce_content_change(db, "").await {
            tracing::warn!(error = %err, "cannot announce a change to other servers");
        }
    }

    /// Waits until this server has heard every change committed before the
    /// call (PostgreSQL delivers notifications in commit order, so once a
    /// notification sent now is heard, every earlier one was): a sync point
    /// for whoever must see the server settled, such as a test after its
    /// setup. Returns at once on SQLite, where every change is heard as it
    /// commits.
    pub async fn settle(&self, db: &Db) -> Result<(), crate::db::DbErr> {
        if !self.inner.delivered_by_database {
            return Ok(());
        }
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let point = format!(
            "settle-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut heard = self.inner.last_heard.subscribe();
        let mut listening = self.listening();
        let _ = listening.wait_for(|up| *up).await;
        notify::announce_content_change(db, &point).await?;
        let _ = heard.wait_for(|last| *last == point).await;
        Ok(())
    }

    /// An import committed here; it notified other servers in its own
    /// transaction (`content_version::bump`).
    pub fn content_imported(&self) {
        self.inner.outbox.notify_one();
        self.changed();
        self.wrote(Stale::Everything);
    }

    fn changed(&self) {
        for listener in self
            .inner
            .listeners
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
        {
            listener();
        }
    }

    /// Forwards what PostgreSQL's notifications say to this process, until
    /// the process ends (nothing on SQLite).
    pub fn listen(&self, db: &Db, database_url: String) {
        let events = self.clone();
        notify::listen(db, database_url, move |notice| {
            let inner = &events.inner;
            match notice {
                Notice::Listening => {
                    // Changes made while nobody listened are unknown: say so.
                    events.changed();
                    inner.hearing_everything.store(true, Ordering::SeqCst);
                    inner.listening.send_replace(true);
                }
                Notice::Lost => {
                    inner.hearing_everything.store(false, Ordering::SeqCst);
                    inner.listening.send_replace(false);
                    events.changed();
                }
                Notice::RatingChanged(film_id) => {
                    events.changed();
                    let _ = inner.ratings.send(film_id);
                }
                Notice::ContentChanged => {
                    inner.outbox.notify_one();
                    events.changed();
                }
                Notice::LibraryChanged {
                    user_id,
                    film_id,
                    kind,
                } => {
                    if let Some(kind) = ChangeKind::parse(&kind) {
                        let change = LibraryChange {
                            user_id,
                            film_id,
                            kind,
                        };
                        let _ = inner.library.send(change);
                    }
                }
                // A sync point is no change: caches stay as they are.
                Notice::SyncPoint(point) => {
                    inner.last_heard.send_replace(point);
                }
            }
        });
    }
}

//! Read replicas: which database a request reads from.
//!
//! Mutations and subscriptions use the primary. A query reads from a
//! streaming replica that has replayed far enough, else from the primary:
//!
//! - **far enough** is the *floor* (the primary's write position read after
//!   the last change this server made or heard of, so nothing a client of
//!   this server could know of is missing, its own writes included) or the
//!   client's *consistency token* (the write position after its last
//!   mutation, on whichever server), whichever is later;
//! - a replica behind that point is waited for, up to a bound, by asking it
//!   how far it has replayed (`pg_last_wal_replay_lsn()`); then the primary
//!   answers;
//! - a replica that does not answer, is not in recovery, or lags the primary
//!   by more than a bound is out of use until a check finds it well again.
//!
//! A monitor checks every replica each [`CHECK_EVERY`]; its lag is the time
//! since the primary first wrote past the point the replica has replayed.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use super::queries::replication;
use super::{Db, DbErr};
use crate::telemetry::metrics::{Metrics, ReplicaStatus};

/// How often the monitor reads the primary's and every replica's position.
pub const CHECK_EVERY: Duration = Duration::from_millis(100);
/// A replica that takes longer than this to say where it stands is down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);
/// Between two direct reads of a replica's position while a request waits.
const WAIT_STEP: Duration = Duration::from_millis(2);

/// A position in PostgreSQL's write-ahead log (`pg_lsn`, written `16/B374D848`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(pub u64);

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

impl FromStr for Lsn {
    type Err = ();

    /// PostgreSQL's form: two hexadecimal numbers of at most 8 digits.
    fn from_str(text: &str) -> Result<Self, ()> {
        let (high, low) = text.split_once('/').ok_or(())?;
        let part = |digits: &str| {
            if digits.is_empty()
                || digits.len() > 8
                || !digits.chars().all(|c| c.is_ascii_hexdigit())
            {
                return Err(());
            }
            u32::from_str_radix(digits, 16).map_err(|_| ())
        };
        Ok(Lsn((u64::from(part(high)?) << 32) | u64::from(part(low)?)))
    }
}

/// Where one request reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    Primary,
    /// The replica at this index of [`ReadPool::replicas`].
    Replica(usize),
}

/// What the last check found a replica to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ReplicaState {
    /// Not checked yet: not used.
    Unknown = 0,
    InUse = 1,
    /// Answering, but further behind the primary than the bound.
    Lagging = 2,
    /// Did not answer in time.
    Down = 3,
    /// Answers, but is not replaying (a primary, or promoted since).
    NotAReplica = 4,
}

impl ReplicaState {
    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::InUse,
            2 => Self::Lagging,
            3 => Self::Down,
            4 => Self::NotAReplica,
            _ => Self::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::InUse => "in_use",
            Self::Lagging => "lagging",
            Self::Down => "down",
            Self::NotAReplica => "not_a_replica",
        }
    }
}

/// One replica and what the monitor last found.
pub struct Replica {
    /// host:port/database, without credentials (logs, metrics, `/readyz`).
    pub name: String,
    pub db: Db,
    state: AtomicU8,
    replayed: AtomicU64,
    lag_millis: AtomicU64,
    lag_bytes: AtomicU64,
}

impl Replica {
    pub fn state(&self) -> ReplicaState {
        ReplicaState::from_u8(self.state.load(Ordering::Acquire))
    }

    fn replayed(&self) -> Lsn {
        Lsn(self.replayed.load(Ordering::Acquire))
    }

    /// Raises what is known of its replay (never lowers it between checks).
    fn saw_replayed(&self, lsn: Lsn) {
        self.replayed.fetch_max(lsn.0, Ordering::AcqRel);
    }

    pub fn status(&self) -> ReplicaStatus {
        let state = self.state();
        let measured = matches!(state, ReplicaState::InUse | ReplicaState::Lagging);
        ReplicaStatus {
            name: self.name.clone(),
            state: state.name(),
            lag_seconds: measured.then(|| self.lag_millis.load(Ordering::Acquire) as f64 / 1000.0),
            lag_bytes: measured.then(|| self.lag_bytes.load(Ordering::Acquire)),
        }
    }
}

/// The floor: the primary's position read after the `covers`-th change heard.
#[derive(Clone, Copy, Debug, Default)]
struct Floor {
    covers: u64,
    lsn: Lsn,
}

/// The primary, the replicas and what routing knows of them. Without
/// replicas every read is the primary's and nothing runs in the background.
pub struct ReadPool {
    pub primary: Db,
    pub replicas: Vec<Replica>,
    /// A replica further behind than this is out of use.
    max_lag: Duration,
    /// How long a request waits for a replica to reach its point.
    wait: Duration,
    /// Changes made here or heard of, counted.
    changes_heard: AtomicU64,
    floor: watch::Sender<Floor>,
    raise_floor: Notify,
    /// The primary's positions over the last while, oldest first (the lag clock).
    written: Mutex<VecDeque<(Lsn, Instant)>>,
    next: AtomicUsize,
    metrics: Arc<Metrics>,
}

impl ReadPool {
    /// The primary alone.
    pub fn primary_only(primary: Db, metrics: Arc<Metrics>) -> Self {
        Self::new(primary, Vec::new(), Duration::ZERO, Duration::ZERO, metrics)
    }

    /// The primary and replicas (`(name, pool)` each). Call [`ReadPool::watch`]
    /// to start checking them; until then none is used.
    pub fn new(
        primary: Db,
        replicas: Vec<(String, Db)>,
        max_lag: Duration,
        wait: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            primary,
            replicas: replicas
                .into_iter()
                .map(|(name, db)| Replica {
                    name,
                    db,
                    state: AtomicU8::new(ReplicaState::Unknown as u8),
                    replayed: AtomicU64::new(0),
                    lag_millis: AtomicU64::new(0),
                    lag_bytes: AtomicU64::new(0),
                })
                .collect(),
            max_lag,
            wait,
            changes_heard: AtomicU64::new(0),
            floor: watch::Sender::new(Floor::default()),
            raise_floor: Notify::new(),
            written: Mutex::new(VecDeque::new()),
            next: AtomicUsize::new(0),
            metrics,
        }
    }

    pub fn has_replicas(&self) -> bool {
        !self.replicas.is_empty()
    }

    /// The pool a read goes to.
    pub fn db(&self, read: Read) -> &Db {
        match read {
            Read::Primary => &self.primary,
            Read::Replica(index) => &self.replicas[index].db,
        }
    }

    /// A change was made here or heard of: reads must not go back before it.
    /// Cheap and synchronous (the floor is raised in the background).
    pub fn note_change(&self) {
        if self.has_replicas() {
            self.changes_heard.fetch_add(1, Ordering::AcqRel);
            self.raise_floor.notify_one();
        }
    }

    /// Starts the monitor and the floor's keeper (with replicas only).
    pub fn watch(self: &Arc<Self>) {
        if !self.has_replicas() {
            return;
        }
        let pool = self.clone();
        tokio::spawn(async move {
            loop {
                pool.raise_floor.notified().await;
                pool.raise_floor_now().await;
            }
        });
        let pool = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(CHECK_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                pool.check().await;
            }
        });
    }

    async fn raise_floor_now(&self) {
        let heard = self.changes_heard.load(Ordering::Acquire);
        match replication::written(&self.primary).await {
            Ok(lsn) => self.floor.send_modify(|floor| {
                floor.covers = floor.covers.max(heard);
                floor.lsn = floor.lsn.max(lsn);
            }),
            Err(err) => {
                // Requests meanwhile find the floor behind and read the primary.
                tracing::warn!(error = %err, "cannot read the primary's write position; retrying");
                tokio::time::sleep(CHECK_EVERY).await;
                self.raise_floor.notify_one();
            }
        }
    }

    /// The position after the last write: the consistency token of a mutation.
    pub async fn written(&self) -> Result<Lsn, DbErr> {
        replication::written(&self.primary).await
    }

    /// Where a query reads, given the client's consistency token.
    pub async fn choose(&self, token: Option<Lsn>) -> Read {
        if !self.has_replicas() {
            return Read::Primary;
        }
        let read = self.route(token).await;
        let target = match read {
            Read::Primary => "primary",
            Read::Replica(index) => self.replicas[index].name.as_str(),
        };
        self.metrics.record_read_route(target);
        read
    }

    async fn route(&self, token: Option<Lsn>) -> Read {
        let deadline = tokio::time::Instant::now() + self.wait;
        // Every change heard before this request must be covered by the floor.
        let heard = self.changes_heard.load(Ordering::Acquire);
        let mut floor = self.floor.subscribe();
        let covered = tokio::time::timeout_at(deadline, floor.wait_for(|f| f.covers >= heard));
        let floor = match covered.await {
            Ok(Ok(floor)) => floor.lsn,
            _ => return Read::Primary,
        };
        let needed = floor.max(token.unwrap_or_default());
        // A token past anything the primary was seen to write: the primary
        // has it (or it is made up); waiting would not help.
        if needed > self.latest_written() {
            return Read::Primary;
        }
        loop {
            let in_use = || {
                self.replicas
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.state() == ReplicaState::InUse)
            };
            if in_use().next().is_none() {
                return Read::Primary;
            }
            let ready: Vec<usize> = in_use()
                .filter(|(_, r)| r.replayed() >= needed)
                .map(|(i, _)| i)
                .collect();
            if !ready.is_empty() {
                let turn = self.next.fetch_add(1, Ordering::Relaxed);
                return Read::Replica(ready[turn % ready.len()]);
            }
            if tokio::time::Instant::now() + WAIT_STEP >= deadline {
                return Read::Primary;
            }
            tokio::time::sleep(WAIT_STEP).await;
            for (_, replica) in in_use() {
                if let Ok(Ok(Some(lsn))) =
                    tokio::time::timeout_at(deadline, replication::replayed(&replica.db)).await
                {
                    replica.saw_replayed(lsn);
                }
            }
        }
    }

    fn latest_written(&self) -> Lsn {
        let floor = self.floor.borrow().lsn;
        let written = self.lock_written().back().map_or(Lsn(0), |(lsn, _)| *lsn);
        floor.max(written)
    }

    fn lock_written(&self) -> std::sync::MutexGuard<'_, VecDeque<(Lsn, Instant)>> {
        self.written
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// One round of the monitor: the primary's position, then each replica's.
    async fn check(&self) {
        let now = Instant::now();
        let written = match replication::written(&self.primary).await {
            Ok(lsn) => {
                let mut history = self.lock_written();
                if history.back().is_none_or(|(last, _)| *last != lsn) {
                    history.push_back((lsn, now));
                }
                // Kept long enough to tell any lag up to twice the bound.
                let keep = self.max_lag * 2 + CHECK_EVERY * 10;
                while history.len() > 1 && history.front().is_some_and(|(_, at)| now - *at > keep) {
                    history.pop_front();
                }
                Some(lsn)
            }
            Err(err) => {
                tracing::debug!(error = %err, "cannot read the primary's position");
                None
            }
        };
        for replica in &self.replicas {
            let found = tokio::time::timeout(CHECK_TIMEOUT, replication::replayed(&replica.db));
            let state = match found.await {
                Ok(Ok(Some(lsn))) => {
                    replica.replayed.store(lsn.0, Ordering::Release);
                    match written {
                        Some(written) => {
                            let lag = self.lag(lsn, now);
                            replica
                                .lag_millis
                                .store(lag.as_millis() as u64, Ordering::Release);
                            replica
                                .lag_bytes
                                .store(written.0.saturating_sub(lsn.0), Ordering::Release);
                            if lag <= self.max_lag {
                                ReplicaState::InUse
                            } else {
                                ReplicaState::Lagging
                            }
                        }
                        // Without the primary's position the lag is unknown:
                        // keep what the last check said.
                        None => replica.state(),
                    }
                }
                Ok(Ok(None)) => ReplicaState::NotAReplica,
                Ok(Err(_)) | Err(_) => ReplicaState::Down,
            };
            let before = ReplicaState::from_u8(replica.state.swap(state as u8, Ordering::AcqRel));
            if before != state {
                tracing::info!(replica = %replica.name, from = before.name(), to = state.name(), "replica state changed");
            }
        }
    }

    /// How long ago the primary first wrote past `replayed` (zero if it has not).
    fn lag(&self, replayed: Lsn, now: Instant) -> Duration {
        let history = self.lock_written();
        match history.iter().find(|(lsn, _)| *lsn > replayed) {
            Some((_, since)) => now - *since,
            None => Duration::ZERO,
        }
    }

    /// Every replica's state and lag, for `/readyz` and `/metrics`.
    pub fn statuses(&self) -> Vec<ReplicaStatus> {
        self.replicas.iter().map(Replica::status).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsns_read_and_print_as_postgresql_writes_them() {
        let lsn: Lsn = "16/B374D848".parse().unwrap();
        assert_eq!(lsn, Lsn((0x16 << 32) | 0xB374D848));
        assert_eq!(lsn.to_string(), "16/B374D848");
        assert_eq!("0/0".parse::<Lsn>(), Ok(Lsn(0)));
        assert!("0/3000148".parse::<Lsn>().unwrap() < "1/0".parse().unwrap());
        for bad in [
            "",
            "16",
            "/1",
            "1/",
            "x/1",
            "1/123456789",
            "1/2/3",
            "-1/2",
            "1 /2",
            "+1/2",
        ] {
            assert!(bad.parse::<Lsn>().is_err(), "{bad:?} was read");
        }
    }
}

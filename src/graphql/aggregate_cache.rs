//! Counts over a whole film list (`totalCount`, facets) cached per filter.
//!
//! Counting every match of a broad filter takes SQLite and PostgreSQL 5-20 ms
//! per statement, while the answer only changes when content is imported. An
//! entry remembers the content version it was computed under and is used only
//! while that version is still the committed one (one primary-key read), so an
//! import by any process, on either database, makes every older entry stale at
//! once. Counts that depend on user ratings change with every rating and are
//! never cached (see `FilmFilter::depends_on_ratings`).

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sea_orm::DatabaseConnection;

use crate::db::content_version;
use crate::error::AppResult;

/// Entries kept at most; when full the cache starts over (filters are few in
/// practice, and a miss only costs the statement it would have run anyway).
const CAPACITY: usize = 4096;

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
pub struct AggregateCache {
    entries: Mutex<HashMap<String, (i64, Value)>>,
}

impl AggregateCache {
    /// The value under `key` if computed at the current content version;
    /// otherwise computes it, stores it and returns it.
    pub async fn get_or_compute<T, F>(
        &self,
        db: &DatabaseConnection,
        key: String,
        compute: F,
    ) -> AppResult<T>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = AppResult<T>>,
    {
        // Read before computing: if an import commits meanwhile, the entry is
        // stored under the older version and is recomputed on the next ask.
        let version = content_version::current(db).await?;
        if let Some(value) = self.lookup::<T>(&key, version) {
            return Ok(value);
        }
        let value = compute.await?;
        let mut entries = self.entries.lock().expect("aggregate cache lock");
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (version, Arc::new(value.clone())));
        Ok(value)
    }

    fn lookup<T: Clone + 'static>(&self, key: &str, version: i64) -> Option<T> {
        let entries = self.entries.lock().expect("aggregate cache lock");
        let (stored_version, value) = entries.get(key)?;
        if *stored_version != version {
            return None;
        }
        value.downcast_ref::<T>().cloned()
    }
}

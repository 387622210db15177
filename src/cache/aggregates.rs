//! Counts over a whole film list (`totalCount`, facets) cached per filter, in
//! a `moka` cache of a few thousand entries.
//!
//! Counting every match of a broad filter takes SQLite and PostgreSQL 5-20 ms
//! per statement, while the answer only changes when content is imported. An
//! entry remembers the content version it was computed under (the caller
//! reads it, one primary-key read) and is used only while that version is
//! still the committed one, so an import by any process, on either database,
//! makes every older entry stale at once. Counts that depend on user ratings
//! change with every rating and are never cached (the caller decides).

use std::any::Any;
use std::future::Future;
use std::sync::Arc;

use moka::sync::Cache;

use crate::error::AppResult;

/// Entries kept at most (filters are few in practice, and a miss only costs
/// the statement it would have run anyway).
const CAPACITY: u64 = 4096;

type Value = Arc<dyn Any + Send + Sync>;

/// Clones share the entries (a schema and its prechecked twin hold one).
#[derive(Clone)]
pub struct AggregateCache {
    entries: Cache<String, (i64, Value)>,
}

impl Default for AggregateCache {
    fn default() -> Self {
        Self {
            entries: Cache::new(CAPACITY),
        }
    }
}

impl AggregateCache {
    /// The value under `key` if it was computed at content version `version`
    /// (read before computing: if an import commits meanwhile, the entry is
    /// stored under the older version and recomputed on the next ask);
    /// otherwise computes it, stores it and returns it.
    pub async fn get_or_compute<T, F>(&self, version: i64, key: String, compute: F) -> AppResult<T>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = AppResult<T>>,
    {
        if let Some((stored, value)) = self.entries.get(&key)
            && stored == version
            && let Some(value) = value.downcast_ref::<T>()
        {
            return Ok(value.clone());
        }
        let value = compute.await?;
        self.entries
            .insert(key, (version, Arc::new(value.clone()) as Value));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_entry_serves_its_content_version_only() {
        let cache = AggregateCache::default();
        let computed = |n: i64| async move { Ok::<_, crate::error::AppError>(n) };
        assert_eq!(
            cache
                .get_or_compute(1, "k".into(), computed(10))
                .await
                .unwrap(),
            10
        );
        assert_eq!(
            cache
                .get_or_compute(1, "k".into(), computed(11))
                .await
                .unwrap(),
            10,
            "kept"
        );
        assert_eq!(
            cache
                .get_or_compute(2, "k".into(), computed(12))
                .await
                .unwrap(),
            12,
            "a newer version"
        );
    }
}

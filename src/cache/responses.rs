//! Whole responses to public queries, kept as serialised bytes in a `moka`
//! cache bounded by bytes (least recently used first out).
//!
//! A request is public when it carries no `Authorization` header and runs a
//! query; its answer depends only on its text, operation name and variables
//! and on the data. Entries are valid for one *generation* of the data: any
//! change this server makes or hears of (`domain::events`: writes here,
//! notifications from other servers, a lost LISTEN connection) starts a new
//! generation. An entry records the generation read *before* its query ran,
//! so an answer computed while a write committed is never served afterwards:
//! a client that wrote sees its write on its next read.
//!
//! Another process writing an SQLite file (an import run from the command
//! line) is noticed through the database and WAL files' size and modification
//! time, checked on every lookup (two `stat` calls).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use bytes::Bytes;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;

/// What identifies a public request: the exact text, the operation, the
/// variables and the languages the client prefers.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    query: String,
    operation_name: Option<String>,
    variables: String,
    languages: String,
}

impl CacheKey {
    /// `variables` as JSON text: they serialise in their given order, so the
    /// same request text gives the same key.
    pub fn new(query: &str, operation_name: Option<&str>, variables: String) -> Self {
        Self {
            query: query.to_string(),
            operation_name: operation_name.map(str::to_string),
            variables,
            languages: String::new(),
        }
    }

    /// The same request from a client preferring these languages (their
    /// canonical text): localised titles make its answer another one.
    pub fn in_languages(mut self, languages: String) -> Self {
        self.languages = languages;
        self
    }

    fn size(&self) -> usize {
        self.query.len()
            + self.variables.len()
            + self.languages.len()
            + self.operation_name.as_ref().map_or(0, String::len)
    }
}

/// A cached answer: the response body, its compressed forms (made once, on
/// first demand: compressing per request cost 90% of a hit's CPU), and what
/// the logs and metrics say about it.
#[derive(Clone)]
pub struct CachedAnswer {
    pub body: Bytes,
    /// A strong validator of the body, for `ETag` / `If-None-Match`.
    pub etag: String,
    pub operation_name: Option<String>,
    /// What the answer was made of (`cache::edge`), space-separated.
    pub surrogate_keys: Option<Arc<str>>,
    compressed: Arc<[OnceLock<Option<Bytes>>; 3]>,
}

/// The encodings kept for cached answers, the client's choice among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Zstd,
    Gzip,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Zstd => "zstd",
            Encoding::Gzip => "gzip",
        }
    }
}

impl CachedAnswer {
    pub fn new(body: Bytes, operation_name: Option<String>) -> Self {
        Self {
            etag: etag_of(&body),
            body,
            operation_name,
            surrogate_keys: None,
            compressed: Arc::new([OnceLock::new(), OnceLock::new(), OnceLock::new()]),
        }
    }

    /// Bytes it holds, as the cache weighs it (compressed forms aside).
    fn size(&self) -> usize {
        self.body.len() + self.surrogate_keys.as_ref().map_or(0, |keys| keys.len())
    }

    pub fn with_surrogate_keys(mut self, keys: Option<String>) -> Self {
        self.surrogate_keys = keys.map(Arc::from);
        self
    }

    /// The body compressed with `encoding`, made on first demand and kept
    /// with the answer; None if compressing failed.
    pub fn compressed(&self, encoding: Encoding) -> Option<Bytes> {
        self.compressed[encoding as usize]
            .get_or_init(|| compress(&self.body, encoding).ok().map(Bytes::from))
            .clone()
    }
}

/// Compresses at levels that suit text sent many times: br 5, zstd 6, gzip 6.
fn compress(body: &[u8], encoding: Encoding) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    match encoding {
        Encoding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 4);
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 16 * 1024, 5, 22);
                writer.write_all(body)?;
            }
            Ok(out)
        }
        Encoding::Zstd => zstd::encode_all(body, 6),
        Encoding::Gzip => {
            let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            writer.write_all(body)?;
            writer.finish()
        }
    }
}

/// The state of the data an answer was computed from; equal stamps, same data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation {
    /// Changes this server made or heard of.
    changes: u64,
    /// The SQLite database and WAL files (size, modification time).
    files: Option<[(u64, Option<SystemTime>); 2]>,
}

#[derive(Clone)]
struct Entry {
    generation: Generation,
    answer: CachedAnswer,
}

pub struct ResponseCache {
    max_bytes: usize,
    changes: AtomicU64,
    /// The SQLite database file, when the data lives in one.
    sqlite_file: Option<PathBuf>,
    /// False while changes elsewhere could go unheard (PostgreSQL's LISTEN
    /// connection is down): the cache is bypassed then.
    hearing_everything: Arc<AtomicBool>,
    /// None when the cache is off.
    entries: Option<Cache<CacheKey, Entry>>,
}

impl ResponseCache {
    /// A cache holding at most `max_bytes` (0 switches it off) of answers
    /// computed from the database at `database_url`.
    pub fn new(max_bytes: usize, database_url: &str, hearing_everything: Arc<AtomicBool>) -> Self {
        let entries = (max_bytes > 0).then(|| {
            Cache::builder()
                .max_capacity(max_bytes as u64)
                .weigher(|key: &CacheKey, entry: &Entry| {
                    u32::try_from(key.size() + entry.answer.size()).unwrap_or(u32::MAX)
                })
                .eviction_policy(EvictionPolicy::lru())
                .build()
        });
        Self {
            max_bytes,
            changes: AtomicU64::new(0),
            sqlite_file: sqlite_file_of(database_url),
            hearing_everything,
            entries,
        }
    }

    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// Whether answers are served now (not while changes could go unheard).
    pub fn serving(&self) -> bool {
        self.enabled() && self.hearing_everything.load(Ordering::SeqCst)
    }

    /// The generation to record with an answer: read before the query runs.
    pub fn generation(&self) -> Generation {
        Generation {
            changes: self.changes.load(Ordering::SeqCst),
            files: self.sqlite_file.as_ref().map(|file| {
                let wal = PathBuf::from(format!("{}-wal", file.display()));
                [stamp_of(file), stamp_of(&wal)]
            }),
        }
    }

    /// The data may have changed: every entry stored so far is stale.
    pub fn invalidate(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        if let Some(entries) = &self.entries {
            entries.invalidate_all();
        }
    }

    pub fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        if !self.serving() {
            return None;
        }
        let current = self.generation();
        self.entries
            .as_ref()?
            .get(key)
            .filter(|entry| entry.generation == current)
            .map(|entry| entry.answer)
    }

    /// Keeps `answer` for `key`, computed in generation `generation`; an
    /// answer larger than a quarter of the cache is not kept.
    pub fn put(&self, key: CacheKey, generation: Generation, answer: CachedAnswer) {
        let Some(entries) = &self.entries else {
            return;
        };
        let size = key.size() + answer.size();
        if size > self.max_bytes / 4 || generation != self.generation() {
            return;
        }
        entries.insert(key, Entry { generation, answer });
    }
}

/// Size and modification time of a file (zero and none when it is absent).
fn stamp_of(path: &std::path::Path) -> (u64, Option<SystemTime>) {
    std::fs::metadata(path).map_or((0, None), |meta| (meta.len(), meta.modified().ok()))
}

/// The file of an SQLite URL (`sqlite://cinegraph.db?mode=rwc`); None for
/// other databases and in-memory ones.
fn sqlite_file_of(database_url: &str) -> Option<PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// A strong validator of `body`.
fn etag_of(body: &[u8]) -> String {
    let mut hash = super::etag::Fnv1a::default();
    hash.write(body);
    hash.etag(body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &[u8]) -> CachedAnswer {
        CachedAnswer::new(Bytes::copy_from_slice(body), None)
    }

    fn key(text: &str) -> CacheKey {
        CacheKey::new(text, None, "{}".to_string())
    }

    #[test]
    fn an_entry_lives_for_one_generation() {
        let cache = ResponseCache::new(1 << 20, "sqlite::memory:", Arc::new(AtomicBool::new(true)));
        let generation = cache.generation();
        cache.put(key("{ a }"), generation, answer(b"{}"));
        assert!(cache.get(&key("{ a }")).is_some());
        assert!(cache.get(&key("{ b }")).is_none());
        cache.invalidate();
        assert!(cache.get(&key("{ a }")).is_none(), "stale after a write");
    }

    #[test]
    fn an_answer_computed_across_a_write_is_not_kept() {
        let cache = ResponseCache::new(1 << 20, "sqlite::memory:", Arc::new(AtomicBool::new(true)));
        let read_before = cache.generation();
        cache.invalidate(); // a write commits while the query runs
        cache.put(key("{ a }"), read_before, answer(b"{}"));
        assert!(cache.get(&key("{ a }")).is_none());
    }

    #[test]
    fn the_oldest_entries_go_when_full_and_zero_switches_it_off() {
        let cache = ResponseCache::new(4000, "sqlite::memory:", Arc::new(AtomicBool::new(true)));
        for i in 0..10 {
            cache.put(
                key(&format!("{{ f{i} }}")),
                cache.generation(),
                answer(&[b'x'; 900]),
            );
        }
        let entries = cache.entries.as_ref().unwrap();
        entries.run_pending_tasks();
        assert!(cache.get(&key("{ f0 }")).is_none(), "evicted");
        assert!(cache.get(&key("{ f9 }")).is_some());
        assert!(entries.weighted_size() <= 4000);

        let off = ResponseCache::new(0, "sqlite::memory:", Arc::new(AtomicBool::new(true)));
        off.put(key("{ a }"), off.generation(), answer(b"{}"));
        assert!(off.get(&key("{ a }")).is_none());
    }

    #[test]
    fn another_process_writing_the_sqlite_file_is_a_change() {
        let dir = std::env::temp_dir().join(format!("cinegraph-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("data.db");
        std::fs::write(&file, b"one").unwrap();
        let cache = ResponseCache::new(
            1 << 20,
            &format!("sqlite://{}?mode=rwc", file.display()),
            Arc::new(AtomicBool::new(true)),
        );
        cache.put(key("{ a }"), cache.generation(), answer(b"{}"));
        assert!(cache.get(&key("{ a }")).is_some());
        std::fs::write(dir.join("data.db-wal"), b"a frame").unwrap();
        assert!(cache.get(&key("{ a }")).is_none(), "the WAL grew");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compressed_forms_are_made_once_and_decode_to_the_body() {
        use std::io::Read;
        let body = Bytes::from("{\"data\":{\"film\":\"Leaving Las Vegas\"}}".repeat(50));
        let answer = CachedAnswer::new(body.clone(), None);
        let gzip = answer.compressed(Encoding::Gzip).unwrap();
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(gzip.as_ref())
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, body);
        assert_eq!(
            zstd::decode_all(answer.compressed(Encoding::Zstd).unwrap().as_ref()).unwrap(),
            body
        );
        let mut unbrotli = Vec::new();
        brotli::Decompressor::new(answer.compressed(Encoding::Brotli).unwrap().as_ref(), 4096)
            .read_to_end(&mut unbrotli)
            .unwrap();
        assert_eq!(unbrotli, body);
        let clone = answer.clone();
        assert_eq!(
            clone.compressed(Encoding::Gzip).unwrap().as_ptr(),
            gzip.as_ptr(),
            "clones share the compressed form"
        );
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file_of("sqlite://cinegraph.db?mode=rwc"),
            Some(PathBuf::from("cinegraph.db"))
        );
        assert_eq!(
            sqlite_file_of("sqlite:/tmp/x.db"),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(sqlite_file_of("sqlite::memory:"), None);
        assert_eq!(sqlite_file_of("postgres://u@h/db"), None);
    }
}

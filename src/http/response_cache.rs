//! Whole responses to public queries, kept as serialised bytes.
//!
//! A request is public when it carries no `Authorization` header and runs a
//! query; its answer depends only on its text, operation name and variables
//! and on the data. Entries are valid for one *generation* of the data: any
//! mutation on this server, any rating change heard from another server
//! (PostgreSQL `NOTIFY film_rating_changed`), any change announced on
//! `cinegraph_changed` (other servers' mutations, imports) starts a new
//! generation. An entry records the generation read *before* its query ran,
//! so an answer computed while a write committed is never served afterwards:
//! a client that wrote sees its write on its next read.
//!
//! Imports count as changes too: those this process commits at once, those
//! of other processes through `cinegraph_changed` (PostgreSQL) or, on an
//! SQLite file, through the database and WAL files' size and modification
//! time, checked on every lookup (two `stat` calls).
//!
//! Bounded by bytes; the oldest entries go first.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use axum::body::Bytes;

/// What identifies a public request: the exact text, the operation and the variables.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    query: String,
    operation_name: Option<String>,
    variables: String,
}

impl CacheKey {
    pub fn new(
        query: &str,
        operation_name: Option<&str>,
        variables: &async_graphql::Variables,
    ) -> Self {
        Self {
            query: query.to_string(),
            operation_name: operation_name.map(str::to_string),
            // Variables serialise in their given order: the same request text, the same key.
            variables: serde_json::to_string(variables).unwrap_or_default(),
        }
    }

    fn size(&self) -> usize {
        self.query.len()
            + self.variables.len()
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

    /// The best encoding `Accept-Encoding` allows: highest q, then br, zstd, gzip.
    pub fn negotiate(accept_encoding: &str) -> Option<Encoding> {
        let mut best: Option<(f32, Encoding)> = None;
        for part in accept_encoding.split(',') {
            let mut pieces = part.split(';');
            let name = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let encodings: &[Encoding] = match name.as_str() {
                "br" => &[Encoding::Brotli],
                "zstd" => &[Encoding::Zstd],
                "gzip" | "x-gzip" => &[Encoding::Gzip],
                "*" => &[Encoding::Brotli],
                _ => &[],
            };
            for &encoding in encodings {
                let better = match best {
                    None => q > 0.0,
                    Some((best_q, best_encoding)) => {
                        q > best_q || (q == best_q && (encoding as u8) < (best_encoding as u8))
                    }
                };
                if better && q > 0.0 {
                    best = Some((q, encoding));
                }
            }
        }
        best.map(|(_, encoding)| encoding)
    }
}

impl CachedAnswer {
    pub fn new(body: Bytes, operation_name: Option<String>) -> Self {
        Self {
            etag: etag_of(&body),
            body,
            operation_name,
            compressed: Arc::new([OnceLock::new(), OnceLock::new(), OnceLock::new()]),
        }
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
    /// Imports this process committed.
    imports: u64,
    /// The SQLite database and WAL files (size, modification time).
    files: Option<[(u64, Option<SystemTime>); 2]>,
}

struct Entry {
    generation: Generation,
    answer: CachedAnswer,
}

#[derive(Default)]
struct Entries {
    map: HashMap<CacheKey, Entry>,
    /// Insertion order, for evicting the oldest.
    order: VecDeque<CacheKey>,
    bytes: usize,
}

pub struct ResponseCache {
    max_bytes: usize,
    changes: AtomicU64,
    /// The SQLite database file, when the data lives in one.
    sqlite_file: Option<PathBuf>,
    /// False while changes elsewhere could go unheard (PostgreSQL's LISTEN
    /// connection is down): the cache is bypassed then.
    hearing_everything: Arc<AtomicBool>,
    entries: Mutex<Entries>,
}

impl ResponseCache {
    /// A cache holding at most `max_bytes` (0 switches it off) of answers
    /// computed from the database at `database_url`.
    pub fn new(max_bytes: usize, database_url: &str, hearing_everything: Arc<AtomicBool>) -> Self {
        Self {
            max_bytes,
            changes: AtomicU64::new(0),
            sqlite_file: sqlite_file_of(database_url),
            hearing_everything,
            entries: Mutex::new(Entries::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    /// Whether answers are served now (not while changes could go unheard).
    pub fn serving(&self) -> bool {
        self.enabled() && self.hearing_everything.load(Ordering::SeqCst)
    }

    /// The generation to record with an answer: read before the query runs.
    pub fn generation(&self) -> Generation {
        Generation {
            changes: self.changes.load(Ordering::SeqCst),
            imports: crate::db::content_version::committed_here(),
            files: self.sqlite_file.as_ref().map(|file| {
                let wal = PathBuf::from(format!("{}-wal", file.display()));
                [stamp_of(file), stamp_of(&wal)]
            }),
        }
    }

    /// The data may have changed: every entry stored so far is stale.
    pub fn invalidate(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    pub fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        if !self.serving() {
            return None;
        }
        let current = self.generation();
        let entries = self.lock();
        entries
            .map
            .get(key)
            .filter(|entry| entry.generation == current)
            .map(|entry| entry.answer.clone())
    }

    /// Keeps `answer` for `key`, computed in generation `generation`.
    pub fn put(&self, key: CacheKey, generation: Generation, answer: CachedAnswer) {
        let size = key.size() + answer.body.len();
        if !self.enabled() || size > self.max_bytes / 4 || generation != self.generation() {
            return;
        }
        let mut entries = self.lock();
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes -= key.size() + old.answer.body.len();
            entries.order.retain(|k| k != &key);
        }
        while entries.bytes + size > self.max_bytes {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            if let Some(old) = entries.map.remove(&oldest) {
                entries.bytes -= oldest.size() + old.answer.body.len();
            }
        }
        entries.bytes += size;
        entries.order.push_back(key.clone());
        entries.map.insert(key, Entry { generation, answer });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
        CacheKey::new(text, None, &async_graphql::Variables::default())
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
        assert!(cache.get(&key("{ f0 }")).is_none(), "evicted");
        assert!(cache.get(&key("{ f9 }")).is_some());
        assert!(cache.lock().bytes <= 4000);

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
    fn encodings_follow_the_clients_preference() {
        assert_eq!(
            Encoding::negotiate("gzip, deflate, br"),
            Some(Encoding::Brotli)
        );
        assert_eq!(
            Encoding::negotiate("gzip;q=1, br;q=0.5"),
            Some(Encoding::Gzip)
        );
        assert_eq!(Encoding::negotiate("zstd, gzip"), Some(Encoding::Zstd));
        assert_eq!(
            Encoding::negotiate("br;q=0, gzip;q=0.1"),
            Some(Encoding::Gzip)
        );
        assert_eq!(Encoding::negotiate("identity"), None);
        assert_eq!(Encoding::negotiate(""), None);
        assert_eq!(Encoding::negotiate("*"), Some(Encoding::Brotli));
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

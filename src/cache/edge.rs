//! Caching at the edge (an HTTP cache or CDN in front of the nodes):
//! *surrogate keys* name what an answer was made of, and the *purge hook*
//! tells the cache which keys a write made stale.
//!
//! Keys: `film-<row id>` and `person-<row id>` for every film and person an
//! answer holds (recorded as the resolvers build them, whatever fields the
//! query selects), `lists` for answers with a root field that lists or ranks
//! (a rating can reorder them), and `all` on every answer (an import purges
//! it). A write purges `film-<id>` and `lists`; an import purges `all`.
//! They are sent as `Surrogate-Key` (space-separated: Fastly, Varnish) and
//! `Cache-Tag` (comma-separated: Cloudflare). An answer naming more than
//! [`MAX_KEYS_BYTES`] of keys carries `lists all` only, so any write purges it.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::mpsc;

use crate::telemetry::metrics::Metrics;

/// Every answer's key: an import purges everything.
pub const ALL: &str = "all";
/// Answers that list or rank films or people.
pub const LISTS: &str = "lists";
/// CDNs cap the header near 16 KB; past this the answer is tagged coarsely.
pub const MAX_KEYS_BYTES: usize = 8 * 1024;

/// What one answer was made of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keys {
    films: BTreeSet<i32>,
    people: BTreeSet<i32>,
    lists: bool,
    /// The answer depends on the time it was made (a decayed ranking).
    clock: bool,
}

impl Keys {
    /// The answer also lists or ranks (see [`LISTS`]).
    pub fn listing(mut self, lists: bool) -> Self {
        self.lists |= lists;
        self
    }

    /// Whether the answer depends on when it was made, not on the data alone
    /// (see [`depends_on_clock`]).
    pub fn depends_on_clock(&self) -> bool {
        self.clock
    }

    /// The keys, space-separated, `all` last (the `Surrogate-Key` value).
    pub fn header(&self) -> String {
        let mut text = String::new();
        for (prefix, ids) in [("film-", &self.films), ("person-", &self.people)] {
            for id in ids {
                text.push_str(prefix);
                text.push_str(&id.to_string());
                text.push(' ');
            }
        }
        if text.len() > MAX_KEYS_BYTES {
            return format!("{LISTS} {ALL}");
        }
        if self.lists {
            text.push_str(LISTS);
            text.push(' ');
        }
        text.push_str(ALL);
        text
    }
}

/// The same keys comma-separated (the `Cache-Tag` value).
pub fn cache_tag(surrogate_keys: &str) -> String {
    surrogate_keys.split(' ').collect::<Vec<_>>().join(",")
}

tokio::task_local! {
    /// The keys of the request executing in this task (see [`collecting`]).
    static SEEN: RefCell<Keys>;
}

/// Runs `execution` (one request, polled in this task) and returns what
/// its resolvers recorded with [`saw_film`] and [`saw_person`].
pub async fn collecting<F: Future>(execution: F) -> (F::Output, Keys) {
    SEEN.scope(RefCell::new(Keys::default()), async move {
        let output = execution.await;
        (output, SEEN.with(|keys| keys.take()))
    })
    .await
}

/// A film is in the answer being built (no-op outside [`collecting`]).
pub fn saw_film(id: i32) {
    let _ = SEEN.try_with(|keys| keys.borrow_mut().films.insert(id));
}

/// A person is in the answer being built.
pub fn saw_person(id: i32) {
    let _ = SEEN.try_with(|keys| keys.borrow_mut().people.insert(id));
}

/// The answer being built changes with time even when the data does not
/// (a ranking that decays): the response cache, which keeps answers until
/// the data changes, does not keep it. HTTP caches keep it for their
/// max-age, which bounds how old it gets.
pub fn saw_clock() {
    let _ = SEEN.try_with(|keys| keys.borrow_mut().clock = true);
}

/// What a write made stale, as keys to purge.
pub fn keys_of_film_write(film_id: i32) -> Vec<String> {
    vec![format!("film-{film_id}"), LISTS.to_string()]
}

/// Tells the edge cache which keys writes made stale: `POST <url>` with the
/// keys in a `Surrogate-Key` header and as a JSON body `{"keys": [...]}`.
/// Sent from a background task (a write never waits for it), keys that
/// pile up meanwhile go in one request, and a failed request is retried with
/// backoff, [`ATTEMPTS`] times, then logged and counted. Each purge is sent
/// once more when a request that began before the write can no longer be
/// running (after the request time budget): an answer read before the write
/// and stored by the cache after the first purge is purged too.
#[derive(Clone)]
pub struct Purger {
    sender: Option<mpsc::UnboundedSender<Vec<String>>>,
}

/// Tries per purge before it is given up (and counted as failed).
pub const ATTEMPTS: u32 = 6;
const FIRST_RETRY: Duration = Duration::from_millis(100);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

impl Purger {
    /// No purge hook: nothing is sent.
    pub fn none() -> Self {
        Self { sender: None }
    }

    /// Purges through `url` (http://; checked by the caller), again after `repeat_after`.
    pub fn to(url: String, repeat_after: Duration, metrics: Arc<Metrics>) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(deliver(url, receiver, repeat_after, metrics));
        Self {
            sender: Some(sender),
        }
    }

    /// Queues `keys` for purging; returns at once.
    pub fn purge(&self, keys: Vec<String>) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(keys);
        }
    }
}

async fn deliver(
    url: String,
    mut queued: mpsc::UnboundedReceiver<Vec<String>>,
    repeat_after: Duration,
    metrics: Arc<Metrics>,
) {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    while let Some(first) = queued.recv().await {
        let mut keys: BTreeSet<String> = first.into_iter().collect();
        while let Ok(more) = queued.try_recv() {
            keys.extend(more);
        }
        let keys: Vec<String> = keys.into_iter().collect();
        let mut wait = FIRST_RETRY;
        let mut outcome = "failed";
        for attempt in 1..=ATTEMPTS {
            match send(&client, &url, &keys).await {
                Ok(()) => {
                    outcome = "ok";
                    break;
                }
                Err(error) => {
                    tracing::warn!(attempt, %error, keys = keys.join(" "), "the purge hook failed; retrying");
                    if attempt < ATTEMPTS {
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                }
            }
        }
        if outcome == "failed" {
            tracing::error!(
                keys = keys.join(" "),
                "gave up purging; the edge cache keeps these answers until they expire"
            );
        }
        metrics.record_purge(outcome);
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            tokio::time::sleep(repeat_after).await;
            if let Err(error) = send(&client, &url, &keys).await {
                tracing::warn!(%error, keys = keys.join(" "), "the repeated purge failed");
            }
        });
    }
}

async fn send(
    client: &Client<HttpConnector, Full<Bytes>>,
    url: &str,
    keys: &[String],
) -> Result<(), String> {
    let body = serde_json::json!({ "keys": keys }).to_string();
    let request = hyper::Request::post(url)
        .header("surrogate-key", keys.join(" "))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(REQUEST_TIMEOUT, client.request(request))
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_name_what_the_resolvers_saw_and_stay_within_the_limit() {
        let (_, keys) = collecting(async {
            saw_film(3);
            saw_person(7);
            saw_film(3);
            saw_film(12);
        })
        .await;
        assert_eq!(keys.header(), "film-3 film-12 person-7 all");
        assert_eq!(
            keys.clone().listing(true).header(),
            "film-3 film-12 person-7 lists all"
        );
        assert_eq!(cache_tag(&keys.header()), "film-3,film-12,person-7,all");
        // Outside a request nothing is recorded, and nothing fails.
        saw_film(1);
        let (_, many) = collecting(async {
            for id in 0..2_000 {
                saw_person(id);
            }
        })
        .await;
        assert_eq!(many.header(), "lists all");
    }
}

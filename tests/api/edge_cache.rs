//! A real HTTP cache in front: Varnish (Debian's `varnishd`, from
//! `TEST_VARNISHD`) started by the test, banning by surrogate key when the
//! purge hook calls it. A query fetched by hash is a miss, then a hit; a
//! rating purges it; the next fetch is a miss with the fresh answer.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::TestApp;

const FILM: &str =
    r#"{ film(by: { slug: "leaving-las-vegas" }) { title ratingSummary { count } } }"#;

/// Caches by the answers' own Cache-Control; `POST /purge` with a
/// `Surrogate-Key` header bans every object carrying one of those keys.
const VCL: &str = r#"vcl 4.1;
backend default { .host = "127.0.0.1"; .port = "BACKEND_PORT"; }
sub vcl_recv {
  if (req.method == "POST" && req.url == "/purge") {
    if (!req.http.Surrogate-Key) { return (synth(400, "no keys")); }
    ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.Surrogate-Key, "\s+", "|") + ")(\s|$)");
    return (synth(200, "purged"));
  }
}
sub vcl_deliver {
  if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; }
}
"#;

struct Varnish {
    child: Child,
    dir: PathBuf,
}

impl Varnish {
    /// varnishd in the foreground on `port`, in front of `backend`.
    fn start(port: u16, backend: SocketAddr) -> Self {
        let dir =
            std::env::temp_dir().join(format!("cinegraph-varnish-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let vcl = dir.join("cache.vcl");
        std::fs::write(
            &vcl,
            VCL.replace("BACKEND_PORT", &backend.port().to_string()),
        )
        .unwrap();
        let program = std::env::var("TEST_VARNISHD").unwrap_or_else(|_| "varnishd".into());
        let child = Command::new(program)
            .args(["-F", "-a", &format!("127.0.0.1:{port}"), "-s", "malloc,32m"])
            .arg("-n")
            .arg(dir.join("work"))
            .arg("-f")
            .arg(&vcl)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start varnishd (TEST_VARNISHD)");
        Self { child, dir }
    }
}

impl Drop for Varnish {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GETs `FILM` by hash through the cache: `X-Cache`, `Cache-Control`, body.
async fn fetch(port: u16, hash: &str) -> (String, String, Value) {
    let client: Client<HttpConnector, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let query = serde_urlencoded::to_string([("extensions", extensions.to_string())]).unwrap();
    let uri = format!("http://127.0.0.1:{port}/graphql?{query}");
    let response = client
        .get(uri.parse().unwrap())
        .await
        .expect("the cache answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map_or(String::new(), |v| v.to_str().unwrap().to_string())
    };
    let (cache, control) = (header("x-cache"), header("cache-control"));
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (cache, control, serde_json::from_slice(&body).unwrap())
}

async fn a_write_purges_what_an_http_cache_kept(postgres: bool) {
    let port = free_port();
    let purge = format!("http://127.0.0.1:{port}/purge");
    let app = TestApp::with_config(postgres, |config| {
        config.edge.purge_url = Some(purge);
        // Purges are repeated a request time budget later; a short budget
        // makes the start-up's repeats end sooner.
        config.request_time_budget = Duration::from_secs(3);
    })
    .await;
    // The start's imports queued purges too: retried until varnishd listens,
    // then sent once more a request time budget later. The write's purge is
    // told apart from them by waiting them out before the write.
    let startup_purges_done =
        Instant::now() + app.state.config.request_time_budget + Duration::from_secs(6);
    let _varnish = Varnish::start(port, app.serve().await);
    // Registered once by POST (APQ), then fetched by hash through the cache.
    let hash = hex::encode(Sha256::digest(FILM.as_bytes()));
    let registered = json!({ "query": FILM, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    let (_, body) = app
        .send(
            axum::http::Request::post("/graphql")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(registered.to_string()))
                .unwrap(),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let first = loop {
        // varnishd takes a moment to listen.
        let client = tokio::net::TcpStream::connect(("127.0.0.1", port)).await;
        if client.is_ok() {
            break fetch(port, &hash).await;
        }
        assert!(Instant::now() < deadline, "varnishd did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(first.0, "MISS");
    assert!(first.1.starts_with("public, "), "{}", first.1);
    assert_eq!(first.2["data"]["film"]["ratingSummary"]["count"], 0);
    // Kept: a hit (a start-up purge may drop it in between), and again
    // once the start-up purges are over.
    let hit = || async {
        loop {
            let again = fetch(port, &hash).await;
            assert_eq!(again.2, first.2);
            if again.0 == "HIT" {
                break;
            }
            assert!(Instant::now() < deadline, "the cache never kept the answer");
        }
    };
    hit().await;
    tokio::time::sleep_until(startup_purges_done.into()).await;
    hit().await;

    // A rating: the purge hook bans the film's answers in the cache.
    let viewer = app.sign_up("cached_viewer").await;
    let film = app.film_id("leaving-las-vegas").await;
    let rate = "mutation($i: RateFilmInput!) { rateFilm(input: $i) { rating { score } } }";
    app.data_as(
        &viewer,
        rate,
        json!({ "i": { "filmId": film, "score": 9 } }),
    )
    .await;
    loop {
        let (cache, _, body) = fetch(port, &hash).await;
        if cache == "MISS" {
            assert_eq!(body["data"]["film"]["ratingSummary"]["count"], 1, "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "the cache was never purged");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (cache, _, body) = fetch(port, &hash).await;
    assert_eq!(
        (
            cache.as_str(),
            &body["data"]["film"]["ratingSummary"]["count"]
        ),
        ("HIT", &json!(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(varnish_tests),
    ignore = "an HTTP cache: set TEST_VARNISHD=/usr/sbin/varnishd to run it"
)]
async fn a_write_purges_what_an_http_cache_kept_sqlite() {
    a_write_purges_what_an_http_cache_kept(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(varnish_tests, postgres_tests)),
    ignore = "an HTTP cache on PostgreSQL: set TEST_VARNISHD and TEST_DATABASE_URL to run it"
)]
async fn a_write_purges_what_an_http_cache_kept_postgres() {
    a_write_purges_what_an_http_cache_kept(true).await;
}

//! Read replicas (`DATABASE_READ_URL`) against a real streaming replica
//! (`cluster`): queries read the replica; a viewer reads its own writes at
//! once, and every reader within the lag bound; the consistency token brings
//! any server's reads up to a write; a replica that lags or is down is taken
//! out (reads fall back to the primary) and back in when it recovers, and
//! `/readyz` and `/metrics` say so.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::helpers::TestApp;

const TITLE: &str = r#"{ film(by: { imdbId: "tt0113627" }) { title } }"#;
const CHANGED: &str = "Leaving Las Vegas (changed on the primary)";
const RATE: &str = r#"mutation($i: RateFilmInput!) { rateFilm(input: $i) { rating { score } } }"#;
const RATINGS: &str =
    r#"{ film(by: { imdbId: "tt0113627" }) { ratingSummary { count } viewerRating { score } } }"#;

/// A server on the cluster's primary reading from its replica; no response
/// cache, so every query reads the database.
async fn server(cluster: &Cluster, max_lag_ms: u64, wait_ms: u64) -> TestApp {
    let mut config = cinegraph::Config::for_tests(&cluster.primary_url);
    config.response_cache_bytes = 0;
    config.replicas.urls = vec![cluster.replica_url.clone()];
    config.replicas.max_lag = Duration::from_millis(max_lag_ms);
    config.replicas.wait = Duration::from_millis(wait_ms);
    TestApp::start_with(&cluster.primary_url, None, config).await
}

/// A second server on the same primary and replica (the data is there).
async fn another_server(first: &TestApp, cluster: &Cluster) -> TestApp {
    let mut config = (*first.state.config).clone();
    config.database_url = cluster.primary_url.clone();
    let other = TestApp::over(&cluster.primary_url, None, &config).await;
    other.settle().await;
    first.settle().await;
    other
}

async fn wait_for_state(app: &TestApp, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let statuses = app.state.reads.statuses();
        if statuses[0].state == state {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replica did not become {state}: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many queries read from `target` so far (the route metric).
fn reads_from(app: &TestApp, target: &str) -> u64 {
    let text = app
        .metrics
        .render(app.db.pool_usage(), 0, &app.state.reads.statuses());
    let prefix = format!("cinegraph_db_read_routes_total{{target=\"{target}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |n| n.parse().unwrap())
}

/// The film's title, as `app` reads it (with a consistency token when given).
async fn title(app: &TestApp, token: Option<&str>) -> String {
    let (status, _, body) = app.send_raw(request(TITLE, None, token)).await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    body["data"]["film"]["title"].as_str().unwrap().to_string()
}

fn request(query: &str, viewer: Option<&str>, token: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header("content-type", "application/json");
    if let Some(viewer) = viewer {
        request = request.header("authorization", format!("Bearer {viewer}"));
    }
    if let Some(token) = token {
        request = request.header("cinegraph-consistency", token);
    }
    let body = json!({ "query": query }).to_string();
    request.body(Body::from(body)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(replica_tests),
    ignore = "a streaming replica: set TEST_POSTGRES_BIN=/usr/lib/postgresql/15/bin to run it"
)]
async fn queries_read_the_replica_and_writers_read_their_writes_at_once() {
    let cluster = Cluster::start();
    let app = server(&cluster, 60_000, 300).await;
    let replica = cluster.replica_name();
    wait_for_state(&app, "in_use").await;

    // Reads go to the replica (once it has replayed the setup): with its
    // replay paused, a change made on the primary behind the servers' backs
    // (no notification) is not seen...
    let deadline = Instant::now() + Duration::from_secs(30);
    while reads_from(&app, &replica) == 0 {
        assert_eq!(title(&app, None).await, "Leaving Las Vegas");
        assert!(Instant::now() < deadline, "no query read the replica");
    }
    let from_replica = reads_from(&app, &replica);
    cluster.pause_replay();
    cluster.on_primary(&format!(
        "UPDATE film SET title = '{CHANGED}' WHERE imdb_id = 'tt0113627'"
    ));
    assert_eq!(title(&app, None).await, "Leaving Las Vegas");
    assert_eq!(reads_from(&app, &replica), from_replica + 1);

    // ...unless the client carries a consistency token past the change: then
    // the replica is waited for, and the primary answers.
    let written = cluster.on_primary("SELECT pg_current_wal_lsn()");
    assert_eq!(title(&app, Some(&written)).await, CHANGED);
    let (status, _, body) = app.send_raw(request(TITLE, None, Some("yesterday"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INVALID_CONSISTENCY_TOKEN"
    );

    // A viewer's write is read back at once, replica paused or not, and its
    // answer carries the token, in the body and the header.
    let other = another_server(&app, &cluster).await;
    let viewer = app.sign_up("replica_reader").await;
    let film = app.film_id("leaving-las-vegas").await;
    let rate = json!({ "query": RATE, "variables": { "i": { "filmId": film, "score": 8 } } });
    let rated = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {viewer}"))
        .body(Body::from(rate.to_string()))
        .unwrap();
    let (status, headers, body) = app.send_raw(rated).await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["rateFilm"]["rating"]["score"], 8, "{body}");
    let token = body["extensions"]["consistency"]["token"]
        .as_str()
        .expect("a consistency token")
        .to_string();
    assert_eq!(headers["cinegraph-consistency"], token.as_str());
    let (_, _, mine) = app.send_raw(request(RATINGS, Some(&viewer), None)).await;
    let mine: Value = serde_json::from_slice(&mine).unwrap();
    assert_eq!(mine["data"]["film"]["viewerRating"]["score"], 8, "{mine}");
    assert_eq!(mine["data"]["film"]["ratingSummary"]["count"], 1, "{mine}");

    // Everyone: another server that heard of the write reads it too.
    other.settle().await;
    let (_, _, theirs) = other.send_raw(request(RATINGS, None, None)).await;
    let theirs: Value = serde_json::from_slice(&theirs).unwrap();
    assert_eq!(
        theirs["data"]["film"]["ratingSummary"]["count"], 1,
        "{theirs}"
    );

    // Replay resumed, the replica serves again and has it all.
    cluster.resume_replay();
    let deadline = Instant::now() + Duration::from_secs(30);
    let before = reads_from(&other, &replica);
    loop {
        let (_, _, theirs) = other.send_raw(request(RATINGS, None, None)).await;
        let theirs: Value = serde_json::from_slice(&theirs).unwrap();
        if reads_from(&other, &replica) > before {
            assert_eq!(
                theirs["data"]["film"]["ratingSummary"]["count"], 1,
                "{theirs}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "reads never returned to the replica"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(title(&other, None).await, CHANGED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(replica_tests),
    ignore = "a streaming replica: set TEST_POSTGRES_BIN=/usr/lib/postgresql/15/bin to run it"
)]
async fn a_replica_that_lags_or_is_down_is_taken_out_and_back_in() {
    let cluster = Cluster::start();
    let app = server(&cluster, 500, 50).await;
    let replica = cluster.replica_name();
    wait_for_state(&app, "in_use").await;

    // Lagging past the bound: out of use, reads fall back to the primary.
    cluster.pause_replay();
    cluster.on_primary(&format!(
        "UPDATE film SET title = '{CHANGED}' WHERE imdb_id = 'tt0113627'"
    ));
    wait_for_state(&app, "lagging").await;
    let ready = readyz(&app).await;
    assert!(
        ready.starts_with("ready\n") && ready.contains(&format!("replica {replica} lagging lag ")),
        "{ready}"
    );
    let metrics = app
        .metrics
        .render(app.db.pool_usage(), 0, &app.state.reads.statuses());
    assert!(
        metrics.contains(&format!(
            "cinegraph_db_replica_state{{replica=\"{replica}\",state=\"lagging\"}} 1"
        )),
        "{metrics}"
    );
    assert!(metrics.contains(&format!(
        "cinegraph_db_replica_lag_seconds{{replica=\"{replica}\"}} "
    )));
    let primary_reads = reads_from(&app, "primary");
    assert_eq!(title(&app, None).await, CHANGED);
    assert_eq!(reads_from(&app, "primary"), primary_reads + 1);

    // Caught up: back in use.
    cluster.resume_replay();
    wait_for_state(&app, "in_use").await;
    let replica_reads = reads_from(&app, &replica);
    assert_eq!(title(&app, None).await, CHANGED);
    assert_eq!(reads_from(&app, &replica), replica_reads + 1);

    // Down: out of use, the server stays ready and answers from the primary.
    cluster.stop_replica();
    wait_for_state(&app, "down").await;
    assert!(
        readyz(&app)
            .await
            .contains(&format!("replica {replica} down"))
    );
    assert_eq!(title(&app, None).await, CHANGED);
    cluster.start_replica();
    wait_for_state(&app, "in_use").await;
    assert_eq!(title(&app, None).await, CHANGED);
}

async fn readyz(app: &TestApp) -> String {
    let request = Request::get("/readyz").body(Body::empty()).unwrap();
    let (status, _, body) = app.send_raw(request).await;
    assert_eq!(status, StatusCode::OK);
    String::from_utf8(body).unwrap()
}

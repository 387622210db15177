//! Faults survived: the real binary under signals and without its database,
//! and a PostgreSQL connection cut while serving (through a TCP proxy the
//! test can switch off and on).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::TestApp;

/// A scratch directory removed when dropped.
pub(crate) struct Scratch(pub(crate) std::path::PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Self(std::env::temp_dir().join(format!("cinegraph-{name}-{}-{nanos}", std::process::id())))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The real `cinegraph` binary, its log lines forwarded into a channel.
pub(crate) struct Server {
    /// None once it has exited.
    child: Option<Child>,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Server {
    fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[])
    }

    /// The server with more command-line options.
    pub(crate) fn start_with(database_url: &str, options: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cinegraph"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--no-bundled-data",
                "--database-url",
                database_url,
            ])
            .args(options)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Self {
            child: Some(child),
            lines,
        }
    }

    /// Waits for a log line containing `needle` and returns it.
    pub(crate) fn wait_for(&self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!(
            "no log line with {needle:?} within {within:?}; saw:\n{}",
            seen.join("\n")
        );
    }

    pub(crate) fn field(line: &str, name: &str) -> String {
        let value: Value = serde_json::from_str(line).unwrap();
        value[name].as_str().unwrap().to_string()
    }

    pub(crate) fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit (a thread blocks in `wait`); `within`
    /// only keeps a hung server from hanging the test.
    pub(crate) fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let (sender, exited) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let status = child.wait();
            let _ = sender.send((status, child));
        });
        match exited.recv_timeout(within) {
            Ok((status, _)) => status.unwrap(),
            Err(_) => panic!("the server had not exited after {within:?}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn get(address: &str, path: &str) -> (u16, String) {
    reqwest_lite(address, "GET", path, None).await
}

/// A minimal HTTP/1.1 client over a raw socket (one request per connection).
pub(crate) async fn reqwest_lite(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String) {
    reqwest_lite_with(address, method, path, body, "").await
}

/// [`reqwest_lite`] with more header lines (each ending in `\r\n`).
pub(crate) async fn reqwest_lite_with(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(address).await.unwrap();
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {address}\r\n{headers}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn sigterm_and_sigint_close_subscriptions_and_exit_zero() {
    for signal in ["TERM", "INT"] {
        let scratch = Scratch::new("signal");
        std::fs::create_dir_all(&scratch.0).unwrap();
        let mut server = Server::start(&format!(
            "sqlite://{}/db.sqlite?mode=rwc",
            scratch.0.display()
        ));
        let address = Server::field(
            &server.wait_for("\"address\"", Duration::from_secs(60)),
            "address",
        );
        let url = format!("ws://{address}/graphql/ws");
        let mut request =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
                .unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket
            .send(Message::text(
                json!({ "type": "connection_init" }).to_string(),
            ))
            .await
            .unwrap();
        let ack = socket.next().await.unwrap().unwrap();
        assert!(ack.to_text().unwrap().contains("connection_ack"));
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { filmRatingChanged(filmId: \"RmlsbTox\") { count } }" } });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .unwrap();
        // The server has taken the subscription once it answers it.
        loop {
            let message = socket.next().await.unwrap().unwrap();
            if message.to_text().unwrap().contains("\"id\":\"1\"") {
                break;
            }
        }

        server.signal(signal);
        // The socket is closed by the server with 1001 (going away), not cut
        // (the timeout only keeps a hung server from hanging the test).
        let closed = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(message) = socket.next().await {
                if let Ok(Message::Close(frame)) = message {
                    return frame.map(|f| u16::from(f.code));
                }
            }
            None
        })
        .await
        .expect("the socket closes");
        assert_eq!(closed, Some(1001), "SIG{signal}");
        let status = server.wait_exit(Duration::from_secs(60));
        assert!(status.success(), "SIG{signal}: exit {status:?}");
        server.wait_for("cinegraph stopped", Duration::from_secs(60));
    }
}

// Two workers: the proxy keeps forwarding while the test blocks reading logs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn a_server_started_before_its_database_waits_and_then_serves() {
    let app = TestApp::postgres().await;
    // PostgreSQL is "down" (the proxy refuses) when the real binary starts.
    let (proxy, through_proxy) = Proxy::in_front_of(&app.url).await;
    proxy.cut();
    let mut server = Server::start(&through_proxy);
    let listening = Server::field(
        &server.wait_for("\"listening\"", Duration::from_secs(30)),
        "listening",
    );
    server.wait_for("not reachable yet", Duration::from_secs(10));
    assert_eq!(get(&listening, "/readyz").await.0, 503);
    assert_eq!(get(&listening, "/healthz").await.0, 200);
    let (status, body) = reqwest_lite(
        &listening,
        "POST",
        "/graphql",
        Some(r#"{"query":"{ genres { filmCount } }"}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("SERVICE_UNAVAILABLE"), "{body}");

    proxy.restore();
    server.wait_for("cinegraph is ready", Duration::from_secs(20));
    assert_eq!(get(&listening, "/readyz").await.0, 200);
    let (status, body) = reqwest_lite(
        &listening,
        "POST",
        "/graphql",
        Some(r#"{"query":"{ genres { filmCount } }"}"#),
    )
    .await;
    assert_eq!((status, body.contains("\"genres\"")), (200, true), "{body}");
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(60)).success());
}

/// A TCP proxy to PostgreSQL that the test can cut (closing every open
/// connection and refusing new ones) and restore.
struct Proxy {
    address: String,
    up: Arc<AtomicBool>,
    generation: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = tokio::sync::watch::channel(0u64);
        let generation = Arc::new(generation);
        let (accept_up, accept_generation) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accept_up.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let mut cut = accept_generation.subscribe();
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self {
            address,
            up,
            generation,
        }
    }

    /// A proxy to the PostgreSQL server of `url`, and `url` rewritten to go through it.
    async fn in_front_of(url: &str) -> (Self, String) {
        let (prefix, rest) = url.split_once('@').unwrap();
        let (host, database) = rest.split_once('/').unwrap();
        let proxy = Self::start(host.to_string()).await;
        let through = format!("{prefix}@{}/{database}", proxy.address);
        (proxy, through)
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

// Two workers: the proxy keeps forwarding while the test blocks reading logs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn a_lost_postgresql_fails_requests_fast_and_recovers_by_itself() {
    let app = TestApp::postgres().await;
    // The same database, reached through the proxy.
    let (proxy, through_proxy) = Proxy::in_front_of(&app.url).await;
    let served = TestApp::over_existing_database(&through_proxy).await;
    let query = "{ genres { filmCount } }";
    assert!(served.data(query, json!({})).await["genres"].is_array());

    proxy.cut();
    // Another text than before: the response cache must not answer this one.
    // SERVICE_UNAVAILABLE (the pool gave up on the database), not TIMEOUT
    // (the request's time budget ran out): the request failed because the
    // database is gone, without waiting for it.
    let (_, answer) = served
        .post(&format!("{query} # after the cut"), json!({}))
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
        "{answer}"
    );
    assert!(
        !answer.to_string().contains("127.0.0.1"),
        "no connection details leak: {answer}"
    );

    // Once the database is back, the pool replaces its dead connections by
    // itself, with no restart. Each connection the cut killed can fail one
    // more request before sqlx drops it, so the test allows a bounded time
    // (5 s) rather than a fixed number of requests: how many dead connections
    // sit idle depends on how busy the machine was while they were opened.
    // Until then every failure must still be SERVICE_UNAVAILABLE.
    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut answers = Vec::new();
    while Instant::now() < deadline {
        let (_, answer) = served.post(query, json!({})).await;
        if answer["data"]["genres"].is_array() {
            return;
        }
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
            "{answer}"
        );
        answers.push(answer);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("did not recover within 5 s: {answers:?}");
}

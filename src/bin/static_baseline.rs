//! The static baseline of `bench/load.py`: the fastest a server on this stack
//! can answer, with no work at all. Every request gets the same JSON body of
//! `--bytes` bytes (the size of the film page being compared).
//!
//!     static-baseline --listen 127.0.0.1:0 --bytes 24000

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use clap::Parser;

#[derive(Parser)]
#[command(about = "Answers every request with the same JSON body (a benchmark baseline).")]
struct Args {
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Size of the body, in bytes.
    #[arg(long, default_value_t = 20_000)]
    bytes: usize,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let body = Bytes::from(fixed_body(args.bytes));
    let answer = move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body).into_response() }
    };
    let app = Router::new().fallback(answer);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await
}

/// `{"data":{"padding":"xxx..."}}`, exactly `size` bytes (at least the frame).
fn fixed_body(size: usize) -> Vec<u8> {
    let frame = r#"{"data":{"padding":""}}"#;
    let padding = size.saturating_sub(frame.len());
    format!(r#"{{"data":{{"padding":"{}"}}}}"#, "x".repeat(padding)).into_bytes()
}

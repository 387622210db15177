//! Logs, metrics and traces. Logs are readable lines on a terminal and JSON
//! otherwise (`RUST_LOG` filters); every request's lines carry its request id.
//! With the `otel` cargo feature and `--otlp-endpoint`, spans also go to an
//! OpenTelemetry collector over OTLP/HTTP.

pub mod metrics;
#[cfg(feature = "otel")]
mod otel;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the log writer and the trace exporter alive; dropping it flushes
/// the lines and spans not yet written.
pub struct TelemetryGuard {
    _logs: tracing_appender::non_blocking::WorkerGuard,
    #[cfg(feature = "otel")]
    _otel: Option<otel::OtelGuard>,
}

/// What is logged unless `RUST_LOG` says otherwise: one line per request,
/// warnings and errors.
pub const DEFAULT_LOG_FILTER: &str = "cinegraph=info,tower_http=warn,sea_orm=warn,sqlx=warn";

/// Installs the global subscriber. `otlp_endpoint` (an OTLP/HTTP traces URL
/// such as `http://127.0.0.1:4318/v1/traces`) needs the `otel` feature.
/// Call it before the async runtime starts: the exporter has its own thread.
pub fn init(otlp_endpoint: Option<&str>) -> anyhow::Result<TelemetryGuard> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    let terminal = std::io::stderr().is_terminal();
    // Lines are written by a thread of their own, so a request never waits
    // for stderr (a slow pipe or terminal would otherwise slow every request).
    // That thread writes every line it finds waiting, then flushes: under load
    // a burst of lines becomes one write, not a write per request. A write
    // holds whole lines, at most 4 KiB (PIPE_BUF on Linux) unless one line is
    // longer, so on a pipe it stays atomic, as a single line's write was: a
    // panic message from another thread cannot land inside a line.
    let buffered = std::io::BufWriter::with_capacity(4096, std::io::stderr());
    let (writer, logs) = tracing_appender::non_blocking(buffered);
    let text = terminal.then(|| {
        tracing_subscriber::fmt::layer()
            .compact()
            .with_writer(writer.clone())
    });
    let json = (!terminal).then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            // The request's span (its id, method and path) is the line's
            // `span`; the list of spans repeated it, at 0.5% of a small
            // query's server time.
            .with_span_list(false)
            .with_writer(writer)
    });
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(text)
        .with(json);

    #[cfg(feature = "otel")]
    {
        let (layer, guard) = match otlp_endpoint {
            Some(endpoint) => {
                let (layer, guard) = otel::layer(endpoint)?;
                (Some(layer), Some(guard))
            }
            None => (None, None),
        };
        registry.with(layer).init();
        Ok(TelemetryGuard {
            _logs: logs,
            _otel: guard,
        })
    }
    #[cfg(not(feature = "otel"))]
    {
        if let Some(endpoint) = otlp_endpoint {
            anyhow::bail!(
                "--otlp-endpoint {endpoint} needs OpenTelemetry support, which this build lacks: \
                 rebuild with `cargo build --release --features otel`"
            );
        }
        registry.init();
        Ok(TelemetryGuard { _logs: logs })
    }
}

/// Longest query text a slow-operation log line carries.
const MAX_LOGGED_QUERY_CHARS: usize = 4096;

/// A query as a log line may show it: at most `MAX_LOGGED_QUERY_CHARS`, and
/// for mutations with every string literal masked (they may hold passwords).
pub fn loggable_query(query: &str, mask_strings: bool) -> String {
    let text = if mask_strings {
        mask_string_literals(query)
    } else {
        query.to_string()
    };
    match text.char_indices().nth(MAX_LOGGED_QUERY_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// Replaces the contents of every GraphQL string literal (`"..."` and
/// `"""..."""`) with `***`; comments are copied as they are.
fn mask_string_literals(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(start) = rest.find(['"', '#']) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.starts_with('#') {
            let end = rest.find('\n').unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if let Some(body) = rest.strip_prefix("\"\"\"") {
            out.push_str("\"\"\"***\"\"\"");
            rest = body.find("\"\"\"").map_or("", |end| &body[end + 3..]);
        } else {
            out.push_str("\"***\"");
            rest = end_of_string(&rest[1..]);
        }
    }
    out.push_str(rest);
    out
}

/// What follows the closing quote of a `"..."` string whose body starts `body`.
fn end_of_string(body: &str) -> &str {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' | '\n' => return &body[i + 1..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_strings_are_masked_and_comments_kept() {
        let query = "# sign \"up\"\nmutation { signUp(input: { username: \"ann\", password: \"se\\\"cret\" }) { token } }";
        let masked = loggable_query(query, true);
        assert_eq!(
            masked,
            "# sign \"up\"\nmutation { signUp(input: { username: \"***\", password: \"***\" }) { token } }"
        );
        assert_eq!(
            loggable_query("{ a(x: \"\"\"long \"quoted\" text\"\"\") }", true),
            "{ a(x: \"\"\"***\"\"\") }"
        );
        assert_eq!(loggable_query("{ a(x: \"open", true), "{ a(x: \"***\"");
    }

    #[test]
    fn queries_keep_their_strings_and_long_ones_are_cut() {
        assert_eq!(
            loggable_query("{ search(query: \"nic\") { score } }", false),
            "{ search(query: \"nic\") { score } }"
        );
        let long = "x".repeat(MAX_LOGGED_QUERY_CHARS + 10);
        assert_eq!(
            loggable_query(&long, false).chars().count(),
            MAX_LOGGED_QUERY_CHARS + 1
        );
    }
}

tokio::task_local! {
    /// Set while background work (a worker's loop) runs.
    static BACKGROUND: ();
}

/// Runs `work` as background work: its statements are timed like any, but
/// not counted in `Metrics::statement_count` and `round_trip_count`, which
/// say what requests and imports cost.
pub async fn in_background<F: std::future::Future>(work: F) -> F::Output {
    BACKGROUND.scope((), work).await
}

/// Whether the running task is background work.
pub fn in_background_work() -> bool {
    BACKGROUND.try_with(|_| ()).is_ok()
}

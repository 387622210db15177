//! The HTTP surface: GraphQL over POST and GET, the playground, health checks
//! and the SDL.

mod etag;
mod graphql_http;
mod playground;
pub mod response_cache;
mod websocket;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_graphql::ErrorExtensions;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::Router;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::FutureExt;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use self::graphql_http::{
    HttpError, Params, PostBody, negotiate, read_get, read_post, respond, respond_batch,
};
pub use self::playground::EXAMPLE_COUNT;
use self::response_cache::{CacheKey, CachedAnswer, Encoding};
use crate::error::AppError;
use crate::graphql::guard;
use crate::graphql::response_order::{order_as_requested, selected_operation};
use crate::limits::{ClientAddress, Scope};
use crate::state::AppState;

pub fn build_router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/", get(playground::page))
        .route("/playground/{file}", get(playground::asset))
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(websocket::graphql_ws))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/schema.graphql", get(schema_sdl))
        .layer((
            // Outermost first: every request gets an id (the client's
            // `x-request-id` if it sent one), its log span carries it, and
            // the response echoes it.
            SetRequestIdLayer::x_request_id(MakeRequestUuid),
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                tracing::info_span!(
                    "request",
                    id = %request_id_of(request.headers()),
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            }),
            PropagateRequestIdLayer::x_request_id(),
            RequestBodyLimitLayer::new(max_body),
            TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)),
            CorsLayer::permissive(),
            compression(),
        ))
        .with_state(state)
}

/// br, zstd or gzip as the client's `Accept-Encoding` prefers, for bodies
/// over 1 KiB that are not compressed yet (cached answers carry their own,
/// made once at higher levels). The fastest level of each: per request, brotli
/// at level 4 took 90% of the server's CPU under load.
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
    CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(
            DefaultPredicate::new()
                .and(SizeAbove::new(1024))
                // A WebSocket upgrade has no body to compress, and a
                // Content-Encoding on it breaks the handshake in browsers
                // (they send Accept-Encoding with the upgrade request).
                .and(|status: StatusCode, _, _: &HeaderMap, _: &Extensions| {
                    status != StatusCode::SWITCHING_PROTOCOLS
                }),
        )
}

fn request_id_of(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    body: axum::body::Body,
) -> Response {
    let media = match negotiate(&headers) {
        Ok(media) => media,
        Err(err) => return err.into_response(),
    };
    let params = match read_post(&state.config, &headers, body).await {
        Ok(params) => params,
        Err(err) => return err.answered_as(media).into_response(),
    };
    match params {
        PostBody::Single(params) => {
            match execute(&state, &headers, &extensions, params, Via::Post).await {
                Ok(answer) => answer.respond(media, &headers),
                Err(err) => err.answered_as(media).into_response(),
            }
        }
        PostBody::Batch(batch) => {
            let mut responses = Vec::with_capacity(batch.len());
            for params in batch {
                responses.push(
                    match execute(&state, &headers, &extensions, params, Via::Batch).await {
                        Ok(Answer::Executed(response)) => response,
                        Ok(Answer::Serialised(_)) => unreachable!("batches are not cached"),
                        Err(err) => refuse(AppError::bad_input(err.message)),
                    },
                );
            }
            respond_batch(media, &responses)
        }
    }
}

/// GET runs queries only: a mutation must not be triggered by a link or a prefetch.
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    RawQuery(raw_query): RawQuery,
) -> Response {
    let media = match negotiate(&headers) {
        Ok(media) => media,
        Err(err) => return err.into_response(),
    };
    let params = match read_get(&state.config, raw_query.as_deref()) {
        Ok(params) => params,
        Err(err) => return err.answered_as(media).into_response(),
    };
    match execute(&state, &headers, &extensions, params, Via::Get).await {
        Ok(answer) => answer.respond(media, &headers),
        Err(err) => err.answered_as(media).into_response(),
    }
}

/// The address the connection came from ("unknown" when served without one, as in tests).
fn client_address(extensions: &Extensions) -> ClientAddress {
    let address = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string());
    ClientAddress(address.unwrap_or_else(|| "unknown".to_string()))
}

/// How a request arrived.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Post,
    /// Queries only.
    Get,
    /// One request of a batched POST (never served from the response cache).
    Batch,
}

/// A request's answer: executed now, or its bytes (from the response cache,
/// or just serialised to be kept there).
enum Answer {
    Executed(async_graphql::Response),
    Serialised(CachedAnswer),
}

impl Answer {
    fn respond(self, media: graphql_http::MediaType, headers: &HeaderMap) -> Response {
        match self {
            Answer::Executed(response) => respond(media, &response),
            Answer::Serialised(answer) => respond_serialised(media, headers, answer),
        }
    }
}

/// A public query's answer as bytes, with its ETag; `If-None-Match` with the
/// same tag gets 304 without a body.
fn respond_serialised(
    media: graphql_http::MediaType,
    headers: &HeaderMap,
    answer: CachedAnswer,
) -> Response {
    let etag = header::HeaderValue::from_str(&answer.etag).ok();
    let unchanged = etag.is_some() && headers.get(header::IF_NONE_MATCH) == etag.as_ref();
    // Compressed once per answer and kept, not per request (the compression
    // layer leaves a body that already has a Content-Encoding alone).
    let encoding = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(Encoding::negotiate)
        .filter(|_| answer.body.len() > 1024);
    let compressed = encoding.and_then(|e| Some((e, answer.compressed(e)?)));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else if let Some((encoding, bytes)) = compressed {
        let mut response = (StatusCode::OK, bytes).into_response();
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static(encoding.name()),
        );
        response
    } else {
        (StatusCode::OK, answer.body).into_response()
    };
    let out = response.headers_mut();
    out.insert(
        header::VARY,
        header::HeaderValue::from_static("accept-encoding"),
    );
    out.insert(header::CONTENT_TYPE, media.header());
    out.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    if let Some(etag) = etag {
        out.insert(header::ETAG, etag);
    }
    response
}

/// The operation a request runs, as logs and metrics name it.
struct Operation {
    /// The operation's name; None for an anonymous one.
    name: Option<String>,
    /// `query`, `mutation`, `subscription`, or `unknown` before it parses.
    kind: &'static str,
}

/// Runs one GraphQL request and reports it: a log line with its operation,
/// kind, duration and error codes (a warning with the query text when it took
/// longer than the slow-operation threshold), and the request metrics.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
    params: Params,
    via: Via,
) -> Result<Answer, HttpError> {
    let started = Instant::now();
    let query = params.query.clone();
    let mut operation = Operation {
        name: params.operation_name.clone(),
        kind: "unknown",
    };
    let outcome = run_request(state, headers, extensions, params, via, &mut operation).await;
    let elapsed = started.elapsed();
    let codes: Vec<&str> = match &outcome {
        Ok(Answer::Serialised(_)) => Vec::new(),
        Ok(Answer::Executed(response)) => response
            .errors
            .iter()
            .filter_map(|error| match error.extensions.as_ref()?.get("code")? {
                async_graphql::Value::String(code) => Some(code.as_str()),
                _ => None,
            })
            .collect(),
        Err(err) => vec![err.code],
    };
    state.metrics.record_operation(
        operation.name.as_deref(),
        operation.kind,
        elapsed,
        codes.iter().copied(),
    );
    let operation_name = operation.name.as_deref().unwrap_or("-");
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    let errors = codes.join(",");
    if elapsed >= state.config.slow_operation {
        let query = crate::telemetry::loggable_query(&query, operation.kind == "mutation");
        tracing::warn!(
            operation = operation_name,
            kind = operation.kind,
            duration_ms,
            errors,
            query,
            "slow graphql operation"
        );
    } else {
        tracing::info!(
            operation = operation_name,
            kind = operation.kind,
            duration_ms,
            errors,
            "graphql operation"
        );
    }
    outcome
}

/// Runs a request and gives every error a machine-readable code: errors from
/// resolvers carry theirs; the parser's, the validator's and argument
/// coercion's get one here. Refuses (as HTTP) a mutation sent over GET.
async fn run_request(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
    params: Params,
    via: Via,
    operation: &mut Operation,
) -> Result<Answer, HttpError> {
    // A public query answered before: its bytes, with no parsing at all.
    let cache = &state.response_cache;
    let cache_key =
        (cache.enabled() && via != Via::Batch && !headers.contains_key(header::AUTHORIZATION))
            .then(|| {
                CacheKey::new(
                    &params.query,
                    params.operation_name.as_deref(),
                    &params.variables,
                )
            });
    if let Some(hit) = cache_key.as_ref().and_then(|key| cache.get(key)) {
        state.metrics.record_cache(true);
        *operation = Operation {
            name: hit.operation_name.clone(),
            kind: "query",
        };
        return Ok(Answer::Serialised(hit));
    }
    // Read before the query runs: a write that commits meanwhile makes this
    // answer stale before it is stored, so it is never served.
    let generation = cache.generation();
    if !state.is_ready() {
        return Ok(Answer::Executed(refuse(AppError::Unavailable(
            anyhow::anyhow!("not ready"),
        ))));
    }
    // The text checks run before anything parses it.
    if let Err(err) = guard::check_text(&params.query, &state.config.query_limits) {
        return Ok(Answer::Executed(refuse(err)));
    }
    let mut request = async_graphql::Request::new(params.query).variables(params.variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    // Parsed once per text; async-graphql runs the copy handed to it.
    let document = state.documents.parse(&request.query).ok();
    if let Some(document) = &document {
        request.set_parsed_query(ExecutableDocument::clone(document));
    }
    let parsed = document.is_some();
    *operation = operation_of(&mut request);
    // The document's limits, on our parse: async-graphql's validation would
    // expand every fragment spread (see `guard`). A text that does not parse
    // is refused by async-graphql with the parser's error.
    if let Some(document) = &document
        && let Err(err) = guard::measure(document, &request.variables, &state.config.query_limits)
    {
        return Ok(Answer::Executed(refuse(err)));
    }
    let mutation = operation.kind == "mutation";
    if mutation && via == Via::Get {
        return Err(HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations are only accepted over POST",
        ));
    }
    let client = client_address(extensions);
    let viewer = match viewer(state, headers).await {
        Ok(viewer) => viewer,
        Err(err) => return Ok(Answer::Executed(refuse(err))),
    };
    if mutation && let Err(err) = check_mutation_limits(state, &client, viewer.as_ref()) {
        return Ok(Answer::Executed(refuse(err)));
    }
    let mut request = request.data(client);
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }
    let request_id = request_id_of(headers);
    let budget = state.config.request_time_budget;
    let operation_name = request.operation_name.clone();
    let mut response = run_guarded(state.schema.execute(request), budget, &request_id).await;
    label_errors(&mut response, parsed);
    if let Some(document) = document {
        order_as_requested(&document, operation_name.as_deref(), &mut response.data);
    }
    if mutation {
        // Whatever it wrote, cached answers may now be stale, here and on
        // every other server.
        cache.invalidate();
        crate::events::announce_change(&state.db).await;
    }
    let cacheable = operation.kind == "query" && response.errors.is_empty();
    match cache_key {
        Some(key) if cacheable => {
            state.metrics.record_cache(false);
            let Ok(body) = serde_json::to_vec(&response) else {
                return Ok(Answer::Executed(response));
            };
            let answer = CachedAnswer::new(body.into(), operation.name.clone());
            cache.put(key, generation, answer.clone());
            Ok(Answer::Serialised(answer))
        }
        _ => Ok(Answer::Executed(response)),
    }
}

/// Runs one request's execution within its time budget, and turns a panic in
/// it into INTERNAL_SERVER_ERROR for that request alone (logged with the
/// request id; the panic's text never reaches the client). A stopped request
/// drops its futures, so an open transaction rolls back.
pub async fn run_guarded(
    execution: impl Future<Output = async_graphql::Response>,
    budget: Duration,
    request_id: &str,
) -> async_graphql::Response {
    let run = std::panic::AssertUnwindSafe(execution).catch_unwind();
    match tokio::time::timeout(budget, run).await {
        Ok(Ok(response)) => response,
        Ok(Err(panic)) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(
                request_id,
                panic = text,
                "a resolver panicked; the request failed, the server goes on"
            );
            refuse(AppError::Internal(anyhow::anyhow!("panic")))
        }
        Err(_) => refuse(AppError::Limit {
            code: "TIMEOUT",
            message: format!(
                "the request ran longer than its {} ms budget and was stopped; nothing it wrote was kept",
                budget.as_millis()
            ),
        }),
    }
}

/// Mutations count against per-address and per-user limits.
fn check_mutation_limits(
    state: &AppState,
    client: &ClientAddress,
    viewer: Option<&crate::auth::Viewer>,
) -> crate::error::AppResult<()> {
    let limits = [
        Some((Scope::MutationByAddress, client.0.clone())),
        viewer.map(|v| (Scope::MutationByUser, v.user_id.to_string())),
    ];
    for (scope, key) in limits.into_iter().flatten() {
        state.limiter.check(scope, &key)?;
    }
    Ok(())
}

/// Gives a code to the errors async-graphql raises without one.
fn label_errors(response: &mut async_graphql::Response, parsed: bool) {
    let before_execution = response.data == async_graphql::Value::Null;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            // A value of the wrong type or range (literal or variable) is the
            // user's input; other validation failures are the document's.
            let bad_value = error.message.starts_with("Invalid value for argument");
            let code = if !parsed {
                "GRAPHQL_PARSE_FAILED"
            } else if before_execution && error.path.is_empty() && !bad_value {
                "GRAPHQL_VALIDATION_FAILED"
            } else {
                "BAD_USER_INPUT"
            };
            extensions.set("code", code);
        }
    }
}

/// A response with one error and no data.
fn refuse(err: AppError) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![
        err.extend()
            .into_server_error(async_graphql::Pos::default()),
    ])
}

/// The viewer of `Authorization: Bearer <token>`. A header that is there but
/// malformed, or a token that is unknown, expired or revoked, is UNAUTHENTICATED
/// (never silently anonymous).
async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
) -> crate::error::AppResult<Option<crate::auth::Viewer>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or(crate::error::AppError::Unauthenticated)?;
    crate::auth::viewer_for(&state.db, token).await.map(Some)
}

/// The operation the request would run. A document that does not parse is
/// left to the executor, which reports it properly.
fn operation_of(request: &mut async_graphql::Request) -> Operation {
    let wanted = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return Operation {
            name: wanted,
            kind: "unknown",
        };
    };
    match selected_operation(document, wanted.as_deref()) {
        Some((name, definition)) => Operation {
            name: name.map(|name| name.to_string()),
            kind: match definition.ty {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            },
        },
        None => Operation {
            name: wanted,
            kind: "unknown",
        },
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if !state.is_ready() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: waiting for the database",
        )
    } else if crate::db::is_reachable(&state.db).await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Prometheus metrics (text exposition format).
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let open_sockets = state.open_sockets.load(Ordering::SeqCst);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(&state.db, open_sockets),
    )
}

async fn schema_sdl() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        crate::graphql::export_sdl(),
    )
}

//! The HTTP surface (axum): the router and its layers, GraphQL over POST and
//! GET (`graphql_http` reads and answers them, `pipeline` runs them), the
//! WebSocket endpoint, the playground, health checks, metrics and the SDL.

mod client;
mod conditional;
mod graphql_http;
mod persisted;
pub mod pipeline;
mod playground;
pub mod state;
pub mod trusted;
mod websocket;
mod websocket_rules;

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

use self::graphql_http::{
    MediaType, Params, PostBody, negotiate, read_get, read_post, respond, respond_batch,
    respond_serialised,
};
use self::pipeline::labels::refuse;
use self::pipeline::{Credentials, Incoming, Outcome, Transport};
pub use self::playground::{EXAMPLE_COUNT, EXAMPLES, example_operation_names};
pub use self::state::AppState;
use crate::db::replicas::Lsn;
use crate::domain::account::UserAgent;
use crate::domain::languages::Languages;
use crate::error::AppError;

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
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!(
                        "request",
                        id = %request_id_of(request.headers()),
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                // A 5xx is not an error of this layer's to report: `/readyz`
                // answers 503 while the server starts (an operator must not be
                // paged for it), and a failed request logs its own cause.
                .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)),
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
            let outcome = run(
                &state,
                params,
                Transport::Post,
                &headers,
                &extensions,
                media,
            )
            .await;
            answer(outcome, media, &headers, Transport::Post, None)
        }
        PostBody::Batch(batch) => {
            let mut responses = Vec::with_capacity(batch.len());
            for params in batch {
                let outcome = run(
                    &state,
                    params,
                    Transport::Batch,
                    &headers,
                    &extensions,
                    media,
                )
                .await;
                responses.push(match outcome {
                    Ok(Outcome::Executed(response)) => response,
                    Ok(Outcome::Serialised(_)) => unreachable!("batches are not cached"),
                    Err(err) => refuse(AppError::bad_input(err.message)),
                });
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
    // Fetched by hash: a URL short and stable enough for a shared cache.
    let edge = params
        .persisted_hash
        .is_some()
        .then_some(&state.config.edge);
    let outcome = run(&state, params, Transport::Get, &headers, &extensions, media).await;
    answer(outcome, media, &headers, Transport::Get, edge)
}

/// One request read from HTTP, through the pipeline: its query resolved
/// (sent, or persisted under its hash), then run.
async fn run(
    state: &AppState,
    params: Params,
    transport: Transport,
    headers: &HeaderMap,
    extensions: &Extensions,
    media: MediaType,
) -> Result<Outcome, graphql_http::HttpError> {
    let incoming = incoming(state, params, transport, headers, extensions, media).await?;
    pipeline::run(state, incoming).await
}

/// A request read from HTTP, as the pipeline takes it: its query is the
/// one sent, or the persisted one its hash names.
async fn incoming(
    state: &AppState,
    params: Params,
    transport: Transport,
    headers: &HeaderMap,
    extensions: &Extensions,
    media: MediaType,
) -> Result<Incoming, graphql_http::HttpError> {
    let client = client::client_address(headers, extensions, &state.config.trusted_proxies);
    let query = persisted::resolve(
        state,
        (params.query, params.persisted_hash),
        transport,
        &client,
        media,
    )
    .await?;
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or("").to_string());
    let consistency = consistency_token(headers, media)?;
    Ok(Incoming {
        query,
        operation_name: params.operation_name,
        variables: params.variables,
        transport,
        credentials: Credentials::Header(authorization),
        client,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(UserAgent::new),
        request_id: request_id_of(headers),
        consistency,
        languages: languages_of(headers),
    })
}

/// The client's `Accept-Language` preferences (none when absent or unreadable).
pub(crate) fn languages_of(headers: &HeaderMap) -> Languages {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(Languages::from_header)
        .unwrap_or_default()
}

/// The header a client sends its consistency token back in (and a
/// mutation's answer carries it in, besides `extensions.consistency`).
const CONSISTENCY_HEADER: &str = "cinegraph-consistency";

/// The `Cinegraph-Consistency` token, if sent: a write position as
/// PostgreSQL writes it (`16/B374D848`); anything else is refused.
fn consistency_token(
    headers: &HeaderMap,
    media: MediaType,
) -> Result<Option<Lsn>, graphql_http::HttpError> {
    let Some(value) = headers.get(CONSISTENCY_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<Lsn>().ok())
        .map(Some)
        .ok_or_else(|| {
            graphql_http::HttpError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_CONSISTENCY_TOKEN",
                "the Cinegraph-Consistency header must be a token from `extensions.consistency.token` of a mutation's answer",
            )
            .answered_as(media)
        })
}

/// The pipeline's outcome as an HTTP response of the negotiated media type.
/// Over GET every answer says how it may be cached: an anonymous query's
/// answer fetched by hash (`edge`) may be kept by any cache for the edge
/// lifetimes, with its surrogate keys; another cached public answer is
/// revalidated by its ETag; a signed-in viewer's is `private, no-store`; any
/// other (failed, or with the response cache off) must not be stored.
fn answer(
    outcome: Result<Outcome, graphql_http::HttpError>,
    media: MediaType,
    headers: &HeaderMap,
    transport: Transport,
    edge: Option<&crate::config::Edge>,
) -> Response {
    let get = transport == Transport::Get;
    let (mut response, surrogate_keys, revalidated) = match outcome {
        Ok(Outcome::Serialised(answer)) => {
            let keys = answer.surrogate_keys.clone();
            (respond_serialised(media, headers, answer, get), keys, true)
        }
        Ok(Outcome::Executed(response)) => {
            let mut answer = respond(media, &response);
            if let Some(token) = consistency_of(&response) {
                answer.headers_mut().insert(CONSISTENCY_HEADER, token);
            }
            let keys = response
                .http_headers
                .get(pipeline::freshness::SURROGATE_KEY)
                .and_then(|keys| keys.to_str().ok())
                .map(std::sync::Arc::from);
            (answer, keys, false)
        }
        Err(err) => (err.answered_as(media).into_response(), None, false),
    };
    if !get {
        return response;
    }
    let out = response.headers_mut();
    let personal =
        headers.contains_key(header::AUTHORIZATION) || headers.contains_key(CONSISTENCY_HEADER);
    match (edge, surrogate_keys) {
        (Some(edge), Some(keys)) if !personal => {
            let policy = format!(
                "public, max-age={}, s-maxage={}, stale-while-revalidate={}",
                edge.max_age, edge.s_maxage, edge.stale_while_revalidate
            );
            let tags = crate::cache::edge::cache_tag(&keys);
            for (name, value) in [
                (header::CACHE_CONTROL.as_str(), policy.as_str()),
                (pipeline::freshness::SURROGATE_KEY, &keys),
                ("cache-tag", &tags),
                // The media type, the coding and localised titles are negotiated.
                (
                    header::VARY.as_str(),
                    "accept, accept-encoding, accept-language",
                ),
            ] {
                if let Ok(value) = HeaderValue::from_str(value) {
                    out.insert(header::HeaderName::from_static(name), value);
                }
            }
        }
        _ if personal => {
            out.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        }
        // Revalidated by its ETag (set by `respond_serialised`).
        _ if revalidated => {}
        _ => {
            out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    response
}

/// A mutation's consistency token, as a header value.
fn consistency_of(response: &async_graphql::Response) -> Option<HeaderValue> {
    match response.extensions.get("consistency")? {
        async_graphql::Value::Object(fields) => match fields.get("token")? {
            async_graphql::Value::String(token) => HeaderValue::from_str(token).ok(),
            _ => None,
        },
        _ => None,
    }
}

fn request_id_of(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready (200) once the database is prepared and answers; then one line per
/// read replica: its state and lag. A replica out of use does not make the
/// server unready: its reads go to the primary.
async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if !state.is_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: waiting for the database".to_string(),
        );
    }
    if !state.db.is_reachable().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable".to_string(),
        );
    }
    let mut text = "ready".to_string();
    for replica in state.reads.statuses() {
        text.push_str(&format!("\nreplica {} {}", replica.name, replica.state));
        if let (Some(seconds), Some(bytes)) = (replica.lag_seconds, replica.lag_bytes) {
            text.push_str(&format!(" lag {seconds:.3} s {bytes} bytes"));
        }
    }
    (StatusCode::OK, text)
}

/// Prometheus metrics (text exposition format).
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let open_sockets = state.open_sockets.load(Ordering::SeqCst);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state
            .metrics
            .render(state.db.pool_usage(), open_sockets, &state.reads.statuses()),
    )
}

async fn schema_sdl() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        crate::graphql::export_sdl(),
    )
}

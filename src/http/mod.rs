//! The HTTP surface: GraphQL over POST and GET, the playground, health checks
//! and the SDL.

mod graphql_http;
mod playground;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_graphql::ErrorExtensions;
use async_graphql::parser::types::OperationType;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{ConnectInfo, RawQuery, State, WebSocketUpgrade};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use self::graphql_http::{
    HttpError, Params, PostBody, negotiate, read_get, read_post, respond, respond_batch,
};
use crate::error::AppError;
use crate::graphql::guard;
use crate::limits::{ClientAddress, Scope};
use crate::state::AppState;

pub fn build_router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/", get(playground::page))
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
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
        ))
        .with_state(state)
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
            match execute(&state, &headers, &extensions, params, false).await {
                Ok(response) => respond(media, &response),
                Err(err) => err.answered_as(media).into_response(),
            }
        }
        PostBody::Batch(batch) => {
            let mut responses = Vec::with_capacity(batch.len());
            for params in batch {
                responses.push(
                    match execute(&state, &headers, &extensions, params, false).await {
                        Ok(response) => response,
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
    match execute(&state, &headers, &extensions, params, true).await {
        Ok(response) => respond(media, &response),
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

/// Runs a request and gives every error a machine-readable code: errors from
/// resolvers carry theirs; the parser's, the validator's and argument
/// coercion's get one here. Refuses (as HTTP) a mutation sent over GET.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
    params: Params,
    over_get: bool,
) -> Result<async_graphql::Response, HttpError> {
    if !state.is_ready() {
        return Ok(refuse(AppError::Unavailable(anyhow::anyhow!("not ready"))));
    }
    // The text checks run before anything parses it (the schema's guard runs
    // them again, for WebSocket requests too).
    if let Err(err) = guard::check_text(&params.query, &state.config.query_limits) {
        return Ok(refuse(err));
    }
    let mut request = async_graphql::Request::new(params.query).variables(params.variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    let parsed = request.parsed_query().is_ok();
    let mutation = is_mutation(&mut request);
    if mutation && over_get {
        return Err(HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations are only accepted over POST",
        ));
    }
    let client = client_address(extensions);
    let viewer = match viewer(state, headers).await {
        Ok(viewer) => viewer,
        Err(err) => return Ok(refuse(err)),
    };
    if mutation && let Err(err) = check_mutation_limits(state, &client, viewer.as_ref()) {
        return Ok(refuse(err));
    }
    let mut request = request.data(client).data(guard::OverHttp);
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }
    let request_id = request_id_of(headers);
    let budget = state.config.request_time_budget;
    let mut response = run_guarded(state.schema.execute(request), budget, &request_id).await;
    label_errors(&mut response, parsed);
    Ok(response)
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

/// Subscriptions over WebSocket, in both protocols clients use:
/// `graphql-transport-ws` and the older `graphql-ws`. A bearer token goes in the
/// `connection_init` payload (`{"Authorization": "Bearer <token>"}`); a bad one
/// refuses the connection.
async fn graphql_ws(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve_socket(state, socket, protocol))
}

/// Serves one WebSocket until the client leaves or the server shuts down;
/// on shutdown the client's messages stop being read, its subscriptions end,
/// and the socket closes with 1001 (going away), so clients know to reconnect.
async fn serve_socket(state: AppState, socket: WebSocket, protocol: GraphQLProtocol) {
    state.open_sockets.fetch_add(1, Ordering::SeqCst);
    let (mut socket_sink, socket_stream) = socket.split();
    let mut shutting_down = state.shutting_down.clone();
    let input = socket_stream.take_until(async move {
        let _ = shutting_down.wait_for(|stopping| *stopping).await;
    });
    // The GraphQL side writes into a channel, so the socket stays ours to close.
    let (outgoing, mut to_send) = futures_channel::mpsc::channel::<Message>(16);
    let schema = state.schema.clone();
    let connection_state = state.clone();
    let graphql = GraphQLWebSocket::new_with_pair(outgoing, input, schema, protocol)
        .on_connection_init(move |payload| async move {
            connection_data(&connection_state, payload).await
        })
        .serve();
    let forward = async {
        while let Some(message) = to_send.next().await {
            if socket_sink.send(message).await.is_err() {
                break;
            }
        }
    };
    futures_util::future::join(graphql, forward).await;
    if *state.shutting_down.borrow() {
        let close = CloseFrame {
            code: 1001,
            reason: "the server is shutting down".into(),
        };
        let _ = socket_sink.send(Message::Close(Some(close))).await;
    }
    state.open_sockets.fetch_sub(1, Ordering::SeqCst);
}

async fn connection_data(
    state: &AppState,
    payload: serde_json::Value,
) -> async_graphql::Result<async_graphql::Data> {
    let mut data = async_graphql::Data::default();
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(*key))
        .and_then(|v| v.as_str());
    if let Some(header) = header {
        let token = header.strip_prefix("Bearer ").unwrap_or(header).trim();
        let viewer = crate::auth::viewer_for(&state.db, token)
            .await
            .map_err(|e| e.extend())?;
        data.insert(viewer);
    }
    Ok(data)
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

/// True when the operation the request would run is a mutation. A document
/// that does not parse is left to the executor, which reports it properly.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    let wanted = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    document.operations.iter().any(|(name, operation)| {
        let selected = match (wanted.as_deref(), name) {
            (Some(wanted), Some(name)) => wanted == name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        };
        selected && operation.node.ty == OperationType::Mutation
    })
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

async fn schema_sdl() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        crate::graphql::export_sdl(),
    )
}

//! The HTTP surface: GraphQL over POST and GET, the playground, health checks
//! and the SDL.

mod playground;

use std::time::Duration;

use std::net::SocketAddr;

use async_graphql::ErrorExtensions;
use axum::extract::ConnectInfo;
use axum::http::Extensions;

use crate::error::AppError;
use crate::limits::{ClientAddress, Scope};
use async_graphql::parser::types::OperationType;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::Router;
use axum::extract::State;
use axum::extract::WebSocketUpgrade;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Largest request body accepted.
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn build_router(state: AppState) -> Router {
    Router::new()
        .route("/", get(playground::page))
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/schema.graphql", get(schema_sdl))
        .layer((
            TraceLayer::new_for_http(),
            RequestBodyLimitLayer::new(MAX_BODY_BYTES),
            TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)),
            CorsLayer::permissive(),
        ))
        .with_state(state)
}

async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    request: GraphQLRequest,
) -> GraphQLResponse {
    execute(&state, &headers, &extensions, request.into_inner())
        .await
        .into()
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
/// coercion's get one here.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let parsed = async_graphql::parser::parse_query(&request.query).is_ok();
    let client = client_address(extensions);
    let viewer = match viewer(state, headers).await {
        Ok(viewer) => viewer,
        Err(err) => return refuse(err),
    };
    if is_mutation(&request) {
        let limits = [
            Some((Scope::MutationByAddress, client.0.clone())),
            viewer
                .as_ref()
                .map(|v| (Scope::MutationByUser, v.user_id.to_string())),
        ];
        for (scope, key) in limits.into_iter().flatten() {
            if let Err(err) = state.limiter.check(scope, &key) {
                return refuse(err);
            }
        }
    }
    let mut request = request.data(client);
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }
    let mut response = state.schema.execute(request).await;
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
    response
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
    let schema = state.schema.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(
                    move |payload| async move { connection_data(&state, payload).await },
                )
                .serve()
        })
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

/// GET runs queries only: a mutation must not be triggered by a link or a prefetch.
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    request: GraphQLRequest,
) -> Response {
    let request = request.into_inner();
    if is_mutation(&request) {
        let mut response = (
            StatusCode::METHOD_NOT_ALLOWED,
            axum::Json(serde_json::json!({
                "errors": [{
                    "message": "mutations are only accepted over POST",
                    "extensions": { "code": "METHOD_NOT_ALLOWED" }
                }]
            })),
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    GraphQLResponse::from(execute(&state, &headers, &extensions, request).await).into_response()
}

/// True when the operation the request would run is a mutation. A document
/// that does not parse is left to the executor, which reports it properly.
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let wanted = request.operation_name.as_deref();
    document.operations.iter().any(|(name, operation)| {
        let selected = match (wanted, name) {
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
    if crate::db::is_reachable(&state.db).await {
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

//! Subscriptions (and queries) over WebSocket.

use std::sync::atomic::Ordering;

use std::sync::Arc;

use async_graphql::futures_util::stream::BoxStream;
use async_graphql::{Data, ErrorExtensions, Executor, Request};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};

use crate::graphql::guard;
use crate::state::AppState;

/// Subscriptions over WebSocket, in both protocols clients use:
/// `graphql-transport-ws` and the older `graphql-ws`. A bearer token goes in the
/// `connection_init` payload (`{"Authorization": "Bearer <token>"}`); a bad one
/// refuses the connection.
pub async fn graphql_ws(
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
    let schema = GuardedSchema(state.clone());
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

/// The schema as a WebSocket runs it: every request passes the guard's checks
/// first (`guard::check_socket_request`); a refused one gets a single response
/// with the error.
#[derive(Clone)]
struct GuardedSchema(AppState);

impl GuardedSchema {
    fn refusal(&self, request: &Request) -> Option<async_graphql::Response> {
        let checked = guard::check_socket_request(
            &request.query,
            &request.variables,
            &self.0.config.query_limits,
            &self.0.documents,
        );
        let err = checked.err()?;
        Some(async_graphql::Response::from_errors(vec![
            err.extend()
                .into_server_error(async_graphql::Pos::default()),
        ]))
    }
}

impl Executor for GuardedSchema {
    async fn execute(&self, request: Request) -> async_graphql::Response {
        match self.refusal(&request) {
            Some(refused) => refused,
            None => self.0.schema.execute(request).await,
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        match self.refusal(&request) {
            Some(refused) => Box::pin(futures_util::stream::once(async move { refused })),
            None => self
                .0
                .schema
                .execute_stream_with_session_data(request, session_data.unwrap_or_default()),
        }
    }
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

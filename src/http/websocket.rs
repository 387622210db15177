//! Subscriptions (and queries) over WebSocket. The socket's messages run
//! through the same request pipeline as HTTP requests (`pipeline::run_stream`);
//! async-graphql-axum speaks the protocols.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_graphql::http::WebSocketProtocols;
use async_graphql::{Data, ErrorExtensions, Executor, Request};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{Extensions, HeaderMap};
use axum::response::Response;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, SinkExt, StreamExt};

use super::graphql_http::{HttpError, MediaType};
use super::persisted;
use super::pipeline::labels::refuse;
use super::pipeline::{self, Credentials, Incoming, Transport};
use super::state::AppState;
use super::websocket_rules::SocketRules;
use crate::domain::account::Viewer;
use crate::domain::languages::Languages;
use crate::domain::limits::ClientAddress;
use crate::domain::sessions;
use crate::error::AppError;

/// Subscriptions over WebSocket, in both protocols clients use:
/// `graphql-transport-ws` and the older `graphql-ws`. A bearer token goes in the
/// `connection_init` payload (`{"Authorization": "Bearer <token>"}`); a bad one
/// refuses the connection.
pub async fn graphql_ws(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let peer = Peer {
        client: super::client::client_address(&headers, &extensions, &state.config.trusted_proxies),
        request_id: super::request_id_of(&headers),
        languages: super::languages_of(&headers),
    };
    let speaks = negotiated(&headers);
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve_socket(state, peer, socket, protocol, speaks))
}

/// The protocol `GraphQLProtocol` chose, by the same rule: the first one
/// offered in `Sec-WebSocket-Protocol` that is known (the extractor
/// refused the upgrade if none is).
fn negotiated(headers: &HeaderMap) -> WebSocketProtocols {
    headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|name| name.trim().parse::<WebSocketProtocols>().ok())
        })
        .unwrap_or(WebSocketProtocols::SubscriptionsTransportWS)
}

/// Who is at the other end of a socket: its address and the upgrade
/// request's id, for every request it sends.
#[derive(Clone)]
struct Peer {
    client: ClientAddress,
    request_id: String,
    /// The upgrade request's `Accept-Language`, for every operation on the socket.
    languages: Languages,
}

/// Serves one WebSocket until the client leaves or the server shuts down;
/// on shutdown the client's messages stop being read, its subscriptions end,
/// and the socket closes with 1001 (going away), so clients know to reconnect.
/// A broken graphql-transport-ws rule closes it with the protocol's code
/// (`websocket_rules`).
async fn serve_socket(
    state: AppState,
    peer: Peer,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    speaks: WebSocketProtocols,
) {
    state.open_sockets.fetch_add(1, Ordering::SeqCst);
    let (mut socket_sink, socket_stream) = socket.split();
    // graphql-transport-ws's rules are checked here; the legacy protocol keeps its own.
    let checked = speaks == WebSocketProtocols::GraphQLWS;
    let rules = SocketRules::default();
    let mut shutting_down = state.shutting_down.clone();
    let init_deadline = {
        let rules = rules.clone();
        let timeout = state.config.websocket_init_timeout;
        async move {
            tokio::time::sleep(timeout).await;
            if !(checked && rules.init_timed_out()) {
                std::future::pending::<()>().await;
            }
        }
    };
    let gate = rules.clone();
    let input = socket_stream
        .take_until(async move {
            let _ = shutting_down.wait_for(|stopping| *stopping).await;
        })
        .take_until(init_deadline)
        .take_while(move |message| {
            let admitted = !checked || message.as_ref().map_or(true, |m| gate.admit(m));
            std::future::ready(admitted)
        });
    // The GraphQL side writes into a channel, so the socket stays ours to close.
    let (outgoing, mut to_send) = futures_channel::mpsc::channel::<Message>(16);
    let executor = SocketPipeline {
        state: state.clone(),
        peer,
    };
    let connection_state = state.clone();
    let init_rules = rules.clone();
    let graphql = GraphQLWebSocket::new_with_pair(outgoing, input, executor, protocol)
        .on_connection_init(move |payload| async move {
            let session = connection_data(&connection_state, payload).await;
            match &session {
                Ok(_) => init_rules.acknowledge(),
                Err(refused) if checked => init_rules.forbid(refused.message.clone()),
                Err(_) => {}
            }
            session
        })
        .serve();
    let mut closed = false;
    let forward = async {
        while let Some(message) = to_send.next().await {
            let message = if checked {
                match rules.outgoing(message) {
                    Some(message) => message,
                    None => continue,
                }
            } else {
                message
            };
            closed = matches!(message, Message::Close(_));
            if socket_sink.send(message).await.is_err() || closed {
                break;
            }
        }
    };
    futures_util::future::join(graphql, forward).await;
    let close = if *state.shutting_down.borrow() {
        Some(CloseFrame {
            code: 1001,
            reason: "the server is shutting down".into(),
        })
    } else {
        rules.close_frame()
    };
    if let Some(close) = close.filter(|_| !closed) {
        let _ = socket_sink.send(Message::Close(Some(close))).await;
    }
    state.open_sockets.fetch_sub(1, Ordering::SeqCst);
}

/// The request pipeline as a socket's executor: every message runs through
/// the same stages as an HTTP request.
#[derive(Clone)]
struct SocketPipeline {
    state: AppState,
    peer: Peer,
}

impl SocketPipeline {
    /// A subscribe message as the pipeline takes it. Its `extensions` are
    /// read as over HTTP: `persistedQuery` names a trusted or registered
    /// query by hash (the query may then be left empty; nothing is
    /// registered over a socket), and `consistency.token` is the token a
    /// mutation's answer carried (the `Cinegraph-Consistency` header's).
    async fn incoming(&self, request: Request) -> Result<Incoming, AppError> {
        let extensions: serde_json::Map<String, serde_json::Value> = request
            .extensions
            .iter()
            .map(|(name, value)| (name.clone(), value.clone().into_json().unwrap_or_default()))
            .collect();
        let refused = |err: HttpError| AppError::Limit {
            code: err.code,
            message: err.message,
        };
        let hash = persisted::requested_hash(&extensions).map_err(refused)?;
        let query = Some(request.query).filter(|query| !query.is_empty());
        let client = self.peer.client.clone();
        let query = persisted::resolve(
            &self.state,
            (query, hash),
            Transport::Socket,
            &client,
            MediaType::Json,
        )
        .await
        .map_err(refused)?;
        let consistency = match extensions.get("consistency").map(|c| &c["token"]) {
            None => None,
            Some(token) => Some(token.as_str().and_then(|t| t.parse().ok()).ok_or_else(|| {
                AppError::Limit {
                    code: "INVALID_CONSISTENCY_TOKEN",
                    message: "`extensions.consistency.token` must be a token from `extensions.consistency.token` of a mutation's answer".into(),
                }
            })?),
        };
        Ok(Incoming {
            query,
            operation_name: request.operation_name,
            variables: request.variables,
            transport: Transport::Socket,
            credentials: Credentials::Session,
            client,
            // Nothing over a socket starts a session (mutations are refused).
            user_agent: None,
            request_id: self.peer.request_id.clone(),
            consistency,
            languages: self.peer.languages.clone(),
        })
    }
}

impl SocketPipeline {
    /// A socket signed in at `connection_init` runs operations only while
    /// that session works: ended, expired or its account deleted, each new
    /// operation is UNAUTHENTICATED.
    async fn still_signed_in(&self, session: &Data) -> Result<(), AppError> {
        let viewer = session
            .get(&std::any::TypeId::of::<Viewer>())
            .and_then(|data| data.downcast_ref::<Viewer>());
        match viewer {
            Some(viewer) if !sessions::still_signed_in(&self.state.db, viewer).await? => {
                Err(AppError::Unauthenticated)
            }
            _ => Ok(()),
        }
    }
}

impl Executor for SocketPipeline {
    async fn execute(&self, request: Request) -> async_graphql::Response {
        let mut responses = self.execute_stream(request, None);
        responses
            .next()
            .await
            .unwrap_or_else(|| async_graphql::Response::new(async_graphql::Value::Null))
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let pipeline = self.clone();
        let session = session_data.unwrap_or_default();
        async move {
            if let Err(err) = pipeline.still_signed_in(&session).await {
                return futures_util::stream::once(async move { refuse(err) }).boxed();
            }
            match pipeline.incoming(request).await {
                Ok(incoming) => pipeline::run_stream(&pipeline.state, incoming, session),
                Err(err) => futures_util::stream::once(async move { refuse(err) }).boxed(),
            }
        }
        .flatten_stream()
        .boxed()
    }
}

/// The socket's session: the viewer of the `Authorization` in the
/// `connection_init` payload, read by the same rules as the HTTP header; a
/// bad one refuses the connection.
async fn connection_data(
    state: &AppState,
    payload: serde_json::Value,
) -> async_graphql::Result<async_graphql::Data> {
    let mut data = async_graphql::Data::default();
    let authorization = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(*key))
        .map(|value| value.as_str().unwrap_or(""));
    let viewer = pipeline::viewer::viewer(&state.db, authorization)
        .await
        .map_err(|e| e.extend())?;
    if let Some(viewer) = viewer {
        data.insert(viewer);
    }
    Ok(data)
}

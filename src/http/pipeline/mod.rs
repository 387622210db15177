//! The one request pipeline: every GraphQL request, whether it came as a
//! POST, a GET, one request of a batched POST or a message on a WebSocket,
//! goes through the same stages in the same order, so an operation gets the
//! same answer and the same errors on every transport:
//!
//! 1. **cache**: a public query answered before is sent from memory (HTTP
//!    only; nothing below runs);
//! 2. **ready**: SERVICE_UNAVAILABLE until the database is prepared;
//! 3. **check text**: bytes, tokens and bracket nesting (`guard`), before
//!    anything parses it; with `--trusted-documents-only`, a trusted document;
//! 4. **parse once**: the document, kept by its text (`documents`);
//! 5. **guard**: depth, complexity, aliases, root fields, directives; then
//!    the **inputs**: variables coerced to their declared types, Int
//!    literals within 32 bits (`inputs`); then the **cost**: the operation's
//!    estimated cost under the schema's `@cost`/`@listSize` (`cost`),
//!    COST_LIMIT_EXCEEDED above `--max-cost`;
//! 6. **transport**: what the transport may run (no mutation over GET or a
//!    socket: their rate limits live on POST);
//! 7. **viewer**: the bearer token (`viewer`);
//! 8. **limits**: mutations per client address and per user, and every
//!    operation's estimated cost against its client address's budget per
//!    minute; then **where it reads**: a query from a read replica that has
//!    what its client must see, anything else from the primary;
//! 9. **execute**: within the time budget, a panic contained to its request;
//!    a request (text, operation, variables) that passed validation before
//!    runs on the schema's prechecked twin, which skips the rules, and skips
//!    stage 5 too, keeping its estimated cost (`validated`);
//! 10. **label errors** with machine-readable codes (`labels`);
//! 11. **order** each object's fields as the query asked (`order`); the
//!     cost, estimated and actual, in `extensions.cost` (read from the
//!     ordered answer); an object whose selection collected nothing is `{}`,
//!     not `null` (`empty`);
//! 12. **cache** a public query's answer, with its surrogate keys
//!     (`freshness`), and a mutation's consistency token;
//! 13. **report**: a log line and the metrics (`report`).

pub mod budget;
pub mod checks;
pub mod cost;
pub mod documents;
pub mod empty;
pub mod freshness;
pub mod guard;
pub mod inputs;
pub mod labels;
pub mod order;
pub mod report;
pub mod schema_types;
pub mod validated;
pub mod viewer;

use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Data, Variables};
use axum::http::{HeaderValue, StatusCode};
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};

pub use self::budget::run_guarded;
use self::empty::restore_empty_objects;
use self::labels::{codes, label_errors, refuse};
use self::order::order_as_requested;
use self::report::Operation;
use self::validated::Validation;
use super::graphql_http::HttpError;
use super::state::AppState;
use crate::cache::edge;
use crate::cache::responses::{CacheKey, CachedAnswer};
use crate::db::replicas::{Lsn, Read};
use crate::domain::account::UserAgent;
use crate::domain::languages::Languages;
use crate::domain::limits::ClientAddress;
use crate::error::AppError;

/// How a request arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Post,
    /// Queries only (a link or a prefetch must not change anything).
    Get,
    /// One request of a batched POST (never served from the response cache).
    Batch,
    /// A WebSocket message (queries and subscriptions).
    Socket,
}

/// Who a request is from, as its transport tells it.
pub enum Credentials {
    /// The `Authorization` header (HTTP), read by the viewer stage.
    Header(Option<String>),
    /// Resolved when the socket was opened (its `connection_init` payload,
    /// read by the same rules); the viewer is in the socket's session data.
    Session,
}

/// A GraphQL request as its transport read it.
pub struct Incoming {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Variables,
    pub transport: Transport,
    pub credentials: Credentials,
    pub client: ClientAddress,
    /// Kept with the sessions a sign-in starts.
    pub user_agent: Option<UserAgent>,
    pub request_id: String,
    /// The client's consistency token: the primary's write position after
    /// its last mutation; its queries read nothing older (`db::replicas`).
    pub consistency: Option<Lsn>,
    /// `Accept-Language`: part of the cache key, localised texts differ by it.
    pub languages: Languages,
}

/// A request's answer: executed now, or its bytes (from the response cache,
/// or just serialised to be kept there).
pub enum Outcome {
    Executed(async_graphql::Response),
    Serialised(CachedAnswer),
}

/// A request refused before execution: with a GraphQL error, or (HTTP only)
/// with an HTTP status of its own.
enum Refusal {
    Graphql(async_graphql::Response),
    Http(HttpError),
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Refusal::Graphql(refuse(err))
    }
}

/// A request that passed every stage before execution.
struct Prepared {
    request: async_graphql::Request,
    document: Option<Arc<ExecutableDocument>>,
    /// The selected operation's estimated cost (when the document parsed).
    estimated_cost: Option<u64>,
    /// Whether the request passed every check before (`validated`).
    validation: Validation,
}

/// Runs one request that has one answer (HTTP, or a batch's item) through
/// every stage, and reports it.
pub async fn run(state: &AppState, incoming: Incoming) -> Result<Outcome, HttpError> {
    let started = Instant::now();
    let query = incoming.query.clone();
    let mut operation = Operation::unknown(incoming.operation_name.clone());
    let outcome = answer(state, incoming, &mut operation).await;
    let elapsed = started.elapsed();
    match &outcome {
        Ok(Outcome::Serialised(_)) => {
            report::record(state, &operation, &query, elapsed, std::iter::empty())
        }
        Ok(Outcome::Executed(response)) => {
            report::record(state, &operation, &query, elapsed, codes(response))
        }
        Err(err) => report::record(state, &operation, &query, elapsed, [err.code].into_iter()),
    }
    outcome
}

async fn answer(
    state: &AppState,
    incoming: Incoming,
    operation: &mut Operation,
) -> Result<Outcome, HttpError> {
    // 1. A public query answered before: its bytes, with no parsing at all.
    let cache = &state.response_cache;
    // A client that carries a consistency token wrote lately: its answers
    // are read afresh (another server's cache may not have heard the write).
    let public =
        matches!(incoming.credentials, Credentials::Header(None)) && incoming.consistency.is_none();
    let cacheable_transport = matches!(incoming.transport, Transport::Post | Transport::Get);
    let cache_key = (cache.enabled() && cacheable_transport && public).then(|| {
        CacheKey::new(
            &incoming.query,
            incoming.operation_name.as_deref(),
            serde_json::to_string(&incoming.variables).unwrap_or_default(),
        )
        .in_languages(incoming.languages.key())
    });
    if let Some(hit) = cache_key.as_ref().and_then(|key| cache.get(key)) {
        state.metrics.record_cache(true);
        *operation = Operation {
            name: hit.operation_name.clone(),
            kind: "query",
        };
        return Ok(Outcome::Serialised(hit));
    }
    // Read before the query runs: a write that commits meanwhile makes this
    // answer stale before it is stored, so it is never served.
    let generation = cache.generation();
    let request_id = incoming.request_id.clone();
    let prepared = match prepare(state, incoming, operation).await {
        Ok(prepared) => prepared,
        Err(Refusal::Graphql(response)) => return Ok(Outcome::Executed(response)),
        Err(Refusal::Http(err)) => return Err(err),
    };
    // 9. Execute.
    let budget = state.config.request_time_budget;
    let operation_name = prepared.request.operation_name.clone();
    let parsed = prepared.document.is_some();
    let variables = prepared.request.variables.clone();
    let schema = state.schema.for_request(prepared.validation.known_valid());
    let execution = schema.execute(prepared.request);
    // Boxed: an execution is a large future, and each move of it copies it
    // on the stack (a debug build's test thread overflowed).
    let guarded = Box::pin(run_guarded(execution, budget, &request_id));
    let (mut response, seen) = edge::collecting(guarded).await;
    if let Some(estimated) = prepared.estimated_cost {
        state
            .validated
            .remember(prepared.validation, estimated, &response);
    }
    let depends_on_clock = seen.depends_on_clock();
    if operation.is_mutation() {
        freshness::add_consistency_token(state, &mut response).await;
    }
    // 12a. What a public answer was made of, for caches at the edge.
    let surrogate_keys =
        (public && operation.kind == "query" && response.errors.is_empty()).then(|| {
            let lists = prepared.document.as_deref().is_none_or(|document| {
                freshness::lists_or_ranks(document, operation_name.as_deref())
            });
            seen.listing(lists).header()
        });
    // 10, 11.
    let costed = Costed {
        estimated: prepared.estimated_cost,
        variables: &variables,
        state,
    };
    finish(
        &mut response,
        prepared.document.as_deref(),
        operation_name.as_deref(),
        parsed,
        &costed,
    );
    // 12. A public query's answer is kept as bytes.
    let cacheable = operation.kind == "query" && response.errors.is_empty() && !depends_on_clock;
    match cache_key {
        Some(key) if cacheable => {
            state.metrics.record_cache(false);
            let Ok(body) = serde_json::to_vec(&response) else {
                return Ok(Outcome::Executed(response));
            };
            let answer = CachedAnswer::new(body.into(), operation.name.clone())
                .with_surrogate_keys(surrogate_keys);
            cache.put(key, generation, answer.clone());
            Ok(Outcome::Serialised(answer))
        }
        _ => {
            if let Some(value) = surrogate_keys.and_then(|keys| HeaderValue::from_str(&keys).ok()) {
                response
                    .http_headers
                    .insert(freshness::SURROGATE_KEY, value);
            }
            Ok(Outcome::Executed(response))
        }
    }
}

/// Stages 2 to 8: everything between reading a request and executing it.
async fn prepare(
    state: &AppState,
    incoming: Incoming,
    operation: &mut Operation,
) -> Result<Prepared, Refusal> {
    let Incoming {
        query,
        operation_name,
        variables,
        transport,
        credentials,
        client,
        user_agent,
        request_id: _,
        consistency,
        languages,
    } = incoming;
    // 2.
    if !state.is_ready() {
        return Err(AppError::Unavailable(anyhow::anyhow!("not ready")).into());
    }
    // 3. The text checks run before anything parses it; with
    // `--trusted-documents-only`, the text must be a trusted document.
    guard::check_text(&query, &state.config.query_limits)?;
    if state.config.trusted_documents_only && !state.trusted.contains_text(&query) {
        return Err(AppError::Limit {
            code: "QUERY_NOT_IN_SAFELIST",
            message: "this server runs trusted documents only (the playground's operations and its manifest's); send one of them, by hash or as its exact text".into(),
        }
        .into());
    }
    // 4. Parsed once per text; async-graphql runs the copy handed to it. A
    // text that does not parse is refused by async-graphql with the
    // parser's error (labelled GRAPHQL_PARSE_FAILED).
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    let document = state.documents.parse(&request.query).ok();
    let mut estimated_cost = None;
    let mut validation = Validation::unknown();
    if let Some(document) = &document {
        request.set_parsed_query(ExecutableDocument::clone(document));
        validation = state.validated.look_up(
            &request.query,
            request.operation_name.as_deref(),
            &request.variables,
        );
        *operation = Operation::of(document, request.operation_name.as_deref());
        estimated_cost = match validation.known_cost {
            // The same text, operation and variables passed stages 5 to 5c
            // before, and would again: they depend on nothing else.
            Some(known) => Some(known),
            None => checks::stage_five(document, &request, &state.config.query_limits)
                .map_err(|refused| Refusal::Graphql(*refused))?,
        };
    }
    // 6.
    if operation.is_mutation() {
        match transport {
            Transport::Get => {
                return Err(Refusal::Http(HttpError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "METHOD_NOT_ALLOWED",
                    MUTATIONS_OVER_POST,
                )));
            }
            Transport::Socket => {
                return Err(AppError::Limit {
                    code: "METHOD_NOT_ALLOWED",
                    message: MUTATIONS_OVER_POST.to_string(),
                }
                .into());
            }
            Transport::Post | Transport::Batch => {}
        }
    }
    // 7. Over a socket the viewer was resolved when it opened.
    let viewer = match credentials {
        Credentials::Header(authorization) => {
            viewer::viewer(&state.db, authorization.as_deref()).await?
        }
        Credentials::Session => None,
    };
    // 8.
    if operation.is_mutation() {
        viewer::check_mutation_limits(state, &client, viewer.as_ref()).await?;
    }
    if let Some(estimated) = estimated_cost {
        state.limiter.charge_cost(&client.0, estimated).await?;
    }
    // 8b. Where it reads: a query from a replica that has what its client
    // must see; anything else from the primary.
    let read = if operation.kind == "query" {
        state.reads.choose(consistency).await
    } else {
        Read::Primary
    };
    let mut request = request.data(client).data(read).data(languages);
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }
    if let Some(user_agent) = user_agent {
        request = request.data(user_agent);
    }
    Ok(Prepared {
        request,
        document,
        estimated_cost,
        validation,
    })
}

/// What stage 10 needs to put an executed operation's cost in its response.
struct Costed<'a> {
    estimated: Option<u64>,
    variables: &'a Variables,
    state: &'a AppState,
}

const MUTATIONS_OVER_POST: &str = "mutations are only accepted over POST";

/// Stages 10 and 11 of every response.
fn finish(
    response: &mut async_graphql::Response,
    document: Option<&ExecutableDocument>,
    operation_name: Option<&str>,
    parsed: bool,
    costed: &Costed<'_>,
) {
    label_errors(response, parsed);
    let Some(document) = document else {
        return;
    };
    order_as_requested(document, operation_name, &mut response.data);
    // The actual cost reads the response in the document's order (above),
    // and counts an object that selected nothing as the null it still is.
    if let Some(estimated) = costed.estimated
        && let Some((_, operation)) = order::selected_operation(document, operation_name)
    {
        let actual = cost::actual(document, operation, costed.variables, &response.data);
        let limit = costed.state.config.query_limits.max_cost;
        let value = cost::value(Some(estimated), Some(actual), limit);
        response.extensions.insert("cost".to_string(), value);
    }
    restore_empty_objects(document, operation_name, &mut response.data);
}

/// Runs a request that arrived on a WebSocket (a query or a subscription)
/// through the same stages; each response of its stream is labelled and
/// ordered, and the request is reported when its first response is ready.
pub fn run_stream(
    state: &AppState,
    incoming: Incoming,
    session: Arc<Data>,
) -> BoxStream<'static, async_graphql::Response> {
    let state = state.clone();
    let started = Instant::now();
    let stream = async move {
        let query = incoming.query.clone();
        let mut operation = Operation::unknown(incoming.operation_name.clone());
        let responses = match prepare(&state, incoming, &mut operation).await {
            Ok(prepared) => {
                let operation_name = prepared.request.operation_name.clone();
                let document = prepared.document;
                let parsed = document.is_some();
                let estimated = prepared.estimated_cost;
                let variables = prepared.request.variables.clone();
                let state = state.clone();
                let mut validation = Some(prepared.validation);
                state
                    .schema
                    .for_request(validation.as_ref().is_some_and(Validation::known_valid))
                    .execute_stream_with_session_data(prepared.request, session)
                    .map(move |mut response| {
                        // The first response tells how validation went.
                        if let (Some(validation), Some(estimated)) = (validation.take(), estimated)
                        {
                            state.validated.remember(validation, estimated, &response);
                        }
                        // Each event of a stream has its own actual cost.
                        let costed = Costed {
                            estimated,
                            variables: &variables,
                            state: &state,
                        };
                        finish(
                            &mut response,
                            document.as_deref(),
                            operation_name.as_deref(),
                            parsed,
                            &costed,
                        );
                        response
                    })
                    .boxed()
            }
            Err(Refusal::Graphql(response)) => {
                futures_util::stream::once(async { response }).boxed()
            }
            Err(Refusal::Http(err)) => {
                let refused = refuse(AppError::Limit {
                    code: err.code,
                    message: err.message,
                });
                futures_util::stream::once(async { refused }).boxed()
            }
        };
        let mut first = true;
        responses.map(move |response| {
            if std::mem::take(&mut first) {
                report::record(
                    &state,
                    &operation,
                    &query,
                    started.elapsed(),
                    codes(&response),
                );
            }
            response
        })
    };
    stream.flatten_stream().boxed()
}

//! Automatic persisted queries, Apollo's APQ protocol: a request may carry
//! `extensions.persistedQuery = { version: 1, sha256Hash }`. With the query,
//! the hash must be the query's SHA-256 (hex) and a POST registers it; without
//! the query, the registered one runs, or the answer is
//! PERSISTED_QUERY_NOT_FOUND and the client sends the query once more by
//! POST. A GET by hash is short enough for a CDN to cache. Registered queries
//! live in the database (every server shares them, and they survive restarts)
//! with the recent ones in memory.

use std::sync::Arc;

use axum::http::StatusCode;
use moka::sync::Cache;
use serde_json::{Map, Value};

use super::graphql_http::{HttpError, MediaType};
use super::pipeline::Transport;
use super::state::AppState;
use super::trusted::hash_of;
use crate::db::queries::persisted_query;
use crate::domain::limits::{ClientAddress, Scope};

/// Queries kept in memory by hash.
const KEPT: u64 = 10_000;

/// The registered queries this server has seen lately.
pub struct PersistedQueries(Cache<String, Arc<str>>);

impl Default for PersistedQueries {
    fn default() -> Self {
        Self(Cache::new(KEPT))
    }
}

/// The hash of `extensions.persistedQuery`, checked: version 1 and 64 hex
/// digits (read in lower case). `None` without the extension.
pub fn requested_hash(extensions: &Map<String, Value>) -> Result<Option<String>, HttpError> {
    let refuse = |message: &str| HttpError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message);
    let Some(persisted) = extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let Value::Object(persisted) = persisted else {
        return Err(refuse("`extensions.persistedQuery` must be an object"));
    };
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "PERSISTED_QUERY_VERSION_NOT_SUPPORTED",
            "only version 1 of persisted queries is supported",
        ));
    }
    match persisted.get("sha256Hash").and_then(Value::as_str) {
        Some(hash) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(hash.to_ascii_lowercase()))
        }
        _ => Err(refuse(
            "`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits",
        )),
    }
}

/// The query to run: the one sent (checked against its hash, and registered
/// when it came by POST), a trusted document, or the one registered under
/// the hash. With `--trusted-documents-only` nothing is registered or looked
/// up but trusted documents (the pipeline refuses any other text).
pub async fn resolve(
    state: &AppState,
    (query, hash): (Option<String>, Option<String>),
    transport: Transport,
    client: &ClientAddress,
    media: MediaType,
) -> Result<String, HttpError> {
    let Some(hash) = hash else {
        return query.ok_or_else(|| {
            HttpError::new(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request has no `query`",
            )
        });
    };
    let trusted_only = state.config.trusted_documents_only;
    let known = &state.persisted_queries.0;
    match query {
        Some(query) => {
            if hash_of(&query) != hash {
                return Err(HttpError::new(
                    StatusCode::BAD_REQUEST,
                    "PERSISTED_QUERY_HASH_MISMATCH",
                    "provided sha does not match query",
                ));
            }
            // Registration is by POST only: a GET (a link, a prefetch, a
            // CDN) never writes.
            let registers = matches!(transport, Transport::Post | Transport::Batch)
                && !trusted_only
                && state.trusted.get(&hash).is_none()
                && !known.contains_key(&hash);
            if registers {
                // A registration writes: it counts as one of the client's mutations.
                if let Err(refused) = state
                    .limiter
                    .check(Scope::MutationByAddress, &client.0)
                    .await
                {
                    return Err(HttpError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        refused.code(),
                        refused.to_string(),
                    ));
                }
                persisted_query::register(&state.db, &hash, &query)
                    .await
                    .map_err(unavailable)?;
                known.insert(hash, Arc::from(query.as_str()));
            }
            Ok(query)
        }
        None => {
            if let Some(query) = state.trusted.get(&hash) {
                return Ok(query.to_string());
            }
            if trusted_only {
                return Err(HttpError::new(
                    StatusCode::BAD_REQUEST,
                    "PERSISTED_QUERY_NOT_IN_LIST",
                    "this server runs trusted documents only, and no trusted document has this hash",
                ));
            }
            if let Some(query) = known.get(&hash) {
                return Ok(query.to_string());
            }
            match persisted_query::find(&state.db, &hash)
                .await
                .map_err(unavailable)?
            {
                Some(query) => {
                    known.insert(hash, Arc::from(query.as_str()));
                    Ok(query)
                }
                // Apollo's clients look for this message and code, then send the query.
                None => Err(HttpError::new(
                    match media {
                        MediaType::Json => StatusCode::OK,
                        MediaType::GraphQLResponse => StatusCode::NOT_FOUND,
                    },
                    "PERSISTED_QUERY_NOT_FOUND",
                    "PersistedQueryNotFound",
                )),
            }
        }
    }
}

fn unavailable(error: crate::db::DbErr) -> HttpError {
    tracing::warn!(%error, "persisted queries: the database did not answer");
    HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "the database did not answer; try again",
    )
}

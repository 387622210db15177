//! GraphQL over HTTP as the graphql-over-http specification has it (the
//! `graphql-http` audit in `tests/http-audit` checks a live server in `.ci/run`):
//! what a request may look like, which media type answers it, and which status
//! code each outcome gets.
//!
//! async-graphql-axum's extractor is not used: it accepts `text/plain` and
//! `multipart/*` bodies (doors for cross-site request forgery, since browsers
//! send those cross-origin without a preflight) and always answers 200.

use std::collections::HashMap;

use async_graphql::Variables;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::conditional;
use super::persisted;
use crate::cache::responses::{CachedAnswer, Encoding};
use crate::config::Config;

/// The two media types a GraphQL response can be sent as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphQLResponse,
    /// `application/json`: the traditional type; every GraphQL response is a 200.
    Json,
}

impl MediaType {
    pub fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// A request refused before GraphQL sees it.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub media: MediaType,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            media: MediaType::Json,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    pub fn answered_as(mut self, media: MediaType) -> Self {
        self.media = media;
        self
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body =
            json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code } }] });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, self.media.header());
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// The media type to answer with, from `Accept`. No `Accept`, `*/*` and
/// `application/*` get `application/json`, as the specification asks for
/// clients that predate the newer type; a list that accepts neither type is 406.
pub fn negotiate(headers: &HeaderMap) -> Result<MediaType, HttpError> {
    let not_acceptable = || {
        HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "responses are application/graphql-response+json or application/json; Accept allows neither",
        )
    };
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(MediaType::Json);
    };
    let accept = accept.to_str().map_err(|_| not_acceptable())?;
    if accept.trim().is_empty() {
        return Ok(MediaType::Json);
    }
    // The best (quality, exactness) wins; on a tie the first listed.
    let mut best: Option<(f32, u8, MediaType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let (media, exactness) = match media.as_str() {
            "application/graphql-response+json" => (MediaType::GraphQLResponse, 2),
            "application/json" => (MediaType::Json, 2),
            "application/*" | "*/*" => (MediaType::Json, 1),
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, e, _)| (quality, exactness) > (q, e)) {
            best = Some((quality, exactness, media));
        }
    }
    best.map(|(_, _, media)| media).ok_or_else(not_acceptable)
}

/// One GraphQL request, checked for shape.
#[derive(Debug)]
pub struct Params {
    /// None when the request names a persisted query by its hash alone.
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Variables,
    /// `extensions.persistedQuery.sha256Hash` (see `persisted`).
    pub persisted_hash: Option<String>,
}

/// What a POST body holds: one request or a batch of them.
pub enum PostBody {
    Single(Params),
    Batch(Vec<Params>),
}

/// Reads and checks a POST: JSON only (415 otherwise), within the body limit
/// (413), a JSON object or, when batching is on, a list of them (400).
pub async fn read_post(
    config: &Config,
    headers: &HeaderMap,
    body: Body,
) -> Result<PostBody, HttpError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json",
        ));
    }
    let bytes = axum::body::to_bytes(body, config.max_body_bytes)
        .await
        .map_err(|_| {
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the body is larger than {} bytes", config.max_body_bytes),
            )
        })?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| HttpError::bad_request(format!("the body is not valid JSON: {e}")))?;
    match value {
        Value::Array(items) => {
            if config.max_batch_size == 0 {
                return Err(HttpError::bad_request(
                    "batched requests are switched off; send one request per POST",
                ));
            }
            if items.is_empty() || items.len() > config.max_batch_size {
                return Err(HttpError::new(
                    StatusCode::BAD_REQUEST,
                    "BATCH_TOO_LARGE",
                    format!(
                        "a batch holds 1 to {} requests; this one has {}",
                        config.max_batch_size,
                        items.len()
                    ),
                ));
            }
            let params = items
                .into_iter()
                .map(|item| match item {
                    Value::Object(fields) => params_from_json(config, fields),
                    _ => Err(HttpError::bad_request(
                        "each request of a batch must be a JSON object",
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok(PostBody::Batch(params))
        }
        Value::Object(fields) => Ok(PostBody::Single(params_from_json(config, fields)?)),
        _ => Err(HttpError::bad_request(
            "the body must be a JSON object with a `query`",
        )),
    }
}

fn params_from_json(config: &Config, mut fields: Map<String, Value>) -> Result<Params, HttpError> {
    let query = match fields.remove("query") {
        Some(Value::String(query)) => Some(query),
        None | Some(Value::Null) => None,
        Some(_) => return Err(HttpError::bad_request("`query` must be a string")),
    };
    let operation_name = match fields.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => {
            return Err(HttpError::bad_request(
                "`operationName` must be a string or null",
            ));
        }
    };
    let variables = match fields.remove("variables") {
        None | Some(Value::Null) => Variables::default(),
        Some(value @ Value::Object(_)) => variables(config, value)?,
        Some(_) => {
            return Err(HttpError::bad_request(
                "`variables` must be an object or null",
            ));
        }
    };
    let persisted_hash = match fields.remove("extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(extensions)) => persisted::requested_hash(&extensions)?,
        Some(_) => {
            return Err(HttpError::bad_request(
                "`extensions` must be an object or null",
            ));
        }
    };
    if query.is_none() && persisted_hash.is_none() {
        return Err(HttpError::bad_request("the request has no `query`"));
    }
    Ok(Params {
        query,
        operation_name,
        variables,
        persisted_hash,
    })
}

fn variables(config: &Config, value: Value) -> Result<Variables, HttpError> {
    let size = value.to_string().len();
    if size > config.max_variables_bytes {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "VARIABLES_TOO_LARGE",
            format!(
                "the variables take {size} bytes; at most {} are accepted",
                config.max_variables_bytes
            ),
        ));
    }
    Ok(Variables::from_json(value))
}

/// Reads a GET: `query`, and `variables`/`extensions` as JSON text.
pub fn read_get(config: &Config, raw_query: Option<&str>) -> Result<Params, HttpError> {
    let pairs: HashMap<String, String> = serde_urlencoded::from_str(raw_query.unwrap_or(""))
        .map_err(|e| HttpError::bad_request(format!("the query string does not decode: {e}")))?;
    let mut fields = Map::new();
    for (key, text) in pairs {
        let value = match key.as_str() {
            "variables" | "extensions" => serde_json::from_str(&text)
                .map_err(|e| HttpError::bad_request(format!("`{key}` is not valid JSON: {e}")))?,
            _ => Value::String(text),
        };
        fields.insert(key, value);
    }
    params_from_json(config, fields)
}

/// Sends a GraphQL response. With `application/graphql-response+json`, a
/// request error (no data: the document did not parse or validate, a variable
/// did not coerce, a limit refused it) gets a 4xx/5xx status and no `data`
/// entry; with `application/json` every GraphQL response is a 200.
pub fn respond(media: MediaType, response: &async_graphql::Response) -> Response {
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    // Serialised straight from the response, so fields keep the order the
    // query asked for them in (a detour through serde_json::Value sorts keys).
    let mut body = serde_json::to_string(response);
    let mut status = StatusCode::OK;
    if request_error && media == MediaType::GraphQLResponse {
        body = serde_json::to_string(&json!({ "errors": response.errors }));
        let code = response.errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            });
        status = match code.as_deref() {
            Some("RATE_LIMITED") => StatusCode::TOO_MANY_REQUESTS,
            Some("SERVICE_UNAVAILABLE") => StatusCode::SERVICE_UNAVAILABLE,
            Some("INTERNAL_SERVER_ERROR") => StatusCode::INTERNAL_SERVER_ERROR,
            Some("TIMEOUT") => StatusCode::GATEWAY_TIMEOUT,
            Some("UNAUTHENTICATED") => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        };
    }
    let retry_after = retry_after(std::slice::from_ref(response));
    // A limit decided before execution refused the request itself: 429 in
    // either media type (the error inside says which limit and for how long).
    if request_error && retry_after.is_some() {
        status = StatusCode::TOO_MANY_REQUESTS;
    }
    let body = body.unwrap_or_else(|_| r#"{"errors":[{"message":"the response could not be serialised","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#.to_string());
    let mut answer = (status, body).into_response();
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.header());
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    answer
}

/// The longest `retryAfterSeconds` among the responses' errors: every
/// rate-limited answer says it in `Retry-After` too (RFC 9110 §10.2.3).
fn retry_after(responses: &[async_graphql::Response]) -> Option<u64> {
    responses
        .iter()
        .flat_map(|response| &response.errors)
        .filter_map(
            |error| match error.extensions.as_ref()?.get("retryAfterSeconds")? {
                async_graphql::Value::Number(seconds) => seconds.as_u64(),
                _ => None,
            },
        )
        .max()
}

/// A batch's responses, in order, as one JSON list (always 200: each entry
/// carries its own errors).
pub fn respond_batch(media: MediaType, responses: &[async_graphql::Response]) -> Response {
    let body = serde_json::to_string(responses).unwrap_or_else(|_| "[]".into());
    let mut answer = (StatusCode::OK, body).into_response();
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.header());
    if let Some(seconds) = retry_after(responses) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    answer
}

/// A public query's answer as bytes. Over GET it carries an ETag, one per
/// content coding (RFC 9110 §8.8.3: the gzip, br and identity bodies differ),
/// and `If-None-Match` naming it gets 304 without a body. A POST's answer is
/// no representation of `/graphql` (RFC 9110 §9.3.3): no tag, no 304.
/// Compressed once per answer and kept, not per request (the compression
/// layer leaves a body that already has a Content-Encoding alone).
pub fn respond_serialised(
    media: MediaType,
    headers: &HeaderMap,
    answer: CachedAnswer,
    conditional: bool,
) -> Response {
    let encoding = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(preferred_encoding)
        .filter(|_| answer.body.len() > 1024);
    let compressed = encoding.and_then(|e| Some((e, answer.compressed(e)?)));
    let etag = conditional.then(|| coded_etag(&answer.etag, compressed.as_ref().map(|(e, _)| *e)));
    let unchanged = etag
        .as_deref()
        .is_some_and(|etag| conditional::client_has(headers, etag));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else if let Some((encoding, bytes)) = compressed {
        let mut response = (StatusCode::OK, bytes).into_response();
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(encoding.name()),
        );
        response
    } else {
        (StatusCode::OK, answer.body).into_response()
    };
    let out = response.headers_mut();
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if !unchanged {
        out.insert(header::CONTENT_TYPE, media.header());
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(etag) = etag.and_then(|etag| HeaderValue::from_str(&etag).ok()) {
        out.insert(header::ETAG, etag);
    }
    response
}

/// The answer's strong tag, told apart per content coding: `"hash-len"`
/// for the identity body, `"hash-len.br"` for its brotli body.
fn coded_etag(etag: &str, encoding: Option<Encoding>) -> String {
    match encoding {
        Some(encoding) => format!("{}.{}\"", etag.trim_end_matches('"'), encoding.name()),
        None => etag.to_string(),
    }
}

/// The best encoding the cache keeps that `Accept-Encoding` allows: highest
/// q, then br, zstd, gzip.
pub fn preferred_encoding(accept_encoding: &str) -> Option<Encoding> {
    let mut best: Option<(f32, Encoding)> = None;
    for part in accept_encoding.split(',') {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let encoding = match name.as_str() {
            "br" | "*" => Encoding::Brotli,
            "zstd" => Encoding::Zstd,
            "gzip" | "x-gzip" => Encoding::Gzip,
            _ => continue,
        };
        let better = match best {
            None => q > 0.0,
            Some((best_q, best_encoding)) => {
                q > best_q || (q == best_q && (encoding as u8) < (best_encoding as u8))
            }
        };
        if better && q > 0.0 {
            best = Some((q, encoding));
        }
    }
    best.map(|(_, encoding)| encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_the_clients_preference() {
        assert_eq!(
            preferred_encoding("gzip, deflate, br"),
            Some(Encoding::Brotli)
        );
        assert_eq!(
            preferred_encoding("gzip;q=1, br;q=0.5"),
            Some(Encoding::Gzip)
        );
        assert_eq!(preferred_encoding("zstd, gzip"), Some(Encoding::Zstd));
        assert_eq!(
            preferred_encoding("br;q=0, gzip;q=0.1"),
            Some(Encoding::Gzip)
        );
        assert_eq!(preferred_encoding("identity"), None);
        assert_eq!(preferred_encoding(""), None);
        assert_eq!(preferred_encoding("*"), Some(Encoding::Brotli));
    }
}

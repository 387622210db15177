//! Requests known to pass every validation rule, kept in a `moka` cache
//! bounded by the bytes of their keys.
//!
//! async-graphql validates each request in full before running it (8% of the
//! CPU of a small list query), although the outcome depends only on the
//! schema, which never changes while the server runs, and on the request's
//! text, operation name and variables (its `ArgumentsOfCorrectType` rule
//! checks variable values too). So a request is keyed by all three: one that
//! passed the full rules once runs on the schema's prechecked twin
//! (`graphql::Schemas`), which skips them. A request not known to pass runs
//! the full rules, and is remembered when its response shows it got past
//! validation.

use async_graphql::{Response, Variables};
use moka::policy::EvictionPolicy;
use moka::sync::Cache;

/// Key bytes kept by default: a few hundred distinct requests.
pub const DEFAULT_KEY_BYTES: usize = 256 * 1024;

pub struct ValidatedRequests {
    max_key_bytes: usize,
    kept: Cache<String, ()>,
}

/// A request's key, and whether it is known to pass.
pub struct Validation {
    key: Option<String>,
    pub known_valid: bool,
}

impl Validation {
    /// A request with no key (its text did not parse): validated in full.
    pub fn unknown() -> Self {
        Self {
            key: None,
            known_valid: false,
        }
    }
}

impl ValidatedRequests {
    pub fn new(max_key_bytes: usize) -> Self {
        Self {
            max_key_bytes,
            kept: Cache::builder()
                .max_capacity(max_key_bytes as u64)
                .weigher(|key: &String, _: &()| u32::try_from(key.len()).unwrap_or(u32::MAX))
                .eviction_policy(EvictionPolicy::lru())
                .build(),
        }
    }

    /// Whether this request passed every rule before.
    pub fn look_up(
        &self,
        query: &str,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Validation {
        let Ok(variables) = serde_json::to_string(variables) else {
            return Validation::unknown();
        };
        let operation_name = operation_name.unwrap_or("");
        let mut key =
            String::with_capacity(query.len() + operation_name.len() + variables.len() + 2);
        // Separated by a character that a name or JSON never holds unescaped
        // (and a query holding it is refused by the parser before this).
        for part in [query, "\0", operation_name, "\0", &variables] {
            key.push_str(part);
        }
        let known_valid = self.kept.contains_key(&key);
        Validation {
            key: (key.len() <= self.max_key_bytes).then_some(key),
            known_valid,
        }
    }

    /// Remembers a request whose response shows it passed validation: a
    /// request refused by validation has errors and no data at all, so an
    /// answer with data, or with no errors, got past it.
    pub fn remember(&self, validation: Validation, response: &Response) {
        let passed =
            response.errors.is_empty() || !matches!(response.data, async_graphql::Value::Null);
        if let Some(key) = validation.key.filter(|_| passed && !validation.known_valid) {
            self.kept.insert(key, ());
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Name, ServerError, Value};

    use super::*;

    const QUERY: &str = "query Q($n: Int) { films(first: $n) { totalCount } }";

    fn variables(n: i32) -> Variables {
        let mut variables = Variables::default();
        variables.insert(Name::new("n"), Value::from(n));
        variables
    }

    #[test]
    fn a_request_that_passed_is_known_by_text_operation_and_variables() {
        let requests = ValidatedRequests::new(DEFAULT_KEY_BYTES);
        let first = requests.look_up(QUERY, Some("Q"), &variables(5));
        assert!(!first.known_valid);
        requests.remember(first, &Response::new(Value::Null));
        assert!(
            requests
                .look_up(QUERY, Some("Q"), &variables(5))
                .known_valid
        );
        // Anything else differs: validation checks variable values too.
        assert!(
            !requests
                .look_up(QUERY, Some("Q"), &variables(6))
                .known_valid
        );
        assert!(!requests.look_up(QUERY, None, &variables(5)).known_valid);
        let other = QUERY.replace("totalCount", "__typename");
        assert!(
            !requests
                .look_up(&other, Some("Q"), &variables(5))
                .known_valid
        );
    }

    #[test]
    fn a_request_refused_before_execution_is_not_remembered() {
        let requests = ValidatedRequests::new(DEFAULT_KEY_BYTES);
        let refused = Response::from_errors(vec![ServerError::new("Unknown field", None)]);
        requests.remember(requests.look_up(QUERY, None, &variables(1)), &refused);
        assert!(!requests.look_up(QUERY, None, &variables(1)).known_valid);
        // Errors beside data come from execution: validation passed.
        let mut partial =
            Response::new(Value::from_json(serde_json::json!({"films": null})).unwrap());
        partial.errors.push(ServerError::new("database down", None));
        requests.remember(requests.look_up(QUERY, None, &variables(1)), &partial);
        assert!(requests.look_up(QUERY, None, &variables(1)).known_valid);
    }

    #[test]
    fn a_key_larger_than_the_bound_is_not_kept() {
        let requests = ValidatedRequests::new(16);
        requests.remember(
            requests.look_up(QUERY, None, &variables(1)),
            &Response::new(Value::Null),
        );
        assert!(!requests.look_up(QUERY, None, &variables(1)).known_valid);
    }
}

//! Requests known to pass every check before execution, kept in a `moka`
//! cache bounded by the bytes of their keys, with their estimated cost.
//!
//! Before a request runs, the pipeline measures its document (`guard`),
//! coerces its variables and checks its Int literals (`inputs`) and
//! estimates its cost (`cost`); then async-graphql validates it in full (8%
//! of the CPU of a small list query, the pipeline's checks another 2%). Each
//! outcome depends only on the request's text, operation name and variables
//! (async-graphql's `ArgumentsOfCorrectType` rule checks variable values
//! too) and on the schema and the limits, which never change while the
//! server runs. So a request is keyed by all three: one that passed
//! everything once skips the pipeline's checks, keeps its estimated cost,
//! and runs on the schema's prechecked twin (`graphql::Schemas`), which
//! skips async-graphql's rules. A request not known to pass is checked in
//! full, and remembered when its response shows it got past validation.

use async_graphql::{Response, Variables};
use moka::policy::EvictionPolicy;
use moka::sync::Cache;

/// Key bytes kept by default: a few hundred distinct requests.
pub const DEFAULT_KEY_BYTES: usize = 256 * 1024;

pub struct ValidatedRequests {
    max_key_bytes: usize,
    /// Each request's estimated cost.
    kept: Cache<String, u64>,
}

/// A request's key, and its estimated cost if it is known to pass.
pub struct Validation {
    key: Option<String>,
    pub known_cost: Option<u64>,
}

impl Validation {
    /// A request with no key (its text did not parse): checked in full.
    pub fn unknown() -> Self {
        Self {
            key: None,
            known_cost: None,
        }
    }

    pub fn known_valid(&self) -> bool {
        self.known_cost.is_some()
    }
}

impl ValidatedRequests {
    pub fn new(max_key_bytes: usize) -> Self {
        Self {
            max_key_bytes,
            kept: Cache::builder()
                .max_capacity(max_key_bytes as u64)
                .weigher(|key: &String, _: &u64| u32::try_from(key.len()).unwrap_or(u32::MAX))
                .eviction_policy(EvictionPolicy::lru())
                .build(),
        }
    }

    /// Whether this request passed every check before, and its estimated cost.
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
        let known_cost = self.kept.get(&key);
        Validation {
            key: (key.len() <= self.max_key_bytes).then_some(key),
            known_cost,
        }
    }

    /// Remembers a request, checked by the pipeline and estimated at
    /// `estimated_cost`, whose response shows it passed validation: a
    /// request refused by validation has errors and no data at all, so an
    /// answer with data, or with no errors, got past it.
    pub fn remember(&self, validation: Validation, estimated_cost: u64, response: &Response) {
        let passed =
            response.errors.is_empty() || !matches!(response.data, async_graphql::Value::Null);
        let new = passed && !validation.known_valid();
        if let Some(key) = validation.key.filter(|_| new) {
            self.kept.insert(key, estimated_cost);
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
        assert!(!first.known_valid());
        requests.remember(first, 17, &Response::new(Value::Null));
        let again = requests.look_up(QUERY, Some("Q"), &variables(5));
        assert_eq!(again.known_cost, Some(17));
        // Anything else differs: validation checks variable values too.
        let known = |query: &str, operation, n| {
            requests
                .look_up(query, operation, &variables(n))
                .known_valid()
        };
        assert!(!known(QUERY, Some("Q"), 6));
        assert!(!known(QUERY, None, 5));
        assert!(!known(
            &QUERY.replace("totalCount", "__typename"),
            Some("Q"),
            5
        ));
    }

    #[test]
    fn a_request_refused_before_execution_is_not_remembered() {
        let requests = ValidatedRequests::new(DEFAULT_KEY_BYTES);
        let refused = Response::from_errors(vec![ServerError::new("Unknown field", None)]);
        requests.remember(requests.look_up(QUERY, None, &variables(1)), 1, &refused);
        assert!(!requests.look_up(QUERY, None, &variables(1)).known_valid());
        // Errors beside data come from execution: validation passed.
        let mut partial =
            Response::new(Value::from_json(serde_json::json!({"films": null})).unwrap());
        partial.errors.push(ServerError::new("database down", None));
        requests.remember(requests.look_up(QUERY, None, &variables(1)), 1, &partial);
        assert!(requests.look_up(QUERY, None, &variables(1)).known_valid());
    }

    #[test]
    fn a_key_larger_than_the_bound_is_not_kept() {
        let requests = ValidatedRequests::new(16);
        requests.remember(
            requests.look_up(QUERY, None, &variables(1)),
            1,
            &Response::new(Value::Null),
        );
        assert!(!requests.look_up(QUERY, None, &variables(1)).known_valid());
    }
}

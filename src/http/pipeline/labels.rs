//! Machine-readable codes on every error: resolvers' errors carry theirs;
//! the parser's, the validator's and argument coercion's get one here.

use async_graphql::ErrorExtensions;

use crate::error::AppError;

/// Gives a code to the errors async-graphql raises without one. `parsed`
/// says whether the document parsed (if not, its errors are the parser's).
pub fn label_errors(response: &mut async_graphql::Response, parsed: bool) {
    let before_execution = response.data == async_graphql::Value::Null;
    for error in &mut response.errors {
        // Line 0 is async-graphql's "position unknown"; the spec's lines start at 1.
        error.locations.retain(|at| at.line > 0);
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

/// A response with one error and no data. The error concerns the whole
/// request, so it has no `locations` (never a made-up line 0).
pub fn refuse(err: AppError) -> async_graphql::Response {
    let error = err.extend();
    let mut refused = async_graphql::ServerError::new(error.message, None);
    refused.extensions = error.extensions;
    async_graphql::Response::from_errors(vec![refused])
}

/// The `extensions.code` of each error of a response, in order.
pub fn codes(response: &async_graphql::Response) -> impl Iterator<Item = &str> {
    response
        .errors
        .iter()
        .filter_map(|error| match error.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Some(code.as_str()),
            _ => None,
        })
}

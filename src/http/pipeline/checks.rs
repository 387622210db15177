//! Stage 5 for a request the pipeline has not seen pass before (see
//! `validated`): the document's limits (`guard`), the variables coerced to
//! their types and the Int literals in range (`inputs`), and the estimated
//! cost of the operation it runs (`cost`), refused above `--max-cost`.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response};

use super::labels::refuse;
use super::{cost, guard, inputs, order};
use crate::config::QueryLimits;

/// The request's estimated cost (none when the document has no operation of
/// its name: execution then says so), or the answer refusing it (boxed: it
/// holds a whole response).
pub fn stage_five(
    document: &ExecutableDocument,
    request: &Request,
    limits: &QueryLimits,
) -> Result<Option<u64>, Box<Response>> {
    // 5. The document's limits, on our parse: async-graphql's validation
    // would expand every fragment spread (see `guard`).
    guard::measure(document, &request.variables, limits).map_err(|err| Box::new(refuse(err)))?;
    // 5b. Variables coerced to their types, Int literals in range.
    let selected = order::selected_operation(document, request.operation_name.as_deref());
    inputs::check(document, selected.map(|(_, op)| op), &request.variables)
        .map_err(|errors| Box::new(Response::from_errors(errors)))?;
    // 5c. Its cost, before anything runs.
    let Some((_, selected)) = selected else {
        return Ok(None);
    };
    let estimated = cost::estimate(document, selected, &request.variables);
    if estimated > limits.max_cost {
        return Err(Box::new(cost::limit_exceeded(estimated, limits.max_cost)));
    }
    Ok(Some(estimated))
}

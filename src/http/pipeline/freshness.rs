//! What an answer tells caches and clients about its freshness: the
//! surrogate keys a public answer is cached under at the edge
//! (`cache::edge`), and the consistency token of a mutation's answer (read
//! replicas, `db::replicas`).

use async_graphql::parser::types::ExecutableDocument;

use super::order;
use crate::http::state::AppState;

/// The header a public answer's surrogate keys travel in (`cache::edge`).
pub const SURROGATE_KEY: &str = "surrogate-key";

/// Whether an operation's root fields list or rank (anything but fetching
/// one film, person, product, award or node, or introspection): a rating
/// anywhere can change such an answer. A fragment at the root counts as one.
pub fn lists_or_ranks(document: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::Selection;
    const ONE_THING: [&str; 8] = [
        "film",
        "person",
        "product",
        "award",
        "node",
        "__typename",
        "__schema",
        "__type",
    ];
    let Some((_, operation)) = order::selected_operation(document, operation_name) else {
        return true;
    };
    operation
        .selection_set
        .node
        .items
        .iter()
        .any(|item| match &item.node {
            Selection::Field(field) => !ONE_THING.contains(&field.node.name.node.as_str()),
            _ => true,
        })
}

/// With read replicas, a mutation's answer carries the primary's write
/// position after it in `extensions.consistency.token`: sent back (the
/// `Cinegraph-Consistency` header), it makes any server's reads include the
/// write. Without the token (the position could not be read) a client still
/// reads its writes on the server that made them.
pub async fn add_consistency_token(state: &AppState, response: &mut async_graphql::Response) {
    if !state.reads.has_replicas() {
        return;
    }
    match state.reads.written().await {
        Ok(lsn) => {
            let mut token = async_graphql::indexmap::IndexMap::new();
            token.insert(
                async_graphql::Name::new("token"),
                async_graphql::Value::String(lsn.to_string()),
            );
            response.extensions.insert(
                "consistency".to_string(),
                async_graphql::Value::Object(token),
            );
        }
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the primary's write position for a consistency token")
        }
    }
}

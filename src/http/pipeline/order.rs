//! Response fields in the order the query asked for them.
//!
//! The spec asks for it ("Serialized Map Ordering"), and people reading a
//! response expect it. async-graphql 7.2 resolves a selection set's fields
//! concurrently and keeps them in the order they finish (upstream issue #612),
//! so a film's `title` can come after its `genres`. This puts every object of
//! the answer back in the order of the selection sets that produced it: fields
//! in document order, fragments expanded where they are spread (each fragment
//! once per object, as the spec's CollectFields does).

use std::cell::OnceCell;
use std::collections::HashSet;

use async_graphql::Name;
use async_graphql::Value;
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};

/// Reorders `data` (the answer to the operation `operation_name` of `document`).
pub fn order_as_requested(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    data: &mut Value,
) {
    if let Some((_, operation)) = selected_operation(document, operation_name) {
        let keys = Keys::of(document, &[&operation.selection_set.node]);
        keys.apply(document, data);
    }
}

/// The operation a request with `operation_name` runs, with its name: the
/// named one, or (without a name) the first.
pub fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<&'a Name>, &'a OperationDefinition)> {
    document
        .operations
        .iter()
        .find(|(name, _)| match (operation_name, name) {
            (Some(wanted), Some(name)) => wanted == name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        })
        .map(|(name, operation)| (name, &operation.node))
}

/// The response keys of a (merged) selection in order. Worked out once per
/// selection, not once per object (a list of a hundred films has one
/// selection), and only as deep as the answer goes.
struct Keys<'a>(Vec<Key<'a>>);

/// One response key: the selection sets of the fields that share it, and
/// their keys once a value below it needed them.
struct Key<'a> {
    name: &'a Name,
    selections: Vec<&'a SelectionSet>,
    nested: OnceCell<Keys<'a>>,
}

impl<'a> Keys<'a> {
    fn of(document: &'a ExecutableDocument, selections: &[&'a SelectionSet]) -> Self {
        let mut keys = Keys(Vec::new());
        keys.collect(document, selections, &mut HashSet::new());
        keys
    }

    fn position(&self, name: &Name) -> usize {
        self.0
            .iter()
            .position(|key| key.name == name)
            .unwrap_or(usize::MAX)
    }

    /// Orders one value these keys produced, and everything below it.
    fn apply(&self, document: &'a ExecutableDocument, value: &mut Value) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.apply(document, item);
                }
            }
            Value::Object(map) => {
                // Objects whose fields finished in order are common: only
                // the others are sorted. A key the selection does not name
                // should not occur; if one does, it is kept, last.
                if !self.in_order(map.keys()) {
                    map.sort_by_key(|name, _| self.position(name));
                }
                let mut wanted = self.0.iter();
                for (name, field) in map.iter_mut() {
                    let Some(key) = wanted.find(|key| key.name == name) else {
                        break;
                    };
                    if !key.selections.is_empty() {
                        key.nested
                            .get_or_init(|| Keys::of(document, &key.selections))
                            .apply(document, field);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether `present` lists only these keys, in their order.
    fn in_order<'k>(&self, present: impl Iterator<Item = &'k Name>) -> bool {
        let mut wanted = self.0.iter();
        present
            .into_iter()
            .all(|name| wanted.any(|key| key.name == name))
    }

    /// Adds the response keys of `selections` in order, each with the
    /// selection sets of the fields that share it (each fragment once, as
    /// the spec's CollectFields does).
    fn collect(
        &mut self,
        document: &'a ExecutableDocument,
        selections: &[&'a SelectionSet],
        fragments_seen: &mut HashSet<&'a str>,
    ) {
        for set in selections {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) => {
                        let name = &field.node.response_key().node;
                        let subselection = &field.node.selection_set.node;
                        let index = match self.0.iter().position(|key| key.name == name) {
                            Some(index) => index,
                            None => {
                                self.0.push(Key {
                                    name,
                                    selections: Vec::new(),
                                    nested: OnceCell::new(),
                                });
                                self.0.len() - 1
                            }
                        };
                        if !subselection.items.is_empty() {
                            self.0[index].selections.push(subselection);
                        }
                    }
                    Selection::FragmentSpread(spread) => {
                        let name = spread.node.fragment_name.node.as_str();
                        if let Some(fragment) =
                            document.fragments.get(&spread.node.fragment_name.node)
                            && fragments_seen.insert(name)
                        {
                            self.collect(
                                document,
                                &[&fragment.node.selection_set.node],
                                fragments_seen,
                            );
                        }
                    }
                    Selection::InlineFragment(inline) => {
                        self.collect(document, &[&inline.node.selection_set.node], fragments_seen);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    fn reorder(query: &str, data: serde_json::Value) -> String {
        let document = parse_query(query).unwrap();
        let mut value = Value::from_json(data).unwrap();
        order_as_requested(&document, None, &mut value);
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn fields_follow_the_query_through_lists_aliases_and_fragments() {
        let query = "{ film { title ...Extra credits { b: name a: name } } } fragment Extra on Film { year ... on Film { id } }";
        let data = json!({ "film": {
            "id": 1, "credits": [{ "a": "x", "b": "y" }, { "a": "z", "b": "w" }], "year": 1995, "title": "T"
        }});
        assert_eq!(
            reorder(query, data),
            r#"{"film":{"title":"T","year":1995,"id":1,"credits":[{"b":"y","a":"x"},{"b":"w","a":"z"}]}}"#
        );
    }

    #[test]
    fn merged_fields_take_the_first_position_and_all_subfields() {
        let query = "{ film { title cast { name } id cast { slug } } }";
        let data =
            json!({ "film": { "id": 1, "cast": [{ "slug": "s", "name": "n" }], "title": "T" } });
        assert_eq!(
            reorder(query, data),
            r#"{"film":{"title":"T","cast":[{"name":"n","slug":"s"}],"id":1}}"#
        );
    }

    #[test]
    fn each_object_of_a_list_is_ordered_whether_or_not_it_finished_in_order() {
        // One selection for every item: the first item is already in order,
        // the second is not, and their nested objects differ the same way.
        let query = "{ films { title year directors { name slug } } }";
        let data = json!({ "films": [
            { "title": "A", "year": 1, "directors": [{ "name": "n", "slug": "s" }] },
            { "directors": [{ "slug": "t", "name": "m" }], "year": 2, "title": "B" },
        ]});
        assert_eq!(
            reorder(query, data),
            r#"{"films":[{"title":"A","year":1,"directors":[{"name":"n","slug":"s"}]},{"title":"B","year":2,"directors":[{"name":"m","slug":"t"}]}]}"#
        );
    }

    #[test]
    fn nulls_and_missing_keys_are_left_alone() {
        let query = "{ film { title director { name } } other }";
        let data = json!({ "other": null, "film": { "director": null, "title": "T" } });
        assert_eq!(
            reorder(query, data),
            r#"{"film":{"title":"T","director":null},"other":null}"#
        );
    }
}

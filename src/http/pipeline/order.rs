//! Response fields in the order the query asked for them.
//!
//! The spec asks for it ("Serialized Map Ordering"), and people reading a
//! response expect it. async-graphql 7.2 resolves a selection set's fields
//! concurrently and keeps them in the order they finish (upstream issue #612),
//! so a film's `title` can come after its `genres`. This puts every object of
//! the answer back in the order of the selection sets that produced it: fields
//! in document order, fragments expanded where they are spread (each fragment
//! once per object, as the spec's CollectFields does).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

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
        let mut orderer = Orderer {
            document,
            keys: HashMap::new(),
        };
        orderer.order(&[&operation.selection_set.node], data);
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

/// The response keys of a (merged) selection, each with the selection sets
/// of the fields that share it.
type Keys<'a> = Vec<(Name, Vec<&'a SelectionSet>)>;

/// Orders the values of one document, working out each selection's keys once
/// (not once per object: a list of a hundred films has one selection).
struct Orderer<'a> {
    document: &'a ExecutableDocument,
    /// Keyed by the addresses of the selection sets merged into one value.
    keys: HashMap<Vec<*const SelectionSet>, Rc<Keys<'a>>>,
}

impl<'a> Orderer<'a> {
    /// Orders one value produced by `selections` (several when fields with
    /// the same response key are merged).
    fn order(&mut self, selections: &[&'a SelectionSet], value: &mut Value) {
        let id: Vec<*const SelectionSet> = selections.iter().map(|s| *s as *const _).collect();
        let keys = match self.keys.get(&id) {
            Some(keys) => keys.clone(),
            None => {
                let mut keys = Vec::new();
                collect(self.document, selections, &mut keys, &mut HashSet::new());
                let keys = Rc::new(keys);
                self.keys.insert(id, keys.clone());
                keys
            }
        };
        self.apply(&keys, value);
    }

    fn apply(&mut self, keys: &Keys<'a>, value: &mut Value) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.apply(keys, item);
                }
            }
            Value::Object(map) => {
                // Objects whose fields finished in order are common: only
                // the others are rebuilt.
                if !in_order(map.keys(), keys) {
                    let mut unordered = std::mem::take(map);
                    for (key, _) in keys {
                        if let Some(field) = unordered.swap_remove(key) {
                            map.insert(key.clone(), field);
                        }
                    }
                    // Nothing should be left; if something is, keep it rather than lose it.
                    map.extend(unordered);
                }
                let mut wanted = keys.iter();
                for (key, field) in map.iter_mut() {
                    let Some((_, subselections)) = wanted.find(|(k, _)| k == key) else {
                        break;
                    };
                    if !subselections.is_empty() {
                        self.order(subselections, field);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether `present` lists only keys of `keys`, in their order.
fn in_order<'k>(present: impl Iterator<Item = &'k Name>, keys: &Keys<'_>) -> bool {
    let mut wanted = keys.iter();
    present.into_iter().all(|key| wanted.any(|(k, _)| k == key))
}

/// The response keys of `selections` in order, each with the selection sets
/// of the fields that share it.
fn collect<'a>(
    document: &'a ExecutableDocument,
    selections: &[&'a SelectionSet],
    keys: &mut Vec<(Name, Vec<&'a SelectionSet>)>,
    fragments_seen: &mut HashSet<&'a str>,
) {
    for set in selections {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
                    let subselection = &field.node.selection_set.node;
                    let index = match keys.iter().position(|(k, _)| k == key) {
                        Some(index) => index,
                        None => {
                            keys.push((key.clone(), Vec::new()));
                            keys.len() - 1
                        }
                    };
                    if !subselection.items.is_empty() {
                        keys[index].1.push(subselection);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                        && fragments_seen.insert(name)
                    {
                        collect(
                            document,
                            &[&fragment.node.selection_set.node],
                            keys,
                            fragments_seen,
                        );
                    }
                }
                Selection::InlineFragment(inline) => {
                    collect(
                        document,
                        &[&inline.node.selection_set.node],
                        keys,
                        fragments_seen,
                    );
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

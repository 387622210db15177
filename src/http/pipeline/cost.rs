//! Demand control: an operation's cost under IBM's GraphQL Cost Directives
//! (<https://ibm.github.io/graphql-specs/cost-spec.html>), with the weights
//! and list sizes the schema declares (`@cost`, `@listSize`; see
//! `graphql::cost`), read from its SDL by `schema_types`.
//!
//! Each field costs its weight: its own `@cost`, else its type's, else 1 for
//! an object (or interface or union), 0 for a scalar or enum, and 10 for a
//! root mutation field; the `@cost` of each argument it is given adds to it.
//! A field's selections cost once per object it returns, so a list costs its
//! size times (weight + selections). The size of a list is:
//!
//! - **estimated** (before execution, static analysis): the largest of its
//!   `slicingArguments` given (or their defaults), else its `assumedSize`; a
//!   field with `sizedFields` hands that size to those fields of its object
//!   (a connection's `edges` and `nodes`). A list with no `@listSize` is as
//!   long as its longest list argument (`nodes(ids:)`, `_entities`), else 1.
//! - **actual** (after execution, response analysis): the length of the list
//!   in the response; a null costs nothing (it produced no data).
//!
//! Both walk the same selections the same way (every fragment counted, as
//! if every type condition matched, and `@skip`/`@include` ignored), so the
//! estimate is an upper bound of the actual cost whenever the lists are no
//! longer than their sizes say.

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Name, Value, Variables};

use super::schema_types::{FieldShape, SchemaTypes, applies_to, schema_types};

/// What a root mutation field costs without a `@cost` of its own.
const MUTATION_WEIGHT: f64 = 10.0;

/// An operation's estimated cost, before execution, rounded up.
pub fn estimate(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
) -> u64 {
    let mut walk = Walk::new(document, operation, variables);
    let root = walk.types.root(operation.ty).to_string();
    let cost = walk.selection_set(&operation.selection_set.node, &root, None);
    round(cost)
}

/// The operation's actual cost, from its response's data, rounded up.
pub fn actual(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    data: &Value,
) -> u64 {
    let Value::Object(data) = data else {
        return 0;
    };
    let mut walk = Walk::new(document, operation, variables);
    let root = walk.types.root(operation.ty).to_string();
    let plan = walk.plan(&operation.selection_set.node, &root);
    round(object_cost(&plan, data))
}

/// One field of a selection set as the response analysis needs it: its
/// response key, its weight and its own selections' plan. Worked out once
/// per selection, not once per object of a list (a page of a hundred
/// credits has one selection; looking each field up per object was 7% of a
/// small query's server time).
struct Planned<'d> {
    key: &'d Name,
    weight: f64,
    children: Vec<Planned<'d>>,
}

/// What an object of the response costs: each planned field, by its value.
/// The response is in the document's order by now (`order_as_requested`
/// runs first), as the plan is, so each field is looked for at the next
/// position before by its key: hashing every key of every object was 1.4%
/// of B7's server instructions.
fn object_cost(
    plan: &[Planned<'_>],
    object: &async_graphql::indexmap::IndexMap<Name, Value>,
) -> f64 {
    let mut next = 0;
    plan.iter()
        .map(|field| {
            let value = match object.get_index(next) {
                Some((key, value)) if key == field.key => {
                    next += 1;
                    Some(value)
                }
                _ => object.get(field.key),
            };
            value.map_or(0.0, |value| value_cost(field, value))
        })
        .sum()
}

/// A value as the response has it: a list costs each item, a null nothing.
fn value_cost(field: &Planned<'_>, value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::List(items) => items.iter().map(|item| value_cost(field, item)).sum(),
        Value::Object(object) => field.weight + object_cost(&field.children, object),
        _ => field.weight,
    }
}

fn round(cost: f64) -> u64 {
    if cost.is_finite() && cost > 0.0 {
        cost.ceil().min(u64::MAX as f64) as u64
    } else {
        0
    }
}

/// A size handed down by a field with `sizedFields` to those fields.
type Sized<'s> = Option<(&'s [String], f64)>;

struct Walk<'a> {
    document: &'a ExecutableDocument,
    types: &'static SchemaTypes,
    variables: &'a Variables,
    mutation: bool,
    /// Fragments being walked (a fragment that spreads itself is the
    /// validator's to report; here it costs nothing more).
    open_fragments: Vec<Name>,
}

impl<'a> Walk<'a> {
    fn new(
        document: &'a ExecutableDocument,
        operation: &OperationDefinition,
        variables: &'a Variables,
    ) -> Self {
        Self {
            document,
            types: schema_types(),
            variables,
            mutation: operation.ty == OperationType::Mutation,
            open_fragments: Vec::new(),
        }
    }

    /// Calls `visit` with each field of `set` and the type it is selected
    /// on, fragments expanded where they are spread.
    fn each_field(
        &mut self,
        set: &'a SelectionSet,
        on_type: &str,
        visit: &mut dyn FnMut(&mut Self, &'a Field, &str),
    ) {
        let document = self.document;
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => visit(self, &field.node, on_type),
                Selection::InlineFragment(inline) => {
                    let on = applies_to(&inline.node, on_type).to_string();
                    self.each_field(&inline.node.selection_set.node, &on, visit);
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(fragment) = document.fragments.get(name) else {
                        continue;
                    };
                    if self.open_fragments.contains(name) {
                        continue;
                    }
                    self.open_fragments.push(name.clone());
                    let on = fragment.node.type_condition.node.on.node.to_string();
                    self.each_field(&fragment.node.selection_set.node, &on, visit);
                    self.open_fragments.pop();
                }
            }
        }
    }

    /// The estimated cost of one object's selections.
    fn selection_set(&mut self, set: &'a SelectionSet, on_type: &str, sized: Sized<'_>) -> f64 {
        let mut total = 0.0;
        self.each_field(set, on_type, &mut |walk, field, on| {
            total += walk.field(field, on, sized);
        });
        total
    }

    /// The estimated cost of a field: its size times its weight and selections.
    fn field(&mut self, field: &'a Field, on_type: &str, sized: Sized<'_>) -> f64 {
        let shape = self.types.field(on_type, field.name.node.as_str());
        let weight = self.weight(field, on_type, shape);
        let returns = shape.map_or("", |shape| shape.returns.as_str());
        let size = self.static_size(field, shape, sized);
        let list_size = shape.and_then(|shape| shape.list_size.as_ref());
        // A size for the fields it names, not for this field.
        let handed_down = list_size
            .filter(|size| !size.sized_fields.is_empty())
            .map(|size| (size.sized_fields.as_slice(), self.slice(field, shape)));
        let one = weight + self.selection_set(&field.selection_set.node, returns, handed_down);
        size * one
    }

    /// The fields of `set` on `on_type` for the response analysis.
    fn plan(&mut self, set: &'a SelectionSet, on_type: &str) -> Vec<Planned<'a>> {
        let mut planned = Vec::new();
        self.each_field(set, on_type, &mut |walk, field, on| {
            let shape = walk.types.field(on, field.name.node.as_str());
            let returns = shape.map_or("", |shape| shape.returns.as_str());
            planned.push(Planned {
                key: &field.alias.as_ref().unwrap_or(&field.name).node,
                weight: walk.weight(field, on, shape),
                children: walk.plan(&field.selection_set.node, returns),
            });
        });
        planned
    }

    /// The field's weight with its arguments' (never below zero).
    fn weight(&self, field: &Field, on_type: &str, shape: Option<&FieldShape>) -> f64 {
        let Some(shape) = shape else {
            // Introspection and `__typename`: an object costs 1, a value 0.
            return if field.selection_set.node.items.is_empty() {
                0.0
            } else {
                1.0
            };
        };
        let types = self.types;
        let is_mutation_root = self.mutation && on_type == types.root(OperationType::Mutation);
        let own = shape
            .cost
            .unwrap_or_else(|| match types.type_costs.get(&shape.returns) {
                Some(weight) => *weight,
                None if is_mutation_root => MUTATION_WEIGHT,
                None if types.composites.contains(&shape.returns) => 1.0,
                None => 0.0,
            });
        let arguments: f64 = field
            .arguments
            .iter()
            .filter_map(|(name, _)| shape.argument_costs.get(name.node.as_str()))
            .sum();
        (own + arguments).max(0.0)
    }

    /// How many times the field's weight and selections count before execution.
    fn static_size(&self, field: &Field, shape: Option<&FieldShape>, sized: Sized<'_>) -> f64 {
        if let Some((names, size)) = sized
            && names.iter().any(|name| name == field.name.node.as_str())
        {
            return size;
        }
        let Some(shape) = shape else {
            return 1.0;
        };
        if !is_list(&shape.ty.base) {
            return 1.0;
        }
        match &shape.list_size {
            Some(list_size) if list_size.sized_fields.is_empty() => self.slice(field, Some(shape)),
            _ => self.longest_list_argument(field).unwrap_or(1.0),
        }
    }

    /// The size a `@listSize` gives: the largest slicing argument given (or
    /// defaulted), else the assumed size, else 1.
    fn slice(&self, field: &Field, shape: Option<&FieldShape>) -> f64 {
        let Some(list_size) = shape.and_then(|shape| shape.list_size.as_ref()) else {
            return 1.0;
        };
        let given = list_size
            .slicing_arguments
            .iter()
            .filter_map(|(name, default)| {
                let value = field.get_argument(name).and_then(|value| {
                    value
                        .node
                        .clone()
                        .into_const_with(|variable| {
                            self.variables.get(&variable).cloned().ok_or(())
                        })
                        .ok()
                });
                match value {
                    Some(Value::Number(n)) => n.as_u64(),
                    Some(_) => None,
                    None => *default,
                }
            })
            .max();
        given
            .or(list_size.assumed_size)
            .map_or(1.0, |size| size as f64)
    }

    fn longest_list_argument(&self, field: &Field) -> Option<f64> {
        field
            .arguments
            .iter()
            .filter_map(|(_, value)| {
                let value = value
                    .node
                    .clone()
                    .into_const_with(|variable| self.variables.get(&variable).cloned().ok_or(()))
                    .ok()?;
                match value {
                    Value::List(items) => Some(items.len() as f64),
                    _ => None,
                }
            })
            .reduce(f64::max)
    }
}

fn is_list(base: &BaseType) -> bool {
    matches!(base, BaseType::List(_))
}

/// COST_LIMIT_EXCEEDED: the estimate and the limit in the error's extensions.
pub fn limit_exceeded(estimated: u64, limit: u64) -> async_graphql::Response {
    let mut refused = super::labels::refuse(crate::error::AppError::Limit {
        code: "COST_LIMIT_EXCEEDED",
        message: format!(
            "the operation's estimated cost is {estimated} (its fields' @cost weights times the @listSize of the lists above them); at most {limit} is accepted"
        ),
    });
    if let Some(extensions) = refused.errors[0].extensions.as_mut() {
        extensions.set("cost", value(Some(estimated), None, limit));
    }
    refused
}

/// What `extensions.cost` says.
pub fn value(estimated: Option<u64>, actual: Option<u64>, limit: u64) -> async_graphql::Value {
    let mut cost = async_graphql::indexmap::IndexMap::new();
    if let Some(estimated) = estimated {
        cost.insert(async_graphql::Name::new("estimated"), estimated.into());
    }
    if let Some(actual) = actual {
        cost.insert(async_graphql::Name::new("actual"), actual.into());
    }
    cost.insert(async_graphql::Name::new("limit"), limit.into());
    async_graphql::Value::Object(cost)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn estimate_of(query: &str, variables: serde_json::Value) -> u64 {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        let variables = Variables::from_json(variables);
        estimate(&document, &operation.node, &variables)
    }

    #[test]
    fn every_list_in_the_schema_has_a_size() {
        assert_eq!(unsized_lists(), Vec::<String>::new());
    }

    #[test]
    fn a_film_page_list_costs_as_counted_by_hand() {
        // films 1, then 5 edges of (edge 1 + film 1 + 5 directors of 1 +
        // 10 genres of 1); scalars 0: 1 + 5 * (1 + 1 + 5 + 10) = 86.
        let query = "{ films(first: 5) { totalCount edges { cursor node {
            title directors { name } genres { name } } } } }";
        assert_eq!(estimate_of(query, serde_json::json!({})), 86);
    }

    #[test]
    fn slicing_arguments_come_from_variables_or_the_assumed_size() {
        let query = "query($n: Int) { films(first: $n) { nodes { id } } }";
        assert_eq!(estimate_of(query, serde_json::json!({ "n": 7 })), 1 + 7);
        assert_eq!(estimate_of(query, serde_json::json!({})), 1 + 20);
        // `last` slices too; the larger of both counts.
        let both = "{ people(last: 3) { edges { node { name } } } }";
        assert_eq!(estimate_of(both, serde_json::json!({})), 1 + 3 * 2);
    }

    #[test]
    fn weights_come_from_cost_directives_and_mutations_weigh_ten() {
        // search has @cost(weight: "10"); its nodes are a union of weight 1.
        let search = r#"{ search(query: "cage", first: 3) { nodes { __typename } } }"#;
        assert_eq!(estimate_of(search, serde_json::json!({})), 10 + 3);
        let rate =
            r#"mutation { rateFilm(input: { filmId: "x", score: 5 }) { rating { score } } }"#;
        assert_eq!(estimate_of(rate, serde_json::json!({})), 10 + 1);
    }

    #[test]
    fn lists_sized_by_an_argument_and_entities_count_what_they_are_given() {
        let nodes = r#"{ nodes(ids: ["a", "b", "c"]) { id } }"#;
        assert_eq!(estimate_of(nodes, serde_json::json!({})), 3);
        let entities =
            r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Film { title } } }"#;
        let two = serde_json::json!({ "r": [{ "__typename": "Film", "id": "a" }, { "__typename": "Film", "id": "b" }] });
        assert_eq!(estimate_of(entities, two), 2);
    }

    #[test]
    fn the_actual_cost_counts_what_the_response_holds() {
        let query = "{ films(first: 5) { totalCount edges { cursor node {
            title directors { name } genres { name } } } } }";
        let document = async_graphql::parser::parse_query(query).unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        let film = |directors: usize| {
            serde_json::json!({ "cursor": "c", "node": { "title": "t",
                "directors": vec![serde_json::json!({ "name": "n" }); directors],
                "genres": [] } })
        };
        let data = Value::from_json(serde_json::json!({
            "films": { "totalCount": 2, "edges": [film(1), film(2)] }
        }))
        .unwrap();
        let actual = actual(&document, &operation.node, &Variables::default(), &data);
        // films 1 + (edge 1 + film 1 + 1 director) + (edge 1 + film 1 + 2 directors).
        assert_eq!(actual, 1 + 3 + 4);
        assert!(actual <= estimate(&document, &operation.node, &Variables::default()));
        let nothing = Value::from_json(serde_json::json!({ "films": null })).unwrap();
        assert_eq!(
            super::actual(&document, &operation.node, &Variables::default(), &nothing),
            0
        );
    }

    /// Every field of the schema that returns a list but says nothing of its
    /// size.
    fn unsized_lists() -> Vec<String> {
        let types = schema_types();
        // The fields a `sizedFields` of some field sizes.
        let mut sized_by_parent: HashMap<&str, Vec<&str>> = HashMap::new();
        for fields in types.fields.values() {
            for shape in fields.values() {
                if let Some(list_size) = &shape.list_size {
                    for name in &list_size.sized_fields {
                        sized_by_parent
                            .entry(shape.returns.as_str())
                            .or_default()
                            .push(name.as_str());
                    }
                }
            }
        }
        let mut missing = Vec::new();
        for (type_name, fields) in &types.fields {
            for (name, shape) in fields {
                let sized = shape.list_size.is_some()
                    || sized_by_parent
                        .get(type_name.as_str())
                        .is_some_and(|names| names.contains(&name.as_str()))
                    || shape.arguments.values().any(|ty| is_list(&ty.base));
                if is_list(&shape.ty.base) && !sized {
                    missing.push(format!("{type_name}.{name}"));
                }
            }
        }
        missing.sort();
        missing
    }
}

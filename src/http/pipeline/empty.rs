//! Empty objects stay objects. A field of object, interface or union type
//! whose selection collects no field for the object it resolves to (`item {
//! ... on Film { title } }` where the item is a person) answers `{}` (GraphQL
//! spec, ExecuteSelectionSet over an empty CollectFields). async-graphql
//! answers `null` for such an object; this stage puts `{}` back where the
//! field's type is non-null, so `null` there can only be that case. A
//! nullable field's `null` is left alone: it may be a real null.
//!
//! Only documents whose selections can come out empty (through a fragment
//! with a type condition or a `@skip`/`@include`) are walked; the others
//! pay nothing.

use async_graphql::parser::types::{BaseType, ExecutableDocument, Selection, SelectionSet, Type};
use async_graphql::{Name, Value};

use super::order::selected_operation;
use super::schema_types::{SchemaTypes, applies_to, schema_types};

pub fn restore_empty_objects(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    data: &mut Value,
) {
    if !may_select_nothing(document) {
        return;
    }
    let Some((_, operation)) = selected_operation(document, operation_name) else {
        return;
    };
    let types = schema_types();
    if let Value::Object(fields) = data {
        let walk = Walk { types, document };
        walk.object(
            fields,
            &operation.selection_set.node,
            types.root(operation.ty),
        );
    }
}

/// Whether some selection set could collect no field: only fragments and
/// the two conditional directives make one empty.
fn may_select_nothing(document: &ExecutableDocument) -> bool {
    !document.fragments.is_empty()
        || document
            .operations
            .iter()
            .any(|(_, operation)| conditional(&operation.node.selection_set.node))
}

fn conditional(selections: &SelectionSet) -> bool {
    selections
        .items
        .iter()
        .any(|selection| match &selection.node {
            Selection::Field(field) => {
                !field.node.directives.is_empty() || conditional(&field.node.selection_set.node)
            }
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => true,
        })
}

struct Walk<'a> {
    types: &'a SchemaTypes,
    document: &'a ExecutableDocument,
}

impl Walk<'_> {
    /// The fields of one object, selected by `selections` on `on_type`.
    /// Fragments for other types are walked too: a key their fields produce
    /// is only present when they applied, and fields sharing a response key
    /// have the same shape (spec: FieldsInSetCanMerge).
    fn object(
        &self,
        object: &mut async_graphql::indexmap::IndexMap<Name, Value>,
        selections: &SelectionSet,
        on_type: &str,
    ) {
        for selection in &selections.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let subselection = &field.selection_set.node;
                    if subselection.items.is_empty() {
                        continue;
                    }
                    let Some(shape) = self.types.field(on_type, field.name.node.as_str()) else {
                        continue;
                    };
                    if let Some(value) = object.get_mut(&field.response_key().node) {
                        self.value(value, &shape.ty, subselection, &shape.returns);
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = applies_to(fragment, on_type);
                    self.object(object, &fragment.selection_set.node, on);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.object(object, &fragment.node.selection_set.node, on);
                    }
                }
            }
        }
    }

    fn value(&self, value: &mut Value, ty: &Type, selections: &SelectionSet, named: &str) {
        match (&ty.base, value) {
            (BaseType::List(item), Value::List(items)) => {
                for value in items {
                    self.value(value, item, selections, named);
                }
            }
            (BaseType::Named(_), value @ Value::Null) if !ty.nullable => {
                *value = Value::Object(Default::default());
            }
            (BaseType::Named(_), Value::Object(object)) => self.object(object, selections, named),
            _ => {}
        }
    }
}

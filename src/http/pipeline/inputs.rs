//! Input values the GraphQL specification checks before execution and
//! async-graphql does not:
//!
//! - **Variables** are coerced against their declared types (spec §6.1.2,
//!   CoerceVariableValues): a missing required variable, a null for a
//!   non-null one, or a value of the wrong type is a request error that names
//!   the variable (and where in it the bad value is), not a field error of
//!   whichever argument it reaches.
//! - **Int literals** must fit in 32 bits (spec §3.5.1, Values of Correct
//!   Type): async-graphql only range-checks them when the field runs, so a
//!   field that never runs (under a null parent) accepted any number.
//!
//! The types come from the schema's own SDL (`schema_types`).

use std::collections::HashSet;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, Type,
};
use async_graphql::{ErrorExtensions, Name, Pos, ServerError, Value, Variables};

use super::schema_types::{SchemaTypes, applies_to, schema_types};
use crate::error::AppError;

/// Checks the selected operation's variables and the document's Int
/// literals; every problem found, as request errors (BAD_USER_INPUT).
pub fn check(
    document: &ExecutableDocument,
    operation: Option<&OperationDefinition>,
    variables: &Variables,
) -> Result<(), Vec<ServerError>> {
    let types = schema_types();
    let mut errors = Vec::new();
    if let Some(operation) = operation {
        for definition in &operation.variable_definitions {
            let definition = &definition.node;
            let name = definition.name.node.as_str();
            let declared = &definition.var_type.node;
            let at = definition.name.pos;
            let problem = match variables.get(&Name::new(name)) {
                None if definition.default_value.is_none() && !declared.nullable => Some(format!(
                    "Variable \"${name}\" of required type \"{declared}\" was not provided."
                )),
                None => None,
                Some(Value::Null) if !declared.nullable => Some(format!(
                    "Variable \"${name}\" of non-null type \"{declared}\" must not be null."
                )),
                Some(value) => types
                    .coerce(declared, value, name)
                    .err()
                    .map(|(path, expected)| {
                        let place = if path == name {
                            String::new()
                        } else {
                            format!(" at \"{path}\"")
                        };
                        format!(
                            "Variable \"${name}\" got invalid value {}{place}; {expected}.",
                            shown(value_at(value, &path, name))
                        )
                    }),
            };
            if let Some(message) = problem {
                errors.push(error(message, at, Some(name)));
            }
        }
    }
    let mut literals = Literals {
        types,
        document,
        visited: HashSet::new(),
        errors: &mut errors,
    };
    for (_, operation) in document.operations.iter() {
        let root = types.root(operation.node.ty);
        literals.walk(&operation.node.selection_set.node, root);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn error(message: String, at: Pos, variable: Option<&str>) -> ServerError {
    let extended = AppError::bad_input(message).extend_with(|_, extensions| {
        if let Some(variable) = variable {
            extensions.set("variable", variable);
        }
    });
    let mut error = ServerError::new(extended.message, Some(at));
    error.extensions = extended.extensions;
    error
}

/// A value as an error message shows it, cut short.
fn shown(value: Option<&Value>) -> String {
    let text = value.map_or_else(|| "null".to_string(), |v| v.to_string());
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// The part of a variable's value a dotted path (`i.items.2.score`) names.
fn value_at<'a>(value: &'a Value, path: &str, name: &str) -> Option<&'a Value> {
    let rest = path.strip_prefix(name)?;
    let mut here = value;
    for step in rest.split('.').filter(|step| !step.is_empty()) {
        here = match here {
            Value::Object(fields) => fields.get(&Name::new(step))?,
            Value::List(items) => items.get(step.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(here)
}

/// Why a value is not of its type: where (a dotted path) and what was expected.
type Mismatch = (String, String);

impl SchemaTypes {
    /// Input coercion (spec §3.5, §3.9, §3.10, §3.11) of a variable's value.
    fn coerce(&self, ty: &Type, value: &Value, path: &str) -> Result<(), Mismatch> {
        if matches!(value, Value::Null) {
            return if ty.nullable {
                Ok(())
            } else {
                Err((path.to_string(), format!("expected non-null type \"{ty}\"")))
            };
        }
        match &ty.base {
            BaseType::List(item) => match value {
                Value::List(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(n, value)| self.coerce(item, value, &format!("{path}.{n}"))),
                // A single value where a list is expected is a list of one.
                single => self.coerce(item, single, path),
            },
            BaseType::Named(name) => self.coerce_named(name, value, path),
        }
    }

    fn coerce_named(&self, name: &str, value: &Value, path: &str) -> Result<(), Mismatch> {
        let mismatch = |expected: &str| Err((path.to_string(), expected.to_string()));
        match name {
            "Int" => match value {
                Value::Number(n) if fits_in_32_bits(n) => Ok(()),
                Value::Number(_) => {
                    mismatch("Int cannot represent a number that is not a 32-bit integer")
                }
                _ => mismatch("expected type \"Int\""),
            },
            "Float" => match value {
                Value::Number(_) => Ok(()),
                _ => mismatch("expected type \"Float\""),
            },
            "String" => match value {
                Value::String(_) => Ok(()),
                _ => mismatch("expected type \"String\""),
            },
            "Boolean" => match value {
                Value::Boolean(_) => Ok(()),
                _ => mismatch("expected type \"Boolean\""),
            },
            "ID" => match value {
                Value::String(_) => Ok(()),
                Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
                _ => mismatch("expected type \"ID\""),
            },
            _ => {
                if let Some(values) = self.enums.get(name) {
                    return match value {
                        Value::String(text) if values.contains(text.as_str()) => Ok(()),
                        Value::Enum(text) if values.contains(text.as_str()) => Ok(()),
                        _ => Err((
                            path.to_string(),
                            format!("expected a value of the enum \"{name}\""),
                        )),
                    };
                }
                if let Some(fields) = self.input_objects.get(name) {
                    return self.coerce_object(name, fields, value, path);
                }
                // A custom scalar (DateTime, ...) parses its own value.
                Ok(())
            }
        }
    }

    fn coerce_object(
        &self,
        name: &str,
        fields: &[(String, Type, bool)],
        value: &Value,
        path: &str,
    ) -> Result<(), Mismatch> {
        let Value::Object(given) = value else {
            return Err((
                path.to_string(),
                format!("expected an object of type \"{name}\""),
            ));
        };
        if let Some(unknown) = given
            .keys()
            .find(|key| !fields.iter().any(|(field, _, _)| field == key.as_str()))
        {
            return Err((
                path.to_string(),
                format!("\"{unknown}\" is not a field of \"{name}\""),
            ));
        }
        for (field, ty, has_default) in fields {
            let at = format!("{path}.{field}");
            match given.get(&Name::new(field)) {
                Some(value) => self.coerce(ty, value, &at)?,
                None if !ty.nullable && !has_default => {
                    return Err((
                        at,
                        format!("the field \"{field}\" of type \"{ty}\" is required"),
                    ));
                }
                None => {}
            }
        }
        Ok(())
    }
}

fn fits_in_32_bits(n: &async_graphql::Number) -> bool {
    n.as_i64().is_some_and(|n| i32::try_from(n).is_ok())
}

/// The walk over every selection for Int literals out of range.
struct Literals<'a> {
    types: &'a SchemaTypes,
    document: &'a ExecutableDocument,
    /// A fragment's arguments depend only on its own type condition, so each
    /// is walked once however often it is spread.
    visited: HashSet<&'a str>,
    errors: &'a mut Vec<ServerError>,
}

impl<'a> Literals<'a> {
    fn walk(&mut self, selections: &'a SelectionSet, on_type: &str) {
        for selection in &selections.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    // `types` outlives `self`'s borrow, so the shape can be held across `walk`.
                    let types = self.types;
                    let Some(shape) = types.field(on_type, field.name.node.as_str()) else {
                        continue; // introspection, or an unknown field validation reports
                    };
                    for (argument, value) in &field.arguments {
                        let Some(ty) = shape.arguments.get(argument.node.as_str()) else {
                            continue;
                        };
                        // Variables inside a literal were checked with the variables.
                        let literal = value
                            .node
                            .clone()
                            .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null))
                            .unwrap_or_else(|never| match never {});
                        self.check_literal(ty, &literal, value.pos, argument.node.as_str());
                    }
                    self.walk(&field.selection_set.node, &shape.returns);
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = applies_to(fragment, on_type);
                    self.walk(&fragment.selection_set.node, on);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if !self.visited.insert(name) {
                        continue;
                    }
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.walk(&fragment.node.selection_set.node, on);
                    }
                }
            }
        }
    }

    /// Reports Int literals outside 32 bits in `value`, an argument of type `ty`.
    fn check_literal(&mut self, ty: &Type, value: &Value, at: Pos, argument: &str) {
        match (&ty.base, value) {
            (BaseType::List(item), Value::List(items)) => {
                for value in items {
                    self.check_literal(item, value, at, argument);
                }
            }
            (BaseType::List(item), single) => self.check_literal(item, single, at, argument),
            (BaseType::Named(name), Value::Number(n))
                if name.as_str() == "Int" && !fits_in_32_bits(n) =>
            {
                self.errors.push(error(
                    format!(
                        "Argument \"{argument}\" has invalid value {n}: Int cannot represent a number that is not a 32-bit integer."
                    ),
                    at,
                    None,
                ));
            }
            (BaseType::Named(name), Value::Object(fields)) => {
                let Some(declared) = self.types.input_objects.get(name.as_str()) else {
                    return;
                };
                for (field, ty, _) in declared {
                    if let Some(value) = fields.get(&Name::new(field)) {
                        self.check_literal(ty, value, at, argument);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(query: &str, variables: serde_json::Value) -> Vec<String> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let operation = document.operations.iter().next().map(|(_, op)| &op.node);
        let variables = Variables::from_json(variables);
        match check(&document, operation, &variables) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.message).collect(),
        }
    }

    #[test]
    fn variables_are_coerced_and_named() {
        let query = "query($s: String!, $n: Int, $o: FilmOrder) { film(by: { slug: $s }) { title } films(first: $n, orderBy: $o) { totalCount } }";
        assert_eq!(
            problems(query, serde_json::json!({ "s": "x" })),
            Vec::<String>::new()
        );
        assert_eq!(
            problems(query, serde_json::json!({})),
            ["Variable \"$s\" of required type \"String!\" was not provided."]
        );
        assert_eq!(
            problems(query, serde_json::json!({ "s": null })),
            ["Variable \"$s\" of non-null type \"String!\" must not be null."]
        );
        let wrong = problems(query, serde_json::json!({ "s": 3, "n": 4294967296i64 }));
        assert_eq!(wrong.len(), 2, "{wrong:?}");
        assert!(
            wrong[0].starts_with("Variable \"$s\" got invalid value 3;"),
            "{wrong:?}"
        );
        assert!(wrong[1].contains("32-bit"), "{wrong:?}");
        let order = problems(
            query,
            serde_json::json!({ "s": "x", "o": { "field": "NOPE" } }),
        );
        assert!(order[0].contains("at \"o.field\""), "{order:?}");
    }

    #[test]
    fn int_literals_fit_in_32_bits_wherever_they_are() {
        let query = "{ me { ratings(first: -2147483649) { totalCount } } }";
        assert_eq!(problems(query, serde_json::json!({})).len(), 1);
        let fragment =
            "query { ...F ...F } fragment F on Query { films(first: 2147483648) { totalCount } }";
        assert_eq!(
            problems(fragment, serde_json::json!({})).len(),
            1,
            "once per fragment"
        );
        assert!(
            problems(
                "{ films(first: 2147483647) { totalCount } }",
                serde_json::json!({})
            )
            .is_empty()
        );
    }
}

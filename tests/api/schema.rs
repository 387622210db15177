//! `schema.graphql` is generated from the code and must match it, and every
//! item of the schema is documented.

use async_graphql::Positioned;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{FieldDefinition, TypeKind, TypeSystemDefinition};

#[test]
fn schema_graphql_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let current = cinegraph::graphql::export_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &current).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "schema.graphql is stale; run `UPDATE_SCHEMA=1 cargo test --test api schema` (or `cargo run -- print-schema > schema.graphql`) and commit it"
    );
}

/// Every type, field, argument, input field and enum value of the schema is
/// documented for clients (built-in scalars, introspection types and the
/// federation subgraph specification's `_` items, which async-graphql
/// defines, aside).
#[test]
fn every_schema_item_has_a_description() {
    let missing = undescribed(&cinegraph::graphql::export_sdl());
    assert!(
        missing.is_empty(),
        "{} schema items have no description:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The items of `sdl` without a description, as `type Name`, `Type.field`,
/// `Type.field(argument)`, `Input.field` or `Enum.VALUE`.
fn undescribed(sdl: &str) -> Vec<String> {
    let document = parse_schema(sdl).expect("the SDL parses");
    let mut missing = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        if name.starts_with('_') || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if !described(&definition.description) {
            missing.push(format!("type {name}"));
        }
        match &definition.kind {
            TypeKind::Object(object) => undescribed_fields(name, &object.fields, &mut missing),
            TypeKind::Interface(interface) => {
                undescribed_fields(name, &interface.fields, &mut missing)
            }
            TypeKind::InputObject(input) => {
                for field in &input.fields {
                    if !described(&field.node.description) {
                        missing.push(format!("{name}.{}", field.node.name.node));
                    }
                }
            }
            TypeKind::Enum(enumeration) => {
                for value in &enumeration.values {
                    if !described(&value.node.description) {
                        missing.push(format!("{name}.{}", value.node.value.node));
                    }
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }
    missing
}

/// Adds the fields of an object or interface, and their arguments, that have no description.
fn undescribed_fields(
    type_name: &str,
    fields: &[Positioned<FieldDefinition>],
    missing: &mut Vec<String>,
) {
    for field in fields {
        let field = &field.node;
        if field.name.node.starts_with('_') {
            continue;
        }
        if !described(&field.description) {
            missing.push(format!("{type_name}.{}", field.name.node));
        }
        for argument in &field.arguments {
            if !described(&argument.node.description) {
                missing.push(format!(
                    "{type_name}.{}({})",
                    field.name.node, argument.node.name.node
                ));
            }
        }
    }
}

fn described(description: &Option<Positioned<String>>) -> bool {
    description
        .as_ref()
        .is_some_and(|d| !d.node.trim().is_empty())
}

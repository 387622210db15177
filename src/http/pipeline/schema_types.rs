//! The schema's types as the pipeline needs them (argument and field types,
//! input objects, enums), read from the SDL the schema exports.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use async_graphql::parser::types::{
    BaseType, InlineFragment, OperationType, Type, TypeKind, TypeSystemDefinition,
};

/// What the pipeline knows of the schema's types.
pub struct SchemaTypes {
    /// Each object's and interface's fields: their arguments' types and the
    /// named type they return.
    pub fields: HashMap<String, HashMap<String, FieldShape>>,
    /// Each input object's fields: type and whether it has a default.
    pub input_objects: HashMap<String, Vec<(String, Type, bool)>>,
    pub enums: HashMap<String, HashSet<String>>,
    query: String,
    mutation: String,
    subscription: String,
}

pub struct FieldShape {
    pub arguments: HashMap<String, Type>,
    /// The field's type, and the named type inside its lists.
    pub ty: Type,
    pub returns: String,
}

/// The schema's types, read once from its SDL (one schema builder serves
/// every server of the process, so one reading serves them all).
pub fn schema_types() -> &'static SchemaTypes {
    static TYPES: OnceLock<SchemaTypes> = OnceLock::new();
    TYPES.get_or_init(|| SchemaTypes::from_sdl(&crate::graphql::export_sdl()))
}

impl SchemaTypes {
    /// The root type of an operation of this kind.
    pub fn root(&self, kind: OperationType) -> &str {
        match kind {
            OperationType::Query => &self.query,
            OperationType::Mutation => &self.mutation,
            OperationType::Subscription => &self.subscription,
        }
    }

    /// The field `name` of the object or interface `on_type`.
    pub fn field(&self, on_type: &str, name: &str) -> Option<&FieldShape> {
        self.fields.get(on_type)?.get(name)
    }

    fn from_sdl(sdl: &str) -> Self {
        let document = async_graphql::parser::parse_schema(sdl).expect("the schema's SDL parses");
        let mut types = Self {
            fields: HashMap::new(),
            input_objects: HashMap::new(),
            enums: HashMap::new(),
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
        };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    if let Some(name) = schema.query {
                        types.query = name.node.to_string();
                    }
                    if let Some(name) = schema.mutation {
                        types.mutation = name.node.to_string();
                    }
                    if let Some(name) = schema.subscription {
                        types.subscription = name.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(definition) => {
                    let definition = definition.node;
                    let name = definition.name.node.to_string();
                    let fields = match definition.kind {
                        TypeKind::Object(object) => object.fields,
                        TypeKind::Interface(interface) => interface.fields,
                        TypeKind::Enum(enumeration) => {
                            let values = enumeration.values.iter();
                            let values = values.map(|v| v.node.value.node.to_string()).collect();
                            types.enums.insert(name, values);
                            continue;
                        }
                        TypeKind::InputObject(input) => {
                            let fields = input.fields.into_iter().map(|field| {
                                let field = field.node;
                                let has_default = field.default_value.is_some();
                                (field.name.node.to_string(), field.ty.node, has_default)
                            });
                            types.input_objects.insert(name, fields.collect());
                            continue;
                        }
                        TypeKind::Scalar | TypeKind::Union(_) => continue,
                    };
                    let shapes = fields.into_iter().map(|field| {
                        let field = field.node;
                        let arguments = field.arguments.into_iter().map(|argument| {
                            (argument.node.name.node.to_string(), argument.node.ty.node)
                        });
                        let shape = FieldShape {
                            arguments: arguments.collect(),
                            returns: named_type(&field.ty.node).to_string(),
                            ty: field.ty.node,
                        };
                        (field.name.node.to_string(), shape)
                    });
                    types.fields.insert(name, shapes.collect());
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        types
    }
}

fn named_type(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named_type(inner),
    }
}

/// The type an inline fragment's fields are selected on: its condition, or
/// (without one) the type around it.
pub fn applies_to<'a>(fragment: &'a InlineFragment, on_type: &'a str) -> &'a str {
    fragment
        .type_condition
        .as_ref()
        .map_or(on_type, |condition| condition.node.on.node.as_str())
}

//! The schema's types as the pipeline needs them (argument and field types,
//! input objects, enums, and the cost directives' weights and list sizes),
//! read from the SDL the schema exports.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use async_graphql::parser::types::{
    BaseType, ConstDirective, InlineFragment, OperationType, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Positioned, Value};

/// What the pipeline knows of the schema's types.
pub struct SchemaTypes {
    /// Each object's and interface's fields: their arguments' types and the
    /// named type they return.
    pub fields: HashMap<String, HashMap<String, FieldShape>>,
    /// Each input object's fields: type and whether it has a default.
    pub input_objects: HashMap<String, Vec<(String, Type, bool)>>,
    pub enums: HashMap<String, HashSet<String>>,
    /// Objects, interfaces and unions (what a field costs 1 for by default).
    pub composites: HashSet<String>,
    /// The `@cost` weight of each type that has one; an interface or union
    /// weighs as its heaviest member (the specification's rule for abstract
    /// types).
    pub type_costs: HashMap<String, f64>,
    query: String,
    mutation: String,
    subscription: String,
}

pub struct FieldShape {
    pub arguments: HashMap<String, Type>,
    /// The field's type, and the named type inside its lists.
    pub ty: Type,
    pub returns: String,
    /// The field's `@cost` weight, if it has one.
    pub cost: Option<f64>,
    /// The `@cost` weight of each argument that has one.
    pub argument_costs: HashMap<String, f64>,
    pub list_size: Option<ListSize>,
}

/// A field's `@listSize`, with its slicing arguments' defaults resolved.
pub struct ListSize {
    pub assumed_size: Option<u64>,
    /// Each slicing argument and its default, if it has one.
    pub slicing_arguments: Vec<(String, Option<u64>)>,
    pub sized_fields: Vec<String>,
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
            composites: HashSet::new(),
            type_costs: HashMap::new(),
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
        };
        // Each interface's and union's members, to weigh them.
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
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
                    if let Some(weight) = weight_of(&definition.directives) {
                        types.type_costs.insert(name.clone(), weight);
                    }
                    let fields = match definition.kind {
                        TypeKind::Object(object) => {
                            for interface in &object.implements {
                                let interface = interface.node.to_string();
                                members.entry(interface).or_default().push(name.clone());
                            }
                            types.composites.insert(name.clone());
                            object.fields
                        }
                        TypeKind::Interface(interface) => {
                            types.composites.insert(name.clone());
                            interface.fields
                        }
                        TypeKind::Union(union) => {
                            let union_members = union.members.iter().map(|m| m.node.to_string());
                            members.insert(name.clone(), union_members.collect());
                            types.composites.insert(name);
                            continue;
                        }
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
                        TypeKind::Scalar => continue,
                    };
                    let shapes = fields.into_iter().map(|field| {
                        let field = field.node;
                        let list_size = list_size_of(&field.directives, &field.arguments);
                        let argument_costs = field.arguments.iter().filter_map(|argument| {
                            let weight = weight_of(&argument.node.directives)?;
                            Some((argument.node.name.node.to_string(), weight))
                        });
                        let argument_costs = argument_costs.collect();
                        let arguments = field.arguments.into_iter().map(|argument| {
                            (argument.node.name.node.to_string(), argument.node.ty.node)
                        });
                        let shape = FieldShape {
                            arguments: arguments.collect(),
                            returns: named_type(&field.ty.node).to_string(),
                            cost: weight_of(&field.directives),
                            argument_costs,
                            list_size,
                            ty: field.ty.node,
                        };
                        (field.name.node.to_string(), shape)
                    });
                    types.fields.insert(name, shapes.collect());
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        // An abstract type weighs as its heaviest member.
        for (abstract_type, members) in members {
            let heaviest = members
                .iter()
                .map(|member| types.type_costs.get(member).copied().unwrap_or(1.0))
                .fold(1.0_f64, f64::max);
            types.type_costs.insert(abstract_type, heaviest);
        }
        types
    }
}

/// The weight of a `@cost` among these directives (a serialised number, as
/// the specification writes it).
fn weight_of(directives: &[Positioned<ConstDirective>]) -> Option<f64> {
    let cost = directives.iter().find(|d| d.node.name.node == "cost")?;
    match cost.node.get_argument("weight").map(|w| &w.node) {
        Some(Value::String(weight)) => weight.parse().ok(),
        Some(Value::Number(weight)) => weight.as_f64(),
        _ => None,
    }
}

fn list_size_of(
    directives: &[Positioned<ConstDirective>],
    arguments: &[Positioned<async_graphql::parser::types::InputValueDefinition>],
) -> Option<ListSize> {
    let directive = directives.iter().find(|d| d.node.name.node == "listSize")?;
    let strings = |name: &str| match directive.node.get_argument(name).map(|v| &v.node) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let slicing_arguments = strings("slicingArguments")
        .into_iter()
        .map(|name| {
            let default = arguments
                .iter()
                .find(|argument| argument.node.name.node == name.as_str())
                .and_then(|argument| argument.node.default_value.as_ref())
                .and_then(|value| match &value.node {
                    Value::Number(n) => n.as_u64(),
                    _ => None,
                });
            (name, default)
        })
        .collect();
    let assumed_size = match directive.node.get_argument("assumedSize").map(|v| &v.node) {
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    Some(ListSize {
        assumed_size,
        slicing_arguments,
        sized_fields: strings("sizedFields"),
    })
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

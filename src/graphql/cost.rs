//! The cost directives of IBM's GraphQL Cost Directives specification
//! (<https://ibm.github.io/graphql-specs/cost-spec.html>): `@cost(weight:)`
//! and `@listSize(..)`, applied to the schema's fields with
//! `#[graphql(directive = ..)]`. They reach the exported SDL (and so
//! `schema.graphql` and `_service { sdl }`), and the pipeline's cost analysis
//! (`http::pipeline::cost`) reads them back from that same SDL: the weights a
//! client sees are the weights the server charges.
//!
//! Written by hand rather than with `#[TypeDirective]`, whose locations
//! cannot say SCALAR, which the specification's definition of `@cost` has.

use async_graphql::registry::{
    __DirectiveLocation, Deprecation, MetaDirective, MetaDirectiveInvocation, MetaInputValue,
    Registry, location_traits,
};
use async_graphql::{TypeDirective, Value};

/// `@cost(weight: String!)`: what one appearance of a field, an argument or
/// a type adds to an operation's cost.
#[allow(non_camel_case_types)]
pub struct cost;

impl cost {
    /// The weight, written as the specification's serialised number.
    pub fn apply(weight: u32) -> MetaDirectiveInvocation {
        let mut args = async_graphql::indexmap::IndexMap::new();
        args.insert("weight".to_string(), Value::String(weight.to_string()));
        MetaDirectiveInvocation {
            name: "cost".to_string(),
            args,
        }
    }
}

impl TypeDirective for cost {
    fn name(&self) -> std::borrow::Cow<'static, str> {
        "cost".into()
    }

    fn register(&self, registry: &mut Registry) {
        use __DirectiveLocation::*;
        registry.add_directive(MetaDirective {
            name: "cost".to_string(),
            description: Some(
                "What each appearance of a field, argument or type adds to an operation's cost (IBM GraphQL Cost Directives). Without it an object costs 1, a scalar or enum 0, a root mutation field 10."
                    .to_string(),
            ),
            locations: vec![
                ARGUMENT_DEFINITION,
                ENUM,
                FIELD_DEFINITION,
                INPUT_FIELD_DEFINITION,
                OBJECT,
                SCALAR,
            ],
            args: [argument("weight", "String!", None)].into_iter().collect(),
            is_repeatable: false,
            visible: None,
            composable: None,
        });
    }
}

impl location_traits::Directive_At_FIELD_DEFINITION for cost {}
impl location_traits::Directive_At_OBJECT for cost {}
impl location_traits::Directive_At_ARGUMENT_DEFINITION for cost {}
impl location_traits::Directive_At_INPUT_FIELD_DEFINITION for cost {}
impl location_traits::Directive_At_ENUM for cost {}

/// `@listSize(..)`: how long a list a field returns may be.
#[allow(non_camel_case_types)]
pub struct list_size;

/// The arguments of one `@listSize`.
pub struct ListSize {
    assumed_size: Option<u32>,
    slicing_arguments: &'static [&'static str],
    sized_fields: &'static [&'static str],
    require_one_slicing_argument: bool,
}

/// A list of at most `size` items.
pub const fn assumed(size: u32) -> ListSize {
    ListSize {
        assumed_size: Some(size),
        slicing_arguments: &[],
        sized_fields: &[],
        require_one_slicing_argument: true,
    }
}

/// A list as long as the largest of these arguments.
pub const fn sliced_by(arguments: &'static [&'static str]) -> ListSize {
    ListSize {
        assumed_size: None,
        slicing_arguments: arguments,
        sized_fields: &[],
        require_one_slicing_argument: true,
    }
}

/// A Relay connection: `first` or `last` (or `default` items when neither is
/// given) sizes its `edges` and `nodes`.
pub const fn connection(default: u32) -> ListSize {
    ListSize {
        assumed_size: Some(default),
        slicing_arguments: &["first", "last"],
        sized_fields: &["edges", "nodes"],
        require_one_slicing_argument: false,
    }
}

/// A connection paged forward only (`first`).
pub const fn forward_connection(default: u32) -> ListSize {
    ListSize {
        slicing_arguments: &["first"],
        ..connection(default)
    }
}

impl list_size {
    pub fn apply(size: ListSize) -> MetaDirectiveInvocation {
        let strings = |names: &[&str]| {
            Value::List(names.iter().map(|n| Value::String(n.to_string())).collect())
        };
        let mut args = async_graphql::indexmap::IndexMap::new();
        if let Some(assumed) = size.assumed_size {
            args.insert("assumedSize".to_string(), Value::from(assumed));
        }
        if !size.slicing_arguments.is_empty() {
            args.insert(
                "slicingArguments".to_string(),
                strings(size.slicing_arguments),
            );
        }
        if !size.sized_fields.is_empty() {
            args.insert("sizedFields".to_string(), strings(size.sized_fields));
        }
        if !size.require_one_slicing_argument && !size.slicing_arguments.is_empty() {
            args.insert(
                "requireOneSlicingArgument".to_string(),
                Value::Boolean(false),
            );
        }
        MetaDirectiveInvocation {
            name: "listSize".to_string(),
            args,
        }
    }
}

impl TypeDirective for list_size {
    fn name(&self) -> std::borrow::Cow<'static, str> {
        "listSize".into()
    }

    fn register(&self, registry: &mut Registry) {
        registry.add_directive(MetaDirective {
            name: "listSize".to_string(),
            description: Some(
                "How many items a list field returns (IBM GraphQL Cost Directives): at most `assumedSize`, or the largest of its `slicingArguments`; with `sizedFields`, the size is that of those fields of the object it returns."
                    .to_string(),
            ),
            locations: vec![__DirectiveLocation::FIELD_DEFINITION],
            args: [
                argument("assumedSize", "Int", None),
                argument("slicingArguments", "[String!]", None),
                argument("sizedFields", "[String!]", None),
                argument("requireOneSlicingArgument", "Boolean", Some("true")),
            ]
            .into_iter()
            .collect(),
            is_repeatable: false,
            visible: None,
            composable: None,
        });
    }
}

impl location_traits::Directive_At_FIELD_DEFINITION for list_size {}

fn argument(name: &str, ty: &str, default: Option<&str>) -> (String, MetaInputValue) {
    let value = MetaInputValue {
        name: name.to_string(),
        description: None,
        ty: ty.to_string(),
        deprecation: Deprecation::NoDeprecated,
        default_value: default.map(str::to_string),
        visible: None,
        inaccessible: false,
        tags: Vec::new(),
        is_secret: false,
        directive_invocations: Vec::new(),
    };
    (name.to_string(), value)
}

//! Objects whose fields are resolved in place: one future per field, all
//! polled together from one vector, answered in the query's order.
//!
//! async-graphql's `resolve_container` boxes every field's future (copying
//! the future of the type's largest resolver each time), runs them in a
//! `FuturesUnordered` (a task node and a waker per field) and keeps the
//! fields in the order they finish. For the nodes of long lists (the films
//! of ten filmographies, their directors) that machinery cost more than the
//! fields' own work. `Direct<T>` is `T` in the schema (its name, fields and
//! type information are `T`'s) and answers as `resolve_container` does:
//! fragments expanded where their type condition applies, `__typename`, a
//! failed field's error added to the response and the field left out,
//! fields that share a response key merged, `null` for an object of no
//! fields. An object whose selection carries a field directive goes through
//! `resolve_container` (async-graphql removes `@skip` and `@include` before
//! execution, so only custom directives would), and so would a schema with
//! extensions: their `resolve` hook is not called here, and the schema
//! (`graphql::schema_builder`) registers none.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, Fields, resolve_container};
use async_graphql::{
    Context, ContextSelectionSet, Name, ObjectType, OutputType, Positioned, ServerError,
    ServerResult, Value,
};
use futures_util::future::join_all;

/// `T`, whose fields are resolved in place (see the module).
pub struct Direct<T>(pub T);

impl<T: ObjectType> OutputType for Direct<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_in_place(ctx, &self.0).await
    }
}

impl<T: ObjectType> ContainerType for Direct<T> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        self.0.resolve_field(ctx).await
    }

    fn collect_all_fields<'a>(
        &'a self,
        ctx: &ContextSelectionSet<'a>,
        fields: &mut Fields<'a>,
    ) -> ServerResult<()> {
        self.0.collect_all_fields(ctx, fields)
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        self.0.find_entity(ctx, params).await
    }
}

impl<T: ObjectType> ObjectType for Direct<T> {}

/// `root`'s answer to the selection of `ctx`.
async fn resolve_in_place<T: ObjectType>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
) -> ServerResult<Value> {
    let mut fields = Vec::new();
    if !collect(ctx, root, &ctx.item.node, &mut fields)? {
        return resolve_container(ctx, root).await;
    }
    let contexts: Vec<_> = fields.iter().map(|field| ctx.with_field(field)).collect();
    let answers = join_all(contexts.iter().map(|field| async move {
        if field.item.node.name.node == "__typename" {
            let name = root.introspection_type_name().into_owned();
            return Ok(Some(Value::String(name)));
        }
        root.resolve_field(field).await
    }))
    .await;
    let mut object = IndexMap::with_capacity(fields.len());
    for (field, answer) in fields.iter().zip(answers) {
        match answer {
            Ok(value) => {
                let key = field.node.response_key().node.clone();
                merge(&mut object, key, value.unwrap_or_default());
            }
            Err(error) => ctx.add_error(error),
        }
    }
    Ok(if object.is_empty() {
        Value::Null
    } else {
        Value::Object(object)
    })
}

/// Pushes the fields of `set` that apply to `root` onto `fields`, in order,
/// expanding fragments whose type condition `root` meets. False when a field
/// carries a directive.
fn collect<'a, T: ObjectType>(
    ctx: &ContextSelectionSet<'a>,
    root: &T,
    set: &'a SelectionSet,
    fields: &mut Vec<&'a Positioned<Field>>,
) -> ServerResult<bool> {
    for selection in &set.items {
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                if !field.node.directives.is_empty() {
                    return Ok(false);
                }
                fields.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = ctx.query_env.fragments.get(name) else {
                    let message = format!(r#"Unknown fragment "{name}"."#);
                    return Err(ServerError::new(message, Some(spread.pos)));
                };
                let fragment = &fragment.node;
                (Some(&fragment.type_condition), &fragment.selection_set)
            }
            Selection::InlineFragment(fragment) => (
                fragment.node.type_condition.as_ref(),
                &fragment.node.selection_set,
            ),
        };
        let applies = condition.is_none_or(|condition| {
            let condition = condition.node.on.node.as_str();
            let name = root.introspection_type_name();
            name == condition
                || ctx
                    .schema_env
                    .registry
                    .implements
                    .get(name.as_ref())
                    .is_some_and(|interfaces| interfaces.contains(condition))
        });
        if applies && !collect(ctx, root, &inner.node, fields)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Adds a field's value under `key`, merging it into the value already there
/// (objects key by key, lists of objects item by item), as async-graphql does.
fn merge(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    let present = match object.entry(key) {
        Entry::Vacant(vacant) => {
            vacant.insert(value);
            return;
        }
        Entry::Occupied(occupied) => occupied.into_mut(),
    };
    match (present, value) {
        (Value::Object(present), Value::Object(value)) => {
            for (key, value) in value {
                merge(present, key, value);
            }
        }
        (Value::List(present), Value::List(value)) => {
            for (item, value) in present.iter_mut().zip(value) {
                if let (Value::Object(item), Value::Object(value)) = (item, value) {
                    for (key, value) in value {
                        merge(item, key, value);
                    }
                }
            }
        }
        _ => {}
    }
}

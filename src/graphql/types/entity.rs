//! Federation entities: a gateway that holds the global id of a film, a
//! person or a product (their `@key(fields: "id")`) asks `_entities` for the
//! rest. Each reference goes through the row loader, so a batch of
//! representations costs one statement per type, as `nodes` does.
//!
//! An id that is malformed, names another type or no row resolves to null:
//! a reference from another subgraph is data, not the gateway's mistake, and
//! one bad reference must not void the others of its batch.

use async_graphql::{Context, ID, Object};

use super::film::Film;
use super::person::Person;
use super::product::Product;
use crate::db::entities::{film, person, product};
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::loaders::RowLoader;
use crate::ids::{self, NodeKind};

#[derive(Default)]
pub struct EntityQuery;

#[Object]
impl EntityQuery {
    #[graphql(entity)]
    async fn film_entity(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Film>> {
        let Some(row) = row_of(NodeKind::Film, &id) else {
            return Ok(None);
        };
        let found = loader(ctx).by_id::<film::Entity>(row).await.gql()?;
        Ok(found.map(Film::new))
    }

    #[graphql(entity)]
    async fn person_entity(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Person>> {
        let Some(row) = row_of(NodeKind::Person, &id) else {
            return Ok(None);
        };
        let found = loader(ctx).by_id::<person::Entity>(row).await.gql()?;
        Ok(found.map(Person::new))
    }

    #[graphql(entity)]
    async fn product_entity(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Product>> {
        let Some(row) = row_of(NodeKind::Product, &id) else {
            return Ok(None);
        };
        let found = loader(ctx).by_id::<product::Entity>(row).await.gql()?;
        Ok(found.map(Product))
    }
}

/// The row an entity's key names, if it is a well-formed id of `kind`.
fn row_of(kind: NodeKind, id: &str) -> Option<i32> {
    ids::decode_as(kind, id).ok()
}

//! The Relay `Node` interface: any object with a global id can be fetched back
//! with `node(id)` or, many at once, `nodes(ids)`.

use async_graphql::{Context, ID, Interface, Object};
use futures_util::future::try_join_all;

use super::award::{Award, Nomination};
use super::character::{Character, Quote};
use super::film::Collection;
use super::film::{Film, film_columns};
use super::genre::Genre;
use super::lists::{UserList, visible_list};
use super::person::{Person, person_columns};
use super::product::Product;
use super::review::Review;
use crate::db::entities::*;
use crate::error::AppResult;
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::loaders::RowLoader;
use crate::ids::{self, NodeKind};

/// An object with a global id.
// Short-lived per-request values: boxing the film row would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id, accepted by `node`."))]
pub enum Node {
    Film(Film),
    Person(Person),
    Character(Character),
    Quote(Quote),
    Review(Review),
    Award(Award),
    Nomination(Nomination),
    Product(Product),
    Genre(Genre),
    List(UserList),
    Collection(Collection),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id; null when it does not exist.
    /// A string that is not a global id is BAD_USER_INPUT.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as any object's `id` field gives it.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        find_node(ctx, &id).await.gql()
    }

    /// The objects with these ids, in the same order; null for each that does not exist.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(max_items = 100), desc = "Up to 100 global ids.")] ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        try_join_all(ids.iter().map(|id| find_node(ctx, id)))
            .await
            .gql()
    }
}

async fn find_node(ctx: &Context<'_>, id: &str) -> AppResult<Option<Node>> {
    let (kind, row) = ids::decode(id)?;
    let loader = loader(ctx);
    Ok(match kind {
        // Accounts, sessions, films' revisions (editors' business) and
        // webhooks (admins') are private: their ids do not resolve through `node`.
        NodeKind::User | NodeKind::Session | NodeKind::Revision | NodeKind::Webhook => None,
        // A private list is someone else's secret: null, as if missing.
        NodeKind::List => visible_list(ctx, row).await?.map(Node::List),
        // Films and people read the columns the selection asks for.
        NodeKind::Film => {
            let columns = film_columns(&[ctx.field()]);
            loader
                .by_id_with::<film::Entity>(row, columns)
                .await?
                .map(|m| Node::Film(Film::with_columns(m, columns)))
        }
        NodeKind::Person => {
            let columns = person_columns(&[ctx.field()]);
            loader
                .by_id_with::<person::Entity>(row, columns)
                .await?
                .map(|m| Node::Person(Person::with_columns(m, columns)))
        }
        NodeKind::Character => loader
            .by_id::<film_character::Entity>(row)
            .await?
            .map(|m| Node::Character(Character(m))),
        NodeKind::Quote => loader
            .by_id::<quote::Entity>(row)
            .await?
            .map(|m| Node::Quote(Quote(m))),
        NodeKind::Review => loader
            .by_id::<review::Entity>(row)
            .await?
            .map(|m| Node::Review(Review(m))),
        NodeKind::Award => loader
            .by_id::<award::Entity>(row)
            .await?
            .map(|m| Node::Award(Award(m))),
        NodeKind::Nomination => loader
            .by_id::<nomination::Entity>(row)
            .await?
            .map(|m| Node::Nomination(Nomination(m))),
        NodeKind::Product => loader
            .by_id::<product::Entity>(row)
            .await?
            .map(|m| Node::Product(Product(m))),
        NodeKind::Genre => loader
            .by_id::<genre::Entity>(row)
            .await?
            .map(|m| Node::Genre(Genre(m))),
        NodeKind::Collection => loader
            .by_id::<collection::Entity>(row)
            .await?
            .map(|m| Node::Collection(Collection(m))),
    })
}

//! Products related to films: discs, box sets, soundtracks, merchandise.

use async_graphql::{Context, ID, Object, OneofObject};

use super::film::{Film, films_by_ids};
use super::global_id;
use super::vocabulary::{ProductKind, stored};
use crate::db::entities::product;
use crate::db::queries::product as products;
use crate::db::queries::rows::rel;
use crate::error::AppResult;
use crate::graphql::context::{GqlResult, db, loader};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::loaders::RowLoader;
use crate::ids::{self, NodeKind};
use crate::kinds;

/// How to find one product: exactly one of id or slug.
#[derive(OneofObject)]
pub enum ProductBy {
    /// The product's global id.
    Id(ID),
    /// The product's URL slug, such as `leaving-las-vegas-blu-ray`.
    Slug(String),
}

#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// One product by id or slug; null when none matches.
    async fn product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Exactly one of the product's id or slug.")] by: ProductBy,
    ) -> async_graphql::Result<Option<Product>> {
        find_product(ctx, by).await.gql()
    }
}

async fn find_product(ctx: &Context<'_>, by: ProductBy) -> AppResult<Option<Product>> {
    Ok(match by {
        ProductBy::Id(id) => {
            let row = ids::decode_as(NodeKind::Product, &id)?;
            loader(ctx).by_id::<product::Entity>(row).await?
        }
        ProductBy::Slug(slug) => products::by_slug(db(ctx), &slug).await?,
    }
    .map(Product))
}

/// Products by id, in the order given.
pub async fn products_by_ids(
    ctx: &Context<'_>,
    ids: impl Iterator<Item = i32>,
) -> AppResult<Vec<Product>> {
    let ids: Vec<i32> = ids.collect();
    let found = loader(ctx).by_ids::<product::Entity>(ids.clone()).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.get(id).cloned().map(Product))
        .collect())
}

#[derive(Clone)]
pub struct Product(pub product::Model);

/// A product related to one or more films.
#[Object]
impl Product {
    /// Opaque global id; `node(id:)` fetches the product back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Product, self.0.id)
    }
    /// URL slug, unique, such as `leaving-las-vegas-blu-ray`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The product's name, such as "Leaving Las Vegas (Blu-ray)".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of product it is: disc, book, download, merchandise...
    async fn kind(&self) -> async_graphql::Result<ProductKind> {
        stored(&self.0.kind, kinds::ProductKind::parse)
    }
    /// What the product is and contains, when known.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The films the product covers, in its own order (a box set lists each film).
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn films(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Film>> {
        let links = loader(ctx)
            .children::<rel::FilmsOfProduct>(self.0.id)
            .await
            .gql()?;
        let ids: Vec<i32> = links.iter().map(|l| l.film_id).collect();
        films_by_ids(ctx, &ids).await.gql()
    }
}

//! Awards and nominations.

use async_graphql::{Context, ID, Object};
use sea_orm::{EntityTrait, QueryOrder};

use super::film::{Film, parent_film, people_of};
use super::ids::{self, NodeKind};
use super::loaders::{ById, ChildrenOf, rel};
use super::person::Person;
use super::{GqlResult, db, loader};
use crate::db::entities::{award, nomination};
use crate::error::AppError;

#[derive(Default)]
pub struct AwardQuery;

#[Object]
impl AwardQuery {
    /// Every award known to the catalogue, by organisation and name.
    async fn awards(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Award>> {
        let rows = award::Entity::find()
            .order_by_asc(award::Column::Organization)
            .order_by_asc(award::Column::Name)
            .all(db(ctx))
            .await
            .map_err(AppError::from)
            .gql()?;
        Ok(rows.into_iter().map(Award).collect())
    }
}

/// An award such as the Academy Award.
#[derive(Clone)]
pub struct Award(pub award::Model);

#[Object]
impl Award {
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Award, self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Who gives it, such as the Academy of Motion Picture Arts and Sciences.
    async fn organization(&self) -> &str {
        &self.0.organization
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A film's nomination for an award: category, year, outcome and the people named.
#[derive(Clone)]
pub struct Nomination(pub nomination::Model);

#[Object]
impl Nomination {
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Nomination, self.0.id)
    }
    async fn award(&self, ctx: &Context<'_>) -> async_graphql::Result<Award> {
        let row = loader(ctx)
            .load_one(ById::<award::Entity>::new(self.0.award_id))
            .await
            .gql()?;
        row.map(Award)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("award {} is missing", self.0.award_id))
            })
            .gql()
    }
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        parent_film(ctx, self.0.film_id).await
    }
    /// Such as "Best Actor".
    async fn category(&self) -> &str {
        &self.0.category
    }
    /// The year of the ceremony.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// True when the nomination won.
    async fn won(&self) -> bool {
        self.0.won
    }
    /// The people the nomination names.
    async fn recipients(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Person>> {
        let links = loader(ctx)
            .load_one(ChildrenOf::<rel::RecipientsOfNomination>::new(self.0.id))
            .await
            .gql()?
            .unwrap_or_default();
        let people = people_of(ctx, links.iter().map(|l| l.person_id)).await?;
        Ok(links
            .iter()
            .filter_map(|l| people.get(&ById::new(l.person_id)).cloned().map(Person))
            .collect())
    }
}

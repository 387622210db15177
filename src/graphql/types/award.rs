//! Awards and nominations.

use async_graphql::{Context, ID, Object};

use super::film::{Film, film_of_field, people_of_field};
use super::global_id;
use super::person::Person;
use crate::db::entities::{award, nomination};
use crate::db::queries::award as awards;
use crate::db::queries::rows::rel;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, db, loader};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::loaders::RowLoader;
use crate::ids::NodeKind;

#[derive(Default)]
pub struct AwardQuery;

#[Object]
impl AwardQuery {
    /// Every award with how many films were nominated and how many won, most films first.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn awards(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AwardCount>> {
        award_counts(ctx).await.gql()
    }
}

#[derive(Clone)]
pub struct Award(pub award::Model);

/// An award such as the Academy Award.
#[Object]
impl Award {
    /// Opaque global id; `node(id:)` fetches the award back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Award, self.0.id)
    }
    /// URL slug, unique, such as `academy-award`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Who gives it, such as the Academy of Motion Picture Arts and Sciences.
    async fn organization(&self) -> &str {
        &self.0.organization
    }
    /// The award's name, such as "Academy Award".
    async fn name(&self) -> &str {
        &self.0.name
    }
}

#[derive(Clone)]
pub struct Nomination(pub nomination::Model);

/// A film's nomination for an award: category, year, outcome and the people named.
#[Object]
impl Nomination {
    /// Opaque global id; `node(id:)` fetches the nomination back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Nomination, self.0.id)
    }
    /// The award the nomination is for.
    async fn award(&self, ctx: &Context<'_>) -> async_graphql::Result<Award> {
        let row = loader(ctx)
            .by_id::<award::Entity>(self.0.award_id)
            .await
            .gql()?;
        row.map(Award)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("award {} is missing", self.0.award_id))
            })
            .gql()
    }
    /// The film nominated.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        film_of_field(ctx, self.0.film_id).await
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
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn recipients(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Person>> {
        let links = loader(ctx)
            .children::<rel::RecipientsOfNomination>(self.0.id)
            .await
            .gql()?;
        let people = people_of_field(ctx, links.iter().map(|l| l.person_id).collect()).await?;
        Ok(links
            .iter()
            .filter_map(|l| people.get(&l.person_id).cloned())
            .collect())
    }
}

/// An award with its film counts.
#[derive(async_graphql::SimpleObject)]
pub struct AwardCount {
    /// The award counted.
    pub award: Award,
    /// Films with at least one nomination.
    pub film_count: i64,
    /// Films with at least one win.
    pub winning_film_count: i64,
    /// Nominations for the award across all films, wins included.
    pub nomination_count: i64,
}

async fn award_counts(ctx: &Context<'_>) -> AppResult<Vec<AwardCount>> {
    let counted = awards::with_counts(db(ctx)).await?;
    Ok(counted
        .into_iter()
        .map(|counts| AwardCount {
            award: Award(counts.award),
            film_count: counts.film_count,
            winning_film_count: counts.winning_film_count,
            nomination_count: counts.nomination_count,
        })
        .collect())
}

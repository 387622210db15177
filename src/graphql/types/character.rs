//! Characters of a film and the quotes they speak.

use async_graphql::{Context, ID, Object};

use super::film::{Film, film_of_field, people_of_field};
use super::global_id;
use super::person::Person;
use crate::db::entities::{film_character, quote};
use crate::db::queries::rows::rel;
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::loaders::RowLoader;
use crate::ids::NodeKind;

#[derive(Clone)]
pub struct Character(pub film_character::Model);

/// A character of one film, played by one or more people.
#[Object]
impl Character {
    /// Opaque global id; `node(id:)` fetches the character back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Character, self.0.id)
    }
    /// The character's name as the film's page gives it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Who the character is in the story.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The film the character appears in.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        film_of_field(ctx, self.0.film_id).await
    }
    /// The people who played the character.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn performers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Person>> {
        let credits = loader(ctx)
            .children::<rel::PerformersOfCharacter>(self.0.id)
            .await
            .gql()?;
        let people = people_of_field(ctx, credits.iter().map(|c| c.person_id).collect()).await?;
        Ok(credits
            .iter()
            .filter_map(|c| people.get(&c.person_id).cloned())
            .collect())
    }
    /// What the character says, in the film's quote order.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn quotes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Quote>> {
        let rows = loader(ctx)
            .children::<rel::QuotesOfCharacter>(self.0.id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Quote).collect())
    }
}

#[derive(Clone)]
pub struct Quote(pub quote::Model);

/// A memorable line of a film.
#[Object]
impl Quote {
    /// Opaque global id; `node(id:)` fetches the quote back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Quote, self.0.id)
    }
    /// The line itself.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// When it is said and what it means.
    async fn context(&self) -> Option<&str> {
        self.0.context.as_deref()
    }
    /// The character who says it, when known.
    async fn speaker(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Character>> {
        let Some(id) = self.0.character_id else {
            return Ok(None);
        };
        let row = loader(ctx)
            .by_id::<film_character::Entity>(id)
            .await
            .gql()?;
        Ok(row.map(Character))
    }
    /// The film the line is from.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        film_of_field(ctx, self.0.film_id).await
    }
}

//! Credits: the role on a credit's edge (`CreditDetails`) and the two pages
//! of credits, a film's cast and crew and a person's filmography. Both read
//! the other side (people, films) in the page's statement, and the
//! characters too when the edges ask for them.

use async_graphql::{Context, Object};

use super::character::Character;
use super::film::{Film, FilmCreditConnection, FilmCreditEdge, film_columns};
use super::person::{Person, PersonCreditConnection, PersonCreditEdge, person_columns};
use super::vocabulary::{CreditKind, stored};
use crate::db::entities::{credit, film, film_character, person};
use crate::db::queries::pages::{PagedRelation, WithCharacter};
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{
    PageRequest, PagedConnection, edge_selects, node_selections, relation_connection,
};
use crate::kinds::{self, KindSet};

/// What a credit says beyond its person and film: the role.
pub struct CreditDetails {
    credit: credit::Model,
    character: CreditCharacter,
}

/// A credit's character: read with the page, or left to its loader.
enum CreditCharacter {
    Read(Option<film_character::Model>),
    ById,
}

impl CreditDetails {
    fn new(credit: credit::Model) -> Self {
        CreditDetails {
            credit,
            character: CreditCharacter::ById,
        }
    }
    fn with_character(credit: credit::Model, character: Option<film_character::Model>) -> Self {
        CreditDetails {
            credit,
            character: CreditCharacter::Read(character),
        }
    }
}

#[Object]
impl CreditDetails {
    /// What the person did on the film.
    async fn kind(&self) -> async_graphql::Result<CreditKind> {
        stored(&self.credit.kind, kinds::CreditKind::parse)
    }
    /// The job as credited, such as "Screenplay".
    async fn job(&self) -> Option<&str> {
        self.credit.job.as_deref()
    }
    /// Position in the source's billing (1 is top billing); null for crew and
    /// where the source gave no billing (the catalogue's cast lists).
    async fn billing_order(&self) -> Option<i32> {
        self.credit.billing_order
    }
    /// The character played, for cast credits.
    async fn character(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Character>> {
        let row = match (&self.character, self.credit.character_id) {
            (CreditCharacter::Read(character), _) => character.clone(),
            (CreditCharacter::ById, None) => None,
            (CreditCharacter::ById, Some(id)) => loader(ctx)
                .by_id::<film_character::Entity>(id)
                .await
                .gql()?,
        };
        Ok(row.map(Character))
    }
}

/// A page of a film's credits, each with its person (and character).
pub async fn film_credits(
    ctx: &Context<'_>,
    film_id: i32,
    kinds: KindSet,
    request: PageRequest,
) -> async_graphql::Result<
    PagedConnection<Person, CreditDetails, FilmCreditConnection, FilmCreditEdge>,
> {
    let columns = person_columns(&node_selections(ctx));
    let relation = PagedRelation::FilmCredits;
    let connection = if edge_selects(ctx, "character") {
        relation_connection::<credit::Entity, WithCharacter<person::Entity>, _, _, _, _>(
            ctx,
            relation,
            film_id,
            kinds,
            columns,
            request,
            |(credit, (person, character))| {
                let details = CreditDetails::with_character(credit, character);
                (Person::with_columns(person, columns), details)
            },
        )
        .await
    } else {
        relation_connection::<credit::Entity, person::Entity, _, _, _, _>(
            ctx,
            relation,
            film_id,
            kinds,
            columns,
            request,
            |(credit, person)| {
                (
                    Person::with_columns(person, columns),
                    CreditDetails::new(credit),
                )
            },
        )
        .await
    };
    connection.gql()
}

/// A page of a person's credits, each with its film (and character).
pub async fn person_credits(
    ctx: &Context<'_>,
    person_id: i32,
    kinds: KindSet,
    request: PageRequest,
) -> async_graphql::Result<
    PagedConnection<Film, CreditDetails, PersonCreditConnection, PersonCreditEdge>,
> {
    let columns = film_columns(&node_selections(ctx));
    let relation = PagedRelation::PersonCredits;
    let connection = if edge_selects(ctx, "character") {
        relation_connection::<credit::Entity, WithCharacter<film::Entity>, _, _, _, _>(
            ctx,
            relation,
            person_id,
            kinds,
            columns,
            request,
            |(credit, (film, character))| {
                let details = CreditDetails::with_character(credit, character);
                (Film::with_columns(film, columns), details)
            },
        )
        .await
    } else {
        relation_connection::<credit::Entity, film::Entity, _, _, _, _>(
            ctx,
            relation,
            person_id,
            kinds,
            columns,
            request,
            |(credit, film)| {
                (
                    Film::with_columns(film, columns),
                    CreditDetails::new(credit),
                )
            },
        )
        .await
    };
    connection.gql()
}

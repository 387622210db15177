//! Credits: the role on a credit's edge (`CreditDetails`) and one page for
//! both lists of credits, a film's cast and crew and a person's
//! filmography. It reads the other side (people, films) in the page's
//! statement, and the characters too when the edges ask for them.

use async_graphql::connection::EdgeNameType;
use async_graphql::{Context, Object, OutputType};

use super::character::Character;
use super::film::Film;
use super::person::Person;
use super::vocabulary::{CreditKind, stored};
use crate::db::columns::ColumnSet;
use crate::db::entities::{credit, film, film_character, person};
use crate::db::queries::pages::{Paged, PagedRelation, WithCharacter};
use crate::db::queries::rows::ModelOf;
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{
    ConnectionName, PageRequest, PagedConnection, edge_selects, relation_connection,
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

/// What a credit page shows on the other side of each credit: a film's
/// credits show people, a person's show films.
pub trait CreditSide: OutputType {
    type Entity: Paged;
    /// The node of a row holding the columns of `read`.
    fn node(row: ModelOf<Self::Entity>, read: ColumnSet) -> Self;
}

impl CreditSide for Person {
    type Entity = person::Entity;
    fn node(row: person::Model, read: ColumnSet) -> Self {
        Person::with_columns(row, read)
    }
}

impl CreditSide for Film {
    type Entity = film::Entity;
    fn node(row: film::Model, read: ColumnSet) -> Self {
        Film::with_columns(row, read)
    }
}

/// A page of `relation`'s credits for `parent` (a film's or a person's),
/// each with its other side (the columns of `columns`: see
/// `person_columns`, `film_columns`), and its character when the edges ask
/// for it.
pub async fn credit_page<Side, Name, EdgeName>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    columns: ColumnSet,
    request: PageRequest,
) -> async_graphql::Result<PagedConnection<Side, CreditDetails, Name, EdgeName>>
where
    Side: CreditSide,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
{
    let connection = if edge_selects(ctx, "character") {
        relation_connection::<credit::Entity, WithCharacter<Side::Entity>, _, _, _, _>(
            ctx,
            relation,
            parent,
            kinds,
            columns,
            request,
            |(credit, (row, character))| {
                let details = CreditDetails::with_character(credit, character);
                (Side::node(row, columns), details)
            },
        )
        .await
    } else {
        relation_connection::<credit::Entity, Side::Entity, _, _, _, _>(
            ctx,
            relation,
            parent,
            kinds,
            columns,
            request,
            |(credit, row)| (Side::node(row, columns), CreditDetails::new(credit)),
        )
        .await
    };
    connection.gql()
}

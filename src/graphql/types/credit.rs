//! Credits: the role on a credit's edge (`CreditDetails`) and one page for
//! both lists of credits, a film's cast and crew and a person's
//! filmography. It reads the other side (people, films) in the page's
//! statement, and the characters too when the edges ask for them.

use async_graphql::connection::EdgeNameType;
use async_graphql::{Context, Object, ObjectType, SelectionField};

use super::character::Character;
use super::film::{Film, director_columns, film_columns};
use super::person::{Person, person_columns};
use super::vocabulary::{CreditKind, stored};
use crate::db::columns::ColumnSet;
use crate::db::entities::credit::Column as C;
use crate::db::entities::{credit, film, film_character, person};
use crate::db::queries::pages::{PageColumns, Paged, PagedRelation, WithCharacter};
use crate::db::queries::rows::ModelOf;
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::direct::Direct;
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{
    ConnectionName, PageRequest, PagedConnection, edge_selects, node_selections,
    relation_connection, total_only,
};
use crate::kinds::{self, KindSet};

/// What a credit says beyond its person and film: the role.
pub struct CreditDetails {
    credit: credit::Model,
    /// The columns of `credit` its page read (see [`role_columns`]).
    read: ColumnSet,
    character: CreditCharacter,
}

/// A credit's character: read with the page, or left to its loader.
enum CreditCharacter {
    Read(Option<film_character::Model>),
    ById,
}

impl CreditDetails {
    fn new(credit: credit::Model, read: ColumnSet) -> Self {
        CreditDetails {
            credit,
            read,
            character: CreditCharacter::ById,
        }
    }
    fn with_character(
        credit: credit::Model,
        read: ColumnSet,
        character: Option<film_character::Model>,
    ) -> Self {
        CreditDetails {
            credit,
            read,
            character: CreditCharacter::Read(character),
        }
    }
    /// The credit, whose `column` the page must have read.
    fn credit(&self, column: credit::Column) -> &credit::Model {
        debug_assert!(
            self.read.has::<credit::Entity>(column),
            "CreditDetails read {column:?}, which its page left out"
        );
        &self.credit
    }
}

/// The columns of a page's credits that its edges' selection shows (`kind`,
/// `job`, `billingOrder`, `character`), beside the id: a filmography of
/// titles reads no roles. `ctx` is the connection field's.
fn role_columns(ctx: &Context<'_>) -> ColumnSet {
    let shown: [(&str, C); 4] = [
        ("kind", C::Kind),
        ("job", C::Job),
        ("billingOrder", C::BillingOrder),
        ("character", C::CharacterId),
    ];
    shown
        .into_iter()
        .filter(|(field, _)| edge_selects(ctx, field))
        .fold(ColumnSet::key::<credit::Entity>(), |set, (_, column)| {
            set.with::<credit::Entity>(column)
        })
}

#[Object]
impl CreditDetails {
    /// What the person did on the film.
    async fn kind(&self) -> async_graphql::Result<CreditKind> {
        stored(&self.credit(C::Kind).kind, kinds::CreditKind::parse)
    }
    /// The job as credited, such as "Screenplay".
    async fn job(&self) -> Option<&str> {
        self.credit(C::Job).job.as_deref()
    }
    /// Position in the source's billing (1 is top billing); null for crew and
    /// where the source gave no billing (the catalogue's cast lists).
    async fn billing_order(&self) -> Option<i32> {
        self.credit(C::BillingOrder).billing_order
    }
    /// The character played, for cast credits.
    async fn character(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Character>> {
        let row = match (&self.character, self.credit(C::CharacterId).character_id) {
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
pub trait CreditSide: ObjectType {
    type Entity: Paged;
    /// The columns of its row that the nodes selected by `fields` read.
    fn columns(fields: &[SelectionField<'_>]) -> ColumnSet;
    /// The columns of the directors the nodes selected by `fields` show,
    /// which the page reads with its rows; none for a side without them.
    fn director_columns(fields: &[SelectionField<'_>]) -> ColumnSet {
        let _ = fields;
        ColumnSet::NONE
    }
    /// The node of a row holding the columns of `read`, with its directors
    /// (holding those of `directors_read`) when the page read them.
    fn node(
        row: ModelOf<Self::Entity>,
        read: ColumnSet,
        directors: Option<Vec<person::Model>>,
        directors_read: ColumnSet,
    ) -> Self;
}

impl CreditSide for Person {
    type Entity = person::Entity;
    fn columns(fields: &[SelectionField<'_>]) -> ColumnSet {
        person_columns(fields)
    }
    fn node(
        row: person::Model,
        read: ColumnSet,
        _: Option<Vec<person::Model>>,
        _: ColumnSet,
    ) -> Self {
        Person::with_columns(row, read)
    }
}

impl CreditSide for Film {
    type Entity = film::Entity;
    fn columns(fields: &[SelectionField<'_>]) -> ColumnSet {
        film_columns(fields)
    }
    fn director_columns(fields: &[SelectionField<'_>]) -> ColumnSet {
        director_columns(fields)
    }
    fn node(
        row: film::Model,
        read: ColumnSet,
        directors: Option<Vec<person::Model>>,
        directors_read: ColumnSet,
    ) -> Self {
        let film = Film::with_columns(row, read);
        match directors {
            Some(people) => film.with_directors(people, directors_read),
            None => film,
        }
    }
}

/// A page of `relation`'s credits for `parent` (a film's or a person's),
/// each with its other side (the columns its nodes' selection reads), and
/// its character when the edges ask for it. `known_total` is the list's
/// count when the parent's statement read it.
pub async fn credit_page<Side, Name, EdgeName>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    known_total: Option<i64>,
    request: PageRequest,
) -> async_graphql::Result<PagedConnection<Direct<Side>, CreditDetails, Name, EdgeName>>
where
    Side: CreditSide,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
{
    // A count reads no columns: B7's cast counts spent 2% of the request
    // working out the columns of pages they never read.
    if let Some(connection) = total_only(ctx, relation, parent, kinds, known_total) {
        return Ok(connection);
    }
    let nodes = node_selections(ctx);
    let roles = role_columns(ctx);
    let columns = PageColumns {
        own: roles,
        joined: Side::columns(&nodes),
        directors: Side::director_columns(&nodes),
    };
    let node = |row, directors| Side::node(row, columns.joined, directors, columns.directors);
    let connection = if roles.has::<credit::Entity>(credit::Column::CharacterId) {
        relation_connection::<credit::Entity, WithCharacter<Side::Entity>, _, _, _, _>(
            ctx,
            relation,
            parent,
            kinds,
            columns,
            request,
            |(credit, (row, character), directors)| {
                let details = CreditDetails::with_character(credit, roles, character);
                (Direct(node(row, directors)), details)
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
            |(credit, row, directors)| {
                let details = CreditDetails::new(credit, roles);
                (Direct(node(row, directors)), details)
            },
        )
        .await
    };
    connection.gql()
}

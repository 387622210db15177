//! People: the `Person` type with their filmography and awards, and look-ups.

use async_graphql::{Context, ID, Object, OneofObject};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::award::Nomination;
use super::character::Character;
use super::connection::connection_names;
use super::film::Film;
use super::ids::{self, NodeKind};
use super::loaders::{RowLoader, rel};
use super::paging::{self, PageArgs, PagedConnection, PagedRelation};
use super::person_list::{Coworker, CoworkersOf, PersonFilter, PersonListConnection, PersonOrder};
use super::sections::stored;
use super::{GqlResult, db, loader};
use crate::db::entities::{credit, film, film_character, nomination, person};
use crate::error::AppResult;
use crate::kinds::CreditKind;

connection_names!(
    PersonCreditConnection / PersonCreditEdge = "A page of a person's filmography: the films, oldest first, each edge with the person's role."
);

#[derive(Clone)]
pub struct Person(pub person::Model);

/// How to find one person: exactly one of id or slug.
#[derive(OneofObject)]
pub enum PersonBy {
    /// The person's global id.
    Id(ID),
    /// The person's URL slug, such as `nicolas-cage`.
    Slug(String),
}

#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// One person by id or slug; null when nobody matches.
    async fn person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Exactly one of the person's id or slug.")] by: PersonBy,
    ) -> async_graphql::Result<Option<Person>> {
        find_person(ctx, by).await.gql()
    }

    /// Browse people by name or by how many credits they have.
    #[allow(clippy::too_many_arguments)]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which people to list; everybody when omitted.")] filter: Option<
            PersonFilter,
        >,
        #[graphql(desc = "Name A to Z when omitted.")] order_by: Option<PersonOrder>,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<PersonListConnection> {
        super::person_list::people(ctx, filter, order_by, first, after, last, before)
            .await
            .gql()
    }
}

async fn find_person(ctx: &Context<'_>, by: PersonBy) -> AppResult<Option<Person>> {
    Ok(match by {
        PersonBy::Id(id) => {
            let row = ids::decode_as(NodeKind::Person, &id)?;
            loader(ctx).by_id::<person::Entity>(row).await?
        }
        PersonBy::Slug(slug) => {
            person::Entity::find()
                .filter(person::Column::Slug.eq(slug))
                .one(db(ctx))
                .await?
        }
    }
    .map(Person))
}

/// Somebody credited on films: actors, directors, writers, authors.
#[Object]
impl Person {
    /// Opaque global id; `node(id:)` fetches the person back.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Person, self.0.id)
    }
    /// URL slug, unique, such as `nicolas-cage`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The name as credited.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// A short biography, when known.
    async fn bio(&self) -> Option<&str> {
        self.0.bio.as_deref()
    }
    /// Date of birth, when known.
    async fn birth_date(&self) -> Option<chrono::NaiveDate> {
        self.0.birth_date
    }
    /// The filmography: every credit with its film, oldest film first.
    async fn credits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these kinds of credit (all when omitted).")] kinds: Option<
            Vec<CreditKind>,
        >,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<
        PagedConnection<Film, CreditDetails, PersonCreditConnection, PersonCreditEdge>,
    > {
        let relation = PagedRelation::PersonCredits;
        let page = PageArgs::parse(relation, first, after, last, before).gql()?;
        paging::joined_connection::<credit::Entity, film::Entity, _, _, _, _>(
            ctx,
            relation,
            self.0.id,
            CreditKind::set(kinds),
            page,
            |(credit, film)| Some((Film(film), CreditDetails(credit))),
        )
        .await
        .gql()
    }
    /// How many credits the person has.
    async fn credit_count(&self) -> i32 {
        self.0.credit_count
    }
    /// The people who share the most films with this one, most shared first.
    async fn coworkers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 10,
            validator(minimum = 1, maximum = 50),
            desc = "How many people at most (1 to 50)."
        )]
        first: i32,
    ) -> async_graphql::Result<Vec<Coworker>> {
        let pairs = loader(ctx)
            .load_one(CoworkersOf {
                person: self.0.id,
                limit: first as u32,
            })
            .await
            .gql()?
            .unwrap_or_default();
        let people = super::film::people_of(ctx, pairs.iter().map(|(id, _)| *id).collect()).await?;
        Ok(pairs
            .iter()
            .filter_map(|(id, shared)| {
                let person = people.get(id)?.clone();
                Some(Coworker {
                    person: Person(person),
                    shared_films: *shared,
                })
            })
            .collect())
    }
    /// Award nominations naming this person, oldest first.
    async fn nominations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Nomination>> {
        let links = loader(ctx)
            .children::<rel::NominationsOfPerson>(self.0.id)
            .await
            .gql()?;
        let found = loader(ctx)
            .by_ids::<nomination::Entity>(links.iter().map(|l| l.nomination_id).collect())
            .await
            .gql()?;
        let mut nominations: Vec<nomination::Model> = found.into_values().collect();
        nominations.sort_by_key(|n| (n.year, n.id));
        Ok(nominations.into_iter().map(Nomination).collect())
    }
}

/// What a credit says beyond its person and film: the role.
pub struct CreditDetails(pub credit::Model);

#[Object]
impl CreditDetails {
    /// What the person did on the film.
    async fn kind(&self) -> async_graphql::Result<CreditKind> {
        stored(&self.0.kind, CreditKind::parse)
    }
    /// The job as credited, such as "Screenplay".
    async fn job(&self) -> Option<&str> {
        self.0.job.as_deref()
    }
    /// Position in the cast list (1 is top billing); null for crew.
    async fn billing_order(&self) -> Option<i32> {
        self.0.billing_order
    }
    /// The character played, for cast credits.
    async fn character(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Character>> {
        let Some(id) = self.0.character_id else {
            return Ok(None);
        };
        let row = loader(ctx)
            .by_id::<film_character::Entity>(id)
            .await
            .gql()?;
        Ok(row.map(Character))
    }
}

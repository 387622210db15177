//! People: the `Person` type with their filmography and awards, look-ups,
//! the `people` list and a person's co-workers.

use async_graphql::connection::EmptyFields;
use async_graphql::{
    Context, Enum, ID, InputObject, Object, OneofObject, SelectionField, SimpleObject,
};

use super::award::Nomination;
use super::credit::{CreditDetails, credit_page};
use super::film::{Film, Image, OrderDirection, best_image, people_of};
use super::global_id;
use super::vocabulary::{CreditKind, kind_set};
use crate::db::columns::ColumnSet;
use crate::db::entities::{nomination, person};
use crate::db::queries::keyset::{Position, SortValue};
use crate::db::queries::pages::PagedRelation;
use crate::db::queries::person as people;
use crate::db::queries::rows::rel;
use crate::domain::languages::Languages;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, loader};
use crate::graphql::cost::{assumed, connection, cost, list_size, sliced_by};
use crate::graphql::direct::Direct;
use crate::graphql::loaders::{CoworkersOf, RowLoader};
use crate::graphql::pagination::{
    Connection, PageRequest, PagedConnection, connection_names, list_connection, list_window,
};
use crate::ids::{self, NodeKind};
use crate::kinds;

connection_names!(
    PersonCreditConnection / PersonCreditEdge = "A page of a person's filmography: the films, oldest first, each edge with the person's role.",
    PersonConnection / PersonEdge =
        "A page of the people list (`people`), with how many people match the filter."
);

#[derive(Clone)]
pub struct Person {
    row: person::Model,
    /// The columns `row` holds; the others are defaults, never to be read.
    read: ColumnSet,
}

impl Person {
    /// A person of the answer being built (named in its surrogate keys),
    /// with every column of their row.
    pub fn new(model: person::Model) -> Self {
        Self::with_columns(model, ColumnSet::all::<person::Entity>())
    }

    /// A person whose row holds only the columns of `read`.
    pub fn with_columns(model: person::Model, read: ColumnSet) -> Self {
        crate::cache::edge::saw_person(model.id);
        Person { row: model, read }
    }

    /// The person's row id.
    pub fn row_id(&self) -> i32 {
        self.row.id
    }

    /// The row, to read `column` of. In debug builds a column the loader
    /// left out panics (add it to the field's columns in [`PERSON_FIELDS`]).
    fn row(&self, column: person::Column) -> &person::Model {
        debug_assert!(
            self.read.has::<person::Entity>(column),
            "Person read {column:?}, which its loader left out"
        );
        &self.row
    }
}

/// Every field of `Person` and the columns of its row it reads (the id is
/// always read): the loaders read only those a selection needs. A field
/// missing here reads every column.
pub(crate) const PERSON_FIELDS: &[(&str, &[person::Column])] = &[
    ("__typename", &[]),
    ("id", &[]),
    ("slug", &[person::Column::Slug]),
    ("name", &[person::Column::Name]),
    ("bio", &[person::Column::Bio]),
    ("birthDate", &[person::Column::BirthDate]),
    ("photo", &[]),
    ("credits", &[]),
    ("creditCount", &[person::Column::CreditCount]),
    ("coworkers", &[]),
    ("nominations", &[]),
];

/// The columns the people selected by `fields` (each a field whose value is
/// a person, or a list of them) need; a name [`PERSON_FIELDS`] does not know
/// is another type's field, in a fragment (see `film_columns`).
pub fn person_columns(fields: &[SelectionField<'_>]) -> ColumnSet {
    let mut set = ColumnSet::key::<person::Entity>();
    for field in fields {
        for selected in field.selection_set() {
            let known = PERSON_FIELDS
                .iter()
                .find(|(name, _)| *name == selected.name());
            if let Some((_, columns)) = known {
                set = set.union(ColumnSet::of::<person::Entity>(columns));
            }
        }
    }
    set
}

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
    #[graphql(directive = list_size::apply(connection(20)))]
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
        list_people(ctx, filter, order_by, first, after, last, before)
            .await
            .gql()
    }
}

/// The person `by` names, read with only the columns the field's selection needs.
async fn find_person(ctx: &Context<'_>, by: PersonBy) -> AppResult<Option<Person>> {
    let columns = person_columns(&[ctx.field()]);
    let found = match by {
        PersonBy::Id(id) => {
            let row = ids::decode_as(NodeKind::Person, &id)?;
            loader(ctx)
                .by_id_with::<person::Entity>(row, columns)
                .await?
        }
        PersonBy::Slug(slug) => {
            let column = person::Column::Slug;
            loader(ctx)
                .by_text_with::<person::Entity>(column, slug, columns)
                .await?
        }
    };
    Ok(found.map(|person| Person::with_columns(person, columns)))
}

/// Somebody credited on films: actors, directors, writers, authors.
#[Object]
impl Person {
    /// Opaque global id; `node(id:)` fetches the person back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Person, self.row.id)
    }
    /// URL slug, unique, such as `nicolas-cage`.
    async fn slug(&self) -> &str {
        &self.row(person::Column::Slug).slug
    }
    /// The name as credited.
    async fn name(&self) -> &str {
        &self.row(person::Column::Name).name
    }
    /// A short biography, when known.
    async fn bio(&self) -> Option<&str> {
        self.row(person::Column::Bio).bio.as_deref()
    }
    /// Date of birth, when known.
    async fn birth_date(&self) -> Option<chrono::NaiveDate> {
        self.row(person::Column::BirthDate).birth_date
    }
    /// A photograph of the person, from the pages of their films: the
    /// smallest at least `width` pixels wide, else the largest; null when
    /// no page has one.
    async fn photo(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            validator(minimum = 1, maximum = 20000),
            desc = "The width in pixels the client will show it at (1 to 20000); the largest when omitted."
        )]
        width: Option<i32>,
    ) -> async_graphql::Result<Option<Image>> {
        let rows = loader(ctx)
            .children::<rel::ImagesOfPerson>(self.row.id)
            .await
            .gql()?;
        let best = best_image(
            rows,
            kinds::ImageKind::Profile,
            width,
            &Languages::default(),
        );
        Ok(best.map(Image))
    }
    /// The filmography: every credit with its film, oldest film first.
    #[graphql(directive = list_size::apply(connection(20)))]
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
        PagedConnection<Direct<Film>, CreditDetails, PersonCreditConnection, PersonCreditEdge>,
    > {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        let kinds = kind_set(kinds, kinds::CreditKind::set);
        let relation = PagedRelation::PersonCredits;
        credit_page(ctx, relation, self.row.id, kinds, None, request).await
    }
    /// How many credits the person has.
    async fn credit_count(&self) -> i32 {
        self.row(person::Column::CreditCount).credit_count
    }
    /// The people who share the most films with this one, most shared first.
    // One self-join of the credits over every film the person made.
    #[graphql(
        directive = cost::apply(5),
        directive = list_size::apply(sliced_by(&["first"]))
    )]
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
                person: self.row.id,
                limit: first as u32,
            })
            .await
            .gql()?
            .unwrap_or_default();
        let people = people_of(ctx, pairs.iter().map(|(id, _)| *id).collect()).await?;
        Ok(pairs
            .iter()
            .filter_map(|(id, shared)| {
                let person = people.get(id)?.clone();
                Some(Coworker {
                    person: Person::new(person),
                    shared_films: *shared,
                })
            })
            .collect())
    }
    /// Award nominations naming this person, oldest first.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn nominations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Nomination>> {
        let links = loader(ctx)
            .children::<rel::NominationsOfPerson>(self.row.id)
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

/// Which people to list.
#[derive(InputObject, Default)]
pub struct PersonFilter {
    /// Words that start words of the name ("nic cag" finds Nicolas Cage),
    /// ignoring case and accents: the rule of `search`.
    pub name: Option<String>,
}

/// How to order people. Ties are broken by id, so pages are stable.
#[derive(InputObject, Clone, Copy)]
pub struct PersonOrder {
    /// What to sort by.
    pub field: PersonOrderField,
    /// Ascending by default.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

/// What to sort people by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::db::queries::person::PersonOrderField")]
pub enum PersonOrderField {
    /// The name as written (so by first name), ignoring case, accents and punctuation.
    Name,
    /// How many credits the person has.
    CreditCount,
}

/// `totalCount` of the people list, counted only when asked.
pub struct PersonListSummary {
    name: Option<String>,
}

#[Object]
impl PersonListSummary {
    /// How many people match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        people::count(db(ctx), self.name.as_deref()).await.gql()
    }
}

pub type PersonListConnection =
    Connection<Person, PersonListSummary, EmptyFields, PersonConnection, PersonEdge>;

async fn list_people(
    ctx: &Context<'_>,
    filter: Option<PersonFilter>,
    order: Option<PersonOrder>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> AppResult<PersonListConnection> {
    let name = filter.and_then(|f| f.name);
    if name.as_ref().is_some_and(|n| n.len() > 200) {
        return Err(AppError::bad_input("`name` is limited to 200 characters"));
    }
    let order = order.unwrap_or(PersonOrder {
        field: PersonOrderField::Name,
        direction: OrderDirection::Asc,
    });
    let ordering = people::ordering(order.field.into(), order.direction.into());
    let keys = cursor_keys(ctx);
    let request = PageRequest::parse(first, after, last, before)?;
    let window = list_window(keys, &ordering, None, request)?;
    let page = people::page(db(ctx), name.as_deref(), &ordering, &window).await?;
    Ok(list_connection(
        keys,
        &ordering,
        None,
        page,
        PersonListSummary { name },
        |person| {
            let value = match order.field {
                PersonOrderField::Name => SortValue::Text(person.name_sort.clone()),
                PersonOrderField::CreditCount => SortValue::Int(person.credit_count.into()),
            };
            let at = Position {
                value,
                id: person.id,
            };
            (at, Person::new(person), EmptyFields)
        },
    ))
}

/// Someone who worked on films with a person, and on how many.
#[derive(SimpleObject, Clone)]
pub struct Coworker {
    /// The other person.
    pub person: Person,
    /// How many films both are credited on.
    pub shared_films: i64,
}

#[cfg(test)]
mod column_tests {
    use super::PERSON_FIELDS;
    use crate::graphql::types::film::sdl_fields;

    /// A field the table does not know reads no column (it must be another
    /// type's): each field of `Person` is in it, and nothing else.
    #[test]
    fn the_table_names_every_field_of_person_and_no_other() {
        let mut schema = sdl_fields("Person");
        schema.push("__typename".to_string());
        schema.sort();
        let mut table: Vec<String> = PERSON_FIELDS.iter().map(|(n, _)| n.to_string()).collect();
        table.sort();
        assert_eq!(table, schema);
    }
}

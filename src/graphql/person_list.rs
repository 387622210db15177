//! The `people` connection and a person's co-workers.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::{Edge, EmptyFields};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use sea_orm::{ConnectionTrait, DbErr};

use super::connection::{Connection, connection_names};
use super::film_list::OrderDirection;
use super::keyset::{Cursor, KeysetPage, Ordering, SortValue, ValueKind, Window};
use super::loaders::Db;
use super::person::Person;
use super::{GqlResult, db, reader};
use crate::db::entities::person;
use crate::db::read_row::{columns_of, read_all};
use crate::db::sql::Sql;
use crate::error::{AppError, AppResult};
use crate::text::fold;

connection_names!(
    PersonConnection / PersonEdge =
        "A page of the people list (`people`), with how many people match the filter."
);

/// Which people to list.
#[derive(InputObject, Default)]
pub struct PersonFilter {
    /// Words the name contains, ignoring case and accents.
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
        let db = db(ctx);
        let mut sql = Sql::new(db.get_database_backend());
        sql.push("SELECT COUNT(*) AS total FROM person p WHERE 1 = 1");
        push_name(&mut sql, &self.name);
        let row = sql
            .query_one_own_plan(reader(ctx))
            .await
            .map_err(AppError::from)
            .gql()?;
        Ok(row
            .and_then(|r| r.try_get::<i64>("", "total").ok())
            .unwrap_or(0))
    }
}

fn push_name(sql: &mut Sql, name: &Option<String>) {
    if let Some(words) = name.as_deref().map(fold).filter(|w| !w.is_empty()) {
        sql.push(" AND p.name_sort LIKE ")
            .bind(format!("%{words}%"));
    }
}

pub type PersonListConnection =
    Connection<Person, PersonListSummary, EmptyFields, PersonConnection, PersonEdge>;

pub async fn people(
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
    let (column, kind) = match order.field {
        PersonOrderField::Name => ("p.name_sort", ValueKind::Text),
        PersonOrderField::CreditCount => ("p.credit_count", ValueKind::Int),
    };
    let ordering = Ordering {
        tag: format!("people:{:?}:{:?}", order.field, order.direction),
        column: column.to_string(),
        kind,
        descending: order.direction == OrderDirection::Desc,
        nullable: false,
    };
    let window = Window::parse(&ordering, first, after, last, before)?;
    let select = |sql: &mut Sql| {
        sql.push("SELECT ")
            .push(&columns_of::<person::Entity>("p"))
            .push(" FROM person p WHERE 1 = 1");
        push_name(sql, &name);
        Ok(())
    };
    let rows = window.fetch(reader(ctx), &ordering, &select).await?;
    let people: Vec<person::Model> = read_all(&rows)?;
    let page = KeysetPage::from_rows(people, &window);
    let mut connection =
        Connection::new(page.has_previous, page.has_next, PersonListSummary { name });
    for person in page.rows {
        let value = match order.field {
            PersonOrderField::Name => SortValue::Text(person.name_sort.clone()),
            PersonOrderField::CreditCount => SortValue::Int(person.credit_count.into()),
        };
        let cursor = Cursor {
            value,
            id: person.id,
        }
        .encode(&ordering);
        connection.edges.push(Edge::new(cursor, Person(person)));
    }
    Ok(connection)
}

/// Someone who worked on films with a person, and on how many.
#[derive(SimpleObject, Clone)]
pub struct Coworker {
    /// The other person.
    pub person: Person,
    /// How many films both are credited on.
    pub shared_films: i64,
}

/// Key: the `limit` people who share the most films with `person`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CoworkersOf {
    pub person: i32,
    pub limit: u32,
}

impl Loader<CoworkersOf> for Db {
    type Value = Vec<(i32, i64)>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[CoworkersOf],
    ) -> Result<HashMap<CoworkersOf, Vec<(i32, i64)>>, Arc<DbErr>> {
        let mut by_limit: HashMap<u32, Vec<i32>> = HashMap::new();
        for key in keys {
            by_limit.entry(key.limit).or_default().push(key.person);
        }
        let mut found = HashMap::new();
        for (limit, people) in by_limit {
            let mut sql = Sql::new(self.db.get_database_backend());
            sql.push(
                "SELECT parent, other, shared FROM (SELECT c1.person_id AS parent, c2.person_id AS other, \
                 COUNT(DISTINCT c1.film_id) AS shared, ROW_NUMBER() OVER (PARTITION BY c1.person_id \
                 ORDER BY COUNT(DISTINCT c1.film_id) DESC, c2.person_id) AS pair_rank \
                 FROM credit c1 JOIN credit c2 ON c2.film_id = c1.film_id AND c2.person_id <> c1.person_id \
                 WHERE c1.person_id IN (",
            )
            .bind_list(&people)
            .push(&format!(") GROUP BY c1.person_id, c2.person_id) ranked WHERE pair_rank <= {limit} ORDER BY parent, pair_rank"));
            let rows = self.db.query_all_raw(sql.statement()).await?;
            let mut lists: HashMap<i32, Vec<(i32, i64)>> = HashMap::new();
            for row in rows {
                let parent: i32 = row.try_get("", "parent")?;
                lists
                    .entry(parent)
                    .or_default()
                    .push((row.try_get("", "other")?, row.try_get("", "shared")?));
            }
            for person in people {
                found.insert(
                    CoworkersOf { person, limit },
                    lists.remove(&person).unwrap_or_default(),
                );
            }
        }
        Ok(found)
    }
}

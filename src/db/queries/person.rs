//! People: the people list, and who works with whom (a person by slug goes
//! through the loaders: `rows::by_text`).

use std::collections::HashMap;

use crate::db::entities::person;
use crate::db::queries::keyset::{KeysetPage, OrderDirection, Ordering, ValueKind, Window};
use crate::db::read_row::{columns_of, read_all};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr};
use crate::error::AppResult;
use crate::text::fold;

/// What the people list is sorted by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PersonOrderField {
    Name,
    CreditCount,
}

/// The ordering of the people list by `field`, named for cursors.
pub fn ordering(field: PersonOrderField, direction: OrderDirection) -> Ordering {
    let (column, kind) = match field {
        PersonOrderField::Name => ("p.name_sort", ValueKind::Text),
        PersonOrderField::CreditCount => ("p.credit_count", ValueKind::Int),
    };
    Ordering {
        tag: format!("people:{field:?}:{direction:?}"),
        column: column.to_string(),
        kind,
        descending: direction == OrderDirection::Desc,
        nullable: false,
    }
}

/// Every word of a name filter starts a word of the name.
/// A name of punctuation only (`%`) matches nobody.
fn push_name(sql: &mut Sql, name: Option<&str>) {
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        return;
    };
    let words = fold(name);
    if words.is_empty() {
        sql.push(" AND 1 = 0");
    } else {
        sql.push_word_prefixes("p.name_sort", &words);
    }
}

/// One page of the people whose name has every word of `name` as a word
/// prefix (everybody without one).
pub async fn page(
    db: &Db,
    name: Option<&str>,
    ordering: &Ordering,
    window: &Window,
) -> AppResult<KeysetPage<person::Model>> {
    let select = |sql: &mut Sql| {
        sql.push("SELECT ")
            .push(&columns_of::<person::Entity>("p"))
            .push(" FROM person p WHERE 1 = 1");
        push_name(sql, name);
        Ok(())
    };
    let rows = window.fetch(db, ordering, &select).await?;
    let people: Vec<person::Model> = read_all(&rows)?;
    Ok(KeysetPage::from_rows(people, window))
}

/// How many people have `name` in their name (everybody without one).
pub async fn count(db: &Db, name: Option<&str>) -> Result<i64, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT COUNT(*) AS total FROM person p WHERE 1 = 1");
    push_name(&mut sql, name);
    let row = sql.query_one_own_plan(db).await?;
    Ok(row
        .and_then(|r| r.try_get::<i64>("", "total").ok())
        .unwrap_or(0))
}

/// For each person, the `limit` people who share the most films with them
/// (with how many), most shared first, in one statement.
pub async fn coworkers(
    db: &Db,
    people: &[i32],
    limit: u32,
) -> Result<HashMap<i32, Vec<(i32, i64)>>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push(
        "SELECT parent, other, shared FROM (SELECT c1.person_id AS parent, c2.person_id AS other, \
         COUNT(DISTINCT c1.film_id) AS shared, ROW_NUMBER() OVER (PARTITION BY c1.person_id \
         ORDER BY COUNT(DISTINCT c1.film_id) DESC, c2.person_id) AS pair_rank \
         FROM credit c1 JOIN credit c2 ON c2.film_id = c1.film_id AND c2.person_id <> c1.person_id \
         WHERE c1.person_id IN (",
    )
    .bind_list(people)
    .push(&format!(") GROUP BY c1.person_id, c2.person_id) ranked WHERE pair_rank <= {limit} ORDER BY parent, pair_rank"));
    let rows = sql.query_all_prepared(db).await?;
    let mut lists: HashMap<i32, Vec<(i32, i64)>> = HashMap::new();
    for row in rows {
        let parent: i32 = row.try_get("", "parent")?;
        lists
            .entry(parent)
            .or_default()
            .push((row.try_get("", "other")?, row.try_get("", "shared")?));
    }
    Ok(lists)
}

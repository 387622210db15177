//! Keyset pages of the top-level lists (films, people, a user's ratings)
//! ordered by any column: rows sort by (value, id) with rows without a value
//! last in either direction, and a page continues strictly after (or before)
//! the row its position names.

use sea_orm::{QueryResult, Value};

use crate::db::Db;
use crate::db::sql::Sql;
use crate::error::AppResult;

/// The value of the sort column at a row.
#[derive(Clone, Debug, PartialEq)]
pub enum SortValue {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl SortValue {
    fn bind_value(&self) -> Value {
        match self {
            SortValue::Null => Value::Int(None),
            SortValue::Int(v) => Value::BigInt(Some(*v)),
            SortValue::Float(v) => Value::Double(Some(*v)),
            SortValue::Text(v) => Value::String(Some(v.clone())),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Int,
    Float,
    Text,
}

/// A list's ordering: the column (over the row alias), its value type and direction.
#[derive(Clone, Debug)]
pub struct Ordering {
    /// Names the list and ordering inside cursors, e.g. `films:RUNTIME:DESC`.
    pub tag: String,
    pub column: String,
    pub kind: ValueKind,
    pub descending: bool,
    /// Whether the column can be NULL (then a second statement fetches those rows).
    pub nullable: bool,
}

/// Smallest first (`Asc`) or largest first (`Desc`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

/// A row's place in a list's order: its sort value and id.
#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    pub value: SortValue,
    pub id: i32,
}

/// Which slice of a list a page shows: at most `limit` rows after (or,
/// backward, before) a position.
#[derive(Clone, Debug)]
pub struct Window {
    pub limit: u64,
    pub backward: bool,
    pub cursor: Option<Position>,
}

impl Window {
    /// Runs the page's statements: `select` writes `SELECT ... FROM ... WHERE
    /// <filters>`; this adds the cursor condition, the order and the limit.
    ///
    /// Rows with a value and rows without one are fetched by two statements
    /// (the second only when the first does not fill the page), each ordered
    /// plainly by `(value, id)` so the database can walk an index instead of
    /// sorting every match.
    pub async fn fetch(
        &self,
        db: &Db,
        ordering: &Ordering,
        select: &(dyn Fn(&mut Sql) -> AppResult<()> + Sync),
    ) -> AppResult<Vec<QueryResult>> {
        let wanted = self.limit + 1;
        // In the visible order, rows with a value come before rows without one.
        let (first_part, second_part) = if self.backward {
            (Part::Nulls, Part::Values)
        } else {
            (Part::Values, Part::Nulls)
        };
        let start = match &self.cursor {
            None => first_part,
            Some(Position {
                value: SortValue::Null,
                ..
            }) => Part::Nulls,
            Some(_) => Part::Values,
        };
        // Boxed: a statement's future is 15 KB, and unboxed it sized every
        // caller's, up to each field of every `Film`: async-graphql
        // sizes the future of each field of a type by its largest resolver.
        let mut rows =
            Box::pin(self.fetch_part(db, ordering, select, start, self.cursor.as_ref(), wanted))
                .await?;
        if start == first_part && (rows.len() as u64) < wanted {
            let more = Box::pin(self.fetch_part(
                db,
                ordering,
                select,
                second_part,
                None,
                wanted - rows.len() as u64,
            ))
            .await?;
            rows.extend(more);
        }
        Ok(rows)
    }

    /// [`Window::fetch`], each row read as an `M` (the whole row of the
    /// `e.*` the select names), cut into the page.
    pub async fn fetch_page<M: sea_orm::FromQueryResult>(
        &self,
        db: &Db,
        ordering: &Ordering,
        select: &(dyn Fn(&mut Sql) -> AppResult<()> + Sync),
    ) -> AppResult<KeysetPage<M>> {
        let rows = self.fetch(db, ordering, select).await?;
        let models = rows
            .iter()
            .map(|row| M::from_query_result(row, ""))
            .collect::<Result<Vec<M>, sea_orm::DbErr>>()?;
        Ok(KeysetPage::from_rows(models, self))
    }

    async fn fetch_part(
        &self,
        db: &Db,
        ordering: &Ordering,
        select: &(dyn Fn(&mut Sql) -> AppResult<()> + Sync),
        part: Part,
        cursor: Option<&Position>,
        limit: u64,
    ) -> AppResult<Vec<QueryResult>> {
        if part == Part::Nulls && !ordering.nullable {
            return Ok(Vec::new());
        }
        let column = &ordering.column;
        let id = id_column(column);
        // Moving on in the visible order means larger values when the list is ascending.
        let ascending = self.backward == ordering.descending;
        let (op, direction) = if ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        let mut sql = Sql::new(db.backend());
        select(&mut sql)?;
        match part {
            Part::Values => {
                if ordering.nullable {
                    sql.push(&format!(" AND {column} IS NOT NULL"));
                }
                if let Some(cursor) = cursor {
                    sql.push(&format!(" AND ({column}, {id}) {op} ("))
                        .bind(cursor.value.bind_value())
                        .push(", ")
                        .bind(cursor.id)
                        .push(")");
                }
                sql.push(&format!(
                    " ORDER BY {column} {direction}, {id} {direction} LIMIT {limit}"
                ));
            }
            Part::Nulls => {
                sql.push(&format!(" AND {column} IS NULL"));
                if let Some(cursor) = cursor {
                    sql.push(&format!(" AND {id} {op} ")).bind(cursor.id);
                }
                sql.push(&format!(" ORDER BY {id} {direction} LIMIT {limit}"));
            }
        }
        Ok(sql.query_all_own_plan(db).await?)
    }
}

/// The two runs of a list: rows with a sort value, then rows without.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Values,
    Nulls,
}

/// `f.title_sort` → `f.id`: the tie-break column of the same row alias.
fn id_column(column: &str) -> String {
    match column.split_once('.') {
        Some((alias, _)) => format!("{alias}.id"),
        None => "id".to_string(),
    }
}

/// One fetched page: rows in display order, with whether more lie on each side.
pub struct KeysetPage<T> {
    pub rows: Vec<T>,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<T> KeysetPage<T> {
    /// Cuts the extra row, restores display order for backward pages.
    pub fn from_rows(mut rows: Vec<T>, window: &Window) -> Self {
        let more = rows.len() as u64 > window.limit;
        rows.truncate(window.limit as usize);
        if window.backward {
            rows.reverse();
        }
        let continues = window.cursor.is_some();
        let (has_previous, has_next) = if window.backward {
            (more, continues)
        } else {
            (continues, more)
        };
        Self {
            rows,
            has_previous,
            has_next,
        }
    }
}

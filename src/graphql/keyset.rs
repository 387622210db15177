//! Keyset pagination for top-level lists (films, people) ordered by any column:
//! rows sort by (value, id) with rows without a value last in either direction, and a page continues strictly after (or before) the row
//! its cursor names. Cursors carry the ordering they belong to; a cursor from
//! another list or ordering is BAD_USER_INPUT.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{QueryResult, Value};
use serde_json::{Value as Json, json};

use super::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::db::sql::{Reader, Sql};
use crate::error::{AppError, AppResult};

/// The value of the sort column at a row, as a cursor stores it.
#[derive(Clone, Debug, PartialEq)]
pub enum SortValue {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl SortValue {
    fn to_json(&self) -> Json {
        match self {
            SortValue::Null => Json::Null,
            SortValue::Int(v) => json!(v),
            SortValue::Float(v) => json!(v),
            SortValue::Text(v) => json!(v),
        }
    }
    fn from_json(value: &Json, kind: ValueKind) -> Option<Self> {
        Some(match (value, kind) {
            (Json::Null, _) => SortValue::Null,
            (Json::Number(n), ValueKind::Int) => SortValue::Int(n.as_i64()?),
            (Json::Number(n), ValueKind::Float) => SortValue::Float(n.as_f64()?),
            (Json::String(s), ValueKind::Text) => SortValue::Text(s.clone()),
            _ => return None,
        })
    }
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

#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub value: SortValue,
    pub id: i32,
}

impl Cursor {
    pub fn encode(&self, ordering: &Ordering) -> String {
        URL_SAFE_NO_PAD.encode(json!([ordering.tag, self.value.to_json(), self.id]).to_string())
    }

    pub fn decode(ordering: &Ordering, raw: &str) -> AppResult<Self> {
        let invalid =
            || AppError::bad_input(format!("{raw:?} is not a cursor of this list and ordering"));
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let parsed: Json = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        let [tag, value, id] = parsed.as_array().map(Vec::as_slice).unwrap_or_default() else {
            return Err(invalid());
        };
        if tag.as_str() != Some(ordering.tag.as_str()) {
            return Err(invalid());
        }
        Ok(Self {
            value: SortValue::from_json(value, ordering.kind).ok_or_else(invalid)?,
            id: id
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(invalid)?,
        })
    }
}

/// Validated `first/after/last/before`.
#[derive(Clone, Debug)]
pub struct Window {
    pub limit: u64,
    pub backward: bool,
    pub cursor: Option<Cursor>,
}

impl Window {
    pub fn parse(
        ordering: &Ordering,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<Self> {
        let size = |name: &str, n: i32| {
            if (0..=MAX_PAGE_SIZE).contains(&n) {
                Ok(n as u64)
            } else {
                Err(AppError::bad_input(format!(
                    "`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {n}"
                )))
            }
        };
        if first.is_some() && last.is_some() {
            return Err(AppError::bad_input(
                "pass `first` (with `after`) or `last` (with `before`), not both",
            ));
        }
        if after.is_some() && before.is_some() {
            return Err(AppError::bad_input("pass `after` or `before`, not both"));
        }
        let backward = last.is_some() || before.is_some();
        let limit = match (first, last) {
            (Some(n), _) => size("first", n)?,
            (_, Some(n)) => size("last", n)?,
            _ => DEFAULT_PAGE_SIZE as u64,
        };
        if (backward && after.is_some()) || (!backward && before.is_some()) {
            return Err(AppError::bad_input(
                "`after` goes with `first`, `before` with `last`",
            ));
        }
        let cursor = after
            .or(before)
            .map(|c| Cursor::decode(ordering, &c))
            .transpose()?;
        Ok(Self {
            limit,
            backward,
            cursor,
        })
    }

    /// Runs the page's statements: `select` writes `SELECT ... FROM ... WHERE
    /// <filters>`; this adds the cursor condition, the order and the limit.
    ///
    /// Rows with a value and rows without one are fetched by two statements
    /// (the second only when the first does not fill the page), each ordered
    /// plainly by `(value, id)` so the database can walk an index instead of
    /// sorting every match.
    pub async fn fetch(
        &self,
        reader: Reader<'_>,
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
            Some(Cursor {
                value: SortValue::Null,
                ..
            }) => Part::Nulls,
            Some(_) => Part::Values,
        };
        let mut rows = self
            .fetch_part(
                reader,
                ordering,
                select,
                start,
                self.cursor.as_ref(),
                wanted,
            )
            .await?;
        if start == first_part && (rows.len() as u64) < wanted {
            let more = self
                .fetch_part(
                    reader,
                    ordering,
                    select,
                    second_part,
                    None,
                    wanted - rows.len() as u64,
                )
                .await?;
            rows.extend(more);
        }
        Ok(rows)
    }

    async fn fetch_part(
        &self,
        reader: Reader<'_>,
        ordering: &Ordering,
        select: &(dyn Fn(&mut Sql) -> AppResult<()> + Sync),
        part: Part,
        cursor: Option<&Cursor>,
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
        let mut sql = Sql::new(reader.db.get_database_backend());
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
        Ok(sql.query_all_own_plan(reader).await?)
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

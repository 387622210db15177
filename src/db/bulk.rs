//! Bulk inserts for the catalogue import. PostgreSQL gets one `INSERT ...
//! SELECT FROM UNNEST(arrays)` per large chunk (a few parameters instead of
//! thousands); SQLite gets multi-row `VALUES` within its parameter limit.

use sea_orm::sea_query::ArrayType;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

use super::sql::Sql;

/// A column's type. Array parameters cannot hold NULL, so nullable columns
/// travel with a stand-in (0, -1 or "") that `NULLIF` turns back into NULL.
#[derive(Clone, Copy)]
pub enum ColumnType {
    Int,
    /// NULL travels as 0 (for ids and positions, which start at 1).
    NullableInt,
    BigInt,
    /// NULL travels as -1 (for counts and amounts, which are never negative).
    NullableBigInt,
    Double,
    /// A `DateTime<Utc>` (timestamptz on PostgreSQL).
    Timestamp,
    Text,
    /// NULL travels as "".
    NullableText,
    /// A day as `YYYY-MM-DD` text (SQLite keeps days so; PostgreSQL casts
    /// it to `date`); NULL travels as "".
    NullableDate,
}

impl ColumnType {
    fn array(self) -> (ArrayType, &'static str) {
        match self {
            ColumnType::Int | ColumnType::NullableInt => (ArrayType::Int, "int4[]"),
            ColumnType::BigInt | ColumnType::NullableBigInt => (ArrayType::BigInt, "int8[]"),
            ColumnType::Double => (ArrayType::Double, "float8[]"),
            ColumnType::Timestamp => (ArrayType::ChronoDateTimeUtc, "timestamptz[]"),
            ColumnType::Text | ColumnType::NullableText | ColumnType::NullableDate => {
                (ArrayType::String, "text[]")
            }
        }
    }
    fn select(self, name: &str) -> String {
        match self {
            ColumnType::NullableInt => format!("NULLIF({name}, 0)"),
            ColumnType::NullableBigInt => format!("NULLIF({name}, -1)"),
            ColumnType::NullableText => format!("NULLIF({name}, '')"),
            ColumnType::NullableDate => format!("NULLIF({name}, '')::date"),
            _ => name.to_string(),
        }
    }
    /// The value as an array element (stand-ins for NULL).
    fn element(self, value: &Value) -> Value {
        match (self, value) {
            (ColumnType::NullableInt, Value::Int(None)) => Value::Int(Some(0)),
            (ColumnType::NullableBigInt, Value::BigInt(None)) => Value::BigInt(Some(-1)),
            (ColumnType::NullableText | ColumnType::NullableDate, Value::String(None)) => {
                Value::String(Some(String::new()))
            }
            (_, other) => other.clone(),
        }
    }
}

/// Rows for one table, inserted by `run`.
pub struct BulkInsert {
    table: &'static str,
    columns: Vec<(&'static str, ColumnType)>,
    rows: Vec<Vec<Value>>,
}

impl BulkInsert {
    pub fn new(table: &'static str, columns: &[(&'static str, ColumnType)]) -> Self {
        Self {
            table,
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row: one value per column, in order (NULL as `Value::Int(None)` etc.).
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Deletes every row of the table, then inserts these (in the caller's
    /// transaction: a derived table replaced whole).
    pub async fn replace_table(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let mut delete = Sql::new(db.get_database_backend());
        delete.push(&format!("DELETE FROM {}", self.table));
        delete.execute(db).await?;
        self.run(db).await
    }

    pub async fn run(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let backend = db.get_database_backend();
        let names: Vec<&str> = self.columns.iter().map(|(name, _)| *name).collect();
        let into = format!("INSERT INTO {} ({})", self.table, names.join(", "));
        if backend == DbBackend::Postgres {
            for chunk in self.rows.chunks(20_000) {
                let mut sql = Sql::new(backend);
                let selected: Vec<String> = self
                    .columns
                    .iter()
                    .map(|(name, ty)| ty.select(name))
                    .collect();
                sql.push(&format!(
                    "{into} SELECT {} FROM UNNEST(",
                    selected.join(", ")
                ));
                for (i, (_, ty)) in self.columns.iter().enumerate() {
                    let (array, cast) = ty.array();
                    let elements: Vec<Value> =
                        chunk.iter().map(|row| ty.element(&row[i])).collect();
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(Value::Array(array, Some(Box::new(elements))))
                        .push(&format!("::{cast}"));
                }
                sql.push(&format!(") AS bulk({})", names.join(", ")));
                sql.execute(db).await?;
            }
        } else {
            // SQLite allows 32,766 parameters per statement.
            let per_statement = (30_000 / self.columns.len()).max(1);
            for chunk in self.rows.chunks(per_statement) {
                let mut sql = Sql::new(backend);
                sql.push(&into).push(" VALUES ");
                for (r, row) in chunk.iter().enumerate() {
                    sql.push(if r == 0 { "(" } else { ", (" })
                        .bind_list(row)
                        .push(")");
                }
                sql.execute(db).await?;
            }
        }
        Ok(())
    }
}

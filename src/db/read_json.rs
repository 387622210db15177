//! Reading models from a JSON array of rows, each row an array of the
//! columns of a [`ColumnSet`] in entity order: rows aggregated into one
//! column of another statement (a film list's directors, read with the
//! films), which both backends build with their JSON functions
//! (`pages::push_directors_of`).

use sea_orm::DbErr;
use sea_orm::prelude::Date;
use serde_json::Value;

use super::columns::ColumnSet;
use super::entities::person;

/// A model that can be read from a row aggregated as a JSON array.
pub trait ReadJson: Sized {
    /// The model from `values`, the columns of `set` in entity order; the
    /// others are left at their defaults (as [`super::read_row::ReadRow::read_some`]).
    fn read_json(values: &[Value], set: ColumnSet) -> Result<Self, DbErr>;
}

/// The models of `text`, a JSON array of rows (or NULL: PostgreSQL
/// aggregates no rows to NULL, SQLite to `[]`).
pub fn read_json_rows<M: ReadJson>(text: Option<&str>, set: ColumnSet) -> Result<Vec<M>, DbErr> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let rows: Vec<Vec<Value>> = serde_json::from_str(text)
        .map_err(|e| DbErr::Type(format!("an aggregated row is not a JSON array: {e}")))?;
    rows.iter().map(|row| M::read_json(row, set)).collect()
}

/// A column's value as JSON gives it: numbers, strings and null.
trait FromJson: Sized {
    fn from_json(value: &Value) -> Option<Self>;
}

impl FromJson for i32 {
    fn from_json(value: &Value) -> Option<Self> {
        value.as_i64().and_then(|n| i32::try_from(n).ok())
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
}

/// Both backends write a date as `YYYY-MM-DD`.
impl FromJson for Date {
    fn from_json(value: &Value) -> Option<Self> {
        Date::parse_from_str(value.as_str()?, "%Y-%m-%d").ok()
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            value => T::from_json(value).map(Some),
        }
    }
}

/// The value at `*at` (then moves on), which must hold a `T`.
fn value<T: FromJson>(values: &[Value], at: &mut usize, name: &str) -> Result<T, DbErr> {
    let found = values.get(*at);
    *at += 1;
    found.and_then(T::from_json).ok_or_else(|| {
        DbErr::Type(format!(
            "aggregated column {name} is missing or of another type: {found:?}"
        ))
    })
}

macro_rules! by_json {
    ($($entity:ident { $($field:ident),* $(,)? })*) => {$(
        impl ReadJson for $entity::Model {
            fn read_json(values: &[Value], set: ColumnSet) -> Result<Self, DbErr> {
                let (mut at, mut index) = (0, 0);
                let mut next = || {
                    index += 1;
                    set.has_index(index - 1)
                };
                let model = $entity::Model {
                    $($field: if next() {
                        value(values, &mut at, stringify!($field))?
                    } else {
                        Default::default()
                    },)*
                };
                if at != values.len() {
                    return Err(DbErr::Type(format!(
                        "an aggregated row has {} columns, its set {at}",
                        values.len()
                    )));
                }
                Ok(model)
            }
        }
    )*};
}

by_json! {
    person { id, slug, name, bio, birth_date, credit_count, name_sort }
}

#[cfg(test)]
mod tests {
    use super::*;
    use person::Column as C;

    #[test]
    fn rows_are_read_in_entity_order_with_the_others_left_default() {
        let set = ColumnSet::of::<person::Entity>(&[C::Name, C::BirthDate]);
        let text = r#"[[7, "Mike Figgis", "1948-02-28"], [9, "A. N. Other", null]]"#;
        let people: Vec<person::Model> = read_json_rows(Some(text), set).unwrap();
        assert_eq!(people.len(), 2);
        assert_eq!((people[0].id, people[0].name.as_str()), (7, "Mike Figgis"));
        assert_eq!(people[0].birth_date, Date::from_ymd_opt(1948, 2, 28));
        assert_eq!((people[1].id, people[1].birth_date), (9, None));
        assert_eq!(people[1].slug, "");
    }

    #[test]
    fn no_rows_is_null_or_an_empty_array() {
        let set = ColumnSet::key::<person::Entity>();
        let none: Vec<person::Model> = read_json_rows(None, set).unwrap();
        let empty: Vec<person::Model> = read_json_rows(Some("[]"), set).unwrap();
        assert!(none.is_empty() && empty.is_empty());
    }

    #[test]
    fn a_row_that_does_not_fit_its_set_is_an_error() {
        let set = ColumnSet::of::<person::Entity>(&[C::Name]);
        for text in [
            r#"[[7]]"#,
            r#"[[7, "n", "extra"]]"#,
            r#"[["7", "n"]]"#,
            r#"[[7, null]]"#,
            r#"[[4294967296, "n"]]"#,
            r#"{"id": 7}"#,
            "not json",
        ] {
            let read = read_json_rows::<person::Model>(Some(text), set);
            assert!(read.is_err(), "{text} was read");
        }
    }
}

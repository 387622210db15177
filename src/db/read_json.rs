//! Reading models from a JSON array of rows, each row an array of the
//! columns of a [`ColumnSet`] in entity order: rows aggregated into one
//! column of another statement (a film list's directors, read with the
//! films), which both backends build with their JSON functions
//! (`pages::push_directors_of`).

use std::fmt;
use std::marker::PhantomData;

use sea_orm::DbErr;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::columns::ColumnSet;
use super::entities::person;

/// A model that can be read from a row aggregated as a JSON array.
pub trait ReadJson: Sized {
    /// The model from `row`, the columns of `set` in entity order, read as
    /// the parser meets them; the others are left at their defaults (as
    /// [`super::read_row::ReadRow::read_some`]).
    fn read_json<'de, A: SeqAccess<'de>>(row: &mut A, set: ColumnSet) -> Result<Self, A::Error>;
}

/// The models of `text`, a JSON array of rows (or NULL: PostgreSQL
/// aggregates no rows to NULL, SQLite to `[]`). Each row is read straight
/// into its model, not parsed into `serde_json::Value`s first (that cost a
/// film list 2,000 instructions a film for its directors).
pub fn read_json_rows<M: ReadJson>(text: Option<&str>, set: ColumnSet) -> Result<Vec<M>, DbErr> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let mut parser = serde_json::Deserializer::from_str(text);
    let rows = Rows::<M>(set, PhantomData).deserialize(&mut parser);
    rows.and_then(|rows| parser.end().map(|()| rows))
        .map_err(|e| DbErr::Type(format!("aggregated rows do not fit their columns: {e}")))
}

/// The array of rows.
struct Rows<M>(ColumnSet, PhantomData<M>);

impl<'de, M: ReadJson> DeserializeSeed<'de> for Rows<M> {
    type Value = Vec<M>;
    fn deserialize<D: Deserializer<'de>>(self, parser: D) -> Result<Vec<M>, D::Error> {
        parser.deserialize_seq(self)
    }
}

impl<'de, M: ReadJson> Visitor<'de> for Rows<M> {
    type Value = Vec<M>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut rows: A) -> Result<Vec<M>, A::Error> {
        let mut models = Vec::with_capacity(rows.size_hint().unwrap_or(0));
        while let Some(model) = rows.next_element_seed(Row::<M>(self.0, PhantomData))? {
            models.push(model);
        }
        Ok(models)
    }
}

/// One row: exactly the columns of its set.
struct Row<M>(ColumnSet, PhantomData<M>);

impl<'de, M: ReadJson> DeserializeSeed<'de> for Row<M> {
    type Value = M;
    fn deserialize<D: Deserializer<'de>>(self, parser: D) -> Result<M, D::Error> {
        parser.deserialize_seq(self)
    }
}

impl<'de, M: ReadJson> Visitor<'de> for Row<M> {
    type Value = M;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row: an array of its columns")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut row: A) -> Result<M, A::Error> {
        let model = M::read_json(&mut row, self.0)?;
        if row.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("a row has more columns than its set"));
        }
        Ok(model)
    }
}

/// The next column of `row`, which must be there and hold a `T` (a date as
/// `YYYY-MM-DD`, which both backends write).
fn column<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
    row: &mut A,
    name: &str,
) -> Result<T, A::Error> {
    row.next_element::<T>()?
        .ok_or_else(|| de::Error::custom(format!("aggregated column {name} is missing")))
}

macro_rules! by_json {
    ($($entity:ident { $($field:ident),* $(,)? })*) => {$(
        impl ReadJson for $entity::Model {
            fn read_json<'de, A: SeqAccess<'de>>(
                row: &mut A,
                set: ColumnSet,
            ) -> Result<Self, A::Error> {
                let mut index = 0;
                let mut next = || {
                    index += 1;
                    set.has_index(index - 1)
                };
                Ok($entity::Model {
                    $($field: if next() {
                        column(row, stringify!($field))?
                    } else {
                        Default::default()
                    },)*
                })
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
    use sea_orm::prelude::Date;

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
            r#"[[7, "n"]] [[8, "m"]]"#,
            r#"[[7, "n"], 8]"#,
            r#"{"id": 7}"#,
            "not json",
        ] {
            let read = read_json_rows::<person::Model>(Some(text), set);
            assert!(read.is_err(), "{text} was read");
        }
        let dated = ColumnSet::of::<person::Entity>(&[C::BirthDate]);
        for text in [
            r#"[[7, "28/02/1948"]]"#,
            r#"[[7, "1948-02-30"]]"#,
            r#"[[7, 1948]]"#,
        ] {
            let read = read_json_rows::<person::Model>(Some(text), dated);
            assert!(read.is_err(), "{text} was read");
        }
    }

    #[test]
    fn escaped_text_is_read_as_written() {
        let set = ColumnSet::of::<person::Entity>(&[C::Name, C::Bio]);
        let text = r#"[[7, "Ren\u00e9 \"Q\"", "a\\b\nc é"]]"#;
        let people: Vec<person::Model> = read_json_rows(Some(text), set).unwrap();
        assert_eq!(people[0].name, "René \"Q\"");
        assert_eq!(people[0].bio.as_deref(), Some("a\\b\nc é"));
    }
}

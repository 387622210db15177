//! Which of an entity's columns a statement reads: a bit per column, in the
//! entity's order. A film row is mostly long text (overview, ending, plot...)
//! that a list of titles never shows, so the loaders read only the columns a
//! query's selection needs; the set is part of their keys, so requests asking
//! for the same columns still share a statement and different sets never mix.

use sea_orm::{EntityTrait, IdenStatic, Iterable};

/// A set of an entity's columns; bit `i` is the entity's `i`th column.
/// Every set of columns to read holds the primary key (the first column),
/// which the loaders group rows by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ColumnSet(u64);

impl ColumnSet {
    /// No columns: what a page that joins no row reads of it.
    pub const NONE: Self = Self(0);

    /// Every column of `E`.
    pub fn all<E: EntityTrait>() -> Self {
        let count = E::Column::iter().count();
        assert!(
            count <= 64,
            "{} has more columns than a set holds",
            table::<E>()
        );
        Self(if count == 64 {
            u64::MAX
        } else {
            (1 << count) - 1
        })
    }

    /// The primary key of `E` alone.
    pub fn key<E: EntityTrait>() -> Self {
        Self(1)
    }

    /// The key and these columns of `E`.
    pub fn of<E: EntityTrait>(columns: &[E::Column]) -> Self {
        columns
            .iter()
            .fold(Self::key::<E>(), |set, &column| set.with::<E>(column))
    }

    /// This set and `column`.
    pub fn with<E: EntityTrait>(self, column: E::Column) -> Self {
        Self(self.0 | 1 << position::<E>(column))
    }

    /// This set and the column of `E` named `name` (which must exist).
    pub fn with_named<E: EntityTrait>(self, name: &str) -> Self {
        let column = E::Column::iter()
            .find(|c| c.as_str() == name)
            .unwrap_or_else(|| panic!("{} has no column {name}", table::<E>()));
        self.with::<E>(column)
    }

    /// Both sets' columns.
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set holds `column`.
    pub fn has<E: EntityTrait>(self, column: E::Column) -> bool {
        self.0 & 1 << position::<E>(column) != 0
    }

    /// Whether the set holds the column at `index` (in entity order).
    pub fn has_index(self, index: usize) -> bool {
        index < 64 && self.0 & 1 << index != 0
    }

    /// How many columns the set holds.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set holds nothing ([`ColumnSet::NONE`]).
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The bits, for a cache key.
    pub fn bits(self) -> u64 {
        self.0
    }

    /// `alias.a, alias.c, ...`: the set's columns in entity order, the order
    /// `ReadRow::read_some` reads them in.
    pub fn select_list<E: EntityTrait>(self, alias: &str) -> String {
        E::Column::iter()
            .enumerate()
            .filter(|(i, _)| self.has_index(*i))
            .map(|(_, column)| format!("{alias}.{}", column.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn position<E: EntityTrait>(column: E::Column) -> usize {
    let name = column.as_str();
    E::Column::iter()
        .position(|c| c.as_str() == name)
        .expect("a column of its own entity")
}

fn table<E: EntityTrait>() -> &'static str {
    E::default().table_name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entities::film;

    #[test]
    fn a_set_holds_the_key_and_what_it_was_given() {
        let set = ColumnSet::of::<film::Entity>(&[film::Column::Title, film::Column::ReleaseYear]);
        assert!(set.has::<film::Entity>(film::Column::Id));
        assert!(set.has::<film::Entity>(film::Column::Title));
        assert!(!set.has::<film::Entity>(film::Column::Overview));
        assert_eq!(set.len(), 3);
        assert_eq!(
            set.select_list::<film::Entity>("f"),
            "f.id, f.title, f.release_year"
        );
        assert_eq!(ColumnSet::all::<film::Entity>().len(), 32);
    }
}

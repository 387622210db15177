//! Films looked up one at a time: by slug or IMDb id (by id goes through the
//! row loader).

use sea_orm::{ColumnTrait, EntityTrait, IdenStatic, QueryFilter, QuerySelect};

use crate::db::columns::ColumnSet;
use crate::db::entities::film;
use crate::db::read_row::{read_all_some, values_in};
use crate::db::sql::Sql;
use crate::db::{Db, DbErr};

/// A unique text column a film is found by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilmKey {
    Slug,
    ImdbId,
}

impl FilmKey {
    pub fn column(self) -> film::Column {
        match self {
            Self::Slug => film::Column::Slug,
            Self::ImdbId => film::Column::ImdbId,
        }
    }

    /// The film's value of this column.
    pub fn value_of(self, film: &film::Model) -> Option<&str> {
        match self {
            Self::Slug => Some(&film.slug),
            Self::ImdbId => film.imdb_id.as_deref(),
        }
    }
}

/// The films whose `key` column holds one of `values`, each with the
/// columns of `set` and its key (the rest default: the caller reads no other).
pub async fn find_many_with(
    db: &Db,
    key: FilmKey,
    values: &[String],
    set: ColumnSet,
) -> Result<Vec<film::Model>, DbErr> {
    let set = set.with::<film::Entity>(key.column());
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT ")
        .push(&set.select_list::<film::Entity>("f"))
        .push(&format!(
            " FROM film f WHERE f.{} IN (",
            key.column().as_str()
        ))
        .bind_list(values)
        .push(")");
    let rows = sql.query_all(db.connection()).await?;
    db.metrics().record_values_read(values_in(&rows));
    read_all_some(&rows, set)
}

/// The row id of the film with this slug.
pub async fn id_by_slug(db: &Db, slug: &str) -> Result<Option<i32>, DbErr> {
    film::Entity::find()
        .select_only()
        .column(film::Column::Id)
        .filter(film::Column::Slug.eq(slug))
        .into_tuple()
        .one(db.connection())
        .await
}

/// How many films the catalogue has.
pub async fn count(db: &Db) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    film::Entity::find().count(db.connection()).await
}

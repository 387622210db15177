//! Films looked up one at a time (a film's own lookups by slug or IMDb id
//! go through the loaders: `rows::by_text`).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::db::entities::film;
use crate::db::{Db, DbErr};

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

//! Films looked up one at a time: by slug or IMDb id (by id goes through the
//! row loader).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::db::entities::film;
use crate::db::{Db, DbErr};

/// The film with this slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<film::Model>, DbErr> {
    film::Entity::find()
        .filter(film::Column::Slug.eq(slug))
        .one(db.connection())
        .await
}

/// The film with this IMDb id.
pub async fn by_imdb_id(db: &Db, imdb_id: &str) -> Result<Option<film::Model>, DbErr> {
    film::Entity::find()
        .filter(film::Column::ImdbId.eq(imdb_id))
        .one(db.connection())
        .await
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

//! Products looked up by slug (by id goes through the row loader).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db::entities::product;
use crate::db::{Db, DbErr};

/// The product with this slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<product::Model>, DbErr> {
    product::Entity::find()
        .filter(product::Column::Slug.eq(slug))
        .one(db.connection())
        .await
}

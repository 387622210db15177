//! DataLoaders: every relation the API resolves goes through one of these, so a
//! nested query costs one statement per relation and level, not one per row.
//!
//! One loader value (`Db`) serves every key type; each key type below is one
//! relation. Loaders are created once per schema without a cache, so a mutation's
//! result is never read back stale.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};

use crate::db::entities::*;

pub struct Db(pub DatabaseConnection);

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

/// An entity with an integer `id` primary key.
pub trait Keyed: EntityTrait {
    fn id_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i32;
}

/// A one-to-many relation: the rows of `Entity` that belong to one parent row
/// (a film, a character...), listed in a fixed order.
pub trait Relation: 'static {
    type Entity: EntityTrait;
    fn parent_column() -> <Self::Entity as EntityTrait>::Column;
    fn parent_of(model: &<Self::Entity as EntityTrait>::Model) -> i32;
    fn order_column() -> <Self::Entity as EntityTrait>::Column;
}

macro_rules! keyed {
    ($($entity:ident),* $(,)?) => {$(
        impl Keyed for $entity::Entity {
            fn id_column() -> Self::Column { $entity::Column::Id }
            fn id_of(model: &Self::Model) -> i32 { model.id }
        }
    )*};
}
keyed!(
    film,
    person,
    film_character,
    quote,
    review,
    award,
    nomination,
    product,
    genre
);

/// Marker types naming each one-to-many relation (`ChildrenOf<rel::Trivia>`).
pub mod rel {
    use super::*;

    macro_rules! relation {
        ($($name:ident: $entity:ident by $parent:ident ($field:ident) ordered $order:ident),* $(,)?) => {$(
            pub struct $name;
            impl Relation for $name {
                type Entity = $entity::Entity;
                fn parent_column() -> $entity::Column { $entity::Column::$parent }
                fn parent_of(model: &$entity::Model) -> i32 { IntoParentId::into_parent_id(model.$field) }
                fn order_column() -> $entity::Column { $entity::Column::$order }
            }
        )*};
    }

    /// Parent ids are plain for required columns, and never null for the rows
    /// the loader selects by them.
    trait IntoParentId {
        fn into_parent_id(self) -> i32;
    }
    impl IntoParentId for i32 {
        fn into_parent_id(self) -> i32 {
            self
        }
    }
    impl IntoParentId for Option<i32> {
        fn into_parent_id(self) -> i32 {
            self.unwrap_or_default()
        }
    }

    relation!(
        ExternalRatings: external_rating by FilmId (film_id) ordered Id,
        BoxOffice: box_office_figure by FilmId (film_id) ordered Id,
        Synopsis: synopsis_section by FilmId (film_id) ordered Position,
        Characters: film_character by FilmId (film_id) ordered Position,
        AudienceReactions: audience_reaction by FilmId (film_id) ordered Position,
        ContentWarnings: content_warning by FilmId (film_id) ordered Position,
        RecommendedAudiences: recommended_audience by FilmId (film_id) ordered Position,
        Trivia: trivia by FilmId (film_id) ordered Position,
        Nominations: nomination by FilmId (film_id) ordered Year,
        Faq: faq_entry by FilmId (film_id) ordered Position,
        Videos: video by FilmId (film_id) ordered Position,
        Soundtrack: soundtrack_track by FilmId (film_id) ordered Position,
        FilmingLocations: filming_location by FilmId (film_id) ordered Position,
        Offers: offer by FilmId (film_id) ordered Position,
        SimilarFilms: similar_film by FilmId (film_id) ordered Position,
        SourceWorks: source_work by FilmId (film_id) ordered Id,
        Genres: film_genre by FilmId (film_id) ordered Position,
        Countries: film_country by FilmId (film_id) ordered Position,
        Languages: film_language by FilmId (film_id) ordered Position,
        ProductsOfFilm: product_film by FilmId (film_id) ordered ProductId,
        FilmsOfProduct: product_film by ProductId (product_id) ordered Position,
        PerformersOfCharacter: credit by CharacterId (character_id) ordered Id,
        QuotesOfCharacter: quote by CharacterId (character_id) ordered Position,
        RecipientsOfNomination: nomination_recipient by NominationId (nomination_id) ordered PersonId,
        NominationsOfPerson: nomination_recipient by PersonId (person_id) ordered NominationId,
    );
}

/// Key: one row by id.
pub struct ById<E>(pub i32, PhantomData<fn() -> E>);

/// Key: all rows of relation `R` that belong to one parent, in order.
pub struct ChildrenOf<E>(pub i32, PhantomData<fn() -> E>);

macro_rules! int_key {
    ($name:ident) => {
        impl<E> $name<E> {
            pub fn new(id: i32) -> Self {
                Self(id, PhantomData)
            }
        }
        impl<E> Clone for $name<E> {
            fn clone(&self) -> Self {
                Self::new(self.0)
            }
        }
        impl<E> PartialEq for $name<E> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl<E> Eq for $name<E> {}
        impl<E> Hash for $name<E> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }
    };
}
int_key!(ById);
int_key!(ChildrenOf);

impl<E: Keyed> Loader<ById<E>> for Db
where
    E::Model: FromQueryResult + Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ById<E>]) -> LoadResult<ById<E>, E::Model> {
        let rows = E::find()
            .filter(E::id_column().is_in(keys.iter().map(|k| k.0)))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| (ById::new(E::id_of(&m)), m))
            .collect())
    }
}

type ModelOf<R> = <<R as Relation>::Entity as EntityTrait>::Model;

impl<R: Relation> Loader<ChildrenOf<R>> for Db
where
    ModelOf<R>: FromQueryResult + Clone + Send + Sync,
{
    type Value = Vec<ModelOf<R>>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ChildrenOf<R>]) -> LoadResult<ChildrenOf<R>, Vec<ModelOf<R>>> {
        let rows = R::Entity::find()
            .filter(R::parent_column().is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(R::order_column())
            .all(&self.0)
            .await?;
        let mut grouped: HashMap<ChildrenOf<R>, Vec<ModelOf<R>>> = HashMap::new();
        for row in rows {
            grouped
                .entry(ChildrenOf::new(R::parent_of(&row)))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}

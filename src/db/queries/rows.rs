//! Rows by id, and the children of one-to-many relations, read for many keys
//! at once: every relation the API resolves goes through here (by way of the
//! GraphQL loaders), so a nested query costs one statement per relation and
//! level, not one per row.
//!
//! Rows by id and the children of one-to-many relations share one key type
//! ([`Rows`]), so all of them that one level of a query asks for are read in
//! one round trip ([`Sql::query_batch`]).

use std::any::TypeId;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder, ValueType};
use sea_orm::{
    ColumnTrait, DbBackend, DbErr, EntityTrait, IdenStatic, Iterable, ModelTrait, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, QueryTrait,
};

use crate::db::Db;
use crate::db::columns::ColumnSet;
use crate::db::entities::*;
use crate::db::read_row::{Columns, ReadRow, read_all, read_all_some, values_in};
use crate::db::sql::Sql;

/// A row as the database returned it, decoded by [`by_id`] and [`children`].
pub type Row = QueryResult;

/// An entity with an integer `id` primary key.
pub trait Keyed: EntityTrait {
    fn id_column() -> Self::Column;
}

/// The model (row type) of an entity.
pub type ModelOf<E> = <E as EntityTrait>::Model;

/// A one-to-many relation: the rows of `Entity` that belong to one parent row
/// (a film, a character...), listed in a fixed order.
pub trait Relation: 'static {
    type Entity: EntityTrait;
    fn parent_column() -> <Self::Entity as EntityTrait>::Column;
    fn order_column() -> <Self::Entity as EntityTrait>::Column;
}

/// The model of a relation's rows.
pub type ChildOf<R> = <<R as Relation>::Entity as EntityTrait>::Model;

macro_rules! keyed {
    ($($entity:ident),* $(,)?) => {$(
        impl Keyed for $entity::Entity {
            fn id_column() -> Self::Column { $entity::Column::Id }
        }
    )*};
}
keyed!(
    app_user,
    film,
    film_list,
    person,
    film_character,
    quote,
    review,
    award,
    nomination,
    product,
    genre,
    keyword,
    company,
    collection
);

/// Marker types naming each one-to-many relation (`children::<rel::Trivia>`).
pub mod rel {
    use super::*;

    macro_rules! relation {
        ($($name:ident: $entity:ident by $parent:ident ordered $order:ident),* $(,)?) => {$(
            pub struct $name;
            impl Relation for $name {
                type Entity = $entity::Entity;
                fn parent_column() -> $entity::Column { $entity::Column::$parent }
                fn order_column() -> $entity::Column { $entity::Column::$order }
            }
        )*};
    }

    relation!(
        ExternalRatings: external_rating by FilmId ordered Id,
        BoxOffice: box_office_figure by FilmId ordered Id,
        Synopsis: synopsis_section by FilmId ordered Position,
        Characters: film_character by FilmId ordered Position,
        AudienceReactions: audience_reaction by FilmId ordered Position,
        ContentWarnings: content_warning by FilmId ordered Position,
        RecommendedAudiences: recommended_audience by FilmId ordered Position,
        Trivia: trivia by FilmId ordered Position,
        Nominations: nomination by FilmId ordered Year,
        Faq: faq_entry by FilmId ordered Position,
        Videos: video by FilmId ordered Position,
        Soundtrack: soundtrack_track by FilmId ordered Position,
        FilmingLocations: filming_location by FilmId ordered Position,
        Offers: offer by FilmId ordered Position,
        SimilarFilms: similar_film by FilmId ordered Position,
        ComputedSimilarFilms: film_similarity by FilmId ordered Rank,
        SourceWorks: source_work by FilmId ordered Id,
        Genres: film_genre by FilmId ordered Position,
        Countries: film_country by FilmId ordered Position,
        Languages: film_language by FilmId ordered Position,
        ProductsOfFilm: product_film by FilmId ordered ProductId,
        FilmsOfProduct: product_film by ProductId ordered Position,
        PerformersOfCharacter: credit by CharacterId ordered Id,
        QuotesOfCharacter: quote by CharacterId ordered Position,
        RecipientsOfNomination: nomination_recipient by NominationId ordered PersonId,
        NominationsOfPerson: nomination_recipient by PersonId ordered NominationId,
        Titles: film_title by FilmId ordered Position,
        Releases: film_release by FilmId ordered Position,
        Images: image by FilmId ordered Position,
        ImagesOfPerson: image by PersonId ordered Id,
        Keywords: film_keyword by FilmId ordered Position,
        Companies: film_company by FilmId ordered Position,
        CollectionOfFilm: collection_film by FilmId ordered Position,
        FilmsOfCollection: collection_film by CollectionId ordered Position,
    );
}

/// Which rows a [`Rows`] key selects: the rows of one table whose key column
/// holds the key, in the relation's order, as a statement with its values
/// written in (see [`Sql::query_batch`]).
#[derive(Clone, Copy)]
struct RowSource {
    /// The marker type (an entity for rows by id, a [`Relation`] for children).
    id: TypeId,
    key_column: &'static str,
    select: fn(&[i32], ColumnSet, DbBackend) -> String,
}

/// Key: the rows of one source (by id, or children of one parent) that hold
/// one key. One key type for every source, so that every row list a query
/// level asks for arrives in one batch, and the batch is one round trip: a
/// film page's twenty sections cost one, not twenty. The columns read are
/// part of the key: keys asking for other columns get a statement of their own.
#[derive(Clone, Copy)]
pub struct Rows {
    source: RowSource,
    columns: ColumnSet,
    key: i32,
}

impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        self.source.id == other.source.id && self.columns == other.columns && self.key == other.key
    }
}
impl Eq for Rows {}
impl Hash for Rows {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.id.hash(state);
        self.columns.hash(state);
        self.key.hash(state);
    }
}

impl Rows {
    /// The row of entity `E` with this id, every column.
    pub fn by_id<E: Keyed>(id: i32) -> Self {
        Self::by_id_with::<E>(id, ColumnSet::all::<E>())
    }

    /// The row of entity `E` with this id, only the columns of `columns`
    /// (which must hold the id, the column rows are grouped by).
    pub fn by_id_with<E: Keyed>(id: i32, columns: ColumnSet) -> Self {
        fn select<E: Keyed>(ids: &[i32], columns: ColumnSet, backend: DbBackend) -> String {
            let mut query = E::find().select_only();
            for (i, column) in E::Column::iter().enumerate() {
                if columns.has_index(i) {
                    query = query.column(column);
                }
            }
            let query = query.filter(E::id_column().is_in(ids.iter().copied()));
            written(query, backend)
        }
        debug_assert!(columns.has::<E>(E::id_column()));
        Self::of::<E>(E::id_column().as_str(), select::<E>, columns, id)
    }

    /// The rows of relation `R` that belong to this parent.
    pub fn children_of<R: Relation>(parent: i32) -> Self {
        fn select<R: Relation>(parents: &[i32], _: ColumnSet, backend: DbBackend) -> String {
            let query = R::Entity::find()
                .filter(R::parent_column().is_in(parents.iter().copied()))
                .order_by_asc(R::order_column());
            written(query, backend)
        }
        let every = ColumnSet::all::<R::Entity>();
        Self::of::<R>(R::parent_column().as_str(), select::<R>, every, parent)
    }

    /// The key (an id, or a parent's id).
    pub fn key(&self) -> i32 {
        self.key
    }

    /// The columns the key's rows hold.
    pub fn columns(&self) -> ColumnSet {
        self.columns
    }

    /// A key of the source named by marker type `M`.
    fn of<M: 'static>(
        key_column: &'static str,
        select: fn(&[i32], ColumnSet, DbBackend) -> String,
        columns: ColumnSet,
        key: i32,
    ) -> Self {
        let id = TypeId::of::<M>();
        Rows {
            source: RowSource {
                id,
                key_column,
                select,
            },
            columns,
            key,
        }
    }
}

/// The statement's text with its values written in by sea-query, which quotes
/// them; the values here are integer ids.
fn written<E: EntityTrait>(query: sea_orm::Select<E>, backend: DbBackend) -> String {
    let query = query.into_query();
    match backend {
        DbBackend::Postgres => query.to_string(PostgresQueryBuilder),
        _ => query.to_string(SqliteQueryBuilder),
    }
}

/// The rows of every key, in one round trip: one statement per source.
pub async fn load(db: &Db, keys: &[Rows]) -> Result<HashMap<Rows, Vec<Row>>, DbErr> {
    let mut sources: Vec<(RowSource, ColumnSet, Vec<i32>)> = Vec::new();
    for key in keys {
        let same =
            |(s, c, _): &&mut (RowSource, ColumnSet, _)| s.id == key.source.id && *c == key.columns;
        match sources.iter_mut().find(same) {
            Some((_, _, ids)) => ids.push(key.key),
            None => sources.push((key.source, key.columns, vec![key.key])),
        }
    }
    let backend = db.backend();
    let statements: Vec<String> = sources
        .iter()
        .map(|(source, columns, ids)| (source.select)(ids, *columns, backend))
        .collect();
    let results = Sql::query_batch(db, &statements).await?;

    let mut grouped: HashMap<Rows, Vec<Row>> = HashMap::new();
    for ((source, columns, _), rows) in sources.into_iter().zip(results) {
        db.metrics().record_values_read(values_in(&rows));
        for row in rows {
            let key: Option<i32> = row.try_get("", source.key_column)?;
            let key = Rows {
                source,
                columns,
                key: key.unwrap_or_default(),
            };
            grouped.entry(key).or_default().push(row);
        }
    }
    Ok(grouped)
}

/// Key: the row of `E` whose unique text column (a slug, an IMDb id) holds
/// `value`, read with the columns of `columns`. Root lookups go through a
/// loader like every other read, so concurrent requests for one film share
/// one statement.
pub struct ByText<E: EntityTrait> {
    pub column: E::Column,
    pub value: String,
    pub columns: ColumnSet,
}

impl<E: EntityTrait> Clone for ByText<E> {
    fn clone(&self) -> Self {
        Self {
            column: self.column,
            value: self.value.clone(),
            columns: self.columns,
        }
    }
}
impl<E: EntityTrait> PartialEq for ByText<E> {
    fn eq(&self, other: &Self) -> bool {
        self.column.as_str() == other.column.as_str()
            && self.value == other.value
            && self.columns == other.columns
    }
}
impl<E: EntityTrait> Eq for ByText<E> {}
impl<E: EntityTrait> Hash for ByText<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.column.as_str(), &self.value, self.columns).hash(state);
    }
}

/// An entity whose rows can be looked up by a text column and shared
/// between the callers of one batch.
pub trait TextKeyed: EntityTrait<Model: ReadRow + Clone + Send + Sync> {}

impl<E> TextKeyed for E
where
    E: EntityTrait,
    E::Model: ReadRow + Clone + Send + Sync,
{
}

/// The column of a batch of [`ByText`] keys and the values they look for.
type TextBatch<E> = (<E as EntityTrait>::Column, Vec<String>);

/// The rows the keys name, one statement per column and column set: each
/// with the columns of its key's set and the key column (the rest default:
/// the caller reads no other). Keys that match no row are left out.
pub async fn by_text<E: TextKeyed>(
    db: &Db,
    keys: &[ByText<E>],
) -> Result<HashMap<ByText<E>, ModelOf<E>>, DbErr> {
    let mut batches: HashMap<(&str, ColumnSet), TextBatch<E>> = HashMap::new();
    for key in keys {
        let batch = (key.column.as_str(), key.columns);
        let (_, values) = batches.entry(batch).or_insert((key.column, Vec::new()));
        values.push(key.value.clone());
    }
    let table = E::default().table_name();
    let mut found = HashMap::with_capacity(keys.len());
    for ((name, columns), (column, values)) in batches {
        let set = columns.with::<E>(column);
        let mut sql = Sql::new(db.backend());
        sql.push("SELECT ")
            .push(&set.select_list::<E>("x"))
            .push(&format!(" FROM {table} x WHERE x.{name} IN ("))
            .bind_list(&values)
            .push(")");
        let rows = sql.query_all_prepared(db).await?;
        db.metrics().record_values_read(values_in(&rows));
        for model in read_all_some::<ModelOf<E>>(&rows, set)? {
            // A NULL (an IMDb id a film lacks) matches no key.
            let Ok(value) = <String as ValueType>::try_from(model.get(column)) else {
                continue;
            };
            let key = ByText {
                column,
                value,
                columns,
            };
            found.insert(key, model);
        }
    }
    Ok(found)
}

/// The model in the first of a key's rows (rows by id have one), which hold
/// the columns of `set`.
pub fn first<M: ReadRow>(rows: &[Row], set: ColumnSet) -> Result<Option<M>, DbErr> {
    rows.first()
        .map(|row| M::read_some(row, 0, "", Columns::Check, set))
        .transpose()
}

/// The models of a key's rows, in order (one key's rows come from one result).
pub fn all<M: ReadRow>(rows: &[Row]) -> Result<Vec<M>, DbErr> {
    read_all(rows)
}

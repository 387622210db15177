//! DataLoaders: every relation the API resolves goes through one of these,
//! so a nested query costs one statement per relation and level, not one per
//! row. Each loader hands its batch of keys to a function of `db::queries`.
//!
//! One loader value ([`Loaders`]) serves every key type, created once per
//! schema without a cache: concurrent requests whose keys arrive within its
//! batching window share one statement, and nothing outlives its batch, so a
//! mutation's result is never read back stale.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};

use crate::db::columns::ColumnSet;
use crate::db::entities::rating;
use crate::db::queries::pages::{self, CountKey, Joined, Page, PageKey, PageRow, Paged};
use crate::db::queries::rows::{
    self, ByText, ChildOf, Keyed, ModelOf, Relation, Row, Rows, TextKeyed,
};
use crate::db::queries::{account, library, person, rating as ratings};
use crate::db::read_row::ReadRow;
use crate::db::{Db, DbErr};

/// The loaders' database.
pub struct Loaders {
    pub db: Db,
}

/// One loader per read replica, in the order of `ReadPool::replicas`.
pub struct ReplicaLoaders(pub Vec<DataLoader<Loaders>>);

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

impl Loader<Rows> for Loaders {
    type Value = Arc<[Row]>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Rows]) -> LoadResult<Rows, Arc<[Row]>> {
        let grouped = rows::load(&self.db, keys).await?;
        Ok(grouped
            .into_iter()
            .map(|(key, rows)| (key, rows.into()))
            .collect())
    }
}

impl<E: Paged, J: Joined> Loader<PageKey<E, J>> for Loaders {
    /// Shared: the DataLoader clones a value for each caller.
    type Value = Arc<Page<PageRow<E, J>>>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PageKey<E, J>]) -> LoadResult<PageKey<E, J>, Self::Value> {
        Ok(pages::load(&self.db, keys).await?)
    }
}

impl Loader<CountKey> for Loaders {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CountKey]) -> LoadResult<CountKey, i64> {
        Ok(pages::count(&self.db, keys).await?)
    }
}

/// Key: the `limit` people who share the most films with `person`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CoworkersOf {
    pub person: i32,
    pub limit: u32,
}

impl Loader<CoworkersOf> for Loaders {
    type Value = Vec<(i32, i64)>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CoworkersOf]) -> LoadResult<CoworkersOf, Vec<(i32, i64)>> {
        let mut by_limit: HashMap<u32, Vec<i32>> = HashMap::new();
        for key in keys {
            by_limit.entry(key.limit).or_default().push(key.person);
        }
        let mut found = HashMap::new();
        for (limit, people) in by_limit {
            let mut lists = person::coworkers(&self.db, &people, limit).await?;
            for person in people {
                found.insert(
                    CoworkersOf { person, limit },
                    lists.remove(&person).unwrap_or_default(),
                );
            }
        }
        Ok(found)
    }
}

/// Key: how many ratings gave a film each score, 1 to 10.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScoreCountsOf(pub i32);

impl Loader<ScoreCountsOf> for Loaders {
    type Value = [i64; 10];
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ScoreCountsOf]) -> LoadResult<ScoreCountsOf, [i64; 10]> {
        let films: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let counts = ratings::score_counts(&self.db, &films).await?;
        Ok(counts
            .into_iter()
            .map(|(film, counts)| (ScoreCountsOf(film), counts))
            .collect())
    }
}

impl<E: TextKeyed> Loader<ByText<E>> for Loaders {
    type Value = ModelOf<E>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ByText<E>]) -> LoadResult<ByText<E>, ModelOf<E>> {
        Ok(rows::by_text(&self.db, keys).await?)
    }
}

/// Key: one user's rating of one film.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerRatingOf {
    pub user: i32,
    pub film: i32,
}

impl Loader<ViewerRatingOf> for Loaders {
    type Value = rating::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ViewerRatingOf]) -> LoadResult<ViewerRatingOf, rating::Model> {
        let mut found = HashMap::new();
        let users: std::collections::HashSet<i32> = keys.iter().map(|k| k.user).collect();
        for user in users {
            let films: Vec<i32> = keys
                .iter()
                .filter(|k| k.user == user)
                .map(|k| k.film)
                .collect();
            for row in ratings::of_user_for_films(&self.db, user, films).await? {
                found.insert(
                    ViewerRatingOf {
                        user,
                        film: row.film_id,
                    },
                    row,
                );
            }
        }
        Ok(found)
    }
}

/// Key: what the viewer `user` keeps of `film` (watchlist, diary,
/// favourite, rating): one statement for a page of films.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerStateOf {
    pub user: i32,
    pub film: i32,
}

impl Loader<ViewerStateOf> for Loaders {
    type Value = library::ViewerState;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ViewerStateOf]) -> LoadResult<ViewerStateOf, Self::Value> {
        let mut by_user: HashMap<i32, Vec<i32>> = HashMap::new();
        for key in keys {
            by_user.entry(key.user).or_default().push(key.film);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for (user, films) in by_user {
            for (film, state) in library::viewer_states(&self.db, user, &films).await? {
                found.insert(ViewerStateOf { user, film }, state);
            }
        }
        Ok(found)
    }
}

/// Key: what a user's public profile counts (reviews, public lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProfileCountsOf(pub i32);

impl Loader<ProfileCountsOf> for Loaders {
    type Value = (i64, i64);
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ProfileCountsOf]) -> LoadResult<ProfileCountsOf, (i64, i64)> {
        let users: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let counts = account::profile_counts(&self.db, &users).await?;
        Ok(counts
            .into_iter()
            .map(|(user, counts)| (ProfileCountsOf(user), counts))
            .collect())
    }
}

/// Typed reads through the [`Rows`] loader. (Only the crate's resolvers call
/// it, on the concrete loader, so its futures are known to be `Send`.)
#[allow(async_fn_in_trait)]
pub trait RowLoader {
    /// The row of `E` with this id, if any.
    async fn by_id<E: Keyed>(&self, id: i32) -> Result<Option<ModelOf<E>>, Arc<DbErr>>
    where
        ModelOf<E>: ReadRow,
    {
        self.by_id_with::<E>(id, ColumnSet::all::<E>()).await
    }
    /// The row of `E` with this id, only the columns of `columns`.
    async fn by_id_with<E: Keyed>(
        &self,
        id: i32,
        columns: ColumnSet,
    ) -> Result<Option<ModelOf<E>>, Arc<DbErr>>
    where
        ModelOf<E>: ReadRow;
    /// The rows of `E` with these ids, by id; missing ids are left out.
    async fn by_ids<E: Keyed>(&self, ids: Vec<i32>) -> Result<HashMap<i32, ModelOf<E>>, Arc<DbErr>>
    where
        ModelOf<E>: ReadRow,
    {
        self.by_ids_with::<E>(ids, ColumnSet::all::<E>()).await
    }
    /// The rows of `E` with these ids, only the columns of `columns`.
    async fn by_ids_with<E: Keyed>(
        &self,
        ids: Vec<i32>,
        columns: ColumnSet,
    ) -> Result<HashMap<i32, ModelOf<E>>, Arc<DbErr>>
    where
        ModelOf<E>: ReadRow;
    /// The rows of relation `R` that belong to this parent, in order.
    async fn children<R: Relation>(&self, parent: i32) -> Result<Vec<ChildOf<R>>, Arc<DbErr>>
    where
        ChildOf<R>: ReadRow;
    /// The row of `E` whose unique text `column` (a slug, an IMDb id) holds
    /// `value`, only the columns of `columns`.
    async fn by_text_with<E: TextKeyed>(
        &self,
        column: E::Column,
        value: String,
        columns: ColumnSet,
    ) -> Result<Option<ModelOf<E>>, Arc<DbErr>>;
}

impl RowLoader for DataLoader<Loaders> {
    async fn by_text_with<E: TextKeyed>(
        &self,
        column: E::Column,
        value: String,
        columns: ColumnSet,
    ) -> Result<Option<ModelOf<E>>, Arc<DbErr>> {
        let key = ByText::<E> {
            column,
            value,
            columns,
        };
        self.load_one(key).await
    }

    async fn by_id_with<E: Keyed>(
        &self,
        id: i32,
        columns: ColumnSet,
    ) -> Result<Option<ModelOf<E>>, Arc<DbErr>>
    where
        ModelOf<E>: ReadRow,
    {
        match self.load_one(Rows::by_id_with::<E>(id, columns)).await? {
            Some(rows) => Ok(rows::first(&rows, columns)?),
            None => Ok(None),
        }
    }

    async fn by_ids_with<E: Keyed>(
        &self,
        ids: Vec<i32>,
        columns: ColumnSet,
    ) -> Result<HashMap<i32, ModelOf<E>>, Arc<DbErr>>
    where
        ModelOf<E>: ReadRow,
    {
        let found = self
            .load_many(ids.into_iter().map(|id| Rows::by_id_with::<E>(id, columns)))
            .await?;
        let mut models = HashMap::with_capacity(found.len());
        for (key, rows) in found {
            if let Some(model) = rows::first(&rows, columns)? {
                models.insert(key.key(), model);
            }
        }
        Ok(models)
    }

    async fn children<R: Relation>(&self, parent: i32) -> Result<Vec<ChildOf<R>>, Arc<DbErr>>
    where
        ChildOf<R>: ReadRow,
    {
        match self.load_one(Rows::children_of::<R>(parent)).await? {
            Some(rows) => Ok(rows::all(&rows)?),
            None => Ok(Vec::new()),
        }
    }
}

//! The GraphQL API: one `build_schema` used by the server, the tests and the
//! SDL export. One file per domain; `loaders` and `paging` hold the data access
//! every domain shares.

mod account;
mod aggregate_cache;
mod award;
mod character;
mod connection;
pub mod documents;
mod film;
mod film_list;
pub mod guard;
pub mod ids;
mod keyset;
mod loaders;
mod node;
mod paging;
mod person;
mod person_list;
mod product;
mod rating;
pub mod response_order;
mod review;
mod search;
mod sections;

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    Context, ErrorExtensions, MergedObject, SDLExportOptions, Schema, SchemaBuilder,
};
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::error::AppError;
use crate::telemetry::metrics::Metrics;

pub use paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// Where every read starts: films, people, products and awards by id or slug,
/// the browsable film and people lists, search, and the signed-in user.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
    film::FilmQuery,
    person::PersonQuery,
    product::ProductQuery,
    award::AwardQuery,
    search::SearchQuery,
    account::MeQuery,
);

/// Every change: accounts and sessions, ratings and reviews. All but `signUp`
/// and `signIn` need a signed-in viewer (UNAUTHENTICATED otherwise).
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    account::AccountMutation,
    rating::RatingMutation,
    review::ReviewMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, rating::RatingSubscription>;

fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, rating::RatingSubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        rating::RatingSubscription,
    )
}

/// The schema with its database, loaders, limits and rating events.
pub fn build_schema(
    db: DatabaseConnection,
    config: &Config,
    limiter: std::sync::Arc<crate::limits::RateLimiter>,
    events: crate::events::RatingEvents,
    metrics: std::sync::Arc<Metrics>,
) -> AppSchema {
    let mut builder = schema_builder()
        .data(DataLoader::new(
            loaders::Db {
                db: db.clone(),
                metrics: metrics.clone(),
            },
            tokio::spawn,
        ))
        .data(limiter)
        .data(events)
        .data(db)
        .data(metrics)
        .data(aggregate_cache::AggregateCache::default());
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    if !config.field_suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The SDL, without any database: what `cinegraph print-schema` prints.
pub fn export_sdl() -> String {
    schema_builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}

fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<loaders::Db> {
    ctx.data_unchecked::<DataLoader<loaders::Db>>()
}

fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

/// The pool with the metrics for statements planned for their values
/// (`Sql::query_all_own_plan`), which bypass sea-orm.
fn reader<'a>(ctx: &Context<'a>) -> crate::db::sql::Reader<'a> {
    crate::db::sql::Reader {
        db: db(ctx),
        metrics: ctx.data_unchecked::<std::sync::Arc<Metrics>>(),
    }
}

/// Ends a resolver: maps any error into `AppError` and keeps its `extensions.code`.
/// (A bare `?` into `async_graphql::Error` would keep only the message.)
trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<AppError>> GqlResult<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|err| err.into().extend())
    }
}

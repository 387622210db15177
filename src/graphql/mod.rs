//! The GraphQL schema: one `build_schema` used by the server, the tests and
//! the SDL export. The types live in `types` (one file per domain), the
//! relations' DataLoaders in `loaders`, connections and cursors in
//! `pagination`, and what resolvers reach through the context in `context`.
//! No SQL here: reads go through `db::queries`, writes through `domain`.

pub mod context;
pub mod cost;
pub mod direct;
pub mod loaders;
pub mod pagination;
pub mod types;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    MergedObject, MergedSubscription, SDLExportOptions, Schema, SchemaBuilder, ValidationMode,
};

use self::loaders::{Loaders, ReplicaLoaders};
use self::types::*;
use crate::cache::aggregates::AggregateCache;
use crate::db::Db;
use crate::db::replicas::ReadPool;
use crate::domain::events::Events;
use crate::domain::limits::RateLimiter;
use crate::graphql::pagination::cursor::CursorKeys;

/// Where every read starts: films, people, products and awards by id or slug,
/// the browsable film and people lists, search, and the signed-in user.
// Named `Query` and `Mutation` in the schema: a federation subgraph's SDL has
// no `schema { }` block, so a gateway finds its roots by these default names.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    node::NodeQuery,
    film::FilmQuery,
    person::PersonQuery,
    product::ProductQuery,
    award::AwardQuery,
    search::SearchQuery,
    discovery::TrendingQuery,
    account::MeQuery,
    entity::EntityQuery,
    editing::EditingQuery,
    changes::ChangesQuery,
    webhooks::WebhookQuery,
);

/// Every change: accounts and sessions, ratings and reviews. All but `signUp`
/// and `signIn` need a signed-in viewer (UNAUTHENTICATED otherwise).
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    account::AccountMutation,
    rating::RatingMutation,
    review::ReviewMutation,
    library::LibraryMutation,
    lists::ListMutation,
    sessions::SessionMutation,
    roles::RoleMutation,
    editing::EditingMutation,
    revisions::RevisionMutation,
    webhooks::WebhookMutation,
);

/// Live updates, over the WebSocket endpoint `/graphql/ws`.
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(
    rating::RatingSubscription,
    library_changed::LibrarySubscription,
    changes::ChangeSubscription,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// A Federation v2 subgraph: Film, Person and Product are entities keyed by
/// their global id (`types::entity`), and `_service { sdl }` gives a gateway
/// the schema with its `@link` and `@key`s. It has no extensions: objects
/// resolved in place (`direct`) would not call their `resolve` hooks.
fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .enable_federation()
}

/// What the schema's resolvers work with.
pub struct Services {
    pub db: Db,
    pub events: Events,
    pub limiter: Arc<RateLimiter>,
    /// Answer introspection queries (GraphiQL needs them).
    pub introspection: bool,
    /// Suggest field names in validation errors ("did you mean ...").
    pub field_suggestions: bool,
    /// What cursors are signed with (installed when the database is prepared).
    pub cursor_keys: CursorKeys,
    /// The primary and the read replicas: a request reads where the
    /// pipeline's [`Read`](crate::db::replicas::Read) (in its data) says;
    /// without one, the primary.
    pub reads: Arc<ReadPool>,
    /// Where webhooks may point (`createWebhook` checks it).
    pub webhooks: crate::config::Webhooks,
}

/// The schema, built twice over the same services: `checked` runs every
/// validation rule; `prechecked` (async-graphql's `ValidationMode::Fast`)
/// still computes depth, complexity and fragment cycles but skips the rules
/// whose outcome depends only on the request. The pipeline runs a request on
/// `prechecked` only when the same text, operation and variables passed
/// `checked` before (`http::pipeline::validated`): validation took 8% of a
/// small list query's CPU, and its answer for a request never changes.
#[derive(Clone)]
pub struct Schemas {
    pub checked: AppSchema,
    pub prechecked: AppSchema,
}

impl Schemas {
    /// `prechecked` when the request is known to pass every rule.
    pub fn for_request(&self, known_valid: bool) -> &AppSchema {
        if known_valid {
            &self.prechecked
        } else {
            &self.checked
        }
    }
}

/// The schemas with their database, loaders, limits and events (shared by
/// both: one loader batches for both, one aggregate cache).
pub fn build_schema(services: Services) -> Schemas {
    let Services {
        db,
        events,
        limiter,
        introspection,
        field_suggestions,
        cursor_keys,
        reads,
        webhooks,
    } = services;
    let replica_loaders = Arc::new(ReplicaLoaders(
        reads
            .replicas
            .iter()
            .map(|replica| {
                let db = replica.db.clone();
                DataLoader::new(Loaders { db }, tokio::spawn)
            })
            .collect(),
    ));
    let loader = Arc::new(DataLoader::new(Loaders { db: db.clone() }, tokio::spawn));
    let aggregates = AggregateCache::default();
    let build = |mode: ValidationMode| {
        let mut builder = schema_builder()
            .validation_mode(mode)
            .data(loader.clone())
            .data(replica_loaders.clone())
            .data(reads.clone())
            .data(limiter.clone())
            .data(events.clone())
            .data(db.clone())
            .data(cursor_keys.clone())
            .data(webhooks.clone())
            .data(aggregates.clone());
        if !introspection {
            builder = builder.disable_introspection();
        }
        if !field_suggestions {
            builder = builder.disable_suggestions();
        }
        builder.finish()
    };
    Schemas {
        checked: build(ValidationMode::Strict),
        prechecked: build(ValidationMode::Fast),
    }
}

/// The SDL, without any database: what `cinegraph print-schema` prints.
pub fn export_sdl() -> String {
    schema_builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}

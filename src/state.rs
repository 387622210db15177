//! The one application state: database pool, schema and settings.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::events::RatingEvents;
use crate::graphql::{AppSchema, build_schema};
use crate::limits::RateLimiter;
use crate::{db, import};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub config: Arc<Config>,
    /// Abuse limits, shared by the HTTP layer (mutations) and the schema (sign-in).
    pub limiter: Arc<RateLimiter>,
}

impl AppState {
    /// Connects, migrates, imports the bundled data if asked and the database is
    /// empty, and builds the schema. Used by `serve` and by the tests alike.
    pub async fn new(config: &Config) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        db::migrate(&db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?;
        if config.import_bundled_data {
            import::import_bundled_if_empty(&db).await?;
        }
        Ok(Self::with_database(db, config))
    }

    /// The state over an already prepared database.
    pub fn with_database(db: DatabaseConnection, config: &Config) -> Self {
        let limiter = Arc::new(RateLimiter::new(
            config.sign_in_per_minute,
            config.mutations_per_minute,
        ));
        let events = RatingEvents::new(db.get_database_backend());
        events.listen(config.database_url.clone());
        let schema = build_schema(db.clone(), config, limiter.clone(), events);
        Self {
            db,
            schema,
            config: Arc::new(config.clone()),
            limiter,
        }
    }
}

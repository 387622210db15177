//! Runtime settings of the server. The CLI (`crate::cli`) fills them from flags
//! and environment variables; tests build them with `Config::for_tests`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// Address the HTTP server binds; port 0 picks a free port.
    pub listen: SocketAddr,
    /// sea-orm connection URL: `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// Import the bundled film pages when the database has no films.
    pub import_bundled_data: bool,
    /// What a query document may hold (depth, complexity, size, aliases, ...).
    pub query_limits: QueryLimits,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest `variables` object, in bytes of JSON.
    pub max_variables_bytes: usize,
    /// Most requests in one batched POST; 0 switches batching off.
    pub max_batch_size: usize,
    /// Time one GraphQL request may run before it is stopped with TIMEOUT.
    pub request_time_budget: Duration,
    /// Answer introspection queries (GraphiQL needs them).
    pub introspection: bool,
    /// Suggest field names in validation errors ("did you mean ...").
    pub field_suggestions: bool,
    /// Sign-in attempts per minute, per client, and per client and username.
    pub sign_in_per_minute: u32,
    /// Mutations per minute, per client address and per signed-in user.
    pub mutations_per_minute: u32,
    /// Changes to content per minute, per editor (a film's page is written
    /// whole, with its history and its search entries).
    pub edits_per_minute: u32,
    /// Cost (the operations' estimated costs, summed) each client address
    /// may spend per minute; 0 refuses every operation that costs anything.
    pub cost_per_minute: u32,
    /// GraphQL requests taking at least this long are logged as warnings, with their query.
    pub slow_operation: Duration,
    /// Bytes of public query answers kept in memory; 0 switches the cache off.
    pub response_cache_bytes: usize,
    /// How often the recommendation model is rebuilt from every rating;
    /// zero: only at start, when missing.
    pub recommendation_model_every: Duration,
    /// How long a graphql-transport-ws client may take to send `connection_init`
    /// before its socket is closed with 4408.
    pub websocket_init_timeout: Duration,
    /// Proxies whose `X-Forwarded-For` names the client (for the abuse
    /// limits); from anyone else the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Secrets cursors are signed with (the first signs, all verify); when
    /// empty, one kept in the database, shared by every server of it.
    pub cursor_secrets: Vec<String>,
    /// Redis that holds the rate limits every node shares; none: each
    /// process counts its own.
    pub redis_url: Option<String>,
    /// PostgreSQL read replicas and how routing treats them (`db::replicas`).
    pub replicas: Replicas,
    /// How anonymous answers fetched by hash over GET may be cached at the
    /// edge, and where writes purge them.
    pub edge: Edge,
    /// Refuse every operation that is not a trusted document.
    pub trusted_documents_only: bool,
    /// A manifest of trusted documents besides the playground's.
    pub trusted_documents: Option<PathBuf>,
    /// Webhook deliveries (`domain::webhooks`).
    pub webhooks: Webhooks,
}

/// Webhook deliveries: where they may go and how long a receiver has.
#[derive(Clone, Debug)]
pub struct Webhooks {
    /// Deliver to loopback, link-local and private addresses too (a
    /// receiver on the same network); off, as SSRF protection asks.
    pub allow_private: bool,
    /// How long a receiver has to answer one try.
    pub timeout: Duration,
}

impl Default for Webhooks {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_millis(DEFAULT_WEBHOOK_TIMEOUT_MS),
        }
    }
}

/// Edge caching (`cache::edge`): `Cache-Control` lifetimes, in seconds, and the purge hook.
#[derive(Clone, Debug)]
pub struct Edge {
    pub max_age: u32,
    pub s_maxage: u32,
    pub stale_while_revalidate: u32,
    pub purge_url: Option<String>,
}

impl Default for Edge {
    fn default() -> Self {
        Self {
            max_age: DEFAULT_EDGE_MAX_AGE,
            s_maxage: DEFAULT_EDGE_S_MAXAGE,
            stale_while_revalidate: DEFAULT_EDGE_STALE_WHILE_REVALIDATE,
            purge_url: None,
        }
    }
}

/// Read replicas: none by default.
#[derive(Clone, Debug)]
pub struct Replicas {
    /// `postgres://` URLs of streaming standbys of the primary.
    pub urls: Vec<String>,
    /// A replica further behind than this is out of use.
    pub max_lag: Duration,
    /// How long a query waits for a replica to catch up before reading the primary.
    pub wait: Duration,
}

impl Default for Replicas {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            max_lag: Duration::from_millis(DEFAULT_REPLICA_MAX_LAG_MS),
            wait: Duration::from_millis(DEFAULT_REPLICA_WAIT_MS),
        }
    }
}

/// Each limit a query document must stay within (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct QueryLimits {
    pub max_bytes: usize,
    pub max_tokens: usize,
    pub max_depth: usize,
    /// Fields counted once each, times the page size of every connection above them.
    pub max_complexity: u64,
    pub max_aliases: u64,
    pub max_root_fields: u64,
    pub max_directives_per_field: usize,
    /// Largest estimated cost of one operation (IBM cost directives; see
    /// `http::pipeline::cost`).
    pub max_cost: u64,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cinegraph.db?mode=rwc";
pub const DEFAULT_MAX_DEPTH: usize = 16;
pub const DEFAULT_MAX_COMPLEXITY: u64 = 50_000;
pub const DEFAULT_MAX_QUERY_BYTES: usize = 32 * 1024;
pub const DEFAULT_MAX_QUERY_TOKENS: usize = 5_000;
pub const DEFAULT_MAX_ALIASES: u64 = 50;
pub const DEFAULT_MAX_ROOT_FIELDS: u64 = 30;
pub const DEFAULT_MAX_DIRECTIVES_PER_FIELD: usize = 4;
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
pub const DEFAULT_MAX_VARIABLES_BYTES: usize = 64 * 1024;
pub const DEFAULT_MAX_BATCH_SIZE: usize = 10;
pub const DEFAULT_REQUEST_TIME_BUDGET_MS: u64 = 10_000;
pub const DEFAULT_SIGN_IN_PER_MINUTE: u32 = 10;
pub const DEFAULT_MUTATIONS_PER_MINUTE: u32 = 120;
pub const DEFAULT_EDITS_PER_MINUTE: u32 = 30;
pub const DEFAULT_MAX_COST: u64 = 10_000;
pub const DEFAULT_COST_PER_MINUTE: u32 = 100_000;
pub const DEFAULT_SLOW_OPERATION_MS: u64 = 1_000;
pub const DEFAULT_RESPONSE_CACHE_MB: usize = 32;
pub const DEFAULT_WEBSOCKET_INIT_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_REPLICA_MAX_LAG_MS: u64 = 5_000;
pub const DEFAULT_REPLICA_WAIT_MS: u64 = 200;
pub const DEFAULT_EDGE_MAX_AGE: u32 = 60;
pub const DEFAULT_RECOMMENDATION_MODEL_MINUTES: u64 = 60;
pub const DEFAULT_EDGE_S_MAXAGE: u32 = 600;
pub const DEFAULT_EDGE_STALE_WHILE_REVALIDATE: u32 = 30;
pub const DEFAULT_WEBHOOK_TIMEOUT_MS: u64 = 10_000;

impl Config {
    /// An in-memory SQLite database (or `database_url`), real migrations, no bundled import.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            database_url: database_url.to_string(),
            import_bundled_data: false,
            query_limits: QueryLimits::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_variables_bytes: DEFAULT_MAX_VARIABLES_BYTES,
            max_batch_size: DEFAULT_MAX_BATCH_SIZE,
            request_time_budget: Duration::from_millis(DEFAULT_REQUEST_TIME_BUDGET_MS),
            introspection: true,
            field_suggestions: true,
            // Tests fire thousands of mutations from one address; the limit tests set their own.
            sign_in_per_minute: 100_000,
            mutations_per_minute: 100_000,
            edits_per_minute: 100_000,
            cost_per_minute: 100_000_000,
            slow_operation: Duration::from_millis(DEFAULT_SLOW_OPERATION_MS),
            // On, as in production, except over PostgreSQL, so that every
            // query of the tests reaches it (the tests about the cache turn
            // it on themselves); TEST_RESPONSE_CACHE=off turns it off on
            // SQLite too.
            response_cache_bytes: match std::env::var("TEST_RESPONSE_CACHE").as_deref() {
                Ok("off") => 0,
                _ if database_url.starts_with("postgres") => 0,
                _ => DEFAULT_RESPONSE_CACHE_MB << 20,
            },
            // Tests rebuild it when they mean to.
            recommendation_model_every: Duration::ZERO,
            websocket_init_timeout: Duration::from_millis(DEFAULT_WEBSOCKET_INIT_TIMEOUT_MS),
            trusted_proxies: Vec::new(),
            cursor_secrets: Vec::new(),
            redis_url: None,
            replicas: Replicas::default(),
            edge: Edge::default(),
            trusted_documents_only: false,
            trusted_documents: None,
            webhooks: Webhooks::default(),
        }
    }
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_QUERY_BYTES,
            max_tokens: DEFAULT_MAX_QUERY_TOKENS,
            max_depth: DEFAULT_MAX_DEPTH,
            max_complexity: DEFAULT_MAX_COMPLEXITY,
            max_aliases: DEFAULT_MAX_ALIASES,
            max_root_fields: DEFAULT_MAX_ROOT_FIELDS,
            max_directives_per_field: DEFAULT_MAX_DIRECTIVES_PER_FIELD,
            max_cost: DEFAULT_MAX_COST,
        }
    }
}

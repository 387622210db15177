//! The command line: `serve` (the default), `migrate`, `import`, `generate`,
//! `users`, `print-schema`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, Config};
use crate::db::Db;
use crate::domain::events::Events;
use crate::domain::roles::{self, Role};
use crate::telemetry::metrics::Metrics;
use crate::{graphql, import, server};

#[derive(Parser, Debug)]
#[command(
    name = "cinegraph",
    version,
    about = "A GraphQL content API for films.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Serving options, when no subcommand is given (`cinegraph` = `cinegraph serve`).
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate, import the bundled data into an empty database, and serve (the default).
    Serve(Box<ServeArgs>),
    /// Apply, revert or list database migrations.
    Migrate(MigrateArgs),
    /// Import film page documents (*.json) and catalogues (*.jsonl.gz), or
    /// directories of them.
    Import(ImportArgs),
    /// Add a synthetic catalogue of N films for scale tests (deterministic; the
    /// bundled catalogue is imported first into an empty database).
    Generate(GenerateArgs),
    /// Manage accounts: `users grant NAME --role editor`.
    Users(UsersArgs),
    /// Print the GraphQL schema (SDL) on stdout.
    PrintSchema,
}

#[derive(Args, Debug)]
pub struct UsersArgs {
    #[command(subcommand)]
    pub command: UsersCommand,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Give an account a role: viewer, editor or admin. This is how the
    /// first admin is made; admins then grant roles with `grantRole`.
    Grant {
        /// The account's username.
        username: String,
        /// viewer, editor or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("{text:?} is not a role: viewer, editor or admin"))
}

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://FILE?mode=rwc or postgres://USER@HOST/DB.
    // Global, so `migrate status --database-url URL` works as well as `migrate --database-url URL status`.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = config::DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "CINEGRAPH_LISTEN", default_value = config::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Do not import the bundled film pages into an empty database.
    #[arg(long, env = "CINEGRAPH_NO_BUNDLED_DATA")]
    pub no_bundled_data: bool,
    /// Deepest field nesting a query may have.
    #[arg(long, env = "CINEGRAPH_MAX_DEPTH", default_value_t = config::DEFAULT_MAX_DEPTH)]
    pub max_depth: usize,
    /// Largest query complexity (each field counts 1, times the page size of the connections above it).
    #[arg(long, env = "CINEGRAPH_MAX_COMPLEXITY", default_value_t = config::DEFAULT_MAX_COMPLEXITY)]
    pub max_complexity: u64,
    /// Largest estimated cost of one operation (the IBM cost directives'
    /// static analysis: `@cost` weights times `@listSize` list sizes); above
    /// it the operation is refused with COST_LIMIT_EXCEEDED.
    #[arg(long, env = "CINEGRAPH_MAX_COST", default_value_t = config::DEFAULT_MAX_COST)]
    pub max_cost: u64,
    /// Largest query document, in bytes.
    #[arg(long, env = "CINEGRAPH_MAX_QUERY_BYTES", default_value_t = config::DEFAULT_MAX_QUERY_BYTES)]
    pub max_query_bytes: usize,
    /// Most tokens (names, punctuation, values) a query document may have.
    #[arg(long, env = "CINEGRAPH_MAX_QUERY_TOKENS", default_value_t = config::DEFAULT_MAX_QUERY_TOKENS)]
    pub max_query_tokens: usize,
    /// Most aliases in a query, counted with its fragments expanded.
    #[arg(long, env = "CINEGRAPH_MAX_ALIASES", default_value_t = config::DEFAULT_MAX_ALIASES)]
    pub max_aliases: u64,
    /// Most root fields one operation may ask for.
    #[arg(long, env = "CINEGRAPH_MAX_ROOT_FIELDS", default_value_t = config::DEFAULT_MAX_ROOT_FIELDS)]
    pub max_root_fields: u64,
    /// Most directives on one field, fragment spread or inline fragment.
    #[arg(long, env = "CINEGRAPH_MAX_DIRECTIVES_PER_FIELD", default_value_t = config::DEFAULT_MAX_DIRECTIVES_PER_FIELD)]
    pub max_directives_per_field: usize,
    /// Largest request body, in bytes.
    #[arg(long, env = "CINEGRAPH_MAX_BODY_BYTES", default_value_t = config::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Largest `variables` object, in bytes of JSON.
    #[arg(long, env = "CINEGRAPH_MAX_VARIABLES_BYTES", default_value_t = config::DEFAULT_MAX_VARIABLES_BYTES)]
    pub max_variables_bytes: usize,
    /// Most requests in one batched POST (a JSON list); 0 switches batching off.
    #[arg(long, env = "CINEGRAPH_MAX_BATCH_SIZE", default_value_t = config::DEFAULT_MAX_BATCH_SIZE)]
    pub max_batch_size: usize,
    /// Milliseconds one GraphQL request may run before it is stopped with TIMEOUT.
    #[arg(long, env = "CINEGRAPH_REQUEST_TIME_BUDGET_MS", default_value_t = config::DEFAULT_REQUEST_TIME_BUDGET_MS)]
    pub request_time_budget_ms: u64,
    /// Refuse introspection queries (the playground's docs and autocompletion need them).
    #[arg(long, env = "CINEGRAPH_NO_INTROSPECTION")]
    pub no_introspection: bool,
    /// Leave "did you mean ...?" field suggestions out of validation errors.
    #[arg(long, env = "CINEGRAPH_NO_FIELD_SUGGESTIONS")]
    pub no_field_suggestions: bool,
    /// Sign-in attempts allowed per minute, per client, and per client and username.
    #[arg(long, env = "CINEGRAPH_SIGN_IN_PER_MINUTE", default_value_t = config::DEFAULT_SIGN_IN_PER_MINUTE)]
    pub sign_in_per_minute: u32,
    /// Mutations allowed per minute, per client address and per signed-in user.
    #[arg(long, env = "CINEGRAPH_MUTATIONS_PER_MINUTE", default_value_t = config::DEFAULT_MUTATIONS_PER_MINUTE)]
    pub mutations_per_minute: u32,
    /// Changes to content allowed per minute, per editor.
    #[arg(long, env = "CINEGRAPH_EDITS_PER_MINUTE", default_value_t = config::DEFAULT_EDITS_PER_MINUTE)]
    pub edits_per_minute: u32,
    /// Cost each client address may spend per minute: every operation is
    /// charged its estimated cost; past the budget, RATE_LIMITED.
    #[arg(long, env = "CINEGRAPH_COST_PER_MINUTE", default_value_t = config::DEFAULT_COST_PER_MINUTE)]
    pub cost_per_minute: u32,
    /// GraphQL requests taking at least this many milliseconds are logged as warnings, with their query.
    #[arg(long, env = "CINEGRAPH_SLOW_OPERATION_MS", default_value_t = config::DEFAULT_SLOW_OPERATION_MS)]
    pub slow_operation_ms: u64,
    /// Megabytes of answers to public queries (no Authorization header) kept
    /// in memory until the data changes; 0 switches the response cache off.
    #[arg(long, env = "CINEGRAPH_RESPONSE_CACHE_MB", default_value_t = config::DEFAULT_RESPONSE_CACHE_MB)]
    pub response_cache_mb: usize,
    /// Minutes between rebuilds of the recommendation model from every
    /// rating (`me.recommendations`); 0 builds it only at start when missing.
    #[arg(long, env = "CINEGRAPH_RECOMMENDATION_MODEL_MINUTES", default_value_t = config::DEFAULT_RECOMMENDATION_MODEL_MINUTES)]
    pub recommendation_model_minutes: u64,
    /// Milliseconds a graphql-transport-ws client may take to send
    /// `connection_init` before its socket is closed with 4408.
    #[arg(long, env = "CINEGRAPH_WEBSOCKET_INIT_TIMEOUT_MS", default_value_t = config::DEFAULT_WEBSOCKET_INIT_TIMEOUT_MS)]
    pub websocket_init_timeout_ms: u64,
    /// Proxies (addresses or CIDR networks, comma-separated) whose
    /// X-Forwarded-For header names the client for the abuse limits; the
    /// header is ignored from anyone else.
    #[arg(long, env = "CINEGRAPH_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Secrets cursors are signed with, comma-separated: the first signs,
    /// every one verifies (rotate by putting a new one first). Without it,
    /// a secret made once and kept in the database. Prefer the environment
    /// variable: a flag shows in the process list.
    #[arg(
        long,
        env = "CINEGRAPH_CURSOR_SECRETS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub cursor_secrets: Vec<String>,
    /// Redis (`redis://host:6379`) holding the rate limits, so that every
    /// node together allows each limit once; without it each node counts
    /// its own. While Redis cannot answer, each node counts its own.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// PostgreSQL read replicas (streaming standbys of DATABASE_URL),
    /// comma-separated: queries read from them; mutations, subscriptions and
    /// a client's reads after its own writes read the primary (or a replica
    /// that has caught up).
    #[arg(
        long,
        env = "DATABASE_READ_URL",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub database_read_url: Vec<String>,
    /// A replica further behind the primary than this (milliseconds) is
    /// taken out of use until it catches up.
    #[arg(long, env = "CINEGRAPH_REPLICA_MAX_LAG_MS", default_value_t = config::DEFAULT_REPLICA_MAX_LAG_MS)]
    pub replica_max_lag_ms: u64,
    /// How long a query waits for a replica to replay what its client must
    /// see (milliseconds) before it reads the primary instead.
    #[arg(long, env = "CINEGRAPH_REPLICA_WAIT_MS", default_value_t = config::DEFAULT_REPLICA_WAIT_MS)]
    pub replica_wait_ms: u64,
    /// Seconds browsers may keep an anonymous answer to a query fetched by
    /// hash over GET (`Cache-Control: max-age`).
    #[arg(long, env = "CINEGRAPH_EDGE_MAX_AGE", default_value_t = config::DEFAULT_EDGE_MAX_AGE)]
    pub edge_max_age: u32,
    /// Seconds an HTTP cache or CDN may keep it (`s-maxage`); the purge
    /// hook ends it early when a write makes it stale.
    #[arg(long, env = "CINEGRAPH_EDGE_S_MAXAGE", default_value_t = config::DEFAULT_EDGE_S_MAXAGE)]
    pub edge_s_maxage: u32,
    /// Seconds a cache may serve it stale while it fetches a fresh one
    /// (`stale-while-revalidate`).
    #[arg(long, env = "CINEGRAPH_EDGE_STALE_WHILE_REVALIDATE", default_value_t = config::DEFAULT_EDGE_STALE_WHILE_REVALIDATE)]
    pub edge_stale_while_revalidate: u32,
    /// The edge cache's purge endpoint (http://): called with the surrogate
    /// keys each write made stale (POST, `Surrogate-Key` header and a JSON
    /// body), in the background, retried.
    #[arg(long, env = "CINEGRAPH_PURGE_URL")]
    pub purge_url: Option<String>,
    /// Let webhooks point at loopback, link-local and private addresses.
    #[arg(long, env = "CINEGRAPH_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,
    /// How long a webhook's receiver has to answer, in milliseconds.
    #[arg(long, env = "CINEGRAPH_WEBHOOK_TIMEOUT_MS", default_value_t = config::DEFAULT_WEBHOOK_TIMEOUT_MS)]
    pub webhook_timeout_ms: u64,
    /// Run only trusted documents: the playground's operations (the
    /// committed manifest) and those of `--trusted-documents`; anything else
    /// is refused (PERSISTED_QUERY_NOT_IN_LIST, QUERY_NOT_IN_SAFELIST).
    #[arg(long, env = "CINEGRAPH_TRUSTED_DOCUMENTS_ONLY")]
    pub trusted_documents_only: bool,
    /// More trusted documents: a persisted query manifest (Apollo's format,
    /// `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id","body",...}]}`).
    #[arg(long, env = "CINEGRAPH_TRUSTED_DOCUMENTS", value_name = "FILE")]
    pub trusted_documents: Option<PathBuf>,
    /// Send traces to this OpenTelemetry collector (OTLP/HTTP traces URL, e.g.
    /// http://127.0.0.1:4318/v1/traces). Needs a build with `--features otel`.
    #[arg(long, env = "CINEGRAPH_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub action: MigrateAction,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last N applied migrations (all with --all).
    Down {
        /// How many migrations to revert.
        #[arg(long, default_value_t = 1)]
        steps: u32,
        /// Revert every migration (drops all tables and their data).
        #[arg(long, conflicts_with = "steps")]
        all: bool,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Film page documents (*.json), catalogues (gzip'd JSON Lines,
    /// *.jsonl.gz), or directories of them (imported in name order).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write a JSON report of the import to FILE: per file, the values not
    /// taken as fact (year-only dates, implausible box office figures, award
    /// texts not understood), each with its reason, and counts per reason.
    #[arg(long, value_name = "FILE", env = "CINEGRAPH_IMPORT_REPORT")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// How many synthetic films to add (with one new person per film).
    #[arg(long, env = "CINEGRAPH_GENERATE_FILMS", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub films: Option<u32>,
    /// How many synthetic users to add (accounts nobody can sign in to),
    /// with `--ratings` ratings between them.
    #[arg(long, env = "CINEGRAPH_GENERATE_USERS", requires = "ratings", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub users: Option<u32>,
    /// How many ratings the synthetic users give (at least one each).
    #[arg(long, env = "CINEGRAPH_GENERATE_RATINGS", requires = "users", value_parser = clap::value_parser!(u32).range(1..=100_000_000))]
    pub ratings: Option<u32>,
    /// Seed of the generator: the same seed and database give the same rows.
    #[arg(long, env = "CINEGRAPH_GENERATE_SEED", default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

impl ServeArgs {
    pub fn config(&self) -> Config {
        Config {
            listen: self.listen,
            database_url: self.database.database_url.clone(),
            import_bundled_data: !self.no_bundled_data,
            query_limits: config::QueryLimits {
                max_bytes: self.max_query_bytes,
                max_tokens: self.max_query_tokens,
                max_depth: self.max_depth,
                max_complexity: self.max_complexity,
                max_aliases: self.max_aliases,
                max_root_fields: self.max_root_fields,
                max_directives_per_field: self.max_directives_per_field,
                max_cost: self.max_cost,
            },
            max_body_bytes: self.max_body_bytes,
            max_variables_bytes: self.max_variables_bytes,
            max_batch_size: self.max_batch_size,
            request_time_budget: std::time::Duration::from_millis(self.request_time_budget_ms),
            introspection: !self.no_introspection,
            field_suggestions: !self.no_field_suggestions,
            sign_in_per_minute: self.sign_in_per_minute,
            mutations_per_minute: self.mutations_per_minute,
            edits_per_minute: self.edits_per_minute,
            cost_per_minute: self.cost_per_minute,
            slow_operation: std::time::Duration::from_millis(self.slow_operation_ms),
            response_cache_bytes: self.response_cache_mb << 20,
            recommendation_model_every: std::time::Duration::from_secs(
                self.recommendation_model_minutes * 60,
            ),
            websocket_init_timeout: std::time::Duration::from_millis(
                self.websocket_init_timeout_ms,
            ),
            trusted_proxies: self.trusted_proxies.clone(),
            cursor_secrets: self.cursor_secrets.clone(),
            redis_url: self.redis_url.clone(),
            replicas: config::Replicas {
                urls: self.database_read_url.clone(),
                max_lag: std::time::Duration::from_millis(self.replica_max_lag_ms),
                wait: std::time::Duration::from_millis(self.replica_wait_ms),
            },
            edge: config::Edge {
                max_age: self.edge_max_age,
                s_maxage: self.edge_s_maxage,
                stale_while_revalidate: self.edge_stale_while_revalidate,
                purge_url: self.purge_url.clone(),
            },
            trusted_documents_only: self.trusted_documents_only,
            trusted_documents: self.trusted_documents.clone(),
            webhooks: config::Webhooks {
                allow_private: self.webhooks_allow_private,
                timeout: std::time::Duration::from_millis(self.webhook_timeout_ms),
            },
        }
    }
}

/// An address (one host) or a CIDR network.
fn parse_network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text:?} is neither an IP address nor a CIDR network"))
}

impl Cli {
    /// Where traces go, when the command serves and one was given.
    pub fn otlp_endpoint(&self) -> Option<&str> {
        match &self.command {
            None => self.serve.otlp_endpoint.as_deref(),
            Some(Command::Serve(args)) => args.otlp_endpoint.as_deref(),
            Some(_) => None,
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => server::run(cli.serve.config()).await,
        Some(Command::Serve(args)) => server::run(args.config()).await,
        Some(Command::Migrate(args)) => migrate(args).await,
        Some(Command::Import(args)) => {
            let (db, events) = open(&args.database).await?;
            let imported = import::import_paths(&db, &events, &args.paths).await?;
            for file in &imported {
                let dropped = file.findings.len();
                match dropped {
                    0 => println!("{}: {}", file.file, file.outcome),
                    _ => println!("{}: {} ({dropped} values dropped)", file.file, file.outcome),
                }
            }
            if let Some(path) = &args.report {
                import::report::write(path, &imported)?;
                println!("report written to {}", path.display());
            }
            Ok(())
        }
        Some(Command::Generate(args)) => {
            if args.films.is_none() && args.users.is_none() {
                anyhow::bail!(
                    "nothing to generate: give --films N, or --users N --ratings M, or both"
                );
            }
            let (db, events) = open(&args.database).await?;
            let lock = db.setup_lock().await?;
            import::import_bundled_if_empty(&db, &events).await?;
            lock.release().await?;
            if let Some(films) = args.films {
                let report =
                    import::generate_synthetic(&db, &events, films as usize, args.seed).await?;
                println!(
                    "added {} synthetic films, {} people, {} credits",
                    report.films, report.people, report.credits
                );
            }
            if let (Some(users), Some(ratings)) = (args.users, args.ratings) {
                let report = import::synthetic::activity::generate(
                    &db,
                    &events,
                    users as usize,
                    ratings as usize,
                    args.seed,
                )
                .await?;
                println!(
                    "added {} synthetic users and {} ratings",
                    report.users, report.ratings
                );
            }
            Ok(())
        }
        Some(Command::Users(args)) => {
            let (db, _) = open(&args.database).await?;
            match args.command {
                UsersCommand::Grant { username, role } => {
                    roles::grant(&db, &username, role).await?;
                    println!("{username} is now {}", role.as_str());
                }
            }
            Ok(())
        }
        Some(Command::PrintSchema) => {
            print!("{}", graphql::export_sdl());
            Ok(())
        }
    }
}

/// The database of a one-shot command, migrated; its events reach nobody
/// (no server runs in this process), but the writes notify other servers.
async fn open(args: &DatabaseArgs) -> anyhow::Result<(Db, Events)> {
    let db = Db::connect(&args.database_url, Arc::new(Metrics::new()))
        .await
        .map_err(cannot_open)?;
    let lock = db.setup_lock().await?;
    db.migrate().await?;
    lock.release().await?;
    let events = Events::new(&db);
    Ok((db, events))
}

async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    let db = Db::connect(&args.database.database_url, Arc::new(Metrics::new()))
        .await
        .map_err(cannot_open)?;
    let lock = db.setup_lock().await?;
    match args.action {
        MigrateAction::Up => db.migrate().await?,
        MigrateAction::Down { all: true, .. } => db.migrate_down(None).await?,
        MigrateAction::Down { steps, .. } => db.migrate_down(Some(steps)).await?,
        MigrateAction::Status => {}
    }
    lock.release().await?;
    for (status, name) in db.migration_status().await? {
        println!("{status}\t{name}");
    }
    Ok(())
}

/// The error for a database that does not open, saying what to check.
fn cannot_open(err: crate::db::DbErr) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot open the database: {err} (check --database-url or DATABASE_URL, and that the database server is running)"
    )
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}

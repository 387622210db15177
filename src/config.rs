//! Runtime settings of the server. The CLI (`crate::cli`) fills them from flags
//! and environment variables; tests build them with `Config::for_tests`.

use std::net::SocketAddr;

#[derive(Clone, Debug)]
pub struct Config {
    /// Address the HTTP server binds; port 0 picks a free port.
    pub listen: SocketAddr,
    /// sea-orm connection URL: `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// Import the bundled film pages when the database has no films.
    pub import_bundled_data: bool,
    /// Deepest nesting of fields a query may have.
    pub max_depth: usize,
    /// Largest complexity (fields, multiplied by page sizes) a query may have.
    pub max_complexity: usize,
    /// Sign-in attempts per minute, per client address and per username.
    pub sign_in_per_minute: u32,
    /// Mutations per minute, per client address and per signed-in user.
    pub mutations_per_minute: u32,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cinegraph.db?mode=rwc";
pub const DEFAULT_MAX_DEPTH: usize = 16;
pub const DEFAULT_MAX_COMPLEXITY: usize = 50_000;
pub const DEFAULT_SIGN_IN_PER_MINUTE: u32 = 10;
pub const DEFAULT_MUTATIONS_PER_MINUTE: u32 = 120;

impl Config {
    /// An in-memory SQLite database (or `database_url`), real migrations, no bundled import.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            database_url: database_url.to_string(),
            import_bundled_data: false,
            max_depth: DEFAULT_MAX_DEPTH,
            max_complexity: DEFAULT_MAX_COMPLEXITY,
            // Tests fire thousands of mutations from one address; the limit tests set their own.
            sign_in_per_minute: 100_000,
            mutations_per_minute: 100_000,
        }
    }
}

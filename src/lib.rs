//! cinegraph: a GraphQL content API for films.
//!
//! Layers, each using only those below it (ARCHITECTURE.md; a test checks):
//! `cli` → `server` → `http` (router, the request pipeline) → `graphql` (the
//! schema) → `import` → `domain` (writes and their rules) → `db` (every SQL
//! statement) → `cache`, over the foundation modules (`config`, `error`,
//! `ids`, `kinds`, `text`, `data`, `telemetry`).

pub mod cache;
pub mod cli;
pub mod config;
pub mod data;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod import;
pub mod kinds;
pub mod server;
pub mod telemetry;
pub mod text;

pub use config::Config;
pub use error::{AppError, AppResult};
pub use http::AppState;

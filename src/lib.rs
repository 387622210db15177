//! cinegraph: a GraphQL content API for films.
//!
//! `config` reads settings, `db` connects and migrates, `import` loads film page
//! documents, `graphql` is the API, `http` serves it. `AppState` ties them together.

pub mod auth;
pub mod cli;
pub mod config;
pub mod data;
pub mod db;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod import;
pub mod kinds;
pub mod limits;
pub mod ratings;
pub mod reviews;
pub mod state;
pub mod telemetry;
pub mod text;

pub use config::Config;
pub use error::{AppError, AppResult};
pub use state::AppState;

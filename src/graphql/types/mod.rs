//! The GraphQL types, one file per domain (the same names as in `domain` and
//! `db::queries`). Each wraps the database rows it shows and resolves its
//! relations through the loaders.

pub mod account;
pub mod award;
pub mod changes;
pub mod character;
pub mod credit;
pub mod discovery;
pub mod editing;
pub mod entity;
pub mod film;
pub mod genre;
pub mod library;
pub mod library_changed;
pub mod lists;
pub mod node;
pub mod person;
pub mod product;
pub mod rating;
pub mod review;
pub mod revisions;
pub mod roles;
pub mod search;
pub mod sessions;
pub mod vocabulary;
pub mod webhooks;

use async_graphql::ID;

use crate::ids::{self, NodeKind};

/// The global id of a row of `kind`.
pub fn global_id(kind: NodeKind, row_id: i32) -> ID {
    ID(ids::encode(kind, row_id))
}

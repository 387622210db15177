//! The writes users make and their rules: accounts and sessions, ratings,
//! reviews, how often each may be tried, and the events a committed write
//! sends (to subscriptions, caches and other servers); and how search
//! matches and ranks. No GraphQL here: the schema calls these functions with
//! plain values.

pub mod account;
pub mod events;
pub mod languages;
pub mod library;
pub mod limits;
pub mod lists;
pub mod order_keys;
pub mod rating;
pub mod recommendations;
pub mod retry;
pub mod review;
pub mod roles;
pub mod search;
pub mod sessions;
pub mod similarity;
pub mod trending;
pub mod webhook_sender;
pub mod webhooks;

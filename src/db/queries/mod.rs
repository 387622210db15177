//! Every SQL statement the service runs, one file per domain, plus the
//! shared machinery of reading many parents' rows at once (`rows`, `pages`)
//! and of keyset pages (`keyset`).

pub mod account;
pub mod activity;
pub mod award;
pub mod catalogue;
pub mod changes;
pub mod content_version;
pub mod editing;
pub mod facets;
pub mod film;
pub mod film_details;
pub mod film_list;
pub mod film_page;
pub mod film_rows;
pub mod genre;
pub mod keyset;
pub mod library;
pub mod lists;
pub mod origins;
pub mod page_export;
pub mod pages;
pub mod persisted_query;
pub mod person;
pub mod product;
pub mod rating;
pub mod recommendations;
pub mod replication;
pub mod review;
pub mod revisions;
pub mod roles;
pub mod rows;
pub mod search;
pub mod secret;
pub mod sessions;
pub mod similarity;
pub mod summaries;
pub mod trending;
pub mod webhooks;

//! Integration tests through the real HTTP router, on SQLite and, when
//! `TEST_DATABASE_URL` points at a PostgreSQL server, on PostgreSQL too (the
//! PostgreSQL variants show as ignored without it).

mod helpers;

mod accounts;
mod architecture;
mod catalogue;
mod changes;
mod cli;
mod cluster;
mod columns;
mod concurrency;
mod conflicts;
mod cost;
mod discovery;
mod edge;
mod edge_cache;
mod editing;
mod facets;
mod faults;
mod federation;
mod film_list;
mod film_page;
mod generate;
mod hostile;
mod http;
mod ids;
mod import;
mod inputs;
mod library;
mod library_rules;
mod limits;
mod lists;
mod lookups;
mod migrations;
mod observability;
mod page_document;
mod paging;
mod persisted;
mod playground;
mod profiles;
mod ratings;
mod replicas;
mod response_cache;
mod reviews;
mod revisions;
mod roles;
mod schema;
mod search;
mod shared_limits;
mod snapshots;
mod startup;
mod subscriptions;
mod transports;
mod webhooks;
mod websocket_protocol;

//! Pagination, one way for every list: the one reading of
//! `first/after/last/before` (`args`), the one cursor codec (`cursor`), and
//! the connection types and their builders (`connection`).

pub mod args;
pub mod connection;
pub mod cursor;

pub use args::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest};
pub(crate) use connection::connection_names;
pub use connection::{
    Connection, ConnectionName, PagedConnection, edge_selects, first_rows, list_connection,
    list_window, node_selections, relation_connection, selection_reads_page, total_only,
};

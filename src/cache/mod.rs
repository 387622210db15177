//! Caches, on `moka`: whole answers to public queries (`responses`) and the
//! counts of film lists (`aggregates`). Each says what makes an entry stale;
//! `server` wires them to the events that do.

pub mod aggregates;
pub mod edge;
pub mod etag;
pub mod responses;

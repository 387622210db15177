//! Parsed query documents, kept by their text in a `moka` cache bounded by
//! the bytes of text kept (a document takes a few dozen times its text).
//!
//! Clients send the same few queries over and over, and parsing one is not
//! cheap: async-graphql's pest parser took 8% of the server's CPU for the film
//! page with the response cache off. The pipeline parses through here, so a
//! known text is parsed once for the guard, the executor and every later
//! request. Only documents that parse are kept.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::parser::{Error as ParseError, parse_query};
use moka::policy::EvictionPolicy;
use moka::sync::Cache;

/// Query text kept by default: a few hundred distinct queries.
pub const DEFAULT_TEXT_BYTES: usize = 256 * 1024;

pub struct ParsedDocuments {
    max_text_bytes: usize,
    kept: Cache<Arc<str>, Arc<ExecutableDocument>>,
}

impl ParsedDocuments {
    pub fn new(max_text_bytes: usize) -> Self {
        Self {
            max_text_bytes,
            kept: Cache::builder()
                .max_capacity(max_text_bytes as u64)
                .weigher(|text: &Arc<str>, _: &Arc<ExecutableDocument>| {
                    u32::try_from(text.len()).unwrap_or(u32::MAX)
                })
                .eviction_policy(EvictionPolicy::lru())
                .build(),
        }
    }

    /// The document `query` parses to, parsed only the first time it is seen.
    pub fn parse(&self, query: &str) -> Result<Arc<ExecutableDocument>, ParseError> {
        if let Some(document) = self.kept.get(query) {
            return Ok(document);
        }
        let document = Arc::new(parse_query(query)?);
        if query.len() <= self.max_text_bytes {
            self.kept.insert(Arc::from(query), document.clone());
        }
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_text_once_and_returns_the_same_document() {
        let documents = ParsedDocuments::new(DEFAULT_TEXT_BYTES);
        let first = documents
            .parse("{ film(by: {slug: \"x\"}) { title } }")
            .unwrap();
        let second = documents
            .parse("{ film(by: {slug: \"x\"}) { title } }")
            .unwrap();
        assert!(Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn does_not_keep_what_does_not_parse() {
        let documents = ParsedDocuments::new(DEFAULT_TEXT_BYTES);
        assert!(documents.parse("{ film(").is_err());
        documents.kept.run_pending_tasks();
        assert_eq!(documents.kept.entry_count(), 0);
    }

    #[test]
    fn keeps_no_more_text_than_its_bound() {
        let queries: Vec<String> = (0..40)
            .map(|n| format!("{{ a{n:02}: __typename }}"))
            .collect();
        // Room for ten of these texts.
        let documents = ParsedDocuments::new(queries[0].len() * 10);
        for query in &queries {
            documents.parse(query).unwrap();
        }
        documents.kept.run_pending_tasks();
        assert!(documents.kept.weighted_size() <= queries[0].len() as u64 * 10);
        assert!(documents.kept.entry_count() >= 1);
    }

    #[test]
    fn does_not_keep_a_text_larger_than_its_bound() {
        let documents = ParsedDocuments::new(8);
        assert!(documents.parse("{ __typename }").is_ok());
        documents.kept.run_pending_tasks();
        assert_eq!(documents.kept.entry_count(), 0);
    }
}

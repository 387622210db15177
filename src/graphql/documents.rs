//! Parsed query documents, kept by their text.
//!
//! Clients send the same few queries over and over, and parsing one is not
//! cheap: async-graphql's pest parser took 8% of the server's CPU for the film
//! page with the response cache off, and the query guard parsed it a second
//! time to measure it. The HTTP layer and the guard both ask here, so a known
//! text is parsed once for both and for every later request.
//!
//! Only documents that parse are kept. Bounded by the bytes of query text
//! kept (a document takes a few dozen times its text); the oldest go first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::parser::{Error as ParseError, parse_query};

/// Query text kept by default: a few hundred distinct queries.
pub const DEFAULT_TEXT_BYTES: usize = 256 * 1024;

pub struct ParsedDocuments {
    max_text_bytes: usize,
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    by_text: HashMap<Arc<str>, Arc<ExecutableDocument>>,
    oldest_first: VecDeque<Arc<str>>,
    text_bytes: usize,
}

impl ParsedDocuments {
    pub fn new(max_text_bytes: usize) -> Self {
        Self {
            max_text_bytes,
            kept: Mutex::new(Kept::default()),
        }
    }

    /// The document `query` parses to, parsed only the first time it is seen.
    pub fn parse(&self, query: &str) -> Result<Arc<ExecutableDocument>, ParseError> {
        if let Some(document) = self.lock().by_text.get(query) {
            return Ok(document.clone());
        }
        // Parsed outside the lock: other requests go on meanwhile.
        let document = Arc::new(parse_query(query)?);
        if query.len() <= self.max_text_bytes {
            self.keep(query, document.clone());
        }
        Ok(document)
    }

    /// How many documents are kept (for tests).
    pub fn len(&self) -> usize {
        self.lock().by_text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn keep(&self, query: &str, document: Arc<ExecutableDocument>) {
        let mut kept = self.lock();
        if kept.by_text.contains_key(query) {
            return;
        }
        while kept.text_bytes + query.len() > self.max_text_bytes {
            let Some(oldest) = kept.oldest_first.pop_front() else {
                break;
            };
            kept.by_text.remove(&oldest);
            kept.text_bytes -= oldest.len();
        }
        let text: Arc<str> = Arc::from(query);
        kept.text_bytes += text.len();
        kept.oldest_first.push_back(text.clone());
        kept.by_text.insert(text, document);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic elsewhere while holding the lock leaves a consistent map.
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
        assert_eq!(documents.len(), 1);
    }

    #[test]
    fn does_not_keep_what_does_not_parse() {
        let documents = ParsedDocuments::new(DEFAULT_TEXT_BYTES);
        assert!(documents.parse("{ film(").is_err());
        assert!(documents.is_empty());
    }

    #[test]
    fn drops_the_oldest_texts_beyond_its_bound() {
        let queries: Vec<String> = (0..4).map(|n| format!("{{ a{n}: __typename }}")).collect();
        // Room for two of these texts.
        let documents = ParsedDocuments::new(queries[0].len() * 2);
        let kept: Vec<_> = queries
            .iter()
            .map(|q| documents.parse(q).unwrap())
            .collect();
        assert_eq!(documents.len(), 2);
        // The newest two are kept, the oldest parse afresh.
        assert!(Arc::ptr_eq(
            &kept[3],
            &documents.parse(&queries[3]).unwrap()
        ));
        assert!(!Arc::ptr_eq(
            &kept[0],
            &documents.parse(&queries[0]).unwrap()
        ));
    }

    #[test]
    fn does_not_keep_a_text_larger_than_its_bound() {
        let documents = ParsedDocuments::new(8);
        assert!(documents.parse("{ __typename }").is_ok());
        assert!(documents.is_empty());
    }
}

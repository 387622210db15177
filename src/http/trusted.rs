//! Trusted documents: operations known before any client sends them, by
//! the SHA-256 (hex) of their text, in Apollo's persisted query manifest
//! format. The playground's operations are committed as
//! `playground/trusted-documents.json` (a test keeps it current) and built
//! in; `--trusted-documents FILE` adds an app's own. A request may name a
//! trusted document by hash without anyone registering it, and with
//! `--trusted-documents-only` nothing else runs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::playground::EXAMPLES;

/// The committed manifest of the playground's operations.
const PLAYGROUND_MANIFEST: &str = include_str!("../../playground/trusted-documents.json");
const FORMAT: &str = "apollo-persisted-query-manifest";

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    operations: Vec<Operation>,
}

#[derive(Serialize, Deserialize)]
struct Operation {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    body: String,
}

/// Trusted documents by hash.
#[derive(Default)]
pub struct TrustedDocuments(HashMap<String, Arc<str>>);

impl TrustedDocuments {
    /// The playground's operations and, when given, a manifest file's.
    pub fn load(extra: Option<&Path>) -> Result<Self, String> {
        let mut trusted = Self::default();
        trusted.add(PLAYGROUND_MANIFEST, "the playground's manifest")?;
        if let Some(path) = extra {
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!("cannot read the trusted documents {}: {e}", path.display())
            })?;
            trusted.add(&text, &path.display().to_string())?;
        }
        Ok(trusted)
    }

    /// Adds a manifest's operations; each id must be its body's hash.
    fn add(&mut self, text: &str, origin: &str) -> Result<(), String> {
        let manifest: Manifest = serde_json::from_str(text)
            .map_err(|e| format!("{origin} is not a persisted query manifest: {e}"))?;
        if manifest.format != FORMAT || manifest.version != 1 {
            return Err(format!(
                "{origin}: expected format {FORMAT:?} version 1, found {:?} version {}",
                manifest.format, manifest.version
            ));
        }
        for operation in manifest.operations {
            let hash = hash_of(&operation.body);
            if !operation.id.eq_ignore_ascii_case(&hash) {
                return Err(format!(
                    "{origin}: operation {:?} has id {} but its body's SHA-256 is {hash}",
                    operation.name.unwrap_or_default(),
                    operation.id
                ));
            }
            self.0.insert(hash, Arc::from(operation.body));
        }
        Ok(())
    }

    /// The trusted document with this hash (lower-case hex).
    pub fn get(&self, hash: &str) -> Option<Arc<str>> {
        self.0.get(hash).cloned()
    }

    /// Whether this exact text is a trusted document.
    pub fn contains_text(&self, query: &str) -> bool {
        self.0.contains_key(&hash_of(query))
    }
}

/// SHA-256 of a document's text, hex in lower case (the APQ hash).
pub fn hash_of(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

/// The manifest of the playground's operations as it should be committed.
pub fn playground_manifest() -> String {
    let operations = EXAMPLES
        .iter()
        .map(|(_, body)| {
            let parsed = async_graphql::parser::parse_query(body).ok();
            let first = parsed.as_ref().and_then(|d| d.operations.iter().next());
            Operation {
                id: hash_of(body),
                name: first.and_then(|(name, _)| name.map(|n| n.to_string())),
                kind: first.map(|(_, op)| op.node.ty.to_string()),
                body: body.to_string(),
            }
        })
        .collect();
    let manifest = Manifest {
        format: FORMAT.to_string(),
        version: 1,
        operations,
    };
    serde_json::to_string_pretty(&manifest).expect("a manifest serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `UPDATE_TRUSTED_DOCUMENTS=1 cargo test --lib trusted` rewrites it.
    #[test]
    fn the_committed_manifest_lists_the_playgrounds_operations() {
        let current = playground_manifest();
        if std::env::var_os("UPDATE_TRUSTED_DOCUMENTS").is_some() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/playground/trusted-documents.json"
            );
            std::fs::write(path, &current).unwrap();
            return;
        }
        assert!(
            current == PLAYGROUND_MANIFEST,
            "playground/trusted-documents.json is stale: run UPDATE_TRUSTED_DOCUMENTS=1 cargo test --lib trusted"
        );
        let trusted = TrustedDocuments::load(None).unwrap();
        assert_eq!(trusted.0.len(), EXAMPLES.len());
        for (name, body) in EXAMPLES {
            assert!(trusted.contains_text(body), "{name}");
        }
        assert!(!trusted.contains_text("{ __typename }"));
    }

    #[test]
    fn a_manifest_whose_ids_are_not_its_hashes_is_refused() {
        let mut trusted = TrustedDocuments::default();
        let lying = r#"{"format":"apollo-persisted-query-manifest","version":1,
            "operations":[{"id":"00","body":"{ __typename }"}]}"#;
        assert!(trusted.add(lying, "test").unwrap_err().contains("SHA-256"));
        assert!(trusted.add("[]", "test").is_err());
        let other = r#"{"format":"something-else","version":1,"operations":[]}"#;
        assert!(trusted.add(other, "test").is_err());
    }
}

//! Limits on a query document, checked before async-graphql validates or runs
//! it: size in bytes and tokens, nesting, depth, complexity, aliases, root
//! fields and directives.
//!
//! These run in the request pipeline, outside the schema, not as an
//! async-graphql extension: with any extension installed, async-graphql
//! resolves every field through the extension chain, a boxed future and a
//! type lookup per field (16% of B3's server instructions).
//!
//! Every measure walks the document once. A fragment is measured once and its
//! measure reused wherever it is spread, so a 1 KB document of fragments that
//! each spread the previous one twice (which async-graphql's validation would
//! expand exponentially) is refused in linear time. `__typename` counts like
//! any other field (async-graphql's own checks skip it, so a thousand aliased
//! `__typename`s would pass them).

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Name, Value, Variables};

use crate::config::QueryLimits;
use crate::error::AppError;

/// Deepest nesting of `{`, `(` and `[` read before parsing: the parser
/// recurses on each, so this bounds its stack whatever the document.
const MAX_NESTING: usize = 64;
/// The page size a connection is assumed to return when `first`/`last` is omitted.
const DEFAULT_PAGE: u64 = 20;
/// The largest page a connection returns; larger requests are refused by the field.
const MAX_PAGE: u64 = 100;

/// The checks that need no parsing: bytes, tokens and bracket nesting. Run
/// before anything parses the text, so the parser never sees a hostile size.
pub fn check_text(query: &str, limits: &QueryLimits) -> Result<(), AppError> {
    if query.len() > limits.max_bytes {
        return Err(refuse(
            "QUERY_TOO_LARGE",
            format!(
                "the query has {} bytes; at most {} are accepted",
                query.len(),
                limits.max_bytes
            ),
        ));
    }
    let scan = scan(query);
    if scan.tokens > limits.max_tokens {
        return Err(refuse(
            "QUERY_TOO_LARGE",
            format!(
                "the query has {} tokens; at most {} are accepted",
                scan.tokens, limits.max_tokens
            ),
        ));
    }
    if scan.nesting > MAX_NESTING {
        return Err(refuse(
            "QUERY_TOO_DEEP",
            format!(
                "the query nests brackets {} deep; at most {MAX_NESTING} are accepted",
                scan.nesting
            ),
        ));
    }
    Ok(())
}

/// Measures every operation of a parsed document against the limits; says
/// how many selections it visited (each fragment's once), a measure of its
/// own work.
pub fn measure(
    document: &ExecutableDocument,
    variables: &Variables,
    limits: &QueryLimits,
) -> Result<u64, AppError> {
    let mut measurer = Measurer {
        document,
        variables,
        limits,
        fragments: HashMap::new(),
        visited: 0,
    };
    for (_, operation) in document.operations.iter() {
        let measure = measurer.selection_set(&operation.node.selection_set.node)?;
        let checks = [
            (
                measure.depth as u64,
                limits.max_depth as u64,
                "QUERY_TOO_DEEP",
                "the query is {} fields deep; at most {} are accepted",
            ),
            (
                measure.complexity,
                limits.max_complexity,
                "QUERY_TOO_COMPLEX",
                "the query's complexity is {} (each field once, times the page sizes above it); at most {} is accepted",
            ),
            (
                measure.aliases,
                limits.max_aliases,
                "TOO_MANY_ALIASES",
                "the query has {} aliases; at most {} are accepted",
            ),
            (
                measure.fields,
                limits.max_root_fields,
                "TOO_MANY_ROOT_FIELDS",
                "the operation asks for {} root fields; at most {} are accepted",
            ),
        ];
        for (value, limit, code, message) in checks {
            if value > limit {
                let message = message.replacen("{}", &value.to_string(), 1).replacen(
                    "{}",
                    &limit.to_string(),
                    1,
                );
                return Err(refuse(code, message));
            }
        }
    }
    Ok(measurer.visited)
}

fn refuse(code: &'static str, message: String) -> AppError {
    AppError::Limit { code, message }
}

/// What a selection set costs once every fragment in it is expanded.
#[derive(Clone, Copy, Default)]
struct Measure {
    /// Fields on the deepest path.
    depth: usize,
    complexity: u64,
    aliases: u64,
    /// Fields at the set's own level (for the root: its root fields).
    fields: u64,
}

impl Measure {
    fn add(&mut self, other: Measure) {
        self.depth = self.depth.max(other.depth);
        self.complexity = self.complexity.saturating_add(other.complexity);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.fields = self.fields.saturating_add(other.fields);
    }
}

struct Measurer<'a> {
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    limits: &'a QueryLimits,
    /// A fragment's measure once known; `None` while it is being measured
    /// (meeting it again then means it spreads itself).
    fragments: HashMap<Name, Option<Measure>>,
    /// Selections visited so far.
    visited: u64,
}

impl Measurer<'_> {
    fn selection_set(&mut self, set: &SelectionSet) -> Result<Measure, AppError> {
        let mut total = Measure::default();
        for selection in &set.items {
            self.visited += 1;
            let measure = match &selection.node {
                Selection::Field(field) => self.field(&field.node)?,
                Selection::FragmentSpread(spread) => {
                    self.directives(spread.node.directives.len())?;
                    self.fragment(&spread.node.fragment_name.node)?
                }
                Selection::InlineFragment(inline) => {
                    self.directives(inline.node.directives.len())?;
                    self.selection_set(&inline.node.selection_set.node)?
                }
            };
            total.add(measure);
        }
        Ok(total)
    }

    fn field(&mut self, field: &Field) -> Result<Measure, AppError> {
        self.directives(field.directives.len())?;
        let children = self.selection_set(&field.selection_set.node)?;
        let page = self.page_size(field);
        Ok(Measure {
            depth: children.depth + 1,
            complexity: children.complexity.saturating_mul(page).saturating_add(1),
            aliases: children.aliases + u64::from(field.alias.is_some()),
            fields: 1,
        })
    }

    fn fragment(&mut self, name: &Name) -> Result<Measure, AppError> {
        match self.fragments.get(name) {
            Some(Some(measure)) => return Ok(*measure),
            Some(None) => {
                return Err(AppError::Limit {
                    code: "GRAPHQL_VALIDATION_FAILED",
                    message: format!("fragment \"{name}\" spreads itself"),
                });
            }
            None => {}
        }
        // An unknown fragment is async-graphql's to report.
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(Measure::default());
        };
        self.fragments.insert(name.clone(), None);
        self.directives(definition.node.directives.len())?;
        let measure = self.selection_set(&definition.node.selection_set.node)?;
        self.fragments.insert(name.clone(), Some(measure));
        Ok(measure)
    }

    fn directives(&self, count: usize) -> Result<(), AppError> {
        if count > self.limits.max_directives_per_field {
            return Err(refuse(
                "TOO_MANY_DIRECTIVES",
                format!(
                    "a selection carries {count} directives; at most {} are accepted",
                    self.limits.max_directives_per_field
                ),
            ));
        }
        Ok(())
    }

    /// How many times the field's selection runs: its `first`/`last`, or the
    /// default page when it is a connection without them, else once.
    fn page_size(&self, field: &Field) -> u64 {
        let asked = field.arguments.iter().find_map(|(name, value)| {
            if name.node != "first" && name.node != "last" {
                return None;
            }
            let value = value
                .node
                .clone()
                .into_const_with(|variable| self.variables.get(&variable).cloned().ok_or(()))
                .ok()?;
            match value {
                Value::Number(number) => number.as_i64(),
                _ => None,
            }
        });
        let is_connection = field.selection_set.node.items.iter().any(|item| {
            matches!(&item.node, Selection::Field(f) if f.node.name.node == "edges" || f.node.name.node == "nodes")
        });
        match asked {
            Some(n) => (n.max(1) as u64).min(MAX_PAGE),
            None if is_connection => DEFAULT_PAGE,
            None => 1,
        }
    }
}

/// Token count and bracket nesting of a document, read in one pass without parsing.
struct Scan {
    tokens: usize,
    nesting: usize,
}

fn scan(query: &str) -> Scan {
    let bytes = query.as_bytes();
    let (mut i, mut tokens, mut depth, mut nesting) = (0, 0, 0usize, 0);
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        tokens += 1;
        match byte {
            b'{' | b'(' | b'[' => {
                depth += 1;
                nesting = nesting.max(depth);
                i += 1;
            }
            b'}' | b')' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    Scan { tokens, nesting }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;
    use crate::config::QueryLimits;

    #[test]
    fn scan_counts_tokens_and_nesting_but_not_strings_or_comments() {
        let scan = super::scan(
            "query Q($a: Int = 1) { film(by: {slug: \"a { b\"}) { ...F } } # { { {\n\"\"\"x\"\"\"",
        );
        // query Q ( $ a : Int = 1 ) { film ( by : { slug : "…" } ) { ... F } } """x"""
        assert_eq!(scan.tokens, 27);
        assert_eq!(scan.nesting, 3);
    }

    #[test]
    fn fragments_that_double_are_measured_in_linear_work() {
        // 30 fragments, each spreading the previous one twice: 2^30 fields
        // once expanded, about 1 KB of text.
        let mut query = String::from("{ ...F30 } fragment F0 on Query { __typename }");
        for i in 1..=30 {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{} ...F{} }}",
                i - 1,
                i - 1
            ));
        }
        let document = parse_query(&query).unwrap();
        let unlimited = QueryLimits {
            max_complexity: u64::MAX,
            max_root_fields: u64::MAX,
            ..QueryLimits::default()
        };
        let visited = measure(&document, &Variables::default(), &unlimited).unwrap();
        // Each fragment's two spreads and the operation's one, once each.
        assert!(visited <= 62, "visited {visited} selections");
        let refused = measure(&document, &Variables::default(), &QueryLimits::default());
        assert_eq!(refused.unwrap_err().code(), "QUERY_TOO_COMPLEX");
    }
}

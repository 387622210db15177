//! The layout's rules, checked on the source (ARCHITECTURE.md states them):
//!
//! - every top-level module of `src/` sits in one layer, and a module only
//!   refers to its own layer and the layers below it (`crate::...` and
//!   `super::...` paths, `use` lists included);
//! - each layer names only the outside crates it is allowed to: SQL and the
//!   ORM only in `db/`, GraphQL only in `graphql/` and `http/`, the web
//!   framework only in `http/` and `server.rs`;
//! - hand-written SQL (a string that starts a statement) appears only in `db/`;
//! - no source file runs past ~500 lines without a `//! Long because ...`
//!   line saying why.
//!
//! Comments and string literals are blanked before paths are looked for, so
//! prose that mentions a module is not a reference.
//! Long because it carries that small lexer (comments, strings, raw strings,
//! char literals) and a test that each check catches what it is for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Layers from the bottom up. A module may refer to modules of its own layer
/// (within itself) and of layers listed before it.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &[
            "error",
            "ids",
            "kinds",
            "text",
            "config",
            "data",
            "telemetry",
        ],
    ),
    ("cache", &["cache"]),
    ("db", &["db"]),
    ("domain", &["domain"]),
    ("import", &["import"]),
    ("graphql", &["graphql"]),
    ("http", &["http"]),
    ("server", &["server"]),
    ("cli", &["cli"]),
];

/// Outside crates each layer may name; any other listed here is refused.
const WATCHED_CRATES: &[&str] = &[
    "sea_orm",
    "sea_query_sqlx",
    "sqlx",
    "migrations",
    "async_graphql",
    "async_graphql_axum",
    "axum",
    "tower",
    "tower_http",
];

fn allowed_crates(layer: &str) -> &'static [&'static str] {
    match layer {
        "db" => &["sea_orm", "sea_query_sqlx", "sqlx", "migrations"],
        "graphql" => &["async_graphql"],
        "http" => &[
            "async_graphql",
            "async_graphql_axum",
            "axum",
            "tower",
            "tower_http",
        ],
        "server" => &["axum", "tower"],
        _ => &[],
    }
}

/// Lines a file may have without saying why it is long.
const LONG_FILE: usize = 500;

/// What the checks found wrong, one line each.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let rank: BTreeMap<&str, (usize, &str)> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(rank, (layer, modules))| modules.iter().map(move |m| (*m, (rank, *layer))))
        .collect();
    let mut found = Vec::new();
    for (path, text) in files {
        let module = module_path(path);
        let Some(top) = module.first() else {
            continue; // lib.rs: the list of modules
        };
        let Some(&(own_rank, layer)) = rank.get(top.as_str()) else {
            found.push(format!(
                "{path}: module `{top}` is in no layer of tests/api/architecture.rs"
            ));
            continue;
        };
        let code = blank_comments_and_strings(text);
        for (line, target) in references(&code, &module) {
            if target == *top {
                continue;
            }
            match rank.get(target.as_str()) {
                Some(&(target_rank, target_layer)) if target_rank > own_rank => found.push(format!(
                    "{path}:{line}: {layer} module `{top}` refers up to `{target}` ({target_layer})"
                )),
                Some(&(target_rank, _)) if target_rank == own_rank && layer != "foundation" => {
                    found.push(format!("{path}:{line}: `{top}` refers across to `{target}`"))
                }
                _ => {}
            }
        }
        for (line, krate) in crates_named(&code) {
            if !allowed_crates(layer).contains(&krate.as_str()) {
                found.push(format!("{path}:{line}: the {layer} layer names `{krate}`"));
            }
        }
        if layer != "db" {
            for (line, literal) in sql_literals(text) {
                found.push(format!("{path}:{line}: SQL outside db/: {literal:?}"));
            }
        }
        let lines = text.lines().count();
        if lines > LONG_FILE && !says_why_long(text) {
            found.push(format!(
                "{path}: {lines} lines and no `//! Long because ...` line saying why"
            ));
        }
    }
    found
}

#[test]
fn every_module_refers_only_down_and_names_only_its_own_crates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    assert!(files.len() > 50, "read only {} files", files.len());
    let found = violations(&files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_test_file_is_long_without_saying_why() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    assert!(files.len() > 20, "read only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter(|(_, text)| text.lines().count() > LONG_FILE && !says_why_long(text))
        .map(|(path, text)| format!("tests/{path}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let case = |path: &str, text: &str| violations(&[(path.to_string(), text.to_string())]);
    // Upward, by `crate::`, by a `use` list, and by `super::` out of a layer.
    assert_eq!(
        case("db/queries/films.rs", "use crate::graphql::Film;").len(),
        1
    );
    assert_eq!(
        case("db/mod.rs", "use crate::{error, http::state};").len(),
        1
    );
    assert_eq!(
        case("domain/ratings.rs", "use super::super::graphql::x;").len(),
        1
    );
    assert_eq!(
        case("db/mod.rs", "pub fn f() { crate::import::go() }").len(),
        1
    );
    // Sideways between layers.
    assert_eq!(case("import/mod.rs", "use crate::domain::events;").len(), 0);
    assert_eq!(case("domain/mod.rs", "use crate::import::x;").len(), 1);
    // Down is fine; prose and strings are not references.
    assert!(
        case(
            "graphql/mod.rs",
            "use crate::{db, domain::ratings, error::AppError};"
        )
        .is_empty()
    );
    assert!(
        case(
            "db/mod.rs",
            "// see crate::http\nconst A: &str = \"crate::http\";"
        )
        .is_empty()
    );
    // Crates and SQL.
    assert_eq!(
        case("domain/ratings.rs", "use sea_orm::EntityTrait;").len(),
        1
    );
    assert_eq!(
        case(
            "graphql/mod.rs",
            "fn f(router: axum::Router) -> axum::Router { router }"
        )
        .len(),
        1
    );
    assert!(case("db/sql.rs", "use sea_orm::Statement;").is_empty());
    assert_eq!(
        case(
            "graphql/film.rs",
            "const Q: &str = \"SELECT id FROM film\";"
        )
        .len(),
        1
    );
    assert!(
        case(
            "db/queries/films.rs",
            "const Q: &str = \"SELECT id FROM film\";"
        )
        .is_empty()
    );
    // A module in no layer, and a long file that does not say why.
    assert_eq!(case("shiny.rs", "").len(), 1);
    assert_eq!(case("text.rs", &"fn f() {}\n".repeat(501)).len(), 1);
    assert!(
        case(
            "text.rs",
            &format!("//! Long because ...\n{}", "fn f() {}\n".repeat(501))
        )
        .is_empty()
    );
}

/// Whether a file's opening doc comment says why it is long.
fn says_why_long(text: &str) -> bool {
    text.lines()
        .take_while(|line| line.starts_with("//!"))
        .any(|line| line.starts_with("//! Long because"))
}

/// Every `.rs` file under `dir`, as (path relative to `root`, text). The
/// binaries (`main.rs`, `bin/`) sit above every layer and are not checked;
/// npm's folders hold no Rust.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if path.is_dir() {
            if relative != "bin" && !relative.ends_with("node_modules") {
                collect(root, &path, files);
            }
        } else if relative.ends_with(".rs") && relative != "main.rs" {
            files.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// `graphql/types/film.rs` → [graphql, types, film]; `db/mod.rs` → [db]; `lib.rs` → [].
fn module_path(path: &str) -> Vec<String> {
    let trimmed = path.trim_end_matches(".rs");
    let mut parts: Vec<String> = trimmed.split('/').map(str::to_string).collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

/// The source with comments and the contents of string and char literals
/// replaced by spaces (line breaks kept, so line numbers stay).
fn blank_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"') | Some('#'))
            && !is_ident(chars.get(i.wrapping_sub(1)))
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push('"');
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                out.push(blank(chars[j]));
                j += 1;
            }
            out.push('"');
            i = j;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && is_char_literal(&chars[i..]) {
            let end = chars[i + 1..].iter().position(|&c| c == '\'').unwrap_or(0) + i + 1;
            let end = if chars[i + 1] == '\\' {
                chars[i + 2..].iter().position(|&c| c == '\'').unwrap_or(0) + i + 2
            } else {
                end
            };
            for _ in i..=end {
                out.push(' ');
            }
            i = end + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// `'x'` or `'\n'` (not a lifetime such as `'a`).
fn is_char_literal(rest: &[char]) -> bool {
    matches!(rest, ['\'', '\\', ..] | ['\'', _, '\'', ..])
}

/// The top-level modules a file's code refers to, with line numbers.
fn references(code: &str, module: &[String]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in code.lines().enumerate() {
        let number = index + 1;
        let mut rest = line;
        while let Some(at) = find_path_start(rest) {
            let tail = &rest[at..];
            if let Some(after) = tail.strip_prefix("crate::") {
                for target in first_segments(after) {
                    found.push((number, target));
                }
            } else {
                // super::super::x from `module`.
                let mut depth = 0;
                let mut after = tail;
                while let Some(next) = after.strip_prefix("super::") {
                    depth += 1;
                    after = next;
                }
                // A file's own module is `module`; `super` is its parent.
                let base = module.len().saturating_sub(depth);
                if base == 0 {
                    for target in first_segments(after) {
                        found.push((number, target));
                    }
                } else {
                    found.push((number, module[0].clone()));
                }
            }
            rest = &rest[at + 1..];
        }
    }
    found
}

/// Where the next `crate::` or `super::` path starts (not inside an identifier).
fn find_path_start(text: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for needle in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(needle) {
            let at = from + at;
            let before = text[..at].chars().last();
            if !is_ident(before.as_ref()) && !text[..at].ends_with("::") {
                best = Some(best.map_or(at, |b| b.min(at)));
                break;
            }
            from = at + needle.len();
        }
    }
    best
}

/// The first segments of a path after `crate::`: `a::b` → [a]; `{a, b::c}` → [a, b].
fn first_segments(after: &str) -> Vec<String> {
    let after = after.trim_start();
    if let Some(group) = after.strip_prefix('{') {
        let mut depth = 1;
        let mut items = Vec::new();
        let mut current = String::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => {
                    items.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            if depth >= 1 {
                current.push(c);
            }
        }
        items.push(current);
        items
            .iter()
            .filter_map(|item| ident_at_start(item.trim()))
            .filter(|name| name != "self")
            .collect()
    } else {
        ident_at_start(after).into_iter().collect()
    }
}

fn ident_at_start(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Watched crates the code names (`sea_orm::...`, `use axum::{...}`), with line numbers.
fn crates_named(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in code.lines().enumerate() {
        for krate in WATCHED_CRATES {
            let needle = format!("{krate}::");
            let mut from = 0;
            while let Some(at) = line[from..].find(&needle) {
                let at = from + at;
                let before = line[..at].chars().last();
                if !is_ident(before.as_ref()) && !line[..at].ends_with("::") {
                    found.push((index + 1, krate.to_string()));
                    break;
                }
                from = at + needle.len();
            }
        }
    }
    found
}

/// String literals that start an SQL statement, with line numbers.
fn sql_literals(text: &str) -> Vec<(usize, String)> {
    let starts = [
        "SELECT ",
        "INSERT INTO ",
        "UPDATE ",
        "DELETE FROM ",
        "WITH ",
    ];
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        for part in line.split('"').skip(1).step_by(2) {
            if starts.iter().any(|start| part.starts_with(start)) {
                found.push((index + 1, part.chars().take(40).collect()));
            }
        }
    }
    found
}

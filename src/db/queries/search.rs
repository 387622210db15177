//! Search candidates: every document whose text has, for each word of the
//! query, one of its spellings as a word prefix (SQLite FTS5; PostgreSQL
//! full-text search on the same folded text). Ranking them is the domain's
//! (`domain::search`), so both databases rank alike.

use sea_orm::DbBackend;

use crate::db::sql::Sql;
use crate::db::{Db, DbErr};

/// A searchable document: what it is (`FILM`, `PERSON`, ...), the row it
/// stands for, its folded text and its weight.
pub struct Candidate {
    pub kind: String,
    pub target: i32,
    pub body: String,
    pub weight: f64,
}

/// The heaviest `limit` documents (of `kinds`, all when empty) whose text
/// has, for every word, one of its `spellings` (folded words) as a word prefix.
pub async fn candidates(
    db: &Db,
    spellings: &[Vec<String>],
    kinds: &[&str],
    limit: u64,
) -> Result<Vec<Candidate>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT d.kind, d.target_id, d.body, d.weight");
    push_matching(&mut sql, db.backend(), spellings, kinds);
    sql.push(&format!(
        " ORDER BY d.weight DESC, d.kind, d.target_id LIMIT {limit}"
    ));
    let rows = sql.query_all_own_plan(db).await?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in rows {
        candidates.push(Candidate {
            kind: row.try_get("", "kind")?,
            target: row.try_get("", "target_id")?,
            body: row.try_get("", "body")?,
            weight: row.try_get("", "weight")?,
        });
    }
    Ok(candidates)
}

/// How many documents [`candidates`] would find without a limit.
pub async fn count(db: &Db, spellings: &[Vec<String>], kinds: &[&str]) -> Result<i64, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT COUNT(*) AS total");
    push_matching(&mut sql, db.backend(), spellings, kinds);
    let row = sql.query_one_own_plan(db).await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "total"))
        .transpose()?
        .unwrap_or(0))
}

/// The folded text of every document: the index's vocabulary is made of it.
pub async fn bodies(db: &Db) -> Result<Vec<String>, DbErr> {
    let mut sql = Sql::new(db.backend());
    sql.push("SELECT body FROM search_document");
    sql.query_all_own_plan(db)
        .await?
        .iter()
        .map(|row| row.try_get("", "body"))
        .collect()
}

/// ` FROM search_document d ... WHERE` the text matches every word (any of
/// its spellings, each as a prefix) and the kind is one of `kinds`. Folded
/// words are `[a-z0-9]+`: nothing in them is query syntax.
fn push_matching(sql: &mut Sql, backend: DbBackend, spellings: &[Vec<String>], kinds: &[&str]) {
    let any_of = |word: &[String], suffix: &str, or: &str| {
        let each: Vec<String> = word.iter().map(|s| format!("{s}{suffix}")).collect();
        format!("({})", each.join(or))
    };
    sql.push(" FROM search_document d");
    match backend {
        DbBackend::Sqlite => {
            let matching: Vec<String> = spellings.iter().map(|w| any_of(w, "*", " OR ")).collect();
            sql.push(" JOIN search_fts ON search_fts.rowid = d.id WHERE search_fts MATCH ")
                .bind(matching.join(" AND "));
        }
        _ => {
            let matching: Vec<String> = spellings.iter().map(|w| any_of(w, ":*", " | ")).collect();
            sql.push(" WHERE to_tsvector('simple', d.body) @@ to_tsquery('simple', ")
                .bind(matching.join(" & "))
                .push(")");
        }
    }
    if !kinds.is_empty() {
        sql.push(" AND d.kind IN (").bind_list(kinds).push(")");
    }
}

//! Search candidates: every document whose text has each word as a word
//! prefix (SQLite FTS5; PostgreSQL full-text search on the same folded text).
//! Ranking them is the caller's, so both databases rank alike.

use sea_orm::DbBackend;

use crate::db::sql::Sql;
use crate::db::{Db, DbErr};

/// How many candidates the database hands over for ranking.
const CANDIDATES: u64 = 300;

/// A searchable document: what it is (`FILM`, `PERSON`, ...), the row it
/// stands for, its folded text and its weight.
pub struct Candidate {
    pub kind: String,
    pub target: i32,
    pub body: String,
    pub weight: f64,
}

/// The heaviest documents (of `kinds`, all when empty) whose text has every
/// folded word of `words` as a word prefix.
pub async fn candidates(
    db: &Db,
    words: &[String],
    kinds: &[&str],
) -> Result<Vec<Candidate>, DbErr> {
    let backend = db.backend();
    let mut sql = Sql::new(backend);
    sql.push("SELECT d.kind, d.target_id, d.body, d.weight FROM search_document d");
    match backend {
        DbBackend::Sqlite => {
            let matching: Vec<String> = words.iter().map(|w| format!("{w}*")).collect();
            sql.push(" JOIN search_fts ON search_fts.rowid = d.id WHERE search_fts MATCH ")
                .bind(matching.join(" "));
        }
        _ => {
            let matching: Vec<String> = words.iter().map(|w| format!("{w}:*")).collect();
            sql.push(" WHERE to_tsvector('simple', d.body) @@ to_tsquery('simple', ")
                .bind(matching.join(" & "))
                .push(")");
        }
    }
    if !kinds.is_empty() {
        sql.push(" AND d.kind IN (").bind_list(kinds).push(")");
    }
    sql.push(&format!(
        " ORDER BY d.weight DESC, d.kind, d.target_id LIMIT {CANDIDATES}"
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

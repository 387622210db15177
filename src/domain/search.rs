//! How search finds and ranks: one rule for the query's words (folded as
//! stored text is, each must start a word of the text), one tolerance for
//! typos, and one ranking on both databases.
//!
//! Typos: a word of five letters or more may have one typo (a letter
//! missing, added, changed, or two neighbours swapped: Damerau-Levenshtein
//! distance 1); a word of three or four letters may have two neighbours
//! swapped only ("cgae" finds Cage; a changed letter in a short word finds
//! too many other words to mean anything). The spellings tried are those
//! that start some word of the index (its vocabulary), and a hit that
//! needed one ranks below every exact hit.
//!
//! The database finds the candidates (SQLite FTS5, PostgreSQL full-text
//! search); the heaviest [`CANDIDATES`] of the exact matches and of the
//! matches with typos are ranked here. The ranked list of a query is kept
//! while the content holds (see `cache::aggregates`), so pages after the
//! first are read from it.

use std::collections::{BTreeSet, HashSet};

use crate::db::queries::search::{self as documents, Candidate};
use crate::db::{Db, DbErr};
use crate::error::{AppError, AppResult};
use crate::text::fold;

/// Longest query accepted, in words.
pub const MAX_WORDS: usize = 8;
/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 200;
/// How many matches (exact, and with typos) the database hands over for
/// ranking: the heaviest ones. `totalCount` still counts every match.
pub const CANDIDATES: u64 = 2_000;
/// Spellings with a typo tried per word, at most.
const MAX_SPELLINGS: usize = 24;
/// Letters that folded text is made of.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A query's folded words, each with the spellings one typo away that the
/// index knows (empty for a word too short to have typos, or with none).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Query {
    pub words: Vec<String>,
    pub kinds: Vec<&'static str>,
    typos: Vec<Vec<String>>,
}

impl Query {
    /// Folds and checks `text`; `kinds` are stored kind names (all when empty).
    pub fn parse(text: &str, kinds: Vec<&'static str>) -> AppResult<Self> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(AppError::bad_input(format!(
                "a search is limited to {MAX_QUERY_BYTES} characters"
            )));
        }
        let words: Vec<String> = fold(text)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        if words.is_empty() {
            return Err(AppError::bad_input(
                "a search needs at least one letter or digit",
            ));
        }
        if words.len() > MAX_WORDS {
            return Err(AppError::bad_input(format!(
                "a search is limited to {MAX_WORDS} words"
            )));
        }
        Ok(Self {
            typos: vec![Vec::new(); words.len()],
            words,
            kinds,
        })
    }

    /// Adds to each word the spellings one typo away that start a word of
    /// `vocabulary`.
    pub fn with_typos(mut self, vocabulary: &Vocabulary) -> Self {
        for (word, typos) in self.words.iter().zip(&mut self.typos) {
            *typos = one_typo_away(word)
                .into_iter()
                .filter(|spelling| vocabulary.starts_a_word(spelling))
                .take(MAX_SPELLINGS)
                .collect();
        }
        self
    }

    /// Whether a word is long enough for the typo rule (three letters).
    pub fn may_have_typos(&self) -> bool {
        self.words.iter().any(|w| w.len() >= 3)
    }

    fn has_typos(&self) -> bool {
        self.typos.iter().any(|t| !t.is_empty())
    }

    /// Each word's spellings: the word itself, then (with `typos`) the rest.
    fn spellings(&self, typos: bool) -> Vec<Vec<String>> {
        self.words
            .iter()
            .zip(&self.typos)
            .map(|(word, others)| {
                let mut all = vec![word.clone()];
                if typos {
                    all.extend(others.iter().cloned());
                }
                all
            })
            .collect()
    }
}

/// Every word of the search index, sorted: the spellings a typo may stand for.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary(Vec<String>);

impl Vocabulary {
    pub async fn load(db: &Db) -> Result<Self, DbErr> {
        let words: BTreeSet<String> = documents::bodies(db)
            .await?
            .iter()
            .flat_map(|body| body.split(' '))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        Ok(Self(words.into_iter().collect()))
    }

    /// Whether some word of the index starts with `prefix`.
    fn starts_a_word(&self, prefix: &str) -> bool {
        let at = self.0.partition_point(|w| w.as_str() < prefix);
        self.0.get(at).is_some_and(|w| w.starts_with(prefix))
    }
}

/// Every spelling one typo away from `word` that the typo rule allows, in a
/// fixed order, without `word` itself.
pub fn one_typo_away(word: &str) -> Vec<String> {
    let letters = word.as_bytes();
    let n = letters.len();
    let mut seen = HashSet::new();
    let mut spellings = Vec::new();
    let mut keep = |spelling: Vec<u8>| {
        let spelling = String::from_utf8(spelling).expect("folded text is ASCII");
        if spelling != word && spelling.len() >= 2 && seen.insert(spelling.clone()) {
            spellings.push(spelling);
        }
    };
    if n >= 3 {
        for i in 0..n - 1 {
            let mut swapped = letters.to_vec();
            swapped.swap(i, i + 1);
            keep(swapped);
        }
    }
    if n >= 5 {
        for i in 0..n {
            let mut missing = letters.to_vec();
            missing.remove(i);
            keep(missing);
        }
        for i in 0..n {
            for &c in ALPHABET {
                let mut changed = letters.to_vec();
                changed[i] = c;
                keep(changed);
            }
        }
        for i in 0..=n {
            for &c in ALPHABET {
                let mut added = letters.to_vec();
                added.insert(i, c);
                keep(added);
            }
        }
    }
    spellings
}

/// One ranked hit: what it is, its relevance, and whether a typo was needed.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub kind: String,
    pub target: i32,
    pub score: f64,
    pub with_typo: bool,
}

/// Every hit of `query` the candidates reach, best first: the exact hits by
/// relevance, then the hits that needed a typo; ties by kind and id.
pub async fn ranked(db: &Db, query: &Query) -> AppResult<Vec<Hit>> {
    let exact = query.spellings(false);
    let mut candidates = documents::candidates(db, &exact, &query.kinds, CANDIDATES).await?;
    if query.has_typos() {
        let known: HashSet<(String, i32)> = candidates
            .iter()
            .map(|c| (c.kind.clone(), c.target))
            .collect();
        let with_typos =
            documents::candidates(db, &query.spellings(true), &query.kinds, CANDIDATES).await?;
        candidates.extend(
            with_typos
                .into_iter()
                .filter(|c| !known.contains(&(c.kind.clone(), c.target))),
        );
    }
    let mut hits: Vec<Hit> = candidates
        .into_iter()
        .filter_map(|c| relevance(query, &c))
        .collect();
    hits.sort_by(|a, b| {
        a.with_typo
            .cmp(&b.with_typo)
            .then(b.score.total_cmp(&a.score))
            .then_with(|| a.kind.cmp(&b.kind))
            .then(a.target.cmp(&b.target))
    });
    Ok(hits)
}

/// How many documents match `query`, typos included.
pub async fn count(db: &Db, query: &Query) -> AppResult<i64> {
    let spellings = query.spellings(query.has_typos());
    Ok(documents::count(db, &spellings, &query.kinds).await?)
}

/// Whole-word matches beat prefixes, matches in the query's order and at the
/// start beat scattered ones, and the weight (how credited) breaks near-ties.
/// A word found only through a typo scores less than the word itself.
fn relevance(query: &Query, candidate: &Candidate) -> Option<Hit> {
    let body: Vec<&str> = candidate.body.split(' ').collect();
    let mut score = 0.0;
    let mut positions = Vec::new();
    let mut with_typo = false;
    for (word, typos) in query.words.iter().zip(&query.typos) {
        let find = |spelling: &str| {
            let whole = body.iter().position(|w| *w == spelling);
            let prefix = body.iter().position(|w| w.starts_with(spelling));
            whole.map(|at| (3.0, at)).or(prefix.map(|at| (2.0, at)))
        };
        let (points, at) = match find(word) {
            Some(found) => found,
            None => {
                // The candidate matched through one of the typo spellings.
                let (points, at) = typos.iter().find_map(|t| find(t))?;
                with_typo = true;
                (points - 1.5, at)
            }
        };
        score += points;
        positions.push(at);
    }
    if positions.windows(2).all(|w| w[1] == w[0] + 1) {
        score += 2.0;
    }
    if positions.first() == Some(&0) {
        score += 1.0;
    }
    // Short texts that are mostly the query rank above long ones that merely contain it.
    score += query.words.len() as f64 / body.len().max(1) as f64;
    score += (1.0 + candidate.weight).ln() * 0.25;
    Some(Hit {
        kind: candidate.kind.clone(),
        target: candidate.target,
        score: (score * 1000.0).round() / 1000.0,
        with_typo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_allow_any_one_typo_and_short_words_a_swap() {
        let five = one_typo_away("cagen");
        for spelling in [
            "acgen", "cagne", "agen", "cage", "cogen", "cagens", "xcagen",
        ] {
            assert!(five.contains(&spelling.to_string()), "{spelling}");
        }
        assert!(!five.contains(&"cagen".to_string()));
        assert_eq!(one_typo_away("cgae"), ["gcae", "cage", "cgea"]);
        assert!(one_typo_away("ab").is_empty());
        // Swaps, deletions, 36 changes and 37 additions per place, less repeats.
        assert!(five.len() > 300 && five.len() < 400, "{}", five.len());
    }

    #[test]
    fn only_spellings_the_index_knows_are_kept() {
        let vocabulary = Vocabulary(
            ["cage", "caged", "nicolas", "vegas"]
                .map(String::from)
                .to_vec(),
        );
        let query = Query::parse("nicloas cgae vgeas", Vec::new())
            .unwrap()
            .with_typos(&vocabulary);
        assert_eq!(query.typos[0], ["nicolas"]);
        assert_eq!(query.typos[1], ["cage"]);
        assert_eq!(query.typos[2], ["vegas"]);
        assert!(vocabulary.starts_a_word("veg"));
        assert!(!vocabulary.starts_a_word("vex"));
    }

    #[test]
    fn a_hit_that_needed_a_typo_is_marked_and_scores_less() {
        let vocabulary = Vocabulary(["cage", "nicolas"].map(String::from).to_vec());
        let candidate = |body: &str| Candidate {
            kind: "PERSON".into(),
            target: 1,
            body: body.into(),
            weight: 0.0,
        };
        let exact = Query::parse("nicolas cage", Vec::new())
            .unwrap()
            .with_typos(&vocabulary);
        let typo = Query::parse("nicolas cgae", Vec::new())
            .unwrap()
            .with_typos(&vocabulary);
        let right = relevance(&exact, &candidate("nicolas cage")).unwrap();
        let wrong = relevance(&typo, &candidate("nicolas cage")).unwrap();
        assert!(!right.with_typo && wrong.with_typo);
        assert!(wrong.score < right.score);
        assert_eq!(relevance(&exact, &candidate("nicolas cooper")), None);
    }

    #[test]
    fn bad_queries_are_refused() {
        for text in ["", "!!!", "a b c d e f g h i"] {
            assert!(Query::parse(text, Vec::new()).is_err(), "{text:?}");
        }
        assert!(Query::parse(&"x".repeat(201), Vec::new()).is_err());
    }
}

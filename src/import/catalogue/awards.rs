//! The catalogue's Academy Award counts, read from its source's own words
//! (`academyAwardsText`, Wikidata's "Won 8 Oscars. Nominated for 11
//! Oscars."). The source has exactly seven phrasings (below, one test
//! each); anything else is not understood and counts nothing.
//!
//! What the numbers mean: "Won N" counts the Academy Awards Wikidata records
//! as received; "Nominated for M" counts its nomination statements, which
//! sometimes include the wins and sometimes only the categories not won. So
//! `wins` is the source's count, and `nominations` is known only where it is
//! at least `wins` (a count that includes them); otherwise it is unknown.

/// Academy Award counts of one film; `None` is unknown, never 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcademyAwards {
    pub wins: Option<i32>,
    pub nominations: Option<i32>,
}

/// The counts the text states, or `None` when its phrasing is not one the
/// source uses (the caller reports it and keeps no counts).
pub fn parse(text: &str) -> Option<AcademyAwards> {
    let text = text.trim();
    let (won, rest) = match count_after(text, "Won ") {
        Some((wins, rest)) => (Some(wins), rest.trim_start()),
        None => (None, text),
    };
    let (nominated, rest) = match count_after(rest, "Nominated for ") {
        Some((nominations, rest)) => (Some(nominations), rest),
        None => (None, rest),
    };
    if !rest.trim().is_empty() {
        return None;
    }
    match (won, nominated) {
        (None, None) => None,
        // Nominations only: the source records no win (its Oscars column is 0).
        (None, Some(nominations)) => Some(AcademyAwards {
            wins: Some(0),
            nominations: Some(nominations),
        }),
        (Some(wins), None) => Some(AcademyAwards {
            wins: Some(wins),
            nominations: None,
        }),
        (Some(wins), Some(nominations)) => Some(AcademyAwards {
            wins: Some(wins),
            nominations: (nominations >= wins).then_some(nominations),
        }),
    }
}

/// `{prefix}N Oscar.` (N = 1) or `{prefix}N Oscars.` (N > 1) at the start of
/// `text`: N and what follows.
fn count_after<'a>(text: &'a str, prefix: &str) -> Option<(i32, &'a str)> {
    let rest = text.strip_prefix(prefix)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let count: i32 = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    let rest = match count {
        1 => rest.strip_prefix(" Oscar.")?,
        _ => rest.strip_prefix(" Oscars.")?,
    };
    (count > 0).then_some((count, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(wins: Option<i32>, nominations: Option<i32>) -> Option<AcademyAwards> {
        Some(AcademyAwards { wins, nominations })
    }

    // The seven phrasings of the source (877, 559, 307, 252, 116, 31 and 4 films).

    #[test]
    fn nominated_for_one_oscar() {
        assert_eq!(parse("Nominated for 1 Oscar."), counts(Some(0), Some(1)));
    }

    #[test]
    fn nominated_for_several_oscars() {
        assert_eq!(parse("Nominated for 3 Oscars."), counts(Some(0), Some(3)));
    }

    #[test]
    fn won_one_nominated_for_several() {
        // Leaving Las Vegas.
        assert_eq!(
            parse("Won 1 Oscar. Nominated for 3 Oscars."),
            counts(Some(1), Some(3))
        );
    }

    #[test]
    fn won_several_nominated_for_several() {
        // Titanic, as the source counts it (the Academy's record is 11 and 14).
        assert_eq!(
            parse("Won 8 Oscars. Nominated for 11 Oscars."),
            counts(Some(8), Some(11))
        );
        // The Return of the King: nominations for the categories not won only.
        assert_eq!(
            parse("Won 9 Oscars. Nominated for 8 Oscars."),
            counts(Some(9), None)
        );
    }

    #[test]
    fn won_one_nominated_for_one() {
        assert_eq!(
            parse("Won 1 Oscar. Nominated for 1 Oscar."),
            counts(Some(1), Some(1))
        );
    }

    #[test]
    fn won_one_oscar_only() {
        assert_eq!(parse("Won 1 Oscar."), counts(Some(1), None));
    }

    #[test]
    fn won_several_nominated_for_one() {
        // The Little Mermaid: the one nomination is the category it did not win.
        assert_eq!(
            parse("Won 2 Oscars. Nominated for 1 Oscar."),
            counts(Some(2), None)
        );
    }

    #[test]
    fn other_texts_are_not_understood() {
        for text in [
            "",
            "Won 0 Oscars.",
            "Won 1 Oscars.",
            "Won 2 Oscar.",
            "Won 1 Oscar",
            "Nominated for 2 Oscars. Won 1 Oscar.",
            "Won 1 Oscar. Another 3 wins & 4 nominations.",
            "Won 1 Golden Globe.",
            "Won -1 Oscars.",
            "Won 12345 Oscars.",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn surrounding_space_is_ignored() {
        assert_eq!(parse("  Won 1 Oscar.  "), counts(Some(1), None));
    }
}

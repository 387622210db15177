//! The languages a client prefers (the `Accept-Language` header, RFC 9110
//! §12.5.4, or a field's `language` argument), and the choice of the best
//! of a film's localised texts by them (RFC 4647 lookup: an exact tag
//! first, then the same language in another region).

/// Preferences kept from one header: enough for any real client, and few
/// enough that the response cache keeps few variants of an answer.
const MAX_PREFERENCES: usize = 6;

/// Language tags in the client's order of preference, best first; empty
/// when the client states none (every text in the film's own language).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Languages(Vec<String>);

impl Languages {
    /// One language, as a field's `language` argument names it.
    pub fn only(tag: &str) -> Self {
        Languages(vec![tag.trim().to_string()])
    }

    /// An `Accept-Language` value: tags ordered by their `q` weight (a
    /// stable sort: equal weights keep the client's order). Tags weighted 0,
    /// the wildcard, and anything that is not a language range are dropped,
    /// so a malformed header means "no preference", never an error.
    pub fn from_header(value: &str) -> Self {
        let mut weighted: Vec<(u16, String)> = Vec::new();
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            if tag == "*" || !is_range(tag) {
                continue;
            }
            let weight = parts
                .find_map(|param| param.trim().strip_prefix("q="))
                .map_or(Some(1000), quality);
            match weight {
                Some(weight) if weight > 0 => weighted.push((weight, tag.to_string())),
                _ => {}
            }
        }
        weighted.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
        let mut tags: Vec<String> = Vec::new();
        for (_, tag) in weighted {
            if !tags.iter().any(|t| t.eq_ignore_ascii_case(&tag)) && tags.len() < MAX_PREFERENCES {
                tags.push(tag);
            }
        }
        Languages(tags)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The preferences as one canonical text (part of a response cache key).
    pub fn key(&self) -> String {
        self.0.join(",").to_ascii_lowercase()
    }

    /// The index in `available` (language tags) of the best match: for each
    /// preference in turn, a tag equal to it, else one of the same language
    /// (`fr-CA` finds `fr`, `fr` finds `fr-FR`); none when nothing matches.
    pub fn best<'a>(&self, available: impl Iterator<Item = &'a str> + Clone) -> Option<usize> {
        for wanted in &self.0 {
            let exact = available
                .clone()
                .position(|tag| tag.eq_ignore_ascii_case(wanted));
            if exact.is_some() {
                return exact;
            }
            let language = primary(wanted);
            let same = available
                .clone()
                .position(|tag| primary(tag).eq_ignore_ascii_case(language));
            if same.is_some() {
                return same;
            }
        }
        None
    }
}

/// The language subtag of a tag (`pt` of `pt-BR`).
fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// A language range of RFC 4647: subtags of 1 to 8 letters or digits
/// (the first letters only), joined by hyphens.
fn is_range(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag.split('-').enumerate().all(|(i, subtag)| {
            (1..=8).contains(&subtag.len())
                && subtag.bytes().all(|b| {
                    if i == 0 {
                        b.is_ascii_alphabetic()
                    } else {
                        b.is_ascii_alphanumeric()
                    }
                })
        })
}

/// A `q` weight (`0` to `1` with up to three decimals) in thousandths.
fn quality(text: &str) -> Option<u16> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_orders_by_weight_and_drops_what_it_cannot_use() {
        let languages = Languages::from_header("de;q=0.5, fr-CA, *;q=0.1, en;q=0, x y, it;q=0.8");
        assert_eq!(languages.key(), "fr-ca,it,de");
        assert!(Languages::from_header("").is_empty());
        assert!(Languages::from_header(";;;,q=2").is_empty());
        // A malformed weight drops its tag, not the header.
        assert_eq!(Languages::from_header("fr;q=1.5, es").key(), "es");
    }

    #[test]
    fn the_best_match_is_exact_then_the_same_language() {
        let available = ["en", "fr-FR", "pt-BR", "pt-PT"];
        let best = |header: &str| Languages::from_header(header).best(available.iter().copied());
        assert_eq!(best("pt-PT"), Some(3));
        assert_eq!(best("pt"), Some(2));
        assert_eq!(best("fr-CA, en"), Some(1));
        assert_eq!(best("ja, EN"), Some(0));
        assert_eq!(best("ja"), None);
        assert_eq!(best(""), None);
    }
}

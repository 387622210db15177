//! Text folding shared by slugs, sort keys and search: lowercase, accents
//! removed, punctuation turned into single spaces.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// `"Amélie  (2001)"` → `"amelie 2001"`. Apostrophes join (`O'Brien` → `obrien`);
/// letters that stand for two expand (`ß` → `ss`, `æ` → `ae`, `œ` → `oe`), as
/// Unicode case folding and German and French spelling have them.
pub fn fold(text: &str) -> String {
    fold_with(text, true)
}

/// `"Psychological Drama"` → `"psychological-drama"`. Slugs are ids clients
/// keep: they fold `ß`, `æ` and `œ` to one letter, as they always have.
pub fn slugify(text: &str) -> String {
    fold_with(text, false).replace(' ', "-")
}

fn fold_with(text: &str, expand: bool) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut pending_space = false;
    // Compatibility decomposition first: a decomposed "é" (e + U+0301) and a
    // ligature ("ﬁ") fold like their composed forms; the marks are dropped.
    let decomposed = text.nfkd().filter(|c| !is_combining_mark(*c));
    for c in decomposed.flat_map(char::to_lowercase) {
        let expanded = match c {
            'ß' | 'ẞ' if expand => "ss",
            'æ' if expand => "ae",
            'œ' if expand => "oe",
            _ => "",
        };
        let c = fold_char(c);
        if c.is_ascii_alphanumeric() {
            if pending_space && !folded.is_empty() {
                folded.push(' ');
            }
            pending_space = false;
            if expanded.is_empty() {
                folded.push(c);
            } else {
                folded.push_str(expanded);
            }
        } else if !matches!(c, '\'' | '’' | '.') {
            pending_space = true;
        }
    }
    folded
}

fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ł' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ß' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'æ' => 'a',
        'œ' => 'o',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_and_punctuation() {
        assert_eq!(fold("Amélie  (2001)"), "amelie 2001");
        assert_eq!(fold("John O'Brien"), "john obrien");
        assert_eq!(fold("Adaptation."), "adaptation");
        assert_eq!(fold("Zoë Kazan & Co."), "zoe kazan co");
        assert_eq!(slugify("Psychological Drama"), "psychological-drama");
        assert_eq!(fold("Ame\u{301}lie"), "amelie", "decomposed");
        assert_eq!(fold("\u{fb01}ght club"), "fight club", "a ligature");
        assert_eq!(fold("ÉRIC"), fold("eric"));
        assert_eq!(slugify("John O'Brien"), "john-obrien");
    }

    #[test]
    fn letters_for_two_expand_except_in_slugs() {
        assert_eq!(fold("Burghart Klaußner"), "burghart klaussner");
        assert_eq!(fold("KLAUSSNER"), "klaussner");
        assert_eq!(fold("Æon Flux"), "aeon flux");
        assert_eq!(fold("Demi-sœur"), "demi soeur");
        assert_eq!(fold("DEMI-SŒUR"), "demi soeur");
        assert_eq!(slugify("Burghart Klaußner"), "burghart-klausner");
        assert_eq!(slugify("Æon Flux"), "aon-flux");
    }
}

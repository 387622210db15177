//! Fractional keys: text that sorts (byte by byte) between any two others,
//! so an item of an ordered list can be put anywhere by writing its own key
//! alone.

/// The digits of keys, in byte order.
const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

fn digit(byte: u8) -> usize {
    DIGITS.iter().position(|d| *d == byte).unwrap_or(0)
}

/// How many digits follow a key's head: `a` to `z` head whole numbers of 1
/// to 26 digits, `Z` down to `A` negative ones of 1 to 26 (bytewise, every
/// `A` key sorts before every `Z` key, and those before `a`).
fn integer_length(head: u8) -> Option<usize> {
    match head {
        b'a'..=b'z' => Some(usize::from(head - b'a') + 1),
        b'A'..=b'Z' => Some(usize::from(b'Z' - head) + 1),
        _ => None,
    }
}

/// A key's whole number (head and digits) and its fraction.
fn split_key(key: &str) -> (&str, &str) {
    let length = key.bytes().next().and_then(integer_length).unwrap_or(0);
    key.split_at((1 + length).min(key.len()))
}

/// The next whole number: `a0` → `a1`, `az` → `b00`, `Zz` → `a0`.
fn increment(integer: &str) -> Option<String> {
    step(integer, true)
}

/// The previous whole number: `a1` → `a0`, `a0` → `Zz`, `Z0` → `Yzz`.
fn decrement(integer: &str) -> Option<String> {
    step(integer, false)
}

fn step(integer: &str, up: bool) -> Option<String> {
    let (&head, digits) = integer.as_bytes().split_first()?;
    let (edge, restart) = if up {
        (DIGITS.len() - 1, DIGITS[0])
    } else {
        (0, DIGITS[DIGITS.len() - 1])
    };
    let mut out = digits.to_vec();
    for i in (0..out.len()).rev() {
        let d = digit(out[i]);
        if d != edge {
            out[i] = if up { DIGITS[d + 1] } else { DIGITS[d - 1] };
            let mut key = vec![head];
            key.extend(out);
            return String::from_utf8(key).ok();
        }
        out[i] = restart;
    }
    // Every digit overflowed: the next (or previous) head, all digits restarting.
    let next = match (head, up) {
        (b'Z', true) => b'a',
        (b'a', false) => b'Z',
        (b'z', true) | (b'A', false) => return None,
        (_, true) => head + 1,
        (_, false) => head - 1,
    };
    let fill = if up {
        DIGITS[0]
    } else {
        DIGITS[DIGITS.len() - 1]
    };
    let mut key = vec![next];
    key.extend(std::iter::repeat_n(fill, integer_length(next)?));
    String::from_utf8(key).ok()
}

/// A key that sorts (bytewise) strictly between `before` and `after` (either
/// may be open). A key is a whole number (a head saying its length, then
/// base-36 digits) and a base-36 fraction without trailing zeros: the end
/// of a list takes the next whole number and its start the previous one, so
/// keys grow with the logarithm of the items added there; a key between two
/// neighbours takes a fraction, which grows about one digit per five
/// insertions at one spot.
pub fn key_between(before: Option<&str>, after: Option<&str>) -> String {
    const FIRST: &str = "a0";
    let key = match (before, after) {
        (None, None) => Some(FIRST.to_string()),
        (None, Some(after)) => {
            let (integer, fraction) = split_key(after);
            if fraction.is_empty() {
                decrement(integer)
            } else {
                Some(integer.to_string())
            }
        }
        (Some(before), None) => increment(split_key(before).0),
        (Some(before), Some(after)) => {
            let (low, low_fraction) = split_key(before);
            let (high, high_fraction) = split_key(after);
            if low == high {
                Some(format!(
                    "{low}{}",
                    fraction_between(low_fraction, Some(high_fraction))
                ))
            } else {
                increment(low)
                    .filter(|next| next.as_str() < after)
                    .or_else(|| Some(format!("{low}{}", fraction_between(low_fraction, None))))
            }
        }
    };
    // 26 base-36 digits either way cannot run out in practice; should they,
    // a fraction of the last whole number still sorts right.
    key.unwrap_or_else(|| {
        let (integer, fraction) = split_key(before.or(after).unwrap_or(FIRST));
        format!("{integer}{}", fraction_between(fraction, None))
    })
}

fn fraction_between(before: &str, after: Option<&str>) -> String {
    let key = midpoint(before.as_bytes(), after.map(str::as_bytes));
    String::from_utf8(key).unwrap_or_default()
}

fn midpoint(before: &[u8], after: Option<&[u8]>) -> Vec<u8> {
    let at = |i: usize| before.get(i).copied().unwrap_or(DIGITS[0]);
    if let Some(after) = after.filter(|a| !a.is_empty()) {
        // Share the common prefix (`before` read with zeros past its end).
        let shared = after
            .iter()
            .enumerate()
            .take_while(|(i, b)| at(*i) == **b)
            .count();
        if shared > 0 {
            let rest = before.get(shared..).unwrap_or(&[]);
            let mut key = after[..shared].to_vec();
            key.extend(midpoint(rest, Some(&after[shared..])));
            return key;
        }
    }
    let after = after.filter(|a| !a.is_empty());
    let low = before.first().map_or(0, |b| digit(*b));
    let high = after.map_or(DIGITS.len(), |a| digit(a[0]));
    if high - low > 1 {
        return vec![DIGITS[(low + high).div_ceil(2)]];
    }
    // Adjacent first digits: `after`'s first digit alone is between when
    // `after` goes on; otherwise keep `before`'s digit and go one deeper.
    if let Some(after) = after.filter(|a| a.len() > 1) {
        return after[..1].to_vec();
    }
    let mut key = vec![DIGITS[low]];
    key.extend(midpoint(before.get(1..).unwrap_or(&[]), None));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn between(before: Option<&str>, after: Option<&str>) -> String {
        let key = key_between(before, after);
        let (_, fraction) = split_key(&key);
        assert!(!fraction.ends_with('0'), "{key:?}");
        if let Some(before) = before {
            assert!(before < key.as_str(), "{before:?} < {key:?}");
        }
        if let Some(after) = after {
            assert!(key.as_str() < after, "{key:?} < {after:?}");
        }
        key
    }

    #[test]
    fn keys_fall_between_their_neighbours() {
        let first = between(None, None);
        assert_eq!(first, "a0");
        let end = between(Some(&first), None);
        assert_eq!(end, "a1");
        let start = between(None, Some(&first));
        assert_eq!(start, "Zz");
        between(Some(&start), Some(&first));
        between(Some(&first), Some(&end));
        between(Some("a0"), Some("a0i"));
        between(Some("a0i"), Some("a1"));
        between(Some("a0zz"), Some("a1"));
        between(Some("az"), Some("b00"));
        between(Some("Zz"), Some("a0"));
        between(Some("Zzz"), Some("a0"));
        between(None, Some("a01"));
        assert_eq!(between(Some("az"), None), "b00");
        assert_eq!(between(None, Some("Z0")), "Yzz");
    }

    #[test]
    fn keys_grow_slowly_at_the_ends_and_stay_ordered_in_the_middle() {
        // Inserting again and again right after the first item: the worst case.
        let mut keys = vec![between(None, None), between(Some("a0"), None)];
        for _ in 0..1_000 {
            let key = between(Some(&keys[0]), Some(&keys[1]));
            keys.insert(1, key);
        }
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, keys);
        let longest = keys.iter().map(String::len).max().unwrap();
        assert!(longest <= 260, "{longest}");
        // Appending and prepending take whole numbers.
        let mut last = between(None, None);
        let mut first = last.clone();
        for _ in 0..10_000 {
            last = between(Some(&last), None);
            first = between(None, Some(&first));
        }
        assert!(first < last, "{first} {last}");
        assert!(last.len() <= 4 && first.len() <= 4, "{last} {first}");
    }
}

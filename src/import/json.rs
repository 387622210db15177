//! Strict JSON for the importers: exactly one value, no key twice in an object,
//! no NUL character, then the typed value, every problem with its JSON path.
//!
//! serde_json alone keeps the last of two equal keys when it builds a map or a
//! `Value` (derived structs refuse them, but only while no field is a map),
//! looks past the value only when asked (`Deserializer::end`: without it a
//! second document after the first was ignored), and accepts `\u0000`, which
//! PostgreSQL cannot store in text.

use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess,
    Visitor,
};

/// What is wrong and where: `path` as `serde_path_to_error` writes it
/// (`credits[3].person`), empty for the whole text.
#[derive(Debug)]
pub struct JsonProblem {
    pub path: String,
    pub message: String,
}

/// Parses `text` as one JSON value of type `T`, after checking it is strict JSON.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonProblem> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Checked>(&mut deserializer).map_err(problem)?;
    // A second document, or anything else, after the first is refused.
    deserializer.end().map_err(|e| JsonProblem {
        path: String::new(),
        message: e.to_string(),
    })?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(problem)
}

/// Where in `bytes` UTF-8 decoding failed, as "bad byte 0xff at line 3 column 7".
pub fn utf8_error(bytes: &[u8], error: std::str::Utf8Error) -> String {
    let at = error.valid_up_to();
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = at - line_start + 1;
    format!(
        "not valid UTF-8: bad byte 0x{:02x} at line {line} column {column}",
        bytes[at]
    )
}

fn problem(err: serde_path_to_error::Error<serde_json::Error>) -> JsonProblem {
    // The root is ".", and a key cut short is "?": neither says more than no path.
    let path = err.path().to_string();
    let path = match path.as_str() {
        "." | "?" => "",
        path => path.strip_suffix(".?").unwrap_or(path),
    };
    JsonProblem {
        path: path.to_string(),
        message: err.into_inner().to_string(),
    }
}

/// Any JSON value, read only to be checked.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Checked, E> {
        if value.contains('\0') {
            return Err(E::custom("text contains a NUL character (\\u0000)"));
        }
        Ok(Checked)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        let mut keys = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            // Refused while reading the value, so that the path ends with the key.
            let refusal = if key.contains('\0') {
                Some("key contains a NUL character (\\u0000)".to_string())
            } else if !keys.insert(key.clone()) {
                Some(format!("duplicate key {key:?}"))
            } else {
                None
            };
            map.next_value_seed(ValueOrRefusal(refusal))?;
        }
        Ok(Checked)
    }
}

/// Checks a map's value, or refuses it (with its path) without reading it.
struct ValueOrRefusal(Option<String>);

impl<'de> DeserializeSeed<'de> for ValueOrRefusal {
    type Value = Checked;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Checked, D::Error> {
        match self.0 {
            Some(refusal) => Err(de::Error::custom(refusal)),
            None => Checked::deserialize(deserializer),
        }
    }
}

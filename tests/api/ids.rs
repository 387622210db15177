//! Global ids the tests make up.

/// A global id as the API spells it (URL-safe base64 of `Kind:id`).
pub fn base64_id(raw: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

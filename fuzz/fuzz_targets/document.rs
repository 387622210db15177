//! Arbitrary bytes into the film page document parser (size, UTF-8, strict
//! JSON, shape and every validation rule): it must answer Ok or Err, never
//! panic, overflow its stack or run away with memory.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(err) = cinegraph::import::parse_document("fuzz.json", data) {
        // Every refusal names the file, and formats without panicking.
        assert!(err.to_string().starts_with("fuzz.json: "));
    }
});

#!/usr/bin/env bash
# Fuzzes the film page document parser (cinegraph::import::parse_document) for
# a bounded time: scripts/fuzz.sh [SECONDS] (default 60).
#
# Exits non-zero when libFuzzer finds a crash (a panic, a stack overflow, an
# input slower than 10 s or a memory blow-up); the input is then saved under
# fuzz/artifacts/document/. Fix the cause and add the input as a regression
# case in tests/api/import.rs.
#
# Needs cargo-fuzz (cargo install cargo-fuzz --locked). Runs on a stable
# toolchain: RUSTC_BOOTSTRAP=1 lets it take the nightly-only flags (sanitizer,
# coverage) cargo fuzz passes. SANITIZER=none skips AddressSanitizer where it
# does not link.
set -euo pipefail

seconds="${1:-60}"
case "$seconds" in
    '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/../fuzz"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

# Mutations start from valid pages: the bundled documents seed the corpus.
mkdir -p corpus/document
cp ../data/films/*.json corpus/document/

export RUSTC_BOOTSTRAP=1
exec cargo fuzz run document --sanitizer "${SANITIZER:-address}" -- \
    -max_total_time="$seconds" \
    -timeout=10 \
    -dict=document.dict \
    -print_final_stats=1

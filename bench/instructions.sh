#!/usr/bin/env bash
# Instructions the server executes per request, counted by callgrind: unlike
# req/s on a shared 2-core machine (which drifts by 25% between runs), the
# count repeats to within a fraction of a percent, so it shows small changes.
# PostgreSQL's own work is not counted (it runs in its own processes).
#
#   bench/instructions.sh BINARY [QUERY ...]     (QUERY: b1 b2 b3 b4 b6 b7 b8; default b1 b2 b3)
#
# BINARY is a release build of cinegraph (copy target/release/cinegraph aside
# to compare two commits). DATABASE_URL (default: a database
# `bench_instructions` on the local PostgreSQL) is created and the bundled
# catalogue imported by a first, normal start. Each query is sent 5 times to
# warm up, then the counters are zeroed and it is sent 30 times.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="$(realpath "$1")"
shift
queries=("${@:-b1}")
[ $# -eq 0 ] && queries=(b1 b2 b3)
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_instructions?sslmode=disable}"
port=8199
requests=30
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
if [[ "$url" == postgres* ]]; then
  name="$(echo "$url" | sed -E 's#.*/([^/?]+)(\?.*)?$#\1#')"
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $name"
fi

# The request bodies: B1 is the playground's film page, the others the bench queries.
body() {
  local file="bench/queries/$1.cinegraph.graphql"
  [ "$1" = b1 ] && file="playground/film-page.graphql"
  python3 -c 'import json, sys; print(json.dumps({"query": open(sys.argv[1]).read()}))' "$file" >"$work/$1.json"
}

start() {
  "$@" --listen "127.0.0.1:$port" --database-url "$url" --response-cache-mb 0 \
    --mutations-per-minute 100000000 --cost-per-minute 4000000000 >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && return
    sleep 0.5
  done
  cat "$work/server.log" >&2
  echo "the server did not become ready" >&2
  exit 1
}

stop() {
  kill "$server"
  wait "$server" 2>/dev/null || true
}

send() {
  for _ in $(seq 1 "$2"); do
    curl -sf -o /dev/null -H 'content-type: application/json' -d @"$work/$1.json" \
      "http://127.0.0.1:$port/graphql"
  done
}

# A first start imports the bundled catalogue (much faster outside valgrind).
start "$binary"
stop

for query in "${queries[@]}"; do
  body "$query"
  start valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" "$binary"
  send "$query" 5
  callgrind_control -z "$server" >/dev/null 2>&1
  send "$query" "$requests"
  callgrind_control -d "$server" >/dev/null 2>&1
  # Each dump states its count twice (`summary:` and `totals:`): read one.
  total="$(cat "$work"/callgrind.*.* | awk '/^totals:/ { s += $2 } END { print s }')"
  echo "$query: $((total / requests)) instructions per request ($(basename "$binary"))"
  stop
  rm -f "$work"/callgrind.*
done

#!/usr/bin/env python3
"""The editorial write path under load (issue 23), on SQLite and PostgreSQL:

    python3 bench/editorial.py [--duration 15] [--connections 32] [--rounds 3]
                               [--changes 100000] [--no-build]

For each database it starts cinegraph (release) on a fresh database (the
bundled catalogue and page are imported by that first start), stops it,
adds `--changes` synthetic films with `cinegraph generate --films` (each a
CREATED change in the feed), starts it again (with no limit on editors'
changes) and makes one editor. Then, rounds interleaved, medians reported:

  E1  the film page (playground/film-page.graphql, anonymous) under oha,
      alone;
  E2  the same while one editor changes Leaving Las Vegas as fast as one
      client can (updateFilm from the version it read: each change writes
      the film, its revision with the whole page before and after, its
      search entry and a row of the feed, and empties every cache): the
      editor's writes per second and their p50 and p99, and the readers'
      req/s and p99 beside E1's;
  E3  a mirror catching up on the changes feed from the start:
      `changes(afterSequence:, first: 100)` page after page to the end
      (every change the import and the generator made), in changes per
      second.

Needs what bench/load.py needs (oha, psql, a PostgreSQL server). Only talks
to 127.0.0.1.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (the shared harness: processes, HTTP, oha)

UPDATE = "mutation($id: ID!, $v: Int!, $t: String!) { updateFilm(id: $id, expectedVersion: $v, film: { tagline: $t }) { version } }"
FEED = "query($after: Int!) { changes(afterSequence: $after, first: 100) { pageInfo { hasNextPage } nodes { sequence kind entityId } } }"


def generate(database_url, films):
    started = time.time()
    subprocess.run([os.path.join(load.RELEASE, "cinegraph"), "generate", "--films", str(films),
                    "--database-url", database_url],
                   check=True, capture_output=True, env=dict(os.environ, RUST_LOG="cinegraph=warn"))
    return time.time() - started


def make_editor(address, database_url):
    token = load.graphql(address, "mutation { signUp(input: { username: \"editor\", password: \"correct-horse-battery\" }) { token } }")["signUp"]["token"]
    subprocess.run([os.path.join(load.RELEASE, "cinegraph"), "users", "grant", "editor", "--role", "editor",
                    "--database-url", database_url], check=True, capture_output=True)
    return token


class Editor:
    """Changes one film's tagline as fast as one client can until stopped,
    each change from the version the last one made; times each."""

    def __init__(self, address, token, film_id, version):
        self.address, self.token, self.film_id, self.version = address, token, film_id, version
        self.stopped = threading.Event()
        self.latencies = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stopped.is_set():
            started = time.time()
            data = load.graphql(self.address, UPDATE, {"id": self.film_id, "v": self.version,
                                                       "t": f"Tagline {self.version}"}, self.token)
            self.latencies.append((time.time() - started) * 1000)
            self.version = data["updateFilm"]["version"]

    def __enter__(self):
        self.started = time.time()
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopped.set()
        self.thread.join()
        self.seconds = time.time() - self.started


def catch_up(address):
    """Reads the whole feed from the start: (changes read, seconds)."""
    started, after, read = time.time(), 0, 0
    while True:
        page = load.graphql(address, FEED, {"after": after})["changes"]
        nodes = page["nodes"]
        read += len(nodes)
        if nodes:
            after = nodes[-1]["sequence"]
        if not page["pageInfo"]["hasNextPage"]:
            return read, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if load.shutil.which("oha") is None:
        subprocess.run(["cargo", "install", "oha", "--version", load.OHA_VERSION, "--locked"], check=True)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bins"], cwd=load.ROOT, check=True)

    database = f"cinegraph_editorial_{os.getpid()}"
    pg_url = args.postgres.rsplit("/", 1)[0] + "/" + database + "?sslmode=disable"
    subprocess.run(["psql", args.postgres, "-qc", f"CREATE DATABASE {database}"], check=True)
    scratch = tempfile.mkdtemp(prefix="cinegraph-editorial-")
    targets = [("SQLite", f"sqlite://{scratch}/cinegraph.db?mode=rwc"), ("PostgreSQL", pg_url)]
    results = {}
    try:
        for label, url in targets:
            load.first_start(f"first-{label}", url)
            generated = generate(url, args.changes)
            server = load.cinegraph(label, url, "--edits-per-minute", "100000000")
            load.wait_ready(server)
            try:
                token = make_editor(server.address, url)
                film = load.graphql(server.address, "{ film(by: { slug: \"leaving-las-vegas\" }) { id version } }")["film"]
                version = film["version"]
                page = json.dumps({"query": load.read(load.FILM_PAGE)})
                alone, loaded, writes, latencies, feeds = [], [], [], [], []
                for _ in range(args.rounds):
                    alone.append(load.oha(server.address, page, args.duration, args.connections, args.warmup))
                    with Editor(server.address, token, film["id"], version) as editor:
                        loaded.append(load.oha(server.address, page, args.duration, args.connections, args.warmup))
                    version = editor.version
                    writes.append(len(editor.latencies) / editor.seconds)
                    latencies.extend(editor.latencies)
                    feeds.append(catch_up(server.address))
                peak = server.peak_rss_mb()
            finally:
                server.stop()
            results[label] = {"generate": generated, "alone": alone, "loaded": loaded, "writes": writes,
                              "latencies": latencies, "feeds": feeds, "peak": peak}
    finally:
        subprocess.run(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)
        load.shutil.rmtree(scratch, ignore_errors=True)
    report(args, results)


def report(args, results):
    print(f"\n{args.connections} connections, {args.duration} s x {args.rounds} rounds (medians); "
          f"{args.changes:,} generated films in the feed\n")
    print("| database | E1 page alone req/s | p99 ms | E2 page while editing req/s | p99 ms | edits/s | edit p50 ms | edit p99 ms | E3 feed changes | changes/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in results.items():
        med = lambda runs, field: statistics.median(run[field] for run in runs)
        count = statistics.median(read for read, _ in r["feeds"])
        rate = statistics.median(read / seconds for read, seconds in r["feeds"])
        print(f"| {label} | {med(r['alone'], 'rps'):,.0f} | {med(r['alone'], 'p99'):.1f} "
              f"| {med(r['loaded'], 'rps'):,.0f} | {med(r['loaded'], 'p99'):.1f} "
              f"| {statistics.median(r['writes']):.1f} | {load.percentile(r['latencies'], 50):.0f} "
              f"| {load.percentile(r['latencies'], 99):.0f} | {count:,.0f} | {rate:,.0f} |")
    print()
    for label, r in results.items():
        errors = sum(run["errors"] for run in r["alone"] + r["loaded"])
        print(f"{label}: generate --films {args.changes} took {r['generate']:.1f} s; "
              f"read errors {errors}; peak RSS {r['peak'] or 0:.0f} MB")


if __name__ == "__main__":
    main()

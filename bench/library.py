#!/usr/bin/env python3
"""The users' own library and discovery under load (issue 22), on SQLite and
PostgreSQL, beside the film page:

    python3 bench/library.py [--duration 15] [--connections 32] [--rounds 3]
                             [--users 20000] [--ratings 200000]

For each database it starts cinegraph (release) on a fresh database (the
bundled catalogue is imported by that first start), stops it, adds
`--users` synthetic users and `--ratings` ratings with `cinegraph generate`
(timed), starts it again and signs up one bench user who keeps 50 films on
the watchlist and rated 20 of the most rated films. Then, with oha (one
target at a time, rounds interleaved, medians reported):

  L1  the film page (playground/film-page.graphql), anonymous: the response
      cache answers it, as in production;
  L2  `me { watchlist(first: 50) }` with a film card per edge (title, year,
      runtime, directors, rating summary, viewerState): private, never cached;
  L3  `trending(window: WEEK, first: 20)` with the same card (anonymous;
      answers depend on the clock, so never cached);
  L4  L3 again while a writer rates films as fast as one client can
      (the incremental score updates against the ranking reads);
  L5  `me { recommendations(first: 10) { film reason basis becauseOf } }`;
  L6  L5 with 4 connections: latency below saturation (32 connections on
      2 cores measure queueing as much as the request).

Issue 22 asks recommendations' p99 under 50 ms with 20,000 users and
200,000 ratings (L5 and L6).
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

CARD = "title releaseYear runtimeMinutes directors { name } ratingSummary { average count }"
WATCHLIST = "{ me { watchlist(first: 50) { totalCount edges { addedAt node { %s viewerState { inWatchlist seen rating { score } } } } } } }" % CARD
TRENDING = "{ trending(window: WEEK, first: 20) { edges { score node { %s } } } }" % CARD
RECOMMENDATIONS = "{ me { recommendations(first: 10) { reason basis film { title releaseYear } becauseOf { title } } } }"


def generate(database_url, users, ratings):
    started = time.time()
    subprocess.run([os.path.join(load.RELEASE, "cinegraph"), "generate", "--users", str(users),
                    "--ratings", str(ratings), "--database-url", database_url],
                   check=True, capture_output=True,
                   env=dict(os.environ, RUST_LOG="cinegraph=warn"))
    return time.time() - started


def prepare_viewer(address):
    """A bench user with 50 films on the watchlist and 20 of the most rated films rated."""
    token = load.graphql(address, "mutation { signUp(input: { username: \"bench\", password: \"correct-horse-battery\" }) { token } }")["signUp"]["token"]
    rated = load.graphql(address, "{ films(first: 20, orderBy: { field: USER_RATING_COUNT, direction: DESC }) { nodes { id } } }")
    for i, film in enumerate(rated["films"]["nodes"]):
        load.graphql(address, "mutation($f: ID!, $s: Int!) { rateFilm(input: { filmId: $f, score: $s }) { rating { score } } }",
                     {"f": film["id"], "s": 10 - i % 4}, token)
    listed = load.graphql(address, "{ films(first: 50, after: null, orderBy: { field: TITLE }) { nodes { id } } }")
    for film in listed["films"]["nodes"]:
        load.graphql(address, "mutation($f: ID!) { addToWatchlist(filmId: $f) { changed } }", {"f": film["id"]}, token)
    return token


class Writer:
    """Rates films as fast as one client can until stopped; counts its writes."""

    def __init__(self, address, token, film_ids):
        self.address, self.token, self.film_ids = address, token, film_ids
        self.stopped = threading.Event()
        self.writes = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        i = 0
        while not self.stopped.is_set():
            film = self.film_ids[i % len(self.film_ids)]
            load.graphql(self.address, "mutation($f: ID!, $s: Int!) { rateFilm(input: { filmId: $f, score: $s }) { rating { score } } }",
                         {"f": film, "s": 1 + i % 10}, self.token)
            self.writes += 1
            i += 1

    def __enter__(self):
        self.started = time.time()
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopped.set()
        self.thread.join()
        self.seconds = time.time() - self.started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--ratings", type=int, default=200_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if load.shutil.which("oha") is None:
        subprocess.run(["cargo", "install", "oha", "--version", load.OHA_VERSION, "--locked"], check=True)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bins"], cwd=load.ROOT, check=True)

    database = f"cinegraph_library_{os.getpid()}"
    pg_url = args.postgres.rsplit("/", 1)[0] + "/" + database + "?sslmode=disable"
    subprocess.run(["psql", args.postgres, "-qc", f"CREATE DATABASE {database}"], check=True)
    scratch = tempfile.mkdtemp(prefix="cinegraph-library-")
    targets = [("SQLite", f"sqlite://{scratch}/cinegraph.db?mode=rwc"), ("PostgreSQL", pg_url)]
    results = {}
    try:
        for label, url in targets:
            load.first_start(f"first-{label}", url)
            seconds = generate(url, args.users, args.ratings)
            server = load.cinegraph(label, url)
            load.wait_ready(server)
            try:
                token = prepare_viewer(server.address)
                writer_token = load.graphql(server.address, "mutation { signUp(input: { username: \"writer\", password: \"correct-horse-battery\" }) { token } }")["signUp"]["token"]
                films = [f["id"] for f in load.graphql(server.address, "{ films(first: 100, orderBy: { field: TITLE }) { nodes { id } } }")["films"]["nodes"]]
                picks = load.graphql(server.address, RECOMMENDATIONS, token=token)["me"]["recommendations"]
                bases = sorted({p["basis"] for p in picks})
                runs = {name: [] for name in ["L1", "L2", "L3", "L4", "L5", "L6"]}
                writes = []
                auth = (f"authorization: Bearer {token}",)
                for _ in range(args.rounds):
                    def run(name, query, headers=(), connections=args.connections):
                        body = json.dumps({"query": query})
                        runs[name].append(load.oha(server.address, body, args.duration, connections, args.warmup, headers))
                    run("L1", load.read(load.FILM_PAGE))
                    run("L2", WATCHLIST, auth)
                    run("L3", TRENDING)
                    with Writer(server.address, writer_token, films) as writer:
                        run("L4", TRENDING)
                    writes.append(writer.writes / writer.seconds)
                    run("L5", RECOMMENDATIONS, auth)
                    run("L6", RECOMMENDATIONS, auth, connections=4)
                peak = server.peak_rss_mb()
            finally:
                server.stop()
            results[label] = {"generate": seconds, "runs": runs, "writes": statistics.median(writes),
                              "bases": bases, "peak": peak}
    finally:
        subprocess.run(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)
        load.shutil.rmtree(scratch, ignore_errors=True)
    report(args, results)


def report(args, results):
    names = {"L1": "film page (cached)", "L2": "watchlist, 50 cards", "L3": "trending, 20 cards",
             "L4": "trending while rating", "L5": "recommendations, 10",
             "L6": "recommendations, 4 connections"}
    print(f"\n{args.users:,} synthetic users, {args.ratings:,} ratings; {args.connections} connections, "
          f"{args.duration} s x {args.rounds} rounds (medians)\n")
    print("| query | database | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|")
    for key, name in names.items():
        for label, result in results.items():
            runs = result["runs"][key]
            med = lambda field: statistics.median(run[field] for run in runs)
            errors = sum(run["errors"] for run in runs)
            print(f"| {key} {name} | {label} | {med('rps'):,.0f} | {med('p50'):.2f} | {med('p99'):.2f} | {errors} |")
    print()
    for label, result in results.items():
        print(f"{label}: generate took {result['generate']:.1f} s; the writer rated {result['writes']:.0f} films/s during L4; "
              f"recommendation bases seen: {', '.join(result['bases'])}; peak RSS {result['peak'] or 0:.0f} MB")


if __name__ == "__main__":
    main()

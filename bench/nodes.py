#!/usr/bin/env python3
"""Multi-node benchmarks (issue 21): one machine, every component real.

    python3 bench/nodes.py [--duration 15] [--connections 32] [--rounds 2]

Starts a PostgreSQL primary and a streaming replica of its own (initdb and
pg_basebackup -R in a temporary directory, on free ports; as the `postgres`
user when run as root), imports the bundled catalogue through a first
cinegraph start, then measures with oha:

  R1  reads (the film page, B1) with the response cache off: a node on the
      primary alone against a node reading from the replica
      (DATABASE_READ_URL);
  R2  replica lag under B5 (90% film page reads, 10% rateFilm, 16 threads)
      on the node with the replica, sampled from /metrics every 50 ms; B5's
      own check that no thread reads a count older than its own write holds;
  N2  two nodes behind Varnish (round robin, POST passes through) against one
      node behind the same Varnish (B1, default configuration);
  C1  the film page fetched by hash over GET through Varnish (a cache hit)
      against the same query POSTed to a node (its in-process cache).

Needs: a release build (cargo build --release, done unless --no-build), oha
(installed with cargo when missing), PostgreSQL's programs (--pg-bin),
Debian's varnishd, Redis on 127.0.0.1:6379 for the shared limits. Only talks
to 127.0.0.1.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (the shared helpers of bench/load.py)

ROOT = load.ROOT


def as_postgres(args):
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    """A primary and a streaming replica of the benchmark's own."""

    def __init__(self, bin_dir):
        self.bin = bin_dir
        self.dir = tempfile.mkdtemp(prefix="cinegraph-nodes-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.primary_port, self.replica_port = load.free_port(), load.free_port()
        primary, replica = f"{self.dir}/primary", f"{self.dir}/replica"
        self.run("initdb", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-D", primary)
        with open(f"{primary}/postgresql.conf", "a") as conf:
            conf.write(f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\nmax_connections = 200\n"
                       "shared_buffers = 256MB\n")
        self.run("pg_ctl", "-w", "-D", primary, "-l", f"{self.dir}/primary.log", "start")
        subprocess.run([f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                        "-qc", "CREATE DATABASE cinegraph"], check=True)
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                 "-R", "-X", "stream", "--checkpoint=fast", "-D", replica)
        with open(f"{replica}/postgresql.conf", "a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.run("pg_ctl", "-w", "-D", replica, "-l", f"{self.dir}/replica.log", "start")
        self.primary_url = f"postgres://postgres@127.0.0.1:{self.primary_port}/cinegraph?sslmode=disable"
        self.replica_url = f"postgres://postgres@127.0.0.1:{self.replica_port}/cinegraph?sslmode=disable"

    def run(self, program, *args):
        subprocess.run(as_postgres([f"{self.bin}/{program}", *args]), check=True, cwd=self.dir,
                       stdout=subprocess.DEVNULL)

    def stop(self):
        for data in ["replica", "primary"]:
            subprocess.run(as_postgres([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/{data}", "-m", "fast", "stop"]),
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


VCL = """vcl 4.1;
import directors;
{backends}
sub vcl_init {{
  new nodes = directors.round_robin();
{adds}
}}
sub vcl_recv {{
  set req.backend_hint = nodes.backend();
  if (req.method == "POST" && req.url == "/purge") {{
    ban("obj.http.Surrogate-Key ~ (^|\\s)(" + regsuball(req.http.Surrogate-Key, "\\s+", "|") + ")(\\s|$)");
    return (synth(200, "purged"));
  }}
}}
"""


def varnish(name, port, nodes, scratch):
    """Varnish on `port` balancing `nodes` (cinegraph processes)."""
    backends = "".join(
        f'backend n{i} {{ .host = "127.0.0.1"; .port = "{n.address.rsplit(":", 1)[1]}"; }}\n'
        for i, n in enumerate(nodes))
    adds = "".join(f"  nodes.add_backend(n{i});\n" for i in range(len(nodes)))
    vcl = os.path.join(scratch, f"{name}.vcl")
    with open(vcl, "w") as f:
        f.write(VCL.format(backends=backends, adds=adds))
    args = ["varnishd", "-F", "-a", f"127.0.0.1:{port}", "-n", os.path.join(scratch, name),
            "-f", vcl, "-s", "malloc,256m"]
    process = load.Process(name, args)
    process.address = f"127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://{process.address}/readyz", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{name} did not start:\n{process.lines()[-2000:]}")


def oha_get(url, duration, connections, warmup):
    base = ["oha", "--no-tui", "--output-format", "json", "-c", str(connections), url]
    subprocess.run(base[:1] + ["-z", f"{warmup}s"] + base[1:], check=True, capture_output=True)
    out = subprocess.run(base[:1] + ["-z", f"{duration}s"] + base[1:], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    statuses = result.get("statusCodeDistribution", {})
    return {"rps": result["summary"]["requestsPerSec"], "p50": result["latencyPercentiles"]["p50"] * 1000,
            "p99": result["latencyPercentiles"]["p99"] * 1000,
            "errors": sum(v for k, v in statuses.items() if k != "200")}


def lag_sampler(address, stop, samples):
    """Reads the replica's lag from /metrics until `stop` is set."""
    while not stop.is_set():
        text = urllib.request.urlopen(f"http://{address}/metrics", timeout=5).read().decode()
        for line in text.splitlines():
            if line.startswith("cinegraph_db_replica_lag_seconds{"):
                samples["seconds"].append(float(line.rsplit(" ", 1)[1]))
            if line.startswith("cinegraph_db_replica_lag_bytes{"):
                samples["bytes"].append(float(line.rsplit(" ", 1)[1]))
            if line.startswith("cinegraph_db_read_routes_total{"):
                target = line.split('target="', 1)[1].split('"', 1)[0]
                samples["routes"][target] = float(line.rsplit(" ", 1)[1])
        time.sleep(0.05)


def median_of(runs):
    return {field: statistics.median(r[field] for r in runs) for field in ("rps", "p50", "p99")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pg-bin", default=max((f"/usr/lib/postgresql/{v}/bin" for v in os.listdir("/usr/lib/postgresql")),
                                                default="/usr/lib/postgresql/15/bin"))
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if shutil.which("oha") is None:
        subprocess.run(["cargo", "install", "oha", "--version", load.OHA_VERSION, "--locked"], check=True)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bins"], cwd=ROOT, check=True)

    cluster = Cluster(args.pg_bin)
    scratch = tempfile.mkdtemp(prefix="cinegraph-nodes-run-")
    os.chmod(scratch, 0o755)  # varnishd reads its VCL as its own user
    processes = []
    try:
        print("importing the bundled catalogue on the primary ...", flush=True)
        load.first_start("import", cluster.primary_url)
        redis = ["--redis-url", "redis://127.0.0.1:6379"]
        off = ["--response-cache-mb", "0"]
        alone = load.cinegraph("primary-alone", cluster.primary_url, *off, *redis)
        replicated = load.cinegraph("with-replica", cluster.primary_url, *off, *redis,
                                    "--database-read-url", cluster.replica_url)
        processes += [alone, replicated]
        for p in (alone, replicated):
            load.wait_ready(p)
        page = load.cinegraph_query("B1")
        body = json.dumps({"query": page})
        results = {}
        # R1: reads, cache off.
        for round in range(args.rounds):
            for name, process in ([("primary alone", alone), ("primary + replica", replicated)][::1 if round % 2 == 0 else -1]):
                r = load.oha(process.address, body, args.duration, args.connections, args.warmup)
                results.setdefault(("R1", name), []).append(r)
                print(f"  R1 round {round + 1} {name}: {r['rps']:.0f} req/s p99 {r['p99']:.1f} ms errors {r['errors']}", flush=True)
        # R2: lag under B5 on the replicated node.
        film_id = load.graphql(replicated.address, '{ film(by: { slug: "leaving-las-vegas" }) { id } }')["film"]["id"]
        stop, samples = threading.Event(), {"seconds": [], "bytes": [], "routes": {}}
        sampler = threading.Thread(target=lag_sampler, args=(replicated.address, stop, samples))
        sampler.start()
        reads, writes, problems = load.mixed_load(replicated.address, args.duration, 16, film_id)
        stop.set()
        sampler.join()
        if problems:
            sys.exit(f"B5 with a replica: {len(problems)} problems, first: {problems[0]}")
        for p in processes:
            p.stop()
        processes = []

        # N2 and C1: default nodes (cache on) behind Varnish.
        one = load.cinegraph("node-1", cluster.primary_url, *redis, "--database-read-url", cluster.replica_url)
        two = load.cinegraph("node-2", cluster.primary_url, *redis, "--database-read-url", cluster.replica_url)
        processes += [one, two]
        for p in (one, two):
            load.wait_ready(p)
        lb_two = varnish("varnish-two", load.free_port(), [one, two], scratch)
        lb_one = varnish("varnish-one", load.free_port(), [one], scratch)
        processes += [lb_two, lb_one]
        for round in range(args.rounds):
            for name, lb in [("one node", lb_one), ("two nodes", lb_two)]:
                r = load.oha(lb.address, body, args.duration, args.connections, args.warmup)
                results.setdefault(("N2", name), []).append(r)
                print(f"  N2 round {round + 1} {name}: {r['rps']:.0f} req/s p99 {r['p99']:.1f} ms errors {r['errors']}", flush=True)
        digest = hashlib.sha256(page.encode()).hexdigest()
        extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
        url = f"http://{lb_two.address}/graphql?" + urllib.parse.urlencode({"extensions": extensions})
        for round in range(args.rounds):
            r = oha_get(url, args.duration, args.connections, args.warmup)
            results.setdefault(("C1", "GET by hash through Varnish"), []).append(r)
            r = load.oha(one.address, body, args.duration, args.connections, args.warmup)
            results.setdefault(("C1", "POST to a node"), []).append(r)
        for key, runs in results.items():
            if any(r["errors"] for r in runs):
                sys.exit(f"{key}: failed requests")
        report(args, {k: median_of(v) for k, v in results.items()}, samples, reads, writes)
    finally:
        for p in processes:
            p.stop()
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def report(args, results, samples, reads, writes):
    print(f"\n{args.connections} connections, {args.duration} s per run, median of {args.rounds} rounds\n")
    print("| run | target | req/s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|")
    for (run, target), r in results.items():
        print(f"| {run} | {target} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} |")
    seconds = [s for s in samples["seconds"] if s == s]
    print(f"\nR2 (B5 with a replica): {len(reads)} reads (p99 {load.percentile(reads, 99):.1f} ms), "
          f"{len(writes)} writes (p99 {load.percentile(writes, 99):.1f} ms), no stale read; "
          f"replica lag p50 {load.percentile(seconds, 50) * 1000:.0f} ms, p99 {load.percentile(seconds, 99) * 1000:.0f} ms, "
          f"max {max(seconds, default=0) * 1000:.0f} ms, max {max(samples['bytes'], default=0):,.0f} bytes; "
          f"queries by where they read: {samples['routes']}")


if __name__ == "__main__":
    main()

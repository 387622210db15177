#!/usr/bin/env python3
"""Soak test: a bounded mixed read/write load against a real cinegraph server.

For each database (SQLite, PostgreSQL), starts `cinegraph serve` on a fresh
database (the bundled catalogue is imported on first start), then for
`--minutes` runs `--clients` threads, each with its own keep-alive connection
and no think time (a closed loop: the server is kept busy):
  * each client signs up its share of a pool of 50 users (signUp);
  * then loops: about 90% reads (the whole film page of Leaving Las Vegas,
    film lists with filters, orderings and next pages, the playground's browse
    query with facets, search) and about 10% writes (rateFilm with a score of
    1 to 10, removeRating) on 20 films picked at the start.
Each user belongs to one client, so a client knows the last score each of its
users gave each film (removed: none) and, at the end, the exact count, average
and histogram of every film and every user's own ratings.

Checks (any failure: exit status 1):
  * no errors: a response with `errors`, a non-200 status, a broken connection
    or a write answer that contradicts the client's record all count;
  * memory plateaus: the server's RSS (VmRSS of /proc/PID/status, every 5 s)
    over the last third of the run stays within 10% of its peak over the
    middle third (see `plateau`);
  * aggregates are exact: each film's ratingSummary (count, average,
    histogram) and userRatingCount / userRatingAverage, and each user's
    me.ratings, equal what the clients recorded;
  * the server logs no ERROR line, stays up, and stops within 30 s on SIGTERM.
Prints a results table per database and a Markdown table for BENCHMARKS.md.

    python3 bench/soak.py [--minutes 5] [--clients 8] [--databases sqlite,postgres]
                          [--postgres postgres://postgres@127.0.0.1:5432/test] [--binary PATH]

`--postgres` is an admin URL: the run creates its own uniquely named database
next to it and drops it afterwards (needs `psql`). Only talks to 127.0.0.1.
Builds `target/release/cinegraph` when `--binary` is absent. Python 3.11
standard library only.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "cinegraph")

USERS = 50  # the pool of signed-up users, split across the clients
FILMS = 20  # the films rated and unrated
WRITE_SHARE = 0.10  # share of loop iterations that write
REMOVE_SHARE = 0.25  # share of writes that are removeRating (the rest rateFilm)
SAMPLE_SECONDS = 5  # RSS sampling period
PLATEAU_GROWTH = 0.10  # allowed growth of the last third's RSS peak over the middle third's
PROGRESS_SECONDS = 30
REQUEST_TIMEOUT = 60  # seconds; a request slower than this counts as an error
# Abuse limits high enough never to refuse the load (all clients share 127.0.0.1).
LIMIT = 1_000_000_000

LEAVING_LAS_VEGAS = "tt0113627"


def playground(name):
    """The playground's example operations (each one is run by the tests)."""
    with open(os.path.join(ROOT, "playground", name)) as f:
        return f.read()


FILM_PAGE = playground("film-page.graphql")
FILMS_BROWSE = playground("films-browse.graphql")  # with facets: the heaviest list query

FILM_LIST = """query SoakList($filter: FilmFilter, $orderBy: FilmOrder, $after: String) {
  films(filter: $filter, orderBy: $orderBy, first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title releaseYear userRatingAverage userRatingCount
      directors { name } credits(first: 5, kinds: [CAST]) { edges { node { name } } } } }
  } }"""

SEARCH = """query SoakSearch($q: String!, $first: Int) {
  search(query: $q, first: $first) { edges {
    score
    node {
      __typename
      ... on Person { name slug }
      ... on Film { title releaseYear }
      ... on Character { name film { title } }
      ... on Quote { text speaker { name } }
    }
  } } }"""
SEARCH_TERMS = ["nic cag", "leaving las", "las vegas", "love", "war", "john", "the god", "star",
                "ben", "drink", "elisabeth shue", "night", "mike figgis", "city of", "mary"]

RATE = """mutation SoakRate($f: ID!, $s: Int!) {
  rateFilm(input: { filmId: $f, score: $s }) {
    rating { score }
    film { id ratingSummary { average count } viewerRating { score } }
  } }"""
REMOVE = """mutation SoakRemove($f: ID!) {
  removeRating(filmId: $f) { removed film { id ratingSummary { average count } viewerRating { score } } } }"""
SIGN_UP = """mutation SoakSignUp($u: String!, $p: String!) {
  signUp(input: { username: $u, password: $p }) { token user { username } } }"""

SETUP_FILMS = """query SoakFilms($first: Int!) {
  film(by: { imdbId: "%s" }) { id title }
  films(orderBy: { field: BOX_OFFICE, direction: DESC }, first: $first) { edges { node { id title } } }
  genres { genre { slug } filmCount }
}""" % LEAVING_LAS_VEGAS
CHECK_FILMS = """query SoakCheck($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Film { id title userRatingCount userRatingAverage
    ratingSummary { count average histogram { score count } } } } }"""
CHECK_USER = """{ me { username ratings(first: 100) { edges { node { score film { id } } } } } }"""

ORDER_FIELDS = ["TITLE", "RELEASE_DATE", "RUNTIME", "BOX_OFFICE", "USER_RATING_AVERAGE",
                "USER_RATING_COUNT", "EXTERNAL_RATING"]
READS = {"film page": 0.30, "film list": 0.35, "browse with facets": 0.10, "search": 0.25}
WRITES = ("rateFilm", "removeRating")


class Connection:
    """One keep-alive HTTP connection; reconnects after a transport error."""

    def __init__(self, address):
        self.host, port = address.rsplit(":", 1)
        self.port = int(port)
        self.conn = None

    def post(self, query, variables=None, token=None):
        """(status or None, decoded body or None, problem or None, milliseconds)."""
        body = json.dumps({"query": query, "variables": variables or {}})
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        begin = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
            self.conn.request("POST", "/graphql", body, headers)
            response = self.conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as err:
            self.close()
            return None, None, f"transport: {err!r}", (time.perf_counter() - begin) * 1000
        elapsed = (time.perf_counter() - begin) * 1000
        try:
            data = json.loads(raw)
        except ValueError:
            return status, None, f"status {status}, not JSON: {raw[:200]!r}", elapsed
        if status != 200 or data.get("errors"):
            return status, data, f"status {status}: {json.dumps(data.get('errors', data))[:400]}", elapsed
        return status, data, None, elapsed

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def must(conn, query, variables=None, token=None):
    """For setup and checks: the data, or stop the run."""
    _, data, problem, _ = conn.post(query, variables, token)
    if problem:
        raise RuntimeError(f"{problem}\n{query}")
    return data["data"]


class Client(threading.Thread):
    """One client: its own connection, its own users, its own record of their ratings."""

    def __init__(self, index, address, users, films, genres, started, deadline):
        super().__init__(name=f"client-{index}", daemon=True)
        self.rng = random.Random(index * 7919 + os.getpid())
        self.conn = Connection(address)
        self.usernames = users
        self.films = films
        self.genres = genres
        self.started = started
        self.deadline = deadline
        self.tokens = {}
        self.ratings = {}  # (username, film id) -> score; absent = not rated
        self.uncertain = set()  # films whose state a failed write left unknown
        self.latency = {}  # operation -> [ms]
        self.requests = 0
        self.errors = []  # (seconds into the run, operation, problem)
        self.crash = None

    shown = 0  # errors printed as they happen (the first few of the run, all clients)
    shown_lock = threading.Lock()

    def record(self, operation, ms, problem):
        self.requests += 1
        self.latency.setdefault(operation, []).append(ms)
        if problem:
            at = time.monotonic() - self.started
            self.errors.append((at, operation, problem))
            with Client.shown_lock:
                Client.shown += 1
                show = Client.shown <= 3
            if show:
                print(f"  error at {at:.1f} s in {operation} ({self.name}): {problem}", file=sys.stderr)

    def run(self):
        try:
            self.sign_up()
            while time.monotonic() < self.deadline:
                if self.tokens and self.rng.random() < WRITE_SHARE:
                    self.write()
                else:
                    self.read()
        except Exception as err:  # a bug in this script: report it, never hang the run
            self.crash = repr(err)
        finally:
            self.conn.close()

    def sign_up(self):
        for username in self.usernames:
            password = f"soak-pass-{username[::-1]}-1995"
            _, data, problem, ms = self.conn.post(SIGN_UP, {"u": username, "p": password})
            self.record("signUp", ms, problem)
            if not problem:
                self.tokens[username] = data["data"]["signUp"]["token"]

    def read(self):
        kind = self.rng.choices(list(READS), weights=list(READS.values()))[0]
        # Half the reads are signed in: each one looks its session up.
        token = self.rng.choice(list(self.tokens.values())) if self.tokens and self.rng.random() < 0.5 else None
        if kind == "film page":
            _, _, problem, ms = self.conn.post(FILM_PAGE, None, token)
        elif kind == "browse with facets":
            _, _, problem, ms = self.conn.post(FILMS_BROWSE, None, token)
        elif kind == "search":
            variables = {"q": self.rng.choice(SEARCH_TERMS), "first": self.rng.choice([5, 10, 20])}
            _, _, problem, ms = self.conn.post(SEARCH, variables, token)
        else:
            variables = {"filter": self.list_filter(), "orderBy": self.list_order()}
            _, data, problem, ms = self.conn.post(FILM_LIST, variables, token)
            self.record(kind, ms, problem)
            info = None if problem else data["data"]["films"]["pageInfo"]
            if info and info["hasNextPage"] and self.rng.random() < 0.3 and time.monotonic() < self.deadline:
                variables["after"] = info["endCursor"]
                _, _, problem, ms = self.conn.post(FILM_LIST, variables, token)
                self.record(kind, ms, problem)
            return
        self.record(kind, ms, problem)

    def list_filter(self):
        rng = self.rng
        choice = rng.randrange(6)
        if choice == 0:
            return None
        if choice == 1:
            return {"genres": [rng.choice(self.genres)]}
        if choice == 2:
            return {"genres": rng.sample(self.genres, 2), "genreMatch": rng.choice(["ANY", "ALL"])}
        if choice == 3:
            decade = rng.randrange(1940, 2020, 10)
            return {"releaseYear": {"min": decade, "max": decade + 9}, "runtimeMinutes": {"min": 80}}
        if choice == 4:
            return {"title": rng.choice(["love", "night", "man", "war", "city", "las vegas"])}
        return {"userRatingAverage": {"min": rng.choice([1.0, 5.0, 8.0])}}  # films this run rated

    def list_order(self):
        field = self.rng.choice(ORDER_FIELDS)
        order = {"field": field, "direction": self.rng.choice(["ASC", "DESC"])}
        if field == "EXTERNAL_RATING":
            order["ratingSource"] = self.rng.choice(["IMDB", "ROTTEN_TOMATOES"])
        return order

    def write(self):
        username = self.rng.choice(list(self.tokens))
        token = self.tokens[username]
        film = self.rng.choice(self.films)
        key = (username, film)
        before = self.ratings.get(key)
        if self.rng.random() < REMOVE_SHARE:
            _, data, problem, ms = self.conn.post(REMOVE, {"f": film}, token)
            if not problem:
                answer = data["data"]["removeRating"]
                if answer["removed"] != (before is not None) or answer["film"]["viewerRating"] is not None:
                    problem = f"removeRating answered {answer} but {username} had rated it {before}"
            operation = "removeRating"
            after = None
        else:
            score = self.rng.randint(1, 10)
            _, data, problem, ms = self.conn.post(RATE, {"f": film, "s": score}, token)
            if not problem:
                answer = data["data"]["rateFilm"]
                if answer["rating"]["score"] != score or (answer["film"]["viewerRating"] or {}).get("score") != score:
                    problem = f"rateFilm({score}) answered {answer}"
            operation = "rateFilm"
            after = score
        self.record(operation, ms, problem)
        if problem:
            self.uncertain.add(film)  # the write may or may not have been applied
        if after is None:
            self.ratings.pop(key, None)
        else:
            self.ratings[key] = after


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def plateau(samples, duration):
    """Whether memory plateaued, and why.

    The first third of the run is warm-up (caches, connection pools, allocator
    arenas and SQLite's page cache fill up as new pages are touched) and is
    ignored. Steady memory then means the last third's highest RSS is not more
    than PLATEAU_GROWTH (10%) above the middle third's highest: a leak grows
    every third, a plateau does not. Peaks, not means, so that the allocator's
    give-and-take within a third does not decide it.
    """
    middle = [kb for t, kb in samples if duration / 3 <= t < 2 * duration / 3]
    last = [kb for t, kb in samples if t >= 2 * duration / 3]
    if not middle or not last:
        return True, "not decided: too few samples (run too short)"
    growth = max(last) / max(middle) - 1
    verdict = growth <= PLATEAU_GROWTH
    return verdict, (f"last third peak {max(last) / 1024:.1f} MB vs middle third peak "
                     f"{max(middle) / 1024:.1f} MB: {growth * 100:+.1f}% (limit +{PLATEAU_GROWTH * 100:.0f}%)")


def percentile(values, share):
    if not values:
        return None
    values = sorted(values)
    if share == 0.5:
        return statistics.median(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def start_server(binary, database_url, workdir):
    log_path = os.path.join(workdir, "server.log")
    log = open(log_path, "w+")
    process = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", "--database-url", database_url,
         "--sign-in-per-minute", str(LIMIT), "--mutations-per-minute", str(LIMIT), "--cost-per-minute", "4000000000"],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
    )
    started = time.monotonic()
    while time.monotonic() < started + 300:
        time.sleep(0.05)
        log.seek(0)
        match = re.search(r'"address":"([0-9.:]+)"', log.read())
        if match:
            return process, match.group(1), time.monotonic() - started, log
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError("server exited:\n" + log.read())
    process.kill()
    raise RuntimeError("server not ready after 300 s")


def stop_server(process):
    """SIGTERM, then wait (the server finishes in-flight requests); a problem or None."""
    if process.poll() is not None:
        return f"server had already exited with status {process.returncode}"
    process.terminate()
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return "server did not stop within 30 s of SIGTERM (killed)"
    return None if code == 0 else f"server exited with status {code} after SIGTERM"


def soak(label, binary, database_url, workdir, minutes, clients):
    result = {"label": label, "failures": []}
    failures = result["failures"]
    process, address, ready, log = start_server(binary, database_url, workdir)
    result["ready"] = ready
    try:
        print(f"[{label}] server pid {process.pid} ready on {address} after {ready:.1f} s; "
              f"{clients} clients for {minutes * 60:.0f} s", file=sys.stderr)
        conn = Connection(address)
        setup = must(conn, SETUP_FILMS, {"first": FILMS})
        films = [setup["film"]["id"]] + [e["node"]["id"] for e in setup["films"]["edges"]]
        films = list(dict.fromkeys(films))[:FILMS]
        genres = [g["genre"]["slug"] for g in setup["genres"][:15]]

        stamp = f"{os.getpid() % 10000}{int(time.time()) % 10000}"
        usernames = [f"soak{stamp}-u{i:02d}" for i in range(USERS)]
        duration = minutes * 60
        started = time.monotonic()
        deadline = started + duration
        workers = [Client(i, address, usernames[i::clients], films, genres, started, deadline)
                   for i in range(clients)]
        Client.shown = 0
        samples = []  # (seconds into the run, RSS kB)
        stop = threading.Event()

        def sample():
            next_progress = PROGRESS_SECONDS
            while True:
                t = time.monotonic() - started
                try:
                    samples.append((t, rss_kb(process.pid)[0]))
                except (OSError, KeyError):
                    return  # the server is gone: reported below
                if t >= next_progress:
                    done = sum(w.requests for w in workers)
                    errors = sum(len(w.errors) for w in workers)
                    print(f"[{label}] {t:.0f} s: {done} requests, {errors} errors, "
                          f"RSS {samples[-1][1] / 1024:.1f} MB", file=sys.stderr)
                    next_progress += PROGRESS_SECONDS
                if stop.wait(SAMPLE_SECONDS):
                    return

        sampler = threading.Thread(target=sample, name="rss", daemon=True)
        sampler.start()
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT * 2 + 60)
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
        if process.poll() is None:
            samples.append((elapsed, rss_kb(process.pid)[0]))
            result["hwm"] = rss_kb(process.pid)[1] / 1024
        else:
            failures.append(f"the server died during the run (status {process.returncode})")
        for w in workers:
            if w.is_alive():
                failures.append(f"{w.name} still running after the deadline")
            if w.crash:
                failures.append(f"{w.name} crashed: {w.crash}")

        latency = {}
        for w in workers:
            for operation, values in w.latency.items():
                latency.setdefault(operation, []).extend(values)
        reads = [ms for op in READS for ms in latency.get(op, [])]
        writes = [ms for op in WRITES for ms in latency.get(op, [])]
        errors = sorted(e for w in workers for e in w.errors)
        result.update(
            duration=elapsed, requests=sum(w.requests for w in workers), reads=reads, writes=writes,
            signups=len(latency.get("signUp", [])), errors=errors, latency=latency,
            rss_start=samples[0][1] / 1024 if samples else None,
            rss_peak=max(kb for _, kb in samples) / 1024 if samples else None,
            rss_end=samples[-1][1] / 1024 if samples else None, samples=samples)
        if errors:
            failures.append(f"{len(errors)} request errors")
        result["plateau"], result["plateau_why"] = plateau(samples, elapsed)
        if not result["plateau"]:
            failures.append("memory did not plateau: " + result["plateau_why"])

        result["exact"], result["checked"], result["mismatches"] = False, "not checked", []
        if process.poll() is None:
            try:
                result["exact"], result["checked"], result["mismatches"] = check(conn, workers, films)
            except RuntimeError as err:
                failures.append(f"the final check failed: {str(err)[:1000]}")
            if result["mismatches"]:
                failures.append(f"{len(result['mismatches'])} aggregate mismatches")
        conn.close()
    finally:
        problem = stop_server(process)
        if problem:
            failures.append(problem)
        log.seek(0)
        lines = log.read().splitlines()
        log.close()
        result["log_errors"] = [line for line in lines if '"level":"ERROR"' in line]
        result["log_warnings"] = [line for line in lines if '"level":"WARN"' in line]
        if result["log_errors"]:
            failures.append(f"{len(result['log_errors'])} ERROR lines in the server log")
    return result


def check(conn, workers, films):
    """Compares every film's summary and every user's ratings with the clients' records."""
    mismatches = []
    expected = {film: [] for film in films}
    uncertain = set()
    for w in workers:
        uncertain |= w.uncertain
        for (_, film), score in w.ratings.items():
            expected[film].append(score)
    touched = [f for f in films if any(f == film for w in workers for (_, film) in w.ratings) or f in uncertain]
    answer = must(conn, CHECK_FILMS, {"ids": films})["nodes"]
    checked_films = 0
    for film, node in zip(films, answer):
        if film in uncertain:
            continue  # a write to it failed: its true state is unknown (already an error)
        scores = expected[film]
        count = len(scores)
        average = sum(scores) / count if count else None
        histogram = [{"score": s, "count": scores.count(s)} for s in range(1, 11)]
        summary = node["ratingSummary"]
        got = (summary["count"], summary["average"], node["userRatingCount"], node["userRatingAverage"])
        same_average = all((a is None) == (average is None) and (a is None or abs(a - average) < 1e-6)
                           for a in (summary["average"], node["userRatingAverage"]))
        if summary["count"] != count or node["userRatingCount"] != count or not same_average \
                or summary["histogram"] != histogram:
            mismatches.append(f"{node['title']}: expected count {count}, average {average}, histogram "
                              f"{[h['count'] for h in histogram]}; got ratingSummary count/average {got[0]}/{got[1]}, "
                              f"userRatingCount/Average {got[2]}/{got[3]}, histogram "
                              f"{[h['count'] for h in summary['histogram']]}")
        checked_films += 1
    checked_users = 0
    for w in workers:
        for username, token in w.tokens.items():
            mine = {film: score for (user, film), score in w.ratings.items()
                    if user == username and film not in uncertain}
            me = must(conn, CHECK_USER, token=token)["me"]
            got = {e["node"]["film"]["id"]: e["node"]["score"] for e in me["ratings"]["edges"]
                   if e["node"]["film"]["id"] not in uncertain}
            if got != mine:
                mismatches.append(f"{username}: expected ratings {mine}, got {got}")
            checked_users += 1
    summary = (f"{checked_films} films ({len(touched)} rated during the run, "
               f"{sum(len(v) for v in expected.values())} ratings standing), {checked_users} users")
    if uncertain:
        summary += f"; {len(uncertain)} films skipped after failed writes"
    return not mismatches and not uncertain, summary, mismatches


def fmt(value, spec=".1f"):
    return "-" if value is None else format(value, spec)


def report(r):
    print(f"\n== {r['label']} ==")
    if "duration" not in r:
        print("did not run: " + "; ".join(r["failures"]))
        return
    rows = [
        ("duration (s)", fmt(r["duration"])),
        ("requests (signUp + reads + writes)", f"{r['requests']} ({r['signups']} + {len(r['reads'])} + {len(r['writes'])})"),
        ("requests/s", fmt(r["requests"] / r["duration"])),
        ("reads / writes", f"{len(r['reads'])} / {len(r['writes'])} ({len(r['writes']) * 100 / max(1, len(r['reads']) + len(r['writes'])):.1f}% writes)"),
        ("errors", str(len(r["errors"]))),
        ("read latency p50 / p99 (ms)", f"{fmt(percentile(r['reads'], 0.5))} / {fmt(percentile(r['reads'], 0.99))}"),
        ("write latency p50 / p99 (ms)", f"{fmt(percentile(r['writes'], 0.5))} / {fmt(percentile(r['writes'], 0.99))}"),
        ("RSS start / peak / end (MB)", f"{fmt(r['rss_start'])} / {fmt(r['rss_peak'])} / {fmt(r['rss_end'])}"
                                        f" (high-water mark incl. startup import {fmt(r.get('hwm'))})"),
        ("memory plateau", ("yes" if r["plateau"] else "NO") + f": {r['plateau_why']}"),
        ("aggregates exact", ("yes" if r["exact"] else "NO") + f": {r['checked']}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("per operation (count, p50 / p99 / max ms):")
    for operation in ["signUp", *READS, *WRITES]:
        values = r["latency"].get(operation, [])
        if values:
            print(f"  {operation:<20} {len(values):>7}  {fmt(percentile(values, 0.5))} / "
                  f"{fmt(percentile(values, 0.99))} / {fmt(max(values))}")
    print("RSS samples (s: MB): " + ", ".join(f"{t:.0f}: {kb / 1024:.1f}" for t, kb in r["samples"]))
    for t, operation, problem in r["errors"][:5]:
        print(f"  error at {t:.1f} s in {operation}: {problem}")
    for mismatch in r["mismatches"][:5]:
        print(f"  mismatch: {mismatch}")
    for title, lines in (("server ERROR", r["log_errors"]), ("server WARN", r["log_warnings"])):
        if lines:
            print(f"  {len(lines)} {title} log lines, first: " + "\n    ".join(line[:400] for line in lines[:3]))
    if r["failures"]:
        print("FAILED: " + "; ".join(r["failures"]))


def markdown(results, clients):
    ran = [r for r in results if "duration" in r]
    if not ran:
        return
    print(f"\nMachine: {os.cpu_count()} cores; {clients} clients without think time, "
          f"{WRITE_SHARE * 100:.0f}% writes on {FILMS} films by {USERS} users.\n")
    print("| | " + " | ".join(r["label"] for r in ran) + " |")
    print("|---|" + "---|" * len(ran))
    rows = [
        ("duration (s)", lambda r: f"{r['duration']:.0f}"),
        ("requests", lambda r: str(r["requests"])),
        ("requests/s", lambda r: f"{r['requests'] / r['duration']:.0f}"),
        ("reads / writes", lambda r: f"{len(r['reads'])} / {len(r['writes'])}"),
        ("errors", lambda r: str(len(r["errors"]))),
        ("reads p50 / p99 (ms)", lambda r: f"{fmt(percentile(r['reads'], 0.5))} / {fmt(percentile(r['reads'], 0.99))}"),
        ("writes p50 / p99 (ms)", lambda r: f"{fmt(percentile(r['writes'], 0.5))} / {fmt(percentile(r['writes'], 0.99))}"),
        ("RSS start / peak / end (MB)", lambda r: f"{fmt(r['rss_start'])} / {fmt(r['rss_peak'])} / {fmt(r['rss_end'])}"),
        ("memory plateau", lambda r: "yes" if r["plateau"] else "no"),
        ("aggregates exact", lambda r: "yes" if r["exact"] else "no"),
    ]
    for name, cell in rows:
        print(f"| {name} | " + " | ".join(cell(r) for r in ran) + " |")


def run_database(kind, args, binary):
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]
    workdir = tempfile.mkdtemp(prefix="cinegraph-soak-")
    name = None
    try:
        if kind == "sqlite":
            url = f"sqlite://{os.path.join(workdir, 'soak.db')}?mode=rwc"
        else:
            if not shutil.which("psql"):
                return {"label": label, "failures": ["psql not found"]}
            name = f"cinegraph_soak_{os.getpid()}_{int(time.time())}"
            subprocess.run(["psql", args.postgres, "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"],
                           check=True)
            url = urllib.parse.urlunsplit(urllib.parse.urlsplit(args.postgres)._replace(path="/" + name))
        return soak(label, binary, url, workdir, args.minutes, args.clients)
    except (RuntimeError, subprocess.CalledProcessError) as err:
        return {"label": label, "failures": [str(err)[:2000]]}
    finally:
        if name:
            subprocess.run(["psql", args.postgres, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                           check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="load duration per database (fractions allowed)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test",
                        help="admin URL; the run creates and drops its own database there")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--binary", default=BINARY, help="the cinegraph binary (built in release when absent)")
    args = parser.parse_args()
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = [d for d in databases if d not in ("sqlite", "postgres")]
    if unknown or not databases:
        parser.error(f"--databases takes sqlite and/or postgres, not {args.databases!r}")
    if args.minutes <= 0 or args.clients < 1:
        parser.error("--minutes must be positive and --clients at least 1")
    binary = os.path.abspath(args.binary)
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "--release", "--bin", "cinegraph"], cwd=ROOT, check=True)
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop the server and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    results = [run_database(kind, args, binary) for kind in databases]
    for r in results:
        report(r)
    markdown(results, args.clients)
    failed = [r["label"] for r in results if r["failures"]]
    print("\nsoak: " + ("FAILED (" + ", ".join(failed) + ")" if failed else "passed"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

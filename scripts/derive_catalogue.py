#!/usr/bin/env python3
"""Derive the compact bundled film catalogue (data/catalogue/films.jsonl.gz).

Inputs (read-only, see ../shared/datasets/README.md):
  wikidata-films.sqlite  Wikidata films 1940-2014 (tables omdb, tomatoes), CC0-1.0
  vega-movies.json       vega-datasets@3.2.1 data/movies.json, BSD-3-Clause

Output: gzip'd JSON Lines, one film per omdb row, sorted by Wikidata id, with a
fixed key order; gzip mtime is 0 so the same inputs give byte-identical output.
Decisions taken on untidy source values are printed to stderr and documented in
data/catalogue/README.md.

Usage: python3 scripts/derive_catalogue.py [--datasets DIR] [--out FILE]
Standard library only (Python 3.11).
"""

import argparse
import datetime
import gzip
import io
import json
import os
import re
import sqlite3
import sys
import unicodedata

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPECTED_FILMS = 17472
MAX_BYTES = 8 * 1024 * 1024


def log(*parts):
    print(*parts, file=sys.stderr)


# ---------------------------------------------------------------- text helpers


def blank(value):
    """Empty strings, whitespace-only strings and NULL all mean unknown."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def dedupe(items):
    """Drop empties and duplicates, keeping the first occurrence's order."""
    out, seen = [], set()
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def split_list(value):
    """Genre / Country / Language: comma-separated."""
    if blank(value):
        return []
    return dedupe(part.strip() for part in value.split(","))


# A name that itself contains ", " was cut in two by the source's ", " join:
# "Ed Begley, Jr." became "Ed Begley" + "Jr.". These fragments are glued back
# onto the name before them.
NAME_SUFFIX = re.compile(
    r"^(?:Jr\.?|Sr\.?|II|III|IV"
    r"|\d+(?:st|nd|rd|th) (?:Baronet|Baron|Earl|Marquess|Prince|Duke|Viscount|Count)\b.*"
    r"|the Creator)$"
)
# Wikidata items that are not people but were linked as cast members.
NOT_A_PERSON = re.compile(r"^(?:list of .*|art director|dialogue writer|geshe)$")


class NameStats:
    def __init__(self):
        self.rejoined = 0
        self.dropped = 0
        self.duplicates = 0


def split_names(value, stats):
    """Director / Writer / Cast: joined with ", " in the source."""
    if blank(value):
        return []
    parts = [part.strip() for part in value.split(", ")]
    names = []
    for part in parts:
        if not part:
            continue
        if names and NAME_SUFFIX.match(part):
            names[-1] = names[-1] + ", " + part
            stats.rejoined += 1
        else:
            names.append(part)
    kept = []
    for name in names:
        if NOT_A_PERSON.match(name):
            stats.dropped += 1
        else:
            kept.append(name)
    out = dedupe(kept)
    stats.duplicates += len(kept) - len(out)
    return out


def fix_mojibake(title):
    """vega titles were cp1252 bytes read as Mac Roman ("LÈon" for "Léon")."""
    try:
        return title.encode("mac_roman").decode("cp1252")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return title


def norm_title(title, drop_the=True):
    """NFKD, accents dropped, lowercase, & -> and, punctuation dropped, spaces
    collapsed, a leading "the " dropped. Apostrophes, periods and commas vanish
    ("10,000 B.C." -> "10000 bc"); other punctuation separates words."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("&", " and ")
    text = re.sub(r"['\u2019.,]", "", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if drop_the and text.startswith("the "):
        text = text[4:]
    return text


def title_variants(title, drop_the=True):
    """Normalised keys a vega title may match under."""
    raw = {title, fix_mojibake(title)}
    more = set()
    for t in raw:
        # "Charge of the Light Brigade, The" -> "The Charge of the Light Brigade"
        m = re.match(r"^(.*), (The|A|An)$", t)
        if m:
            more.add(m.group(2) + " " + m.group(1))
        # "King Kong (1933)" -> "King Kong"
        m = re.match(r"^(.*?)\s*\(\d{4}\)$", t)
        if m:
            more.add(m.group(1))
    keys = {norm_title(t, drop_the) for t in raw | more}
    return {k for k in keys if k}


def name_tokens(names):
    tokens = set()
    for name in names:
        tokens.update(t for t in norm_title(name, drop_the=False).split() if len(t) > 1)
    return tokens


def number(value):
    """A JSON number: integral values as int, others as float; None if absent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def valid_date(value):
    if blank(value) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return value.strip()


def academy_awards_text(awards_text, oscars):
    """The source's own words on Oscars, verbatim; cinegraph's importer reads
    them (src/import/catalogue/awards.rs). Its Oscars column always equals
    the text's "Won N" count, so the text alone says everything."""
    if blank(awards_text):
        if oscars:
            raise SystemExit(f"Oscars column {oscars} without an Awards text")
        return None
    return awards_text.strip()


# ---------------------------------------------------------------- vega merge

VEGA_NO_RATING = {"not rated", "unrated", "open", "nr", "none", ""}


def vega_date(release_date):
    """ISO day of "Oct 27 1995" (years corrected as in vega_year); None when
    the text is not a whole day."""
    if blank(release_date):
        return None
    try:
        day = datetime.datetime.strptime(str(release_date).strip(), "%b %d %Y").date()
    except ValueError:
        return None
    if day.year > 2014:
        day = day.replace(year=day.year - 100)
    return day.isoformat()


def vega_year(release_date):
    """Year of "Oct 27 1995"; two-digit years came out as 20xx (1946 -> 2046)."""
    if blank(release_date):
        return None
    text = str(release_date).strip()
    year = None
    for fmt in ("%b %d %Y", "%Y-%m-%d", "%d-%b-%y", "%b %d, %Y"):
        try:
            year = datetime.datetime.strptime(text, fmt).year
            break
        except ValueError:
            continue
    if year is None:
        m = re.search(r"\b(\d{4})\b", text)
        if not m:
            return None
        year = int(m.group(1))
    if year > 2014:  # after the latest film of either source: a 19xx date
        year -= 100
    return year


def match_vega(films, vega):
    """Map Wikidata ID -> vega row, by normalised title and year.

    Keys are tried from strictest to loosest: same year with the full title,
    same year without a leading "the", year +-1 with the full title, year +-1
    without "the". The first step that finds anything decides: one film is a
    match, several are ambiguous. A match found by a loose step (year +-1 or
    only without "the") is vetoed when both sides name a director and their
    names share no word ("Bubble" (Soderbergh) is not "The Bubble" (Eytan
    Fox)). A Wikidata film claimed by several vega rows is ambiguous too.
    """
    index = {}
    for film in films:
        for drop_the in (False, True):
            key = (norm_title(film["title"], drop_the), film["year"])
            index.setdefault((drop_the,) + key, set()).add(film["id"])
    directors = {film["id"]: film["directors"] for film in films}

    claims = {}  # wikidata ID -> [(vega index, loose?)]
    counts = {"matched": 0, "ambiguous": 0, "unmatched": 0, "loose": 0, "vetoed": 0,
              "year_fixed": 0, "no_title": 0, "no_date": 0}
    ambiguous_rows, vetoed_rows = [], []
    for i, row in enumerate(vega):
        title = row.get("Title")
        if blank(title):
            counts["unmatched"] += 1
            counts["no_title"] += 1
            continue
        title = str(title)  # some titles are JSON numbers: 1776, 300, 2012 ...
        year = vega_year(row.get("Release Date"))
        if year is None:
            counts["unmatched"] += 1
            counts["no_date"] += 1
            continue
        if str(year) not in str(row.get("Release Date")):
            counts["year_fixed"] += 1
        found, step = set(), None
        for step, (years, drop_the) in enumerate((((year,), False), ((year,), True),
                                                  ((year - 1, year + 1), False), ((year - 1, year + 1), True))):
            keys = title_variants(title, drop_the)
            found = set().union(*(index.get((drop_the, k, y), set()) for k in keys for y in years))
            if found:
                break
        if not found:
            counts["unmatched"] += 1
            continue
        if len(found) > 1:
            counts["ambiguous"] += 1
            ambiguous_rows.append((title, year, f"{len(found)} Wikidata films: "
                                   + ", ".join(f"Q{f}" for f in sorted(found))))
            continue
        film_id = next(iter(found))
        loose = step > 0
        vega_director = row.get("Director")
        if loose and not blank(vega_director) and directors[film_id]:
            if not name_tokens([str(vega_director)]) & name_tokens(directors[film_id]):
                counts["vetoed"] += 1
                counts["unmatched"] += 1
                vetoed_rows.append((title, year, f"Q{film_id} directed by {', '.join(directors[film_id])},"
                                    f" vega says {vega_director}"))
                continue
        claims.setdefault(film_id, []).append((i, loose))

    matches = {}
    for film_id, rows in sorted(claims.items()):
        if len(rows) == 1:
            i, loose = rows[0]
            matches[film_id] = vega[i]
            counts["matched"] += 1
            counts["loose"] += loose
        else:
            counts["ambiguous"] += len(rows)
            for i, _ in rows:
                ambiguous_rows.append((str(vega[i].get("Title")), vega_year(vega[i].get("Release Date")),
                                       f"{len(rows)} vega rows for Q{film_id}"))
    return matches, counts, ambiguous_rows, vetoed_rows


# ---------------------------------------------------------------- main


def positive(value):
    value = number(value)
    return value if isinstance(value, (int, float)) and value > 0 else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--datasets", default=os.path.join(REPO_ROOT, "..", "shared", "datasets"))
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "data", "catalogue", "films.jsonl.gz"))
    args = parser.parse_args()

    db_path = os.path.join(args.datasets, "wikidata-films.sqlite")
    vega_path = os.path.join(args.datasets, "vega-movies.json")
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    rows = con.execute(
        'SELECT o.ID, o.imdbID, o.Title, o.Year, o.Rating, o.Runtime, o.Genre, o.Released,'
        ' o.Director, o.Writer, o."Cast" AS CastList, o.Metacritic, o.Language, o.Country,'
        ' o.Awards, o.Oscars,'
        ' t.Rating AS TRating, t.Meter AS TMeter, t.Reviews AS TReviews, t.BoxOffice AS TBoxOffice'
        ' FROM omdb o LEFT JOIN tomatoes t ON t.ID = o.ID ORDER BY o.ID'
    ).fetchall()
    con.close()
    with open(vega_path, encoding="utf-8") as f:
        vega = json.load(f)

    # Shared IMDb ids: the earliest Year keeps it (tie: lowest ID).
    by_imdb = {}
    for r in rows:
        if not blank(r["imdbID"]):
            by_imdb.setdefault(r["imdbID"].strip(), []).append(r)
    imdb_dropped = set()
    for imdb_id, group in sorted(by_imdb.items()):
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda r: (r["Year"] if r["Year"] is not None else 9999, r["ID"]))
        keeper = group[0]
        for other in group[1:]:
            imdb_dropped.add(other["ID"])
            log(f"shared IMDb id {imdb_id}: Q{keeper['ID']} {keeper['Title']!r} ({keeper['Year']}) keeps it;"
                f" Q{other['ID']} {other['Title']!r} ({other['Year']}) gets imdbId null")

    base = [{"id": r["ID"], "title": (r["Title"] or "").strip(), "year": r["Year"],
             "directors": split_names(r["Director"], NameStats())} for r in rows]
    matches, vcounts, ambiguous_rows, vetoed_rows = match_vega(base, vega)
    log(f"vega: {len(vega)} films: {vcounts['matched']} matched"
        f" ({vcounts['loose']} of them by year +-1 or without a leading 'the'),"
        f" {vcounts['ambiguous']} ambiguous (skipped), {vcounts['unmatched']} unmatched"
        f" ({vcounts['no_title']} without a title, {vcounts['no_date']} without a date,"
        f" {vcounts['vetoed']} loose matches vetoed by director);"
        f" {vcounts['year_fixed']} release years corrected from 20xx to 19xx")
    for title, year, why in sorted(ambiguous_rows, key=lambda a: (a[0], a[1] or 0)):
        log(f"  vega ambiguous: {title!r} ({year}): {why}")
    for title, year, why in sorted(vetoed_rows, key=lambda a: (a[0], a[1] or 0)):
        log(f"  vega vetoed: {title!r} ({year}): {why}")

    names = NameStats()
    fallback = {"runtime": 0, "certification": 0}
    lines = []
    people, credits, imdb_ids = set(), 0, set()
    for r in rows:
        fid = r["ID"]
        v = matches.get(fid)
        imdb_id = None if blank(r["imdbID"]) or fid in imdb_dropped else r["imdbID"].strip()
        if imdb_id:
            imdb_ids.add(imdb_id)

        runtime = positive(r["Runtime"])
        runtime = int(round(runtime)) if runtime is not None else None
        if runtime is None and v is not None and positive(v.get("Running Time min")) is not None:
            runtime = int(round(positive(v["Running Time min"])))
            fallback["runtime"] += 1

        certification = None if blank(r["Rating"]) else r["Rating"].strip()
        if certification is None and v is not None:
            mpaa = v.get("MPAA Rating")
            if isinstance(mpaa, str) and mpaa.strip().lower() not in VEGA_NO_RATING:
                certification = mpaa.strip()
                fallback["certification"] += 1

        directors = split_names(r["Director"], names)
        writers = split_names(r["Writer"], names)
        cast = split_names(r["CastList"], names)
        for group in (directors, writers, cast):
            credits += len(group)
            people.update(group)

        ratings = []
        reviews = number(r["TReviews"])
        if number(r["Metacritic"]) is not None:
            ratings.append({"source": "METACRITIC", "value": number(r["Metacritic"]), "scale": 100,
                            "votes": None, "from": "wikidata"})
        if number(r["TMeter"]) is not None:
            ratings.append({"source": "ROTTEN_TOMATOES", "value": number(r["TMeter"]), "scale": 100,
                            "votes": reviews, "from": "wikidata"})
        if number(r["TRating"]) is not None:
            ratings.append({"source": "ROTTEN_TOMATOES_AVERAGE", "value": number(r["TRating"]), "scale": 10,
                            "votes": reviews, "from": "wikidata"})
        if v is not None and number(v.get("IMDB Rating")) is not None:
            ratings.append({"source": "IMDB", "value": number(v["IMDB Rating"]), "scale": 10,
                            "votes": number(v.get("IMDB Votes")), "from": "vega-datasets"})

        box_office = []
        gross = positive(r["TBoxOffice"])
        if gross is not None:
            box_office.append({"kind": "GROSS", "amount": int(round(gross)), "currency": "USD", "source": "wikidata"})
        if v is not None:
            for field, kind in (("US Gross", "DOMESTIC_GROSS"), ("Worldwide Gross", "WORLDWIDE_GROSS"),
                                ("Production Budget", "BUDGET")):
                amount = positive(v.get(field))
                if amount is not None:
                    box_office.append({"kind": kind, "amount": int(round(amount)), "currency": "USD",
                                       "source": "vega-datasets"})

        film = {
            "wikidataId": f"Q{fid}",
            "imdbId": imdb_id,
            "title": (r["Title"] or "").strip(),
            "year": int(r["Year"]) if r["Year"] is not None else None,
            "released": valid_date(r["Released"]),
            "runtime": runtime,
            "certification": certification,
            "genres": split_list(r["Genre"]),
            "countries": split_list(r["Country"]),
            "languages": split_list(r["Language"]),
            "directors": directors,
            "writers": writers,
            "cast": cast,
            "ratings": ratings,
            "boxOffice": box_office,
            "academyAwardsText": academy_awards_text(r["Awards"], r["Oscars"]),
            # vega is US box office data: its day is the US theatrical release,
            # its distributor the US distributor.
            "usRelease": vega_date(v.get("Release Date")) if v is not None else None,
            "usDistributor": (v.get("Distributor").strip() or None)
            if v is not None and isinstance(v.get("Distributor"), str) else None,
        }
        lines.append(json.dumps(film, ensure_ascii=False, separators=(",", ":")))

    log(f"names: {names.rejoined} suffix fragments rejoined (e.g. 'Ed Begley, Jr.'),"
        f" {names.dropped} non-person entries dropped, {names.duplicates} duplicate names within a film dropped")
    log(f"fallbacks from vega: runtime {fallback['runtime']}, certification {fallback['certification']}")

    payload = ("\n".join(lines) + "\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    data = buf.getvalue()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)

    # Checks.
    ok = True
    log(f"films: {len(lines)}" + ("" if len(lines) == EXPECTED_FILMS else f"  <-- expected {EXPECTED_FILMS}"))
    ok &= len(lines) == EXPECTED_FILMS
    log(f"distinct IMDb ids: {len(imdb_ids)}")
    log(f"distinct person names: {len(people)}")
    log(f"credits (directors + writers + cast): {credits}")
    log(f"output: {args.out}: {len(data):,} bytes gzip ({len(payload):,} bytes uncompressed)")
    if len(data) >= MAX_BYTES:
        log("output is not under 8 MB")
        ok = False
    llv = next((l for l in lines if l.startswith('{"wikidataId":"Q280918",')), None)
    log(f"Leaving Las Vegas: {llv}")
    ok &= llv is not None and '"imdbId":"tt0113627"' in llv
    lost = any('"imdbId":"tt0037884"' in l for l in lines)
    log(f"The Lost Weekend tt0037884 present: {lost}")
    ok &= lost
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

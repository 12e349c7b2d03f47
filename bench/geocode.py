"""Geocoder throughput: toponyms resolved per second, without spaCy.

Reads the toponyms of GeoWebNews (``../shared/eval/geoparsing/GWN.xml``, or ``--gwn PATH``;
never copied into the repository), builds each article's context from its gold toponyms,
then times ``PlaceResolver.resolve(name, context)`` over all of them, ``--repeats`` times, and
keeps the best round. Also times the gazetteer's load (from its cache file, and a fresh
build with ``--build``). Prints a small table and ends with one JSON line::

    python bench/geocode.py [--repeats 5] [--build]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from aftershock.evaluation.geoparsing import read_gwn
from aftershock.nlp.places import Gazetteer, PlaceContext, PlaceResolver

REPO_ROOT = Path(__file__).resolve().parents[1]
GWN = Path("geoparsing") / "GWN.xml"


def gwn_path(arg: str | None) -> Path:
    """--gwn, else $AFTERSHOCK_EVAL_DIR/geoparsing/GWN.xml, else ../shared/eval/..."""
    if arg:
        return Path(arg)
    base = os.environ.get("AFTERSHOCK_EVAL_DIR") or REPO_ROOT.parent / "shared" / "eval"
    return Path(base) / GWN


class _Ent:
    """A stand-in for a spaCy entity: the resolver reads ``text`` and ``label_``."""

    label_ = "GPE"

    def __init__(self, text: str) -> None:
        self.text = text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gwn", help="path to GWN.xml")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--build", action="store_true", help="also time a fresh index build")
    args = ap.parse_args(argv)
    path = gwn_path(args.gwn)
    if not path.is_file():
        raise SystemExit(f"GWN.xml not found: {path} (see --gwn)")

    build_s = None
    if args.build:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            Gazetteer(cache_dir=tmp)
            build_s = time.perf_counter() - t0
    Gazetteer()  # make sure the cache file exists before timing a load
    t0 = time.perf_counter()
    gaz = Gazetteer()
    load_s = time.perf_counter() - t0

    resolver = PlaceResolver(gaz)
    articles = read_gwn(path)
    work: list[tuple[PlaceContext, list[str]]] = []
    for art in articles:
        names = [t.name for t in art.toponyms if t.name]
        # the context as the coder builds it from entities (here: the gold toponyms)
        ctx = resolver.context([_Ent(n) for n in names])
        work.append((ctx, names))
    n = sum(len(names) for _, names in work)

    best = float("inf")
    for r in range(args.repeats):
        t0 = time.perf_counter()
        for ctx, names in work:
            for name in names:
                resolver.resolve(name, ctx)
        seconds = time.perf_counter() - t0
        best = min(best, seconds)
        print(f"  round {r + 1}: {n} toponyms in {seconds:.3f}s", file=sys.stderr)

    result = {
        "toponyms": n,
        "toponyms_per_s": round(n / best),
        "gazetteer_places": len(gaz),
        "gazetteer_load_s": round(load_s, 3),
        "gazetteer_build_s": round(build_s, 3) if build_s is not None else None,
    }
    print(
        f"geocoder: {result['toponyms_per_s']:,} toponyms/s ({n} toponyms, best of "
        f"{args.repeats}); gazetteer: {len(gaz):,} places, load {load_s:.2f}s"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cost of releasing the store between batches (so a dashboard can read meanwhile).

``aftershock run`` and ``watch`` now close their DuckDB connection after each batch
(``Store.release``; the close checkpoints the WAL into the file) and reopen it for the
next. This runs what ``run`` does per batch without the coder (``stored_article_ids``,
``skip_near_duplicates``, ``write``, ``cluster``) over the synthetic news stream of
bench/cluster_cost.py, once holding one connection throughout (the old behaviour) and once
releasing it before each batch is coded, as ``jobs.run`` does, for several batch sizes,
and prints the ratio release/hold of the median wall time per batch (checkpoints are I/O,
so not CPU time), over ``--repeat`` alternating runs of each. The last line is JSON.
The coder, left out here, takes far longer per batch than either: with ``--coding-rate``
(articles/s of one process, 17 in docs/scale.md) it also prints the estimated ratio for a
whole run, coding included.

    python bench/store_reopen.py                       # 1024 articles; batches 16, 64, 256
    python bench/store_reopen.py --articles 2048 --sizes 64,256
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aftershock.store import Store  # noqa: E402
from cluster_cost import Stream  # noqa: E402  (the same synthetic stream)


def one_run(db: Path, n: int, batch: int, release: bool) -> list[float]:
    """Wall seconds of each batch (the release and reopen included)."""
    stream = Stream()
    items = [stream.article() for _ in range(n)]
    times: list[float] = []
    with Store(db, wait=60) as store:
        for i in range(0, n, batch):
            t0 = time.perf_counter()
            chunk = items[i : i + batch]
            arts = [a for a, _ in chunk]
            known = store.stored_article_ids(a.id for a in arts)
            check = store.skip_near_duplicates([a for a in arts if a.id not in known])
            if release:
                store.release()  # jobs.run: before coding
            keep = {a.id for a in check.unique}
            events = [e for a, evs in chunk if a.id in keep for e in evs]
            store.write(check.unique, events)
            store.cluster(check.unique, events)
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1024)
    ap.add_argument("--sizes", default="16,64,256")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--coding-rate", type=float, default=17.0, help="articles/s of the coder")
    args = ap.parse_args()
    out: dict[str, Any] = {"articles": args.articles, "batches": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            per: dict[str, list[float]] = {"hold": [], "release": []}
            for r in range(args.repeat):
                for mode in ("hold", "release"):
                    db = Path(tmp) / f"{mode}-{size}-{r}.duckdb"
                    per[mode] += one_run(db, args.articles, size, mode == "release")
            # Medians of per-batch times: robust to other jobs' spikes on a shared machine.
            hold, rel = statistics.median(per["hold"]), statistics.median(per["release"])
            coding = size / args.coding_rate
            run_ratio = (rel + coding) / (hold + coding)
            out["batches"][size] = {
                "hold_ms": round(hold * 1000, 1),
                "release_ms": round(rel * 1000, 1),
                "ratio": round(rel / hold, 3),
                "run_ratio_estimate": round(run_ratio, 3),
            }
            print(
                f"batch {size:4d}: median per batch: hold {hold * 1000:.1f} ms,"
                f" release {rel * 1000:.1f} ms, ratio {rel / hold:.3f};"
                f" with coding at {args.coding_rate:g} articles/s: {run_ratio:.3f}",
                flush=True,
            )
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Scale benchmark: articles per second single-process, multi-process and on local Ray, and
the hours that gives for 100,000 articles and for one day of GDELT-scale volume (500,000).

The corpus is ``bench/throughput.py``'s (ACLED notes and UCDP texts from ``../shared/eval``
assembled into ~1,800-character articles at run time). Each engine codes the same
``Article`` objects twice, a small run (``--small``, default 200) and a large one (``--n``,
default 2,000), so the fixed cost (Ray actors loading the model, worker start-up) is
separated from the per-article cost::

    per_article = (t_n - t_small) / (n - small)      fixed = t_small - small * per_article
    hours(M)    = (fixed + M * per_article) / 3600

Engines (``--engines``, default all three):

* ``single`` - ``Coder(n_process=1).code_many`` (``aftershock run``);
* ``multi`` - ``Coder(n_process=P).code_many``, spaCy's multiprocessing (``aftershock run -j P``):
  P processes parse, the main process applies the event rules to every parsed Doc;
* ``pool`` - ``aftershock.engines.pool.PoolCoder(P).code_many``: P worker processes, each
  with its own ``Coder`` doing the whole job (started before timing, like the ``Coder``);
* ``ray`` - ``aftershock.engines.ray.code_to_parquet`` on a local Ray (``num_cpus=P``,
  ``P`` actors): coding plus writing the Parquet (``aftershock run --engine ray`` without
  the load into DuckDB). Starting Ray itself is timed apart and left out.

``single`` and ``multi`` build their ``Coder`` before timing; ``ray`` builds one per actor
inside each timed run (that is its fixed cost). Prints a table and ends with exactly one
JSON line::

    python bench/scale.py [--n 2000] [--small 200] [--processes 2] [--engines single,pool,ray]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aftershock.records import Article, Problem  # noqa: E402
from throughput import ACLED_CSV, build_corpus, eval_dir_from, peak_rss_mb  # noqa: E402

TARGETS = {"100k": 100_000, "gdelt_day": 500_000}
ENGINES = ("single", "multi", "pool", "ray")


@dataclass(slots=True)
class Result:
    engine: str
    workers: int
    t_small: float = 0.0
    t_n: float = 0.0
    events: int = 0
    problems: int = 0

    def per_article(self, n: int, small: int) -> float:
        """Seconds per article beyond the fixed cost; if noise made the large run no slower
        than the small one, the plain average of the large run."""
        if self.t_n <= self.t_small:
            return self.t_n / n
        return (self.t_n - self.t_small) / (n - small)

    def fixed(self, n: int, small: int) -> float:
        return max(0.0, self.t_small - small * self.per_article(n, small))

    def hours(self, m: int, n: int, small: int) -> float:
        return (self.fixed(n, small) + m * self.per_article(n, small)) / 3600


def coder_engine(processes: int) -> Callable[[list[Article]], tuple[int, int]]:
    from aftershock.coder import Coder

    coder = Coder(n_process=processes)

    def run(articles: list[Article]) -> tuple[int, int]:
        events = problems = 0
        for _, outcome in coder.code_many(articles):
            if isinstance(outcome, Problem):
                problems += 1
            else:
                events += len(outcome)
        return events, problems

    return run


def pool_engine(processes: int) -> Callable[[list[Article]], tuple[int, int]]:
    from aftershock.engines.pool import PoolCoder

    coder = PoolCoder(processes)  # workers start on first use (the warm-up) and stay

    def run(articles: list[Article]) -> tuple[int, int]:
        events = problems = 0
        for _, outcome in coder.code_many(articles):
            if isinstance(outcome, Problem):
                problems += 1
            else:
                events += len(outcome)
        return events, problems

    run.close = coder.close  # type: ignore[attr-defined]
    return run


def ray_engine(workers: int) -> tuple[Callable[[list[Article]], tuple[int, int]], float]:
    import ray

    from aftershock.engines.ray import code_to_parquet

    start = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - start

    def run(articles: list[Article]) -> tuple[int, int]:
        out = Path(tempfile.mkdtemp(prefix="aftershock-scale-"))
        try:
            summary = code_to_parquet(articles, out, num_actors=workers)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        return summary.events, len(summary.problems)

    return run, started


def timed(run: Callable[[list[Article]], tuple[int, int]], articles: list[Article]) -> tuple:
    start = time.perf_counter()
    events, problems = run(articles)
    return time.perf_counter() - start, events, problems


def measure(
    engine: str, workers: int, corpus: list[Article], small: int, notes: dict[str, Any]
) -> Result:
    if engine == "ray":
        run, started = ray_engine(workers)
        notes["ray_start_s"] = round(started, 1)
    else:
        if engine == "pool":
            run = pool_engine(workers)
        else:
            run = coder_engine(1 if engine == "single" else workers)
        run(corpus[:16])  # warm up: first-call costs (and pool start-up) are not timed
    result = Result(engine, 1 if engine == "single" else workers)
    result.t_small, _, _ = timed(run, corpus[:small])
    print(f"  {engine}: {small} articles in {result.t_small:.1f}s", file=sys.stderr)
    result.t_n, result.events, result.problems = timed(run, corpus)
    print(f"  {engine}: {len(corpus)} articles in {result.t_n:.1f}s", file=sys.stderr)
    if engine == "ray":
        import ray

        ray.shutdown()
    if hasattr(run, "close"):
        run.close()
    return result


def report(results: list[Result], n: int, small: int, chars: int, notes: dict[str, Any]) -> dict:
    print(
        f"corpus: {n} articles, {chars:,} chars (mean {chars / n:,.0f}); small run {small}; "
        f"{date.today().isoformat()}"
    )
    head = (
        f"{'engine':<7} {'workers':>7} {'t_n s':>7} {'art/s':>6} {'marginal/s':>10} "
        f"{'fixed s':>7} {'events':>7} {'h 100k':>7} {'h 500k':>7}"
    )
    print(head)
    print("-" * len(head))
    out: dict[str, Any] = {"n_articles": n, "small": small, "date": date.today().isoformat()}
    for r in results:
        rate, marginal = n / r.t_n, 1 / r.per_article(n, small)
        h100, h500 = (r.hours(m, n, small) for m in TARGETS.values())
        print(
            f"{r.engine:<7} {r.workers:>7} {r.t_n:>7.1f} {rate:>6.1f} {marginal:>10.1f} "
            f"{r.fixed(n, small):>7.1f} {r.events:>7} {h100:>7.2f} {h500:>7.2f}"
        )
        out[r.engine] = {
            "workers": r.workers,
            "articles_per_s": round(rate, 2),
            "marginal_articles_per_s": round(marginal, 2),
            "fixed_s": round(r.fixed(n, small), 1),
            "events": r.events,
            "problems": r.problems,
            "hours_100k": round(h100, 2),
            "hours_500k": round(h500, 2),
        }
    print(f"load average (1 min) before, after: {notes['load_avg_1m']} on {os.cpu_count()} CPUs")
    if "ray_start_s" in notes:
        print(f"ray.init (local, not in the times above): {notes['ray_start_s']}s")
    print(f"peak RSS (this process + largest child): {peak_rss_mb():,.0f} MB")
    out.update(notes)
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Articles/s single-process, multi-process and on local Ray; hours for "
        "100k and 500k articles.",
        epilog="example: python bench/scale.py --n 2000 --processes 2",
    )
    parser.add_argument("--n", type=int, default=2000, help="articles in the large run")
    parser.add_argument("--small", type=int, default=200, help="articles in the small run")
    parser.add_argument("--processes", type=int, default=2, help="workers for multi and ray")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset")
    parser.add_argument("--seed", type=int, default=13, help="seed for assembling the corpus")
    parser.add_argument("--eval-dir", help="evaluation data (default ../shared/eval)")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if any(e not in ENGINES for e in engines) or not engines:
        parser.error(f"--engines takes a subset of {','.join(ENGINES)}")
    if not 0 < args.small < args.n or args.processes < 1:
        parser.error("need 0 < --small < --n and --processes >= 1")
    args.engines = engines
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    eval_dir = eval_dir_from(args.eval_dir)
    if not (eval_dir / ACLED_CSV).is_file():
        raise SystemExit(f"evaluation data not found: {eval_dir / ACLED_CSV} (see --eval-dir)")
    corpus = build_corpus(eval_dir, args.n, args.seed)
    notes: dict[str, Any] = {"processes": args.processes}
    load_before = os.getloadavg()[0]
    results = [measure(e, args.processes, corpus, args.small, notes) for e in args.engines]
    # The machine may be shared: the 1-minute load average before and after tells how much.
    notes["load_avg_1m"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    chars = sum(len(a.text) for a in corpus)
    print(json.dumps(report(results, len(corpus), args.small, chars, notes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

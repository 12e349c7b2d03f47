"""Fit-time benchmark: a 10-stream Hawkes model on 50,000 events.

Simulates a 10-stream exponential Hawkes process with tick (fixed seed), keeps its first
50,000 events, and times ``HawkesProcess.fit`` for three kernels:

* ``exp_fixed``: one exponential kernel with a given decay (one likelihood fit);
* ``exp_auto``: the decay chosen by likelihood (5 grid points, then a bounded search);
* ``sumexp``: a sum of three exponentials (half-lives 0.2, 2 and 14 days).

Each is timed ``--repeats`` times (default 3) and the best time is kept, because the machine
is noisy. Prints a table, then exactly one JSON line as the last line of stdout::

    python bench/hawkes_fit.py [--events 50000] [--streams 10] [--repeats 3]

This is a benchmark, not a test: nothing asserts on its numbers. The target is < 5 s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from datetime import date

import numpy as np

from aftershock.analytics import EventStreams, HawkesProcess


def simulate(n_streams: int, n_events: int, seed: int) -> tuple[EventStreams, dict]:
    from tick.hawkes import SimuHawkesExpKernels

    rng = np.random.default_rng(seed)
    adjacency = rng.uniform(0.0, 0.05, (n_streams, n_streams))
    np.fill_diagonal(adjacency, 0.25)
    baseline = rng.uniform(0.5, 1.5, n_streams)
    decay = math.log(2) / 1.0  # half-life one day
    rho = float(max(abs(np.linalg.eigvals(adjacency))))
    rate = float(np.linalg.solve(np.eye(n_streams) - adjacency, baseline).sum())
    end = 1.3 * n_events / rate  # long enough to hold n_events
    sim = SimuHawkesExpKernels(
        adjacency=adjacency, decays=decay, baseline=baseline, end_time=end, seed=seed, verbose=False
    )
    sim.simulate()
    times = [np.asarray(t) for t in sim.timestamps]
    cut = float(np.sort(np.concatenate(times))[n_events - 1]) + 1e-9
    kept = tuple(t[t < cut] for t in times)
    streams = EventStreams(
        names=tuple(f"s{i}" for i in range(n_streams)), times=kept, end=cut, start=date(2000, 1, 1)
    )
    truth = {"adjacency": adjacency, "baseline": baseline, "decay": decay, "rho": rho}
    return streams, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    streams, truth = simulate(args.streams, args.events, args.seed)
    print(
        f"{streams.n_streams} streams, {streams.n_events} events over {streams.end:.0f} days; "
        f"true branching ratio {truth['rho']:.3f}, half-life 1.0 day",
        file=sys.stderr,
    )
    kernels = {
        "exp_fixed": lambda: HawkesProcess(kernel="exp", decays=truth["decay"]),
        "exp_auto": lambda: HawkesProcess(kernel="exp"),
        "sumexp": lambda: HawkesProcess(kernel="sumexp"),
    }
    best: dict[str, float] = {}
    quality: dict[str, dict[str, float]] = {}
    for name, make in kernels.items():
        times = []
        for r in range(args.repeats):
            tic = time.perf_counter()
            model = make().fit(streams)
            times.append(time.perf_counter() - tic)
            print(f"  {name} round {r + 1}: {times[-1]:.3f} s", file=sys.stderr)
        best[name] = min(times)
        quality[name] = {
            "max_abs_error_excitation": float(np.abs(model.adjacency_ - truth["adjacency"]).max()),
            "branching_ratio": float(model.branching_ratio_),
            "half_life_days": float(model.half_life_),
        }
    print(f"{'kernel':<10} {'seconds':>8} {'max |A err|':>12} {'branching':>10} {'half-life':>10}")
    for name, sec in best.items():
        q = quality[name]
        print(
            f"{name:<10} {sec:8.3f} {q['max_abs_error_excitation']:12.3f} "
            f"{q['branching_ratio']:10.3f} {q['half_life_days']:10.2f}"
        )
    record = {
        "streams": streams.n_streams,
        "events": streams.n_events,
        "fit_seconds": {k: round(v, 3) for k, v in best.items()},
        "target_seconds": 5.0,
        "max_abs_error_excitation": {
            k: round(q["max_abs_error_excitation"], 4) for k, q in quality.items()
        },
        "true_branching_ratio": round(truth["rho"], 4),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps(record))


if __name__ == "__main__":
    main()

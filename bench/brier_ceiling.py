"""How much next-day Brier skill is there to win? An oracle that sees the future.

For every (origin day, stream) of a backtest, the oracle predicts P(at least one event that
day) as the share of days with an event among the ``w`` days before AND the ``w`` days after
it (the day itself left out): it knows each stream's local rate, trend included, without
having to forecast it. Its Brier skill against the rolling-rate baseline (the backtest's
best baseline) bounds what any forecast of the background rate can gain; what is left is
day-to-day variation that a rate does not describe.

    python bench/brier_ceiling.py INSURGENCIES.csv AIRSTRIKES.csv --initial 2006-05-01

Prints one JSON line. This is an analysis, not a forecast: it uses future data on purpose.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from aftershock.analytics import RollingRate, brier, read_event_table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--stream-cols", default="type,cell")
    ap.add_argument("--cell-size", type=float, default=0.5)
    ap.add_argument("--initial", default="2006-05-01")
    ap.add_argument("--windows", default="3,7,14,28")
    args = ap.parse_args()
    streams = read_event_table(
        args.paths, time_col="date", stream_cols=tuple(args.stream_cols.split(",")),
        cell_size=args.cell_size,
    )  # fmt: skip
    days = int(np.floor(streams.end))
    hit = np.stack([streams.window_counts(d, d + 1.0) > 0 for d in range(days)]).astype(float)
    origins = range(int(streams.time_of(args.initial)), days)
    rolling = RollingRate(window=28.0)
    base = []
    for t in origins:
        history = streams.until(float(t))
        base.append(rolling.fit(history).predict(history, [1.0])[0][0])
    y = hit[list(origins)]
    b_roll = brier(np.array(base), y)
    out: dict[str, float | int] = {"origins": len(y), "streams": streams.n_streams}
    out["rolling_28d_brier"] = round(b_roll, 5)
    for w in (int(x) for x in args.windows.split(",")):
        probs = []
        for t in origins:
            idx = [d for d in range(max(t - w, 0), min(t + w + 1, days)) if d != t]
            probs.append((hit[idx].sum(0) + 0.5) / (len(idx) + 1.0))
        out[f"oracle_pm{w}d_brier_skill"] = round(1.0 - brier(np.array(probs), y) / b_roll, 4)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

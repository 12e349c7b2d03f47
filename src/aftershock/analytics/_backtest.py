"""Rolling-origin backtests: refit at each origin on the past only, score only the future.

At each origin ``t`` (days since the streams' start; origins every ``step`` days from
``initial``), every model is fitted on the events before ``t`` (refit every
``refit_every`` origins; in between, fitted parameters are kept but forecasts still use
all events before ``t``), then scored on ``[t, t + horizon)``:

- log-likelihood per event: the held-out point-process log-likelihood of the window given
  everything before it, summed over origins and divided by the events scored;
- Brier score and AUC of P(at least one event in the window), per stream or per group of
  streams (``group_key``, e.g. every type in one cell), over all (origin, stream) pairs;
- MAE of the expected count against the observed count, per stream and origin.

Brier skill is ``1 - brier / best baseline brier`` (baselines: every model whose name is
not in ``hawkes_names``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import rankdata

from aftershock.analytics._streams import EventStreams
from aftershock.errors import ConfigError

__all__ = ["BacktestResult", "auc", "backtest", "brier"]


def brier(prob: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between probabilities and 0/1 outcomes."""
    p, y = np.asarray(prob, dtype=float).ravel(), np.asarray(outcome, dtype=float).ravel()
    return float(np.mean((p - y) ** 2)) if len(p) else float("nan")


def auc(score: np.ndarray, outcome: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half); nan with one class."""
    s, y = np.asarray(score, dtype=float).ravel(), np.asarray(outcome).ravel().astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass
class BacktestResult:
    """Scores per model plus what was scored. ``to_dict()`` is the stable JSON form."""

    horizon: float
    origins: list[float]
    group_key: str | None
    n_streams: int
    n_groups: int
    metrics: dict[str, dict[str, float]]
    seconds: dict[str, float] = field(default_factory=dict)
    base_rate: float = float("nan")
    first_origin: str = ""
    last_origin: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": {k: dict(v) for k, v in self.metrics.items()},
            "horizon_days": self.horizon,
            "origins": len(self.origins),
            "first_origin": self.first_origin,
            "last_origin": self.last_origin,
            "streams": self.n_streams,
            "scored_by": self.group_key or "stream",
            "groups": self.n_groups,
            "base_rate": self.base_rate,
            "fit_seconds": dict(self.seconds),
            **({"notes": self.notes} if self.notes else {}),
        }

    def table_rows(self) -> list[list[str]]:
        """Rows for a table: model, loglik/event, Brier, Brier skill, AUC, MAE."""

        def f(x: float, fmt: str) -> str:
            return "nan" if x != x else format(x, fmt)

        return [
            [
                name,
                f(m["loglik_per_event"], ".4f"),
                f(m["brier"], ".5f"),
                f(m["brier_skill"], "+.4f"),
                f(m["auc"], ".4f"),
                f(m["mae"], ".4f"),
            ]
            for name, m in self.metrics.items()
        ]


def backtest(
    streams: EventStreams,
    models: Mapping[str, Any],
    *,
    horizon: float = 1.0,
    initial: float | None = None,
    step: float | None = None,
    refit_every: int = 1,
    group_key: str | None = None,
    hawkes_names: tuple[str, ...] = ("hawkes",),
    progress: Any = None,
) -> BacktestResult:
    """Rolling-origin evaluation of ``models`` (name -> estimator) on ``streams``.

    ``initial`` is the first origin (default: half-way through the data), ``step`` the
    distance between origins (default ``horizon``, so windows tile the test period).
    Estimators are refitted in place (one that supports warm starts may reuse its last
    solution as a starting point, never its data).
    """
    if horizon <= 0:
        raise ConfigError("horizon must be positive")
    if refit_every < 1:
        raise ConfigError("refit_every must be at least 1")
    step = float(step or horizon)
    t = float(initial if initial is not None else np.floor(streams.end / 2))
    if t <= 0:
        raise ConfigError("the first origin must leave some data to fit on")
    origins = []
    while t + horizon <= streams.end + 1e-9:
        origins.append(t)
        t += step
    if not origins:
        raise ConfigError(
            f"no origin leaves a full {horizon:g}-day window before the data end ({streams.end:g})"
        )
    group_names, member = streams.groups(group_key)
    ll = {k: 0.0 for k in models}
    n_scored = 0
    probs: dict[str, list[np.ndarray]] = {k: [] for k in models}
    errors: dict[str, list[np.ndarray]] = {k: [] for k in models}
    outcomes: list[np.ndarray] = []
    seconds = {k: 0.0 for k in models}
    for i, t0 in enumerate(origins):
        history = streams.until(t0)
        if i % refit_every == 0:
            for name, model in models.items():
                tic = time.perf_counter()
                model.fit(history)
                seconds[name] += time.perf_counter() - tic
        counts = streams.window_counts(t0, t0 + horizon)
        outcomes.append((counts @ member) > 0)
        n_scored += int(counts.sum())
        for name, model in models.items():
            tic = time.perf_counter()
            prob, expected = model.predict(history, [horizon], member)
            ll[name] += model.loglik(streams, t0, t0 + horizon)
            seconds[name] += time.perf_counter() - tic
            probs[name].append(prob[0])
            errors[name].append(np.abs(expected[0] - counts))
        if progress is not None:
            progress(i + 1, len(origins))
    y = np.concatenate(outcomes)
    metrics: dict[str, dict[str, float]] = {}
    for name in models:
        p = np.concatenate(probs[name])
        metrics[name] = {
            "loglik_per_event": ll[name] / max(n_scored, 1),
            "brier": brier(p, y),
            "auc": auc(p, y),
            "mae": float(np.concatenate(errors[name]).mean()),
        }
    baselines = [m["brier"] for k, m in metrics.items() if k not in hawkes_names]
    best = min(baselines) if baselines else float("nan")
    for m in metrics.values():
        m["brier_skill"] = 1.0 - m["brier"] / best if best > 0 else float("nan")
    order = ["loglik_per_event", "brier", "brier_skill", "auc", "mae"]
    metrics = {k: {o: float(v[o]) for o in order} for k, v in metrics.items()}
    return BacktestResult(
        horizon=horizon,
        origins=origins,
        group_key=group_key,
        n_streams=streams.n_streams,
        n_groups=len(group_names),
        metrics=metrics,
        seconds=seconds,
        base_rate=float(y.mean()),
        first_origin=streams.date_of(origins[0]).isoformat(),
        last_origin=streams.date_of(origins[-1]).isoformat(),
        notes={"events_scored": n_scored},
    )

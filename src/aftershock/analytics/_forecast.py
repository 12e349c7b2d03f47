"""Forecasts, escalation indices and excitation tests from fitted models.

- :func:`forecast`: per stream, P(at least one event) and the expected count for each
  horizon, and for Hawkes models the past events that drive it.
- :func:`escalation`: a Hawkes model's fitted structure and, per stream (dyad) over time,
  the escalation index ``lambda(t) / mu``: the stream's intensity as a multiple of its
  baseline (1 = calm; 3 = three times the background rate, from recent events).
- :func:`excitation_test`: does one set of streams excite another? A likelihood-ratio test
  of the fitted model against the same model with those excitations forced to zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.stats import chi2

from aftershock.analytics._streams import EventStreams
from aftershock.analytics._sumexp import decayed_counts, drivers

__all__ = [
    "Driver",
    "Escalation",
    "ExcitationTest",
    "Forecast",
    "StreamForecast",
    "escalation",
    "excitation_test",
    "forecast",
    "structure",
]


@dataclass(frozen=True, slots=True)
class Driver:
    """A past event that raises a stream's forecast: ``added`` expected events (direct)."""

    event_id: str
    stream: str
    date: str
    added: float


@dataclass(frozen=True, slots=True)
class StreamForecast:
    stream: str
    horizon_days: float
    prob_any: float
    expected: float
    from_baseline: float | None = None  # expected events from the baseline alone
    drivers: tuple[Driver, ...] = ()


@dataclass
class Forecast:
    """Forecasts for the ``horizon_days`` after ``origin`` (the first day forecast)."""

    origin: str
    model: str
    rows: list[StreamForecast]

    def table_rows(self, by: str = "stream") -> list[dict[str, Any]]:
        """Rows for the store's ``forecasts`` table (what the dashboard shows): one per
        stream and horizon, with the driving events as signed weights."""
        out = []
        for r in self.rows:
            parts = r.stream.split(">") if by == "dyad" else []
            out.append(
                {
                    "as_of": self.origin,
                    "target": r.stream,
                    "actor1": parts[0] if len(parts) == 2 else None,
                    "actor2": parts[1] if len(parts) == 2 else None,
                    "country": r.stream if by == "country" else None,
                    "event_class": None,
                    "horizon_days": round(r.horizon_days),
                    "probability": r.prob_any,
                    "expected": r.expected,
                    "drivers": [
                        {"name": f"{d.stream} {d.date}", "weight": d.added, "event_id": d.event_id}
                        for d in r.drivers
                    ],
                    "model": self.model,
                    "label": r.stream,
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "model": self.model,
            "forecasts": [
                {**asdict(r), "drivers": [asdict(d) for d in r.drivers]} for r in self.rows
            ],
        }


def forecast(
    model: Any,
    history: EventStreams,
    horizons: Sequence[float] = (1.0, 7.0, 30.0),
    *,
    top_drivers: int = 3,
) -> Forecast:
    """Forecast every stream of ``history`` (the model fitted on it or on earlier data)."""
    hs = [float(h) for h in horizons]
    prob, expected = model.predict(history, hs)
    sumexp = getattr(model, "model_", None)
    rows = []
    for i, h in enumerate(hs):
        for s, name in enumerate(history.names):
            base = None
            found: tuple[Driver, ...] = ()
            if sumexp is not None:
                base, _, top = drivers(sumexp, history, history.end, h, s, top=top_drivers)
                found = tuple(
                    Driver(
                        event_id=history.ids[j][k],
                        stream=history.names[j],
                        date=history.date_of(t).isoformat(),
                        added=round(w, 6),
                    )
                    for t, j, k, w in top
                    if w >= 1e-3  # a thousandth of an event: not a driver worth naming
                )
            rows.append(
                StreamForecast(
                    stream=name,
                    horizon_days=h,
                    prob_any=float(prob[i, s]),
                    expected=float(expected[i, s]),
                    from_baseline=None if base is None else float(base),
                    drivers=found,
                )
            )
    return Forecast(
        origin=history.date_of(history.end).isoformat(), model=type(model).__name__, rows=rows
    )


def structure(model: Any) -> dict[str, Any]:
    """A fitted Hawkes model's structure as plain data (JSON-ready)."""
    out: dict[str, Any] = {
        "model": type(model).__name__,
        "streams": list(model.streams_),
        "baseline_per_day": [float(x) for x in model.baseline_],
        "branching_ratio": float(model.branching_ratio_),
        "half_life_days": float(model.half_life_),
        "decays_per_day": [float(x) for x in model.decays_],
        "loglik": float(model.loglik_),
        "n_events": int(model.n_events_),
    }
    if hasattr(model, "marks_"):
        out["marks"] = list(model.marks_)
        out["excitation_same_cell"] = np.round(model.excitation_[0], 6).tolist()
        out["excitation_neighbour_cell"] = np.round(model.excitation_[1], 6).tolist()
    else:
        out["excitation"] = np.round(model.adjacency_, 6).tolist()
    out["excitation_reads"] = "[target][source]: expected target events per source event"
    return out


@dataclass
class Escalation:
    """Fitted structure plus the escalation index per stream at each date."""

    structure: dict[str, Any]
    streams: list[str]
    dates: list[str]
    index: np.ndarray  # (dates, streams): intensity / baseline at the start of each date
    expected_next: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def table_rows(
        self, by: str = "stream", *, window_days: int | None = None, model: str = "hawkes"
    ) -> list[dict[str, Any]]:
        """Rows for the store's ``escalation`` table (what the dashboard shows): the index
        of every stream at every scored date."""
        out = []
        for d, row in zip(self.dates, self.index, strict=True):
            for s, v in zip(self.streams, row, strict=True):
                parts = s.split(">") if by == "dyad" else []
                out.append(
                    {
                        "as_of": d,
                        "target": s,
                        "actor1": parts[0] if len(parts) == 2 else None,
                        "actor2": parts[1] if len(parts) == 2 else None,
                        "score": round(float(v), 4),
                        "window_days": window_days,
                        "drivers": None,
                        "model": model,
                    }
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "structure": self.structure,
            "index_definition": "conditional intensity / baseline at the start of the day",
            "series": [
                {
                    "date": d,
                    "index": {
                        s: round(float(v), 4) for s, v in zip(self.streams, row, strict=True)
                    },
                }
                for d, row in zip(self.dates, self.index, strict=True)
            ],
        }


def escalation(model: Any, streams: EventStreams, *, every: float = 7.0) -> Escalation:
    """The escalation index of each stream every ``every`` days (and at the end)."""
    sumexp = model.model_
    times = list(np.arange(math.ceil(every), streams.end, every))
    if not times or times[-1] < streams.end:
        times.append(streams.end)
    index = np.zeros((len(times), streams.n_streams))
    for i, t in enumerate(times):
        r = decayed_counts(streams, float(t), sumexp.decays)
        lam = sumexp.baseline.copy()
        for m, (beta, a) in enumerate(zip(sumexp.decays, sumexp.adjacency, strict=True)):
            lam = lam + beta * (a @ r[m])
        index[i] = lam / sumexp.baseline
    return Escalation(
        structure=structure(model),
        streams=list(streams.names),
        dates=[streams.date_of(float(t)).isoformat() for t in times],
        index=index,
    )


@dataclass(frozen=True, slots=True)
class ExcitationTest:
    """Likelihood-ratio test: the fitted model against one with ``excluded`` set to zero."""

    excluded: tuple[tuple[str, ...], ...]
    loglik_full: float
    loglik_restricted: float
    statistic: float  # 2 * (full - restricted)
    df: int  # parameters set to zero
    active: int  # of those, how many the full fit puts above zero
    p_value: float  # chi-square with ``active`` degrees of freedom (approximate)
    p_value_conservative: float  # chi-square with ``df`` (an upper bound)
    estimate: float  # total excitation the full model gives the excluded couplings


def excitation_test(
    estimator: Any, streams: EventStreams, exclude: Sequence[tuple[str, ...]]
) -> ExcitationTest:
    """Test whether the couplings in ``exclude`` matter, refitting without them.

    ``estimator`` is a HawkesProcess (pairs ``(target stream, source stream)``) or a
    SpatialHawkes (triples ``(target mark, source mark, "same" | "neighbour")``); it is
    fitted on ``streams`` if it is not already.

    Zero is on the boundary of the parameter space, so the statistic's null distribution
    is a mixture of chi-squares: ``p_value`` uses as many degrees of freedom as the full
    fit has non-zero excluded parameters, ``p_value_conservative`` all of them.
    """
    if getattr(estimator, "streams_", None) != tuple(streams.names):
        estimator.fit(streams)
    params = estimator.get_params()
    params["exclude"] = tuple(tuple(x) for x in params.get("exclude", ())) + tuple(
        tuple(x) for x in exclude
    )
    params.pop("warm_start", None)
    restricted = type(estimator)(**params).fit(streams)
    m = len(estimator.decays_)
    if hasattr(estimator, "marks_"):
        marks = estimator.marks_
        rel = {"same": 0, "neighbour": 1}
        weights = [
            estimator.mark_kernel_[:, rel[r], marks.index(t), marks.index(s)] for t, s, r in exclude
        ]
    else:
        names = list(estimator.streams_)
        weights = [
            estimator.kernel_adjacency_[:, names.index(t), names.index(s)] for t, s in exclude
        ]
    estimate = float(sum(w.sum() for w in weights))
    active = int(sum((w > 1e-8).sum() for w in weights))
    stat = max(2.0 * (estimator.loglik_ - restricted.loglik_), 0.0)
    df = m * len(exclude)
    return ExcitationTest(
        excluded=tuple(tuple(x) for x in exclude),
        loglik_full=float(estimator.loglik_),
        loglik_restricted=float(restricted.loglik_),
        statistic=float(stat),
        df=df,
        active=active,
        p_value=float(chi2.sf(stat, max(active, 1))),
        p_value_conservative=float(chi2.sf(stat, df)),
        estimate=estimate,
    )

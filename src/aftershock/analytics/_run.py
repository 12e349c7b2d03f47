"""One library call per analytics command: load streams, pick models, run, return a result.

Streams come from CSV files (``paths`` with ``time_col`` and ``stream_cols``) or from a
store (``db`` with a :class:`StreamQuery`). The Hawkes model is a :class:`SpatialHawkes`
when streams are map cells (``cell`` among the stream columns) and a
:class:`HawkesProcess` otherwise, unless ``kernel`` says which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aftershock.analytics._backtest import BacktestResult, backtest
from aftershock.analytics._baselines import PoissonProcess, RollingRate
from aftershock.analytics._calibrate import CalibratedHawkes
from aftershock.analytics._forecast import (
    Escalation,
    ExcitationTest,
    Forecast,
    escalation,
    excitation_test,
    forecast,
    structure,
)
from aftershock.analytics._hawkes import HawkesProcess, SpatialHawkes
from aftershock.analytics._streams import (
    EventStreams,
    StreamQuery,
    read_event_table,
    streams_from_store,
)
from aftershock.errors import ConfigError

__all__ = [
    "Source",
    "make_hawkes",
    "parse_days",
    "parse_test",
    "run_backtest",
    "run_escalation",
    "run_forecast",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|d|w|m|y)?\s*$", re.IGNORECASE)
_UNIT_DAYS = {"h": 1 / 24, "d": 1.0, "w": 7.0, "m": 30.0, "y": 365.0}


def parse_days(text: str | float) -> float:
    """``"7d"`` -> 7.0; units h, d (default), w, m (30 days), y (365 days)."""
    if isinstance(text, int | float):
        return float(text)
    m = _DURATION.match(text)
    if m is None or float(m.group(1)) <= 0:
        raise ConfigError(f"{text!r} is not a duration such as 1d, 12h or 2w")
    return float(m.group(1)) * _UNIT_DAYS[(m.group(2) or "d").lower()]


@dataclass(frozen=True, slots=True)
class Source:
    """Where events come from: CSV ``paths`` or a store ``db`` (with ``query``)."""

    paths: tuple[str, ...] = ()
    db: str | None = None
    time_col: str = "date"
    stream_cols: tuple[str, ...] = ("stream",)
    cell_size: float = 0.5
    lat_col: str = "latitude"
    lon_col: str = "longitude"
    query: StreamQuery = StreamQuery()

    def load(self) -> EventStreams:
        if self.paths and self.db:
            raise ConfigError("give CSV files or --db, not both")
        if self.paths:
            return read_event_table(
                self.paths,
                time_col=self.time_col,
                stream_cols=self.stream_cols,
                cell_size=self.cell_size,
                lat_col=self.lat_col,
                lon_col=self.lon_col,
            )
        if not self.db:
            raise ConfigError("give CSV files of events or a store with --db")
        if not Path(self.db).exists():
            raise ConfigError(f"no store at {self.db}")
        from aftershock.store import Store

        with Store(self.db, read_only=True) as store:
            return streams_from_store(store, replace(self.query, cell_size=self.cell_size))

    @property
    def spatial(self) -> bool:
        cols = self.stream_cols if self.paths else self.query.by
        return "cell" in cols


def make_hawkes(
    source: Source, kernel: str = "auto", *, warm_start: bool = False, calibrate: str = ""
) -> Any:
    """The Hawkes estimator for these streams (see the module docstring); ``calibrate``
    (``"refit"`` or ``"forecasts"``) wraps it in :class:`CalibratedHawkes` with that
    training (P(any) recalibrated on past origins)."""
    cols = source.stream_cols if source.paths else source.query.by
    if kernel == "spatial" or (kernel == "auto" and source.spatial):
        marks = [c for c in cols if c != "cell"]
        if not marks:
            raise ConfigError("a spatial model needs a type column beside cell (e.g. type,cell)")
        model: Any = SpatialHawkes(mark_key=marks[0], warm_start=warm_start)
    else:
        model = HawkesProcess(kernel="exp" if kernel == "auto" else kernel)
    return CalibratedHawkes(model, training=calibrate) if calibrate else model


def parse_test(text: str) -> list[tuple[str, ...]]:
    """``"Airstrike,SOF>IED,SAF"``: sources before ``>``, targets after. For spatial models
    both the same-cell and the neighbour-cell couplings are tested."""
    if ">" not in text:
        raise ConfigError(f"--test {text!r}: write SOURCES>TARGETS, e.g. Airstrike>IED,SAF")
    left, right = text.split(">", 1)
    sources = [s.strip() for s in left.split(",") if s.strip()]
    targets = [t.strip() for t in right.split(",") if t.strip()]
    if not sources or not targets:
        raise ConfigError(f"--test {text!r}: name at least one source and one target")
    return [(t, s) for t in targets for s in sources]


def run_backtest(
    source: Source,
    *,
    horizon: float = 1.0,
    initial: str | float | None = None,
    step: float | None = None,
    refit_every: int = 1,
    score_by: str | None = None,
    kernel: str = "auto",
    rolling_window: float | Sequence[float] = (28.0, 56.0),
    calibrate: str = "",
    progress: Any = None,
) -> BacktestResult:
    """Backtest the Hawkes model against the Poisson and rolling-rate baselines.

    ``initial`` is the first origin as a date (``YYYY-MM-DD``) or days since the start.
    ``rolling_window`` may list several windows: the first is the ``rolling`` baseline, the
    others ``rolling_<N>d``; Brier skill is against the best of all baselines, so more
    windows only make the test stricter.
    The result's notes hold the Hawkes structure fitted at the last origin.
    """
    streams = source.load()
    start = initial
    if isinstance(initial, str):
        try:
            start = streams.time_of(initial)
        except ValueError:
            start = parse_days(initial)
    hawkes = make_hawkes(source, kernel, warm_start=True, calibrate=calibrate)
    windows = (
        [float(rolling_window)]
        if isinstance(rolling_window, int | float)
        else [float(w) for w in rolling_window]
    )
    if not windows:
        raise ConfigError("give at least one rolling window")
    models: dict[str, Any] = {
        "hawkes": hawkes,
        "poisson": PoissonProcess(prior_count=0.5),
        "rolling": RollingRate(window=windows[0]),
    }
    for w in windows[1:]:
        models.setdefault(f"rolling_{w:g}d", RollingRate(window=w))
    result = backtest(
        streams,
        models,
        horizon=horizon,
        initial=None if start is None else float(start),
        step=step,
        refit_every=refit_every,
        group_key=score_by,
        progress=progress,
    )
    result.notes["hawkes_model"] = repr(hawkes)
    result.notes["rolling_window_days"] = windows
    result.notes["hawkes_structure_at_last_origin"] = _short_structure(hawkes)
    if calibrate and getattr(hawkes, "calibration_", None):
        result.notes["calibration_at_last_origin"] = {
            f"{h:g}d": dict(zip(hawkes.FEATURES, map(float, w), strict=True))
            for h, w in hawkes.calibration_.items()
        }
    return result


def _short_structure(model: Any) -> dict[str, Any]:
    full = structure(model)
    if "marks" in full:
        full.pop("baseline_per_day")
        full.pop("streams")
    return full


def run_escalation(
    source: Source,
    *,
    kernel: str = "auto",
    every: float = 7.0,
    tests: Sequence[str] = (),
) -> tuple[Escalation, list[ExcitationTest]]:
    """Fit the Hawkes model on all events; escalation index per stream; optional LR tests
    (``"SOURCES>TARGETS"``, stream names, or marks for a spatial model)."""
    streams = source.load()
    model = make_hawkes(source, kernel).fit(streams)
    result = escalation(model, streams, every=every)
    done = []
    for text in tests:
        pairs = parse_test(text)
        if isinstance(model, SpatialHawkes):
            exclude: list[tuple[str, ...]] = [
                (t, s, r) for t, s in pairs for r in SpatialHawkes.RELATIONS
            ]
        else:
            exclude = list(pairs)
        done.append(excitation_test(model, streams, exclude))
    return result, done


def run_forecast(
    source: Source,
    *,
    horizons: Sequence[float] = (1.0, 7.0, 30.0),
    kernel: str = "auto",
    top_drivers: int = 3,
) -> Forecast:
    """Fit the Hawkes model on all events and forecast each stream after the last day."""
    streams = source.load()
    model = make_hawkes(source, kernel).fit(streams)
    return forecast(model, streams, horizons, top_drivers=top_drivers)

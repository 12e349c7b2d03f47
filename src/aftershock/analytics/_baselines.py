"""The baselines a Hawkes model must beat, with the same interface as the Hawkes estimators.

Every estimator in ``aftershock.analytics`` offers, once fitted:

- ``loglik(streams, start, end)``: log-likelihood of the events in ``[start, end)`` given
  the events before ``start``;
- ``predict(history, horizons, groups=None)``: ``(prob, expected)`` where ``prob[h, g]`` is
  P(at least one event of group ``g`` in the ``horizons[h]`` days after ``history.end``)
  and ``expected[h, s]`` the expected number of events of stream ``s``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from aftershock.analytics._streams import EventStreams
from aftershock.errors import ConfigError

__all__ = ["Estimator", "PoissonProcess", "RollingRate"]


class Estimator:
    """scikit-learn conventions: ``__init__`` stores parameters, ``get_params`` returns them."""

    def get_params(self) -> dict[str, Any]:
        names = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.name != "self" and p.kind is not p.VAR_KEYWORD
        ]
        return {n: getattr(self, n) for n in names}

    def set_params(self, **params: Any) -> Estimator:
        valid = self.get_params()
        for k, v in params.items():
            if k not in valid:
                raise ConfigError(f"{type(self).__name__} has no parameter {k!r}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _check_fitted(self, streams: EventStreams) -> None:
        names = getattr(self, "streams_", None)
        if names is None:
            raise ConfigError(f"{type(self).__name__} is not fitted: call fit() first")
        if tuple(streams.names) != tuple(names):
            raise ConfigError("streams differ from the ones the model was fitted on")


def _groups(streams: EventStreams, groups: np.ndarray | None) -> np.ndarray:
    return np.eye(streams.n_streams) if groups is None else np.asarray(groups, dtype=float)


class PoissonProcess(Estimator):
    """Homogeneous Poisson process: each stream at its own constant rate (events per day).

    ``rate_ = (n + prior_count) / T``; with ``prior_count=0`` that is the maximum-likelihood
    rate and ``loglik`` is the closed form ``sum_s n_s log(rate_s) - rate_s (b - a)``.
    """

    def __init__(self, prior_count: float = 0.0) -> None:
        self.prior_count = prior_count

    def fit(self, streams: EventStreams) -> PoissonProcess:
        if streams.end <= 0:
            raise ConfigError("streams cover no time")
        self.rate_ = (streams.counts() + self.prior_count) / streams.end
        self.streams_ = tuple(streams.names)
        self.n_events_ = streams.n_events
        return self

    def loglik(self, streams: EventStreams, start: float = 0.0, end: float | None = None) -> float:
        self._check_fitted(streams)
        b = streams.end if end is None else end
        n = streams.window_counts(start, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(n > 0, n * np.log(self.rate_), 0.0)
        return float(logs.sum() - self.rate_.sum() * (b - start))

    def score(self, streams: EventStreams, start: float = 0.0) -> float:
        n = int(streams.window_counts(start, streams.end).sum())
        return self.loglik(streams, start) / max(n, 1)

    def predict(
        self, history: EventStreams, horizons: list[float], groups: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted(history)
        member = _groups(history, groups)
        hs = np.asarray(horizons, dtype=float)[:, None]
        expected = self.rate_[None, :] * hs
        prob = -np.expm1(-(self.rate_ @ member)[None, :] * hs)
        return prob, expected


class RollingRate(Estimator):
    """Recent rate: each stream's events in the last ``window`` days, per day.

    The rate is shrunk towards the stream's long-run rate with ``prior_days`` days of weight,
    so a quiet window never gives zero. The probability of at least one event in the next
    ``h`` days is, with ``probability="empirical"``, the share of the ``window / h`` blocks
    of ``h`` days in the window that had one (one pseudo-block at the Poisson value smooths
    it): robust to the clustering that makes Poisson overstate it. ``"poisson"`` uses
    ``1 - exp(-rate h)``. Nothing is learned in ``fit``: it only records the streams.
    """

    def __init__(
        self, window: float = 28.0, *, prior_days: float = 1.0, probability: str = "empirical"
    ) -> None:
        self.window = window
        self.prior_days = prior_days
        self.probability = probability

    def fit(self, streams: EventStreams) -> RollingRate:
        if self.window <= 0:
            raise ConfigError("window must be positive")
        if self.probability not in ("empirical", "poisson"):
            raise ConfigError("probability must be empirical or poisson")
        self.streams_ = tuple(streams.names)
        self.n_events_ = streams.n_events
        return self

    def rates(self, history: EventStreams, t: float | None = None) -> np.ndarray:
        """Events per day of each stream just before ``t`` (default: the end of history)."""
        t0 = history.end if t is None else t
        w = min(self.window, t0) if t0 > 0 else self.window
        recent = history.window_counts(t0 - w, t0)
        long_run = (history.window_counts(0.0, t0) + 0.5) / max(t0, 1.0)
        return (recent + self.prior_days * long_run) / (w + self.prior_days)

    def loglik(self, streams: EventStreams, start: float = 0.0, end: float | None = None) -> float:
        self._check_fitted(streams)
        b = streams.end if end is None else end
        rate = self.rates(streams, start)
        n = streams.window_counts(start, b)
        return float((n * np.log(rate)).sum() - rate.sum() * (b - start))

    def predict(
        self, history: EventStreams, horizons: list[float], groups: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted(history)
        member = _groups(history, groups)
        rate = self.rates(history)
        hs = np.asarray(horizons, dtype=float)
        expected = rate[None, :] * hs[:, None]
        poisson = -np.expm1(-(rate @ member)[None, :] * hs[:, None])
        if self.probability == "poisson":
            return poisson, expected
        t0 = history.end
        prob = poisson.copy()
        for i, h in enumerate(hs):
            blocks = int(min(self.window, t0) // h)
            if blocks < 1:
                continue
            hit = np.zeros((blocks, member.shape[1]))
            for b in range(blocks):
                counts = history.window_counts(t0 - (b + 1) * h, t0 - b * h)
                hit[b] = (counts @ member) > 0
            prob[i] = (hit.sum(0) + poisson[i]) / (blocks + 1)
        return prob, expected

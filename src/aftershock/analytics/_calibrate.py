"""A Hawkes model whose P(at least one event) is recalibrated on its own past origins.

``CalibratedHawkes`` wraps a fitted Hawkes estimator (``SpatialHawkes`` by default). Its
point-process parts (intensity, log-likelihood, expected counts, structure) are the base
model's; only the probability of at least one event in the next ``h`` days changes:

    logit P = w . [1, logit p_hawkes, log1p n_1, log1p n_3, log1p n_7, log1p n_28, log rate_120]

where ``p_hawkes = 1 - exp(-Lambda)``, ``Lambda`` the base model's expected events in the
window without triggering inside it (cheap at many origins), and ``n_w`` the events of the
stream (or group of streams) in the last ``w`` days. ``w`` is an L2-penalised logistic
regression fitted on the ``window`` daily origins before the end of the history given to
``predict`` (each scored on its own next ``h`` days, which all lie inside that history), with
the base model's current parameters. Nothing at or after the forecast origin is used.

This is Platt scaling plus a few recent-count features: it corrects systematic over- or
under-confidence of the Hawkes probabilities (over-dispersion the model misses, a trend the
constant baseline misses) and pools the correction over every stream.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize

from aftershock.analytics._baselines import Estimator
from aftershock.analytics._streams import EventStreams
from aftershock.errors import ConfigError

__all__ = ["CalibratedHawkes", "fit_logistic"]

_LAGS = (1.0, 3.0, 7.0, 28.0)
_LONG = 120.0
# Attributes of the base model that describe the fitted process (copied after each fit).
_SHARED = (
    "model_",
    "streams_",
    "n_events_",
    "baseline_",
    "adjacency_",
    "branching_ratio_",
    "half_life_",
    "decays_",
    "loglik_",
    "marks_",
    "excitation_",
    "mark_kernel_",
)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1.0 - 1e-6)
    return np.log(q / (1.0 - q))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """L2-penalised logistic regression (column 0 of ``x`` is the unpenalised intercept)."""
    y = np.asarray(y, dtype=float)
    pen = np.full(x.shape[1], float(l2))
    pen[0] = 0.0

    def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        # log(1 + exp(z)) - y z, stable for large |z|.
        val = float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.5 * float(pen @ (w * w))
        grad = x.T @ (1.0 / (1.0 + np.exp(-z)) - y) + pen * w
        return val, grad

    w0 = np.zeros(x.shape[1])
    res = minimize(objective, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return np.asarray(res.x)


class CalibratedHawkes(Estimator):
    """Hawkes model with P(at least one event) recalibrated on past origins (see module).

    ``base``: the Hawkes estimator (default ``SpatialHawkes(warm_start=True)``), refitted in
    place by ``fit``. ``training="refit"`` trains on past origins recomputed with the current
    fit (works from a single fit; its P(any) feature is 1 - exp(-expected events));
    ``"forecasts"`` trains on the forecasts this estimator itself made at earlier origins
    (the base model's exact P(any), each from a fit on the data before its origin), so it
    needs a run of forecasts, as in a backtest, before it changes anything. ``window``: how
    many past daily origins train the calibration; ``l2``: ridge penalty on its weights.
    With fewer than ``min_origins`` usable origins, or one outcome class only, the base
    probabilities are returned unchanged.

    Fitted attributes: the base model's (``baseline_``, ``adjacency_``, ...), ``base_``, and
    after ``predict`` ``calibration_`` (horizon -> weights, in the order of ``FEATURES``).
    """

    FEATURES = ("intercept", "logit_p_hawkes", "log1p_n1", "log1p_n3", "log1p_n7", "log1p_n28",
                "log_rate120")  # fmt: skip

    def __init__(
        self,
        base: Any = None,
        *,
        window: int = 56,
        l2: float = 1.0,
        min_origins: int = 14,
        training: str = "refit",
    ) -> None:
        self.base = base
        self.window = window
        self.l2 = l2
        self.min_origins = min_origins
        self.training = training

    def fit(self, streams: EventStreams) -> CalibratedHawkes:
        if self.window < 1:
            raise ConfigError("window must be at least 1 origin")
        if self.training not in ("refit", "forecasts"):
            raise ConfigError("training must be refit or forecasts")
        if not hasattr(self, "_memory"):
            self._memory: dict[Any, dict[float, np.ndarray]] = {}
        if not hasattr(self, "base_"):
            if self.base is None:
                from aftershock.analytics._hawkes import SpatialHawkes

                self.base_ = SpatialHawkes(warm_start=True)
            else:
                self.base_ = self.base
        self.base_.fit(streams)
        for name in _SHARED:
            if hasattr(self.base_, name):
                setattr(self, name, getattr(self.base_, name))
        self.calibration_: dict[float, np.ndarray] = {}
        return self

    # The point-process side is the base model's.
    def loglik(self, streams: EventStreams, start: float = 0.0, end: float | None = None) -> float:
        return float(self.base_.loglik(streams, start, end))

    def score(self, streams: EventStreams, start: float = 0.0) -> float:
        return float(self.base_.score(streams, start))

    def intensity(self, streams: EventStreams, t: float) -> np.ndarray:
        return np.asarray(self.base_.intensity(streams, t))

    def state(self, history: EventStreams) -> np.ndarray:
        return np.asarray(self.base_.state(history))

    def features(
        self,
        history: EventStreams,
        origins: np.ndarray,
        horizon: float,
        member: np.ndarray,
        prob: np.ndarray | None = None,
    ) -> np.ndarray:
        """(K, G, 7) features of each group for forecasts from each of ``origins``, using
        only the events before each origin (``prob`` (K, G): the base model's P(any), else
        1 - exp(-expected events))."""
        model = self.base_.model_
        t = np.asarray(origins, dtype=float)
        betas = np.asarray(model.decays, dtype=float)
        k_n, s_n = len(t), history.n_streams
        r = np.zeros((len(betas), s_n, k_n))  # decayed counts before each origin
        counts = np.zeros((len(_LAGS) + 1, k_n, s_n))
        spans = np.minimum(_LONG, np.maximum(t, 1.0))
        for s, x in enumerate(history.times):
            if not len(x):
                continue
            before = np.searchsorted(x, t, "left")
            for i, lag in enumerate((*_LAGS, None)):
                lo = np.searchsorted(x, t - (spans if lag is None else lag), "left")
                counts[i, :, s] = before - lo
            lags = t[:, None] - x[None, :]
            for m, beta in enumerate(betas):
                ok = (lags > 0) & (lags * beta < 50.0)
                r[m, s] = np.where(ok, np.exp(-beta * np.where(ok, lags, 0.0)), 0.0).sum(1)
        # Expected events in (t, t + h] without triggering inside the window: the
        # baseline plus the decaying excitation of the past.
        lam = np.tile(model.baseline * horizon, (k_n, 1))
        for m, (beta, a) in enumerate(zip(betas, model.adjacency, strict=True)):
            lam += (np.asarray(a @ r[m]).T * beta) * (-np.expm1(-beta * horizon) / beta)
        p = -np.expm1(-(lam @ member)) if prob is None else np.asarray(prob).reshape(k_n, -1)
        cols = [np.ones(p.shape), _logit(p)]
        cols += [np.log1p(c @ member) for c in counts[:-1]]
        cols.append(np.log((counts[-1] @ member + 0.5) / spans[:, None]))
        return np.stack(cols, 2)

    def _calibrate(self, history: EventStreams, horizon: float, member: np.ndarray) -> Any:
        """Weights from the past origins inside ``history`` (their windows end by its end)."""
        last = history.end - horizon
        origins = np.array([last - k for k in range(self.window) if last - k >= 1.0])
        if len(origins) < self.min_origins:
            return None
        x = self.features(history, origins, horizon, member).reshape(-1, len(self.FEATURES))
        hit = np.stack([history.window_counts(t, t + horizon) @ member for t in origins]) > 0
        y = hit.ravel()
        if y.all() or not y.any():
            return None
        return fit_logistic(x, y, self.l2)

    def _from_forecasts(
        self, history: EventStreams, horizon: float, member: np.ndarray, now: np.ndarray
    ) -> Any:
        """Remember this origin's features; weights from the remembered origins whose
        windows have ended by ``history.end`` (their outcomes are in ``history``)."""
        key = (horizon, member.shape, hash(member.tobytes()), tuple(history.names))
        memory = self._memory.setdefault(key, {})
        memory.setdefault(float(history.end), now)
        done = [
            t
            for t in memory
            if t + horizon <= history.end + 1e-9 and t >= history.end - horizon - self.window
        ]
        if len(done) < self.min_origins:
            return None
        x = np.vstack([memory[t] for t in done])
        hit = np.stack([history.window_counts(t, t + horizon) @ member for t in done]) > 0
        y = hit.ravel()
        if y.all() or not y.any():
            return None
        return fit_logistic(x, y, self.l2)

    def predict(
        self, history: EventStreams, horizons: Any, groups: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """As the base model's ``predict``, with recalibrated probabilities."""
        prob, expected = self.base_.predict(history, horizons, groups)
        member = np.eye(history.n_streams) if groups is None else np.asarray(groups, float)
        prob = prob.copy()
        for i, h in enumerate(float(x) for x in horizons):
            end = np.array([history.end])
            if self.training == "forecasts":
                now = self.features(history, end, h, member, prob[i][None, :])[0]
                w = self._from_forecasts(history, h, member, now)
            else:
                now = self.features(history, end, h, member)[0]
                w = self._calibrate(history, h, member)
            if w is None:
                continue
            self.calibration_[h] = w
            prob[i] = 1.0 / (1.0 + np.exp(-(now @ w)))
        return prob, expected

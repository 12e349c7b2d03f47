"""Hawkes process estimators: who reacts to whom, how strongly and how fast.

Two estimators, both scikit-learn shaped (parameters in ``__init__``, ``fit`` returns self,
fitted attributes end in ``_``) and both reducing to the same fitted form, a baseline plus
sum-of-exponentials kernels (:class:`~aftershock.analytics._sumexp.SumExp`), which the
forecasting, scoring and escalation code uses:

- :class:`HawkesProcess`: a full multivariate Hawkes process over a few streams (actors,
  dyads, event types), fitted with **tick** (0.8): tick's C++ log-likelihood and gradient for
  exponential and sum-of-exponential kernels, driven by SciPy's bounded L-BFGS-B (tick's own
  first-order solvers stall or step into negative intensities on this problem), or tick's
  nonparametric EM (``HawkesEM``) whose histogram kernels are then projected onto
  exponentials for forecasting.
- :class:`SpatialHawkes`: many streams that are event types in map cells. tick has no way
  to share parameters between streams, and a full matrix over hundreds of streams cannot be
  estimated, so this model ties them: one type-by-type excitation matrix for events in the
  same cell and one for neighbouring cells, a baseline per stream. Its likelihood is concave
  in those parameters (the intensity is linear in them for fixed decays); it is maximised
  with L-BFGS-B on precomputed kernel sums.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize, minimize_scalar, nnls
from threadpoolctl import threadpool_limits

from aftershock.analytics._baselines import Estimator
from aftershock.analytics._streams import EventStreams
from aftershock.analytics._sumexp import (
    SumExp,
    decayed_counts,
    expected_counts,
    prob_any,
    window_loglik,
)
from aftershock.errors import ConfigError

__all__ = ["HawkesProcess", "SpatialHawkes", "half_life"]

LN2 = math.log(2.0)
# Candidate half-lives (days) when HawkesProcess(kernel="exp") chooses its decay.
EXP_HALF_LIVES = (0.25, 1.0, 3.0, 7.0, 21.0)
# Default components of a sum-of-exponentials kernel: hours, days, weeks.
SUMEXP_HALF_LIVES = (0.2, 2.0, 14.0)


def _one_blas_thread() -> threadpool_limits:
    """L-BFGS-B's small dense steps run several times slower with a multi-threaded BLAS."""
    return threadpool_limits(limits=1, user_api="blas")


def _decays(half_lives: Iterable[float]) -> np.ndarray:
    return np.array([LN2 / h for h in half_lives], dtype=float)


def half_life(weights: np.ndarray, decays: np.ndarray) -> float:
    """Median lag (days) of a kernel sum_m w_m beta_m exp(-beta_m t): half its effect is over.

    ``weights`` are the components' integrated excitations (any shape ending in M).
    """
    w = np.asarray(weights, dtype=float).reshape(-1, len(decays)).sum(0)
    if w.sum() <= 0:
        return float("nan")
    w = w / w.sum()

    def cdf(t: float) -> float:
        return float((w * -np.expm1(-decays * t)).sum())

    lo, hi = 0.0, 1.0
    while cdf(hi) < 0.5:
        hi *= 2.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if cdf(mid) < 0.5 else (lo, mid)
    return 0.5 * (lo + hi)


class _Fitted(Estimator):
    """What every fitted Hawkes estimator offers once ``model_`` (a SumExp) is set."""

    model_: SumExp
    streams_: tuple[str, ...]

    def _check(self, streams: EventStreams) -> None:
        if not hasattr(self, "model_"):
            raise ConfigError(f"{type(self).__name__} is not fitted: call fit() first")
        if tuple(streams.names) != tuple(self.streams_):
            raise ConfigError("streams differ from the ones the model was fitted on")

    def loglik(self, streams: EventStreams, start: float = 0.0, end: float | None = None) -> float:
        """Log-likelihood of the events in ``[start, end)`` given all events before ``start``."""
        self._check(streams)
        return window_loglik(self.model_, streams, start, streams.end if end is None else end)[0]

    def score(self, streams: EventStreams, start: float = 0.0) -> float:
        """Log-likelihood per event of the events from ``start`` on (higher is better)."""
        self._check(streams)
        ll, n = window_loglik(self.model_, streams, start, streams.end)
        return ll / max(n, 1)

    def intensity(self, streams: EventStreams, t: float) -> np.ndarray:
        """Conditional intensity of every stream just before time ``t`` (events per day)."""
        self._check(streams)
        r = decayed_counts(streams, t, self.model_.decays)
        lam = self.model_.baseline.copy()
        for m, (beta, a) in enumerate(zip(self.model_.decays, self.model_.adjacency, strict=True)):
            lam = lam + beta * (a @ r[m])
        return lam

    def predict(
        self, history: EventStreams, horizons: Sequence[float], groups: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(prob (H, G), expected (H, S))`` for the ``horizons`` days after ``history.end``:
        P(at least one event of each group, default each stream) and expected counts."""
        r = self.state(history)
        hs = [float(h) for h in horizons]
        prob = np.stack([prob_any(self.model_, r, h, groups) for h in hs])
        return prob, expected_counts(self.model_, r, hs)

    def state(self, history: EventStreams) -> np.ndarray:
        """Decayed event counts at the end of ``history``: all a forecast needs of the past."""
        self._check(history)
        return decayed_counts(history, history.end, self.model_.decays)

    def _set_summary(self) -> None:
        total = self.model_.total()
        self.adjacency_ = total
        self.branching_ratio_ = self.model_.branching_ratio()
        stacked = np.stack([a.toarray() if sp.issparse(a) else a for a in self.model_.adjacency])
        self.half_life_ = half_life(stacked.sum(axis=(1, 2)), self.model_.decays)
        self.baseline_ = self.model_.baseline.copy()
        self.decays_ = self.model_.decays.copy()


class HawkesProcess(_Fitted):
    """Multivariate Hawkes process over a few streams, fitted by maximum likelihood with tick.

    Parameters
    ----------
    kernel : "exp", "sumexp" or "nonparametric"
        ``exp``: one exponential decay for all pairs (chosen by likelihood among
        ``EXP_HALF_LIVES`` unless ``decays`` gives it). ``sumexp``: a sum of exponentials
        with ``decays`` (default half-lives 0.2, 2 and 14 days); each pair weighs each
        component. ``nonparametric``: tick's EM histogram kernels over ``kernel_support``
        days in ``kernel_size`` bins.
    decays : float or sequence of float, optional
        Decay rates per day (a half-life h is ``ln 2 / h``). For ``exp``, several values are
        candidates and the likeliest is kept; for ``sumexp``, the components.
    penalty : "none", "l1" or "l2"; C : float
        Penalty on the excitation weights, with strength ``1 / C`` per event.
    prior_count : float
        Pseudo-events added to each baseline (a Gamma prior): a stream never seen in the
        training window keeps a small positive rate instead of zero.
    exclude : pairs of stream names (target, source)
        Excitation forced to zero ("source does not excite target"), for likelihood-ratio
        tests such as :func:`~aftershock.analytics.excitation_test`.

    Fitted attributes: ``baseline_`` (events/day), ``adjacency_`` ([i, j]: expected ``i``
    events triggered by one ``j`` event: who reacts to whom), ``kernel_adjacency_`` (per
    component, (M, S, S)), ``decays_``, ``branching_ratio_`` (spectral radius of
    ``adjacency_``), ``half_life_`` (median lag of the fitted kernels, days), ``loglik_``
    (training log-likelihood), ``streams_``, ``n_events_``, ``model_`` (the SumExp form).
    """

    def __init__(
        self,
        kernel: str = "exp",
        decays: float | Sequence[float] | None = None,
        *,
        penalty: str = "none",
        C: float = 1000.0,
        prior_count: float = 0.5,
        kernel_support: float = 30.0,
        kernel_size: int = 30,
        exclude: Sequence[tuple[str, str]] = (),
        max_iter: int = 2000,
        tol: float = 1e-9,
        n_threads: int = 1,
    ) -> None:
        self.kernel = kernel
        self.decays = decays
        self.penalty = penalty
        self.C = C
        self.prior_count = prior_count
        self.kernel_support = kernel_support
        self.kernel_size = kernel_size
        self.exclude = exclude
        self.max_iter = max_iter
        self.tol = tol
        self.n_threads = n_threads

    # -- fitting ------------------------------------------------------------------------

    def fit(self, streams: EventStreams) -> HawkesProcess:
        if self.kernel not in ("exp", "sumexp", "nonparametric"):
            raise ConfigError(f"kernel must be exp, sumexp or nonparametric, not {self.kernel!r}")
        if self.penalty not in ("none", "l1", "l2"):
            raise ConfigError(f"penalty must be none, l1 or l2, not {self.penalty!r}")
        if streams.n_events == 0:
            raise ConfigError("no events to fit")
        index = {n: i for i, n in enumerate(streams.names)}
        for pair in self.exclude:
            for name in pair:
                if name not in index:
                    raise ConfigError(f"exclude names unknown stream {name!r}")
        if self.exclude and self.kernel == "nonparametric":
            raise ConfigError("exclude is not supported with the nonparametric kernel")
        ts = [np.ascontiguousarray(x, dtype=np.float64) for x in streams.times]
        if self.kernel == "nonparametric":
            model, ll = self._fit_em(ts, streams)
            self.decay_scores_: dict[float, float] = {}
        else:
            if self.decays is not None:
                given = np.atleast_1d(np.asarray(self.decays, dtype=float))
                if np.any(given <= 0):
                    raise ConfigError("decays must be positive")
                candidates = [given] if self.kernel == "sumexp" else [given[:1]]
                if self.kernel == "exp" and len(given) > 1:
                    candidates = [np.array([d]) for d in given]
            elif self.kernel == "sumexp":
                candidates = [_decays(SUMEXP_HALF_LIVES)]
            else:
                candidates = [_decays([h]) for h in EXP_HALF_LIVES]
            self._start: np.ndarray | None = None
            if len(candidates) == 1:
                model, ll = self._fit_sumexp(ts, streams.end, candidates[0], index)
                self.decay_scores_ = {float(model.decays[0]): ll} if len(model.decays) == 1 else {}
            else:
                # Explore decays with a looser tolerance, each fit starting from the last
                # solution; then polish the best one.
                fits = [self._fit_sumexp(ts, streams.end, d, index, tol=1e-7) for d in candidates]
                fits.append(self._refine(ts, streams.end, candidates, fits, index))
                self.decay_scores_ = {float(f[0].decays[0]): f[1] for f in fits}
                best = max(fits, key=lambda f: f[1])[0]
                self._start = _as_start(best)
                model, ll = self._fit_sumexp(ts, streams.end, best.decays, index)
            self._start = None
        self.model_ = model
        self.loglik_ = float(ll)
        self.streams_ = tuple(streams.names)
        self.n_events_ = streams.n_events
        self.end_time_ = streams.end
        self.kernel_adjacency_ = np.stack([np.asarray(a) for a in model.adjacency])
        self._set_summary()
        return self

    def _fit_sumexp(
        self,
        ts: list[np.ndarray],
        end: float,
        decays: np.ndarray,
        index: dict[str, int],
        *,
        tol: float | None = None,
    ) -> tuple[SumExp, float]:
        from tick.hawkes import ModelHawkesSumExpKernLogLik

        d, u = len(ts), len(decays)
        n = sum(len(x) for x in ts)
        tick_model = ModelHawkesSumExpKernLogLik(decays, n_threads=self.n_threads)
        tick_model.fit(ts, end_times=float(end))
        counts = np.array([len(x) for x in ts], dtype=float)
        a = self.prior_count
        scale = np.concatenate([(counts + max(a, 0.5)) / end, np.full(d * d * u, 0.1)])
        upper = np.full(d * d * u, np.inf).reshape(d, d, u)
        for target, source in self.exclude:
            upper[index[target], index[source], :] = 0.0
        bounds = [(1e-10, None)] * d + [(0.0, None if np.isinf(b) else 0.0) for b in upper.ravel()]
        bounds_scaled = [
            (lo / s, None if hi is None else hi / s)
            for (lo, hi), s in zip(bounds, scale, strict=True)
        ]
        pen_w = 1.0 / self.C if self.penalty != "none" else 0.0

        def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
            x = z * scale
            mu, alpha = x[:d], x[d:]
            val = n * tick_model.loss(x) - a * float(np.log(mu).sum())
            grad = n * tick_model.grad(x)
            grad[:d] -= a / mu
            if self.penalty == "l1":
                val += pen_w * n * float(alpha.sum())
                grad[d:] += pen_w * n
            elif self.penalty == "l2":
                val += 0.5 * pen_w * n * float(alpha @ alpha)
                grad[d:] += pen_w * n * alpha
            return val, grad * scale

        z0 = np.concatenate([np.full(d, 0.5), np.where(np.isinf(upper.ravel()), 0.1 / d, 0.0)])
        start = getattr(self, "_start", None)
        if start is not None and len(start) == len(z0):
            z0 = np.where(np.isinf(np.r_[np.full(d, np.inf), upper.ravel()]), start / scale, 0.0)
            z0[:d] = np.maximum(z0[:d], 1e-6)
        with _one_blas_thread():
            res = minimize(
                objective,
                z0,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds_scaled,
                options={"maxiter": self.max_iter, "ftol": tol or self.tol, "gtol": 1e-7},
            )
        x = res.x * scale
        self._start = x
        alpha = x[d:].reshape(d, d, u)
        model = SumExp(x[:d].copy(), decays.copy(), tuple(alpha[:, :, m].copy() for m in range(u)))
        # tick's loss leaves out the constant D * T of the compensator; put it back.
        ll = -(float(tick_model.loss(x)) * n + d * end)
        return model, ll

    def _refine(
        self,
        ts: list[np.ndarray],
        end: float,
        candidates: list[np.ndarray],
        fits: list[tuple[SumExp, float]],
        index: dict[str, int],
    ) -> tuple[SumExp, float]:
        """Maximise the likelihood over the decay between the best grid point's neighbours."""
        order = np.argsort([c[0] for c in candidates])
        logs = np.log([candidates[i][0] for i in order])
        best = int(np.argmax([fits[i][1] for i in order]))
        lo = logs[max(best - 1, 0)] - (0.7 if best == 0 else 0.0)
        hi = logs[min(best + 1, len(logs) - 1)] + (0.7 if best == len(logs) - 1 else 0.0)
        seen: dict[float, tuple[SumExp, float]] = {}

        def neg(log_decay: float) -> float:
            fit = self._fit_sumexp(ts, end, np.array([math.exp(log_decay)]), index, tol=1e-7)
            seen[log_decay] = fit
            return -fit[1]

        res = minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 0.05})
        return seen.get(float(res.x)) or max(seen.values(), key=lambda f: f[1])

    def _fit_em(self, ts: list[np.ndarray], streams: EventStreams) -> tuple[SumExp, float]:
        from tick.hawkes import HawkesEM

        em = HawkesEM(
            kernel_support=float(self.kernel_support),
            kernel_size=int(self.kernel_size),
            max_iter=self.max_iter if self.max_iter < 500 else 500,
            tol=1e-6,
            n_threads=self.n_threads,
        )
        em.fit(ts, end_times=float(streams.end))
        self.kernel_support_ = float(self.kernel_support)
        self.kernel_values_ = np.asarray(em.kernel)  # (S, S, kernel_size), events/day
        # Project each histogram kernel onto exponentials (non-negative least squares on the
        # bin averages), so forecasts and scores use the same exact machinery.
        decays = _decays((0.1, 0.5, 2.0, 7.0, 21.0))
        dt = self.kernel_support / self.kernel_size
        edges = np.arange(self.kernel_size + 1) * dt
        # Bin average of beta exp(-beta t) over each bin, per decay: (bins, M).
        basis = (np.exp(-np.outer(edges[:-1], decays)) - np.exp(-np.outer(edges[1:], decays))) / dt
        s = streams.n_streams
        weights = np.zeros((len(decays), s, s))
        for i in range(s):
            for j in range(s):
                w, _ = nnls(basis, self.kernel_values_[i, j])
                weights[:, i, j] = w
        model = SumExp(np.asarray(em.baseline, dtype=float).copy(), decays, tuple(weights))
        ll, _ = window_loglik(model, streams, 0.0, streams.end)
        return model, ll


def _as_start(model: SumExp) -> np.ndarray:
    """A fitted SumExp as tick's coefficient vector (baseline, then adjacency [i, j, m])."""
    alpha = np.stack([np.asarray(a) for a in model.adjacency], axis=-1)
    return np.concatenate([model.baseline, alpha.ravel()])


class SpatialHawkes(_Fitted):
    """Hawkes process over event types in map cells, with excitation shared across cells.

    Streams are keyed by a mark (``mark_key``, e.g. the event type) and carry coordinates
    (``EventStreams.coords``: cell centres). A ``k`` event in cell ``c`` raises the
    intensity of type ``k'`` in the same cell by ``excitation_[0, k', k]`` expected events
    and in each neighbouring cell (centres within ``neighbour_radius`` degrees, Chebyshev
    distance; default 1.5 grid steps, the 8 surrounding cells of a grid) by
    ``excitation_[1, k', k]``, spread over time by kernels with ``decays`` (per day).
    Each stream has its own baseline.

    ``exclude`` lists (target mark, source mark, "same" | "neighbour") couplings forced to
    zero, for likelihood-ratio tests. ``prior_count`` as in :class:`HawkesProcess`. With
    ``warm_start=True`` a refit on the same streams starts from the last solution (faster
    in backtests; the optimum is the same, the problem being concave).

    Fitted attributes: ``baseline_``, ``excitation_`` (2, K, K) integrated over kernel
    components, ``mark_kernel_`` (M, 2, K, K), ``marks_``, ``decays_``, ``adjacency_``
    (the dense S x S matrix the tied parameters imply), ``branching_ratio_``,
    ``half_life_``, ``loglik_``, ``streams_``, ``n_events_``, ``model_``.
    """

    RELATIONS = ("same", "neighbour")

    def __init__(
        self,
        decays: Sequence[float] | None = None,
        *,
        mark_key: str = "type",
        neighbour_radius: float | None = None,
        neighbours: bool = True,
        prior_count: float = 0.5,
        exclude: Sequence[tuple[str, str, str]] = (),
        max_iter: int = 3000,
        tol: float = 1e-10,
        warm_start: bool = False,
    ) -> None:
        self.decays = decays
        self.mark_key = mark_key
        self.neighbour_radius = neighbour_radius
        self.neighbours = neighbours
        self.prior_count = prior_count
        self.exclude = exclude
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start

    # -- structure -----------------------------------------------------------------------

    def _structure(self, streams: EventStreams) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(marks, mark index per stream, relation matrix (S, S): 0 none, 1 same, 2 neighbour)."""
        marks = sorted(set(streams.key_values(self.mark_key)) - {""})
        if not marks:
            raise ConfigError(f"streams have no {self.mark_key!r} key: cannot tie them by mark")
        mark_of = np.array([marks.index(v) for v in streams.key_values(self.mark_key)])
        coords = [c if c is not None else (math.nan, math.nan) for c in streams.coords]
        xy = np.array(coords, dtype=float)
        if np.isnan(xy).any():
            raise ConfigError("SpatialHawkes needs coordinates for every stream (cells)")
        dist = np.maximum(
            np.abs(xy[:, None, 0] - xy[None, :, 0]), np.abs(xy[:, None, 1] - xy[None, :, 1])
        )
        radius = self.neighbour_radius
        if radius is None:
            positive = dist[dist > 1e-9]
            radius = 1.5 * float(positive.min()) if len(positive) else 0.0
        rel = np.where(dist < 1e-9, 1, 0)
        if self.neighbours:
            rel = np.where((dist >= 1e-9) & (dist <= radius + 1e-9), 2, rel)
        self.neighbour_radius_ = radius
        return marks, mark_of, rel

    # -- fitting ------------------------------------------------------------------------

    def fit(self, streams: EventStreams) -> SpatialHawkes:
        if streams.n_events == 0:
            raise ConfigError("no events to fit")
        decays = (
            _decays(SUMEXP_HALF_LIVES)
            if self.decays is None
            else np.atleast_1d(np.asarray(self.decays, dtype=float))
        )
        if np.any(decays <= 0):
            raise ConfigError("decays must be positive")
        marks, mark_of, rel = self._structure(streams)
        k_n, m_n, r_n, s_n = len(marks), len(decays), 2, streams.n_streams
        features = _features(streams, decays, mark_of, rel, k_n)  # per stream: (n_s, M, 2, K)
        comp = _compensator_terms(streams, decays, mark_of, rel, k_n)  # (S, M, 2, K)
        q_n = m_n * r_n * k_n
        allowed = np.ones((m_n, r_n, k_n, k_n), dtype=bool)  # [m, r, source, target]
        for target, source, relation in self.exclude:
            if target not in marks or source not in marks or relation not in self.RELATIONS:
                raise ConfigError(f"cannot exclude {(target, source, relation)!r}")
            allowed[:, self.RELATIONS.index(relation), marks.index(source), marks.index(target)] = (
                False
            )
        if not self.neighbours:
            allowed[:, 1] = False
        theta = np.zeros((m_n, r_n, k_n, k_n))
        baseline = np.zeros(s_n)
        previous = None
        if (
            self.warm_start
            and hasattr(self, "model_")
            and tuple(streams.names) == self.streams_
            and list(marks) == self.marks_
            and len(decays) == len(self.decays_)
            and np.allclose(decays, self.decays_)
        ):
            previous = (self.baseline_, np.transpose(self.mark_kernel_, (0, 1, 3, 2)))
        total_ll = 0.0
        end = streams.end
        a = self.prior_count
        for k in range(k_n):
            own = np.flatnonzero(mark_of == k)
            x_rows = [features[s].reshape(len(streams.times[s]), q_n) for s in own]
            x = np.concatenate(x_rows) if x_rows else np.zeros((0, q_n))
            which = (
                np.concatenate(
                    [np.full(len(streams.times[s]), i) for i, s in enumerate(own)]
                ).astype(int)
                if len(own)
                else np.zeros(0, dtype=int)
            )
            c_sum = comp[own].reshape(len(own), q_n).sum(0)
            counts = np.array([len(streams.times[s]) for s in own], dtype=float)
            free = allowed[..., k].reshape(q_n)
            start = None
            if previous is not None:
                start = (previous[0][own], previous[1][..., k].reshape(q_n))
            mu, th, ll = _fit_mark(
                x, which, c_sum, counts, end, a, free, self.max_iter, self.tol, start
            )
            baseline[own] = mu
            theta[..., k] = th.reshape(m_n, r_n, k_n)
            total_ll += ll
        self.marks_ = marks
        self.mark_of_ = mark_of
        self.mark_kernel_ = np.transpose(theta, (0, 1, 3, 2))  # [m, r, target, source]
        self.excitation_ = self.mark_kernel_.sum(0)
        adjacency = []
        for m in range(m_n):
            # [i, j] = theta[m, rel(i, j), mark j, mark i]
            dense = np.zeros((s_n, s_n))
            for r in (1, 2):
                mask = rel == r
                dense[mask] = self.mark_kernel_[m, r - 1][mark_of[:, None], mark_of[None, :]][mask]
            adjacency.append(sp.csr_matrix(dense) if s_n > 200 else dense)
        self.model_ = SumExp(baseline, decays, tuple(adjacency))
        self.streams_ = tuple(streams.names)
        self.n_events_ = streams.n_events
        self.end_time_ = end
        self.loglik_ = float(total_ll)
        self._set_summary()
        self.half_life_ = half_life(self.mark_kernel_.sum(axis=(1, 2, 3)), decays)
        return self


def _recursion(times: np.ndarray, decays: np.ndarray) -> np.ndarray:
    """(n, M): for each event, sum over the stream's events up to and including it of
    exp(-beta (t_k - t_l))."""
    out = np.empty((len(times), len(decays)))
    prev = [0.0] * len(decays)
    last = None
    exps = [math.exp for _ in decays]
    betas = [float(b) for b in decays]
    for i, t in enumerate(times.tolist()):
        if last is None:
            prev = [1.0] * len(betas)
        else:
            dt = t - last
            prev = [1.0 + p * exps[m](-betas[m] * dt) for m, p in enumerate(prev)]
        out[i] = prev
        last = t
    return out


def _features(
    streams: EventStreams, decays: np.ndarray, mark_of: np.ndarray, rel: np.ndarray, k_n: int
) -> list[np.ndarray]:
    """Per stream s: (n_s, M, 2, K) kernel sums at each of its events from earlier events of
    mark K in the same cell (relation 0) or neighbouring cells (relation 1)."""
    cum = [_recursion(x, decays) if len(x) else np.zeros((0, len(decays))) for x in streams.times]
    out = []
    for s, tt in enumerate(streams.times):
        f = np.zeros((len(tt), len(decays), 2, k_n))
        if len(tt):
            for j in np.flatnonzero(rel[s] > 0):
                src = streams.times[j]
                if not len(src):
                    continue
                p = np.searchsorted(src, tt, side="left") - 1
                ok = p >= 0
                if not ok.any():
                    continue
                lag = tt[ok] - src[p[ok]]
                val = cum[j][p[ok]] * np.exp(-lag[:, None] * decays[None, :]) * decays[None, :]
                f[ok, :, rel[s, j] - 1, mark_of[j]] += val
        out.append(f)
    return out


def _compensator_terms(
    streams: EventStreams, decays: np.ndarray, mark_of: np.ndarray, rel: np.ndarray, k_n: int
) -> np.ndarray:
    """(S, M, 2, K): integral over [0, end) of the kernel sums, per target stream."""
    end = streams.end
    per_source = np.stack(
        [
            (-np.expm1(-np.outer(end - x, decays))).sum(0) if len(x) else np.zeros(len(decays))
            for x in streams.times
        ]
    )  # (S, M)
    out = np.zeros((streams.n_streams, len(decays), 2, k_n))
    for s in range(streams.n_streams):
        for j in np.flatnonzero(rel[s] > 0):
            out[s, :, rel[s, j] - 1, mark_of[j]] += per_source[j]
    return out


def _fit_mark(
    x: np.ndarray,
    which: np.ndarray,
    c_sum: np.ndarray,
    counts: np.ndarray,
    end: float,
    prior: float,
    free: np.ndarray,
    max_iter: int,
    tol: float,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Maximise sum log(mu_s + x.theta) - mu_s T - theta.c + prior log mu over mu, theta >= 0."""
    s_n, q_n = len(counts), x.shape[1]
    scale = np.concatenate([(counts + max(prior, 0.5)) / end, np.full(q_n, 0.1)])

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        v = z * scale
        mu, th = v[:s_n], v[s_n:]
        lam = mu[which] + x @ th
        lam = np.maximum(lam, 1e-300)
        val = float(np.log(lam).sum()) - float(mu.sum()) * end - float(c_sum @ th)
        val += prior * float(np.log(mu).sum())
        w = 1.0 / lam
        g_mu = np.bincount(which, weights=w, minlength=s_n) - end + prior / mu
        g_th = x.T @ w - c_sum
        return -val, -np.concatenate([g_mu, g_th]) * scale

    bounds = [(1e-10, None)] * s_n + [(0.0, None if f else 0.0) for f in free]
    z0 = np.concatenate([np.full(s_n, 0.5), np.where(free, 0.1, 0.0)])
    if start is not None:
        z0 = np.concatenate([np.maximum(start[0], 1e-9), np.where(free, start[1], 0.0)]) / scale
        z0[:s_n] = np.maximum(z0[:s_n], 1e-6)
    with _one_blas_thread():
        res = minimize(
            objective,
            z0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(lo, hi) for lo, hi in bounds],
            options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-8},
        )
    v = res.x * scale
    mu, th = v[:s_n], v[s_n:]
    lam = np.maximum(mu[which] + x @ th, 1e-300)
    ll = float(np.log(lam).sum()) - float(mu.sum()) * end - float(c_sum @ th)
    return mu, th, ll


def as_sumexp(model: Any) -> SumExp:
    """The fitted SumExp form of a Hawkes estimator."""
    return model.model_

"""The maths shared by every fitted Hawkes model here: sum-of-exponentials kernels.

A fitted model is ``SumExp(baseline, decays, adjacency)`` with intensity

    lambda_i(t) = mu_i + sum_m sum_j A[m][i, j] * sum_{t_k of j < t} beta_m exp(-beta_m (t - t_k))

so ``A[m][i, j]`` is the expected number of ``i`` events that one ``j`` event triggers
through kernel component ``m`` (each component integrates to 1). ``adjacency`` is a list of
M square matrices, dense ``ndarray`` or ``scipy.sparse`` (spatial models are sparse).

From that, and the events before a time ``t0``, this module computes without simulation:

- the held-out log-likelihood of a window (``window_loglik``);
- expected counts in ``(t0, t0 + h]`` (``expected_counts``: the mean-intensity ODE);
- P(at least one event of a stream, or of any stream of a group, in ``(t0, t0 + h]``)
  (``prob_any``), exactly up to the time step: future events are the clusters of a Poisson
  process of immigrants with the history-driven intensity, and the probability that a
  cluster started by a ``k`` event at ``u`` reaches the group solves a backward ODE;
- which past events drive a stream's forecast (``drivers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from aftershock.analytics._streams import EventStreams

__all__ = ["SumExp", "decayed_counts", "drivers", "expected_counts", "prob_any", "window_loglik"]

Matrix = Any  # np.ndarray or a scipy.sparse matrix, shape (S, S)


@dataclass(frozen=True, eq=False)
class SumExp:
    baseline: np.ndarray  # (S,)
    decays: np.ndarray  # (M,) per day
    adjacency: tuple[Matrix, ...]  # M matrices (S, S)

    @property
    def n_streams(self) -> int:
        return len(self.baseline)

    def total(self) -> np.ndarray:
        """Integrated excitation matrix sum_m A[m] (dense)."""
        out = np.zeros((self.n_streams, self.n_streams))
        for a in self.adjacency:
            out += a.toarray() if sp.issparse(a) else a
        return out

    def rows(self, i: int) -> np.ndarray:
        """(M, S): excitation of stream ``i`` by every stream, per component."""
        return np.stack(
            [
                np.asarray(a.getrow(i).toarray()).ravel() if sp.issparse(a) else a[i]
                for a in self.adjacency
            ]
        )

    def branching_ratio(self) -> float:
        """Spectral radius of the integrated excitation matrix (< 1: the process is stable)."""
        if self.n_streams == 0:
            return 0.0
        if self.n_streams <= 60:
            return float(np.max(np.abs(np.linalg.eigvals(self.total()))))
        # Perron root of a non-negative matrix: power iteration on A + I (aperiodic).
        mat = sum(sp.csr_matrix(a) for a in self.adjacency)
        v = np.ones(self.n_streams) / self.n_streams
        rho = 0.0
        for _ in range(5000):
            w = mat @ v + v
            norm = float(w.sum())
            w = w / norm
            done = float(np.abs(w - v).max()) < 1e-12
            v, rho = w, norm - 1.0
            if done:
                break
        return float(max(rho, 0.0))


def decayed_counts(streams: EventStreams, t: float, decays: np.ndarray) -> np.ndarray:
    """R (M, S): sum over events before ``t`` of ``exp(-beta_m (t - t_k))``, per stream."""
    out = np.zeros((len(decays), streams.n_streams))
    for s, x in enumerate(streams.times):
        past = x[: np.searchsorted(x, t, side="left")]
        if len(past):
            lag = t - past
            # Terms below exp(-50) do not matter; skip them cheaply on long histories.
            for m, beta in enumerate(decays):
                recent = lag[lag * beta < 50.0]
                out[m, s] = np.exp(-beta * recent).sum()
    return out


def _excitation_now(model: SumExp, r: np.ndarray) -> np.ndarray:
    """Z (M, S): history-driven excitation rate per component at the time R was taken."""
    return np.stack(
        [
            beta * (a @ r[m])
            for m, (beta, a) in enumerate(zip(model.decays, model.adjacency, strict=True))
        ]
    )


def window_loglik(
    model: SumExp, streams: EventStreams, a: float, b: float, *, block: int = 512
) -> tuple[float, int]:
    """Log-likelihood of the events with ``a <= t < b``, given every event before ``a``.

    Returns ``(log-likelihood, number of events)``; the intensity at each event counts
    earlier events of the window too, as a point-process likelihood does.
    """
    t_all, s_all = streams.merged()
    lo, hi = np.searchsorted(t_all, a, "left"), np.searchsorted(t_all, b, "left")
    t_win, s_win = t_all[lo:hi], s_all[lo:hi]
    betas = model.decays
    dense = [x.toarray() if sp.issparse(x) else np.asarray(x) for x in model.adjacency]
    r = decayed_counts(streams, a, betas)  # (M, S) at a
    t_ref = a
    ll = 0.0
    for start in range(0, len(t_win), block):
        tb, sb = t_win[start : start + block], s_win[start : start + block]
        # History part: state r at t_ref decays to each event time.
        z = _excitation_now(model, r)  # (M, S) at t_ref
        lam = model.baseline[sb].copy()
        for m, beta in enumerate(betas):
            lam += z[m, sb] * np.exp(-beta * (tb - t_ref))
        # Within-block part: earlier events of the block.
        lag = tb[:, None] - tb[None, :]
        earlier = lag > 0
        for m, beta in enumerate(betas):
            w = (
                dense[m][sb[:, None], sb[None, :]]
                * beta
                * np.exp(-beta * np.where(earlier, lag, 0))
            )
            lam += (w * earlier).sum(1)
        ll += float(np.log(np.maximum(lam, 1e-300)).sum())
        # Move the state to the end of the block.
        t_new = float(tb[-1])
        for m, beta in enumerate(betas):
            r[m] *= np.exp(-beta * (t_new - t_ref))
            np.add.at(r[m], sb, np.exp(-beta * (t_new - tb)))
        t_ref = t_new
    # Compensator: integral of every stream's intensity over [a, b).
    comp = model.baseline.sum() * (b - a)
    r_a = decayed_counts(streams, a, betas)
    for m, beta in enumerate(betas):
        k = r_a[m] * (1.0 - np.exp(-beta * (b - a)))
        np.add.at(k, s_win, 1.0 - np.exp(-beta * (b - t_win)))
        comp += float((model.adjacency[m] @ k).sum())
    return ll - comp, int(len(t_win))


def _steps(horizon: float, decays: np.ndarray, max_dt: float) -> int:
    fastest = float(decays.max()) if len(decays) else 1.0
    dt = min(max_dt, 0.2 / fastest)
    return max(4, int(np.ceil(horizon / dt)))


def expected_counts(
    model: SumExp, r: np.ndarray, horizons: np.ndarray | list[float], *, max_dt: float = 0.05
) -> np.ndarray:
    """E[N_i(t0, t0 + h)] for each horizon h: (H, S), given the history state ``r`` at t0.

    Solves y_m' = -beta_m y_m + m(u), m(u) = mu + sum_m beta_m A_m y_m (y_m(t0) = r_m), the
    mean of the decayed counts, with classic RK4; the count is the integral of m(u).
    """
    hs = np.asarray(horizons, dtype=float)
    betas = model.decays
    y = r.astype(float).copy()

    def rate(y: np.ndarray) -> np.ndarray:
        out = model.baseline.copy()
        for m, (beta, a) in enumerate(zip(betas, model.adjacency, strict=True)):
            out = out + beta * (a @ y[m])
        return out

    def deriv(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lam = rate(y)
        return -betas[:, None] * y + lam[None, :], lam

    out = np.zeros((len(hs), model.n_streams))
    fastest = float(betas.max()) if len(betas) else 1.0
    dt_max = min(max_dt, 0.2 / fastest)
    count = np.zeros(model.n_streams)
    t = 0.0
    for i in np.argsort(hs):
        rest = float(hs[i]) - t
        if rest > 0:
            n = max(1, int(np.ceil(rest / dt_max)))
            step = rest / n
            for _ in range(n):
                k1, l1 = deriv(y)
                k2, l2 = deriv(y + 0.5 * step * k1)
                k3, l3 = deriv(y + 0.5 * step * k2)
                k4, l4 = deriv(y + step * k3)
                count = count + step / 6.0 * (l1 + 2 * l2 + 2 * l3 + l4)
                y = y + step / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            t = float(hs[i])
        out[i] = count
    return out


def prob_any(
    model: SumExp,
    r: np.ndarray,
    horizon: float,
    groups: np.ndarray | None = None,
    *,
    max_dt: float = 0.05,
) -> np.ndarray:
    """P(at least one event of each group in (t0, t0 + horizon]) given history state ``r``.

    ``groups`` is a 0/1 membership matrix (S, G); default one group per stream.

    Future events are clusters seeded by a Poisson process of "immigrants" with intensity
    nu_k(u) = mu_k + history excitation. With G[k, g](u) the probability that a cluster
    rooted at a ``k`` event at ``u`` holds a ``g`` event before the horizon,
    P(no g event) = exp(-integral of sum_k nu_k(u) G[k, g](u) du), and for k outside g,
    G[k, g](u) = 1 - exp(-sum_{m,k'} A_m[k', k] H_m[k', g](u)), where H_m is G smoothed by
    kernel m over the time left; H obeys a linear ODE solved backwards from the horizon.
    """
    s = model.n_streams
    member = np.eye(s) if groups is None else np.asarray(groups, dtype=float)
    betas = model.decays
    n = _steps(horizon, betas, max_dt)
    dt = horizon / n
    at = [
        sp.csr_matrix(a).T.tocsr() if sp.issparse(a) else np.asarray(a).T for a in model.adjacency
    ]
    z = _excitation_now(model, r)  # (M, S)
    outside = 1.0 - member

    def nu_integral(u0: float, u1: float) -> np.ndarray:
        """Exact integral of nu over [u0, u1] (the immigrants expected in the step)."""
        out = model.baseline * (u1 - u0)
        for m, beta in enumerate(betas):
            out = out + z[m] * (np.exp(-beta * u0) - np.exp(-beta * u1)) / beta
        return out

    def g_of(h: list[np.ndarray]) -> np.ndarray:
        e = np.zeros_like(member)
        for m in range(len(betas)):
            e += at[m] @ h[m]
        return member + outside * (-np.expm1(-e))

    h = [np.zeros_like(member) for _ in betas]
    g = member.copy()  # at the horizon no time is left: only the root itself counts
    decay = np.exp(-betas * dt)
    total = np.zeros(member.shape[1])
    for step in range(n - 1, -1, -1):
        # Predictor-corrector on the kernel-smoothed G (trapezoid over the step).
        h_pred = [decay[m] * h[m] + (1 - decay[m]) * g for m in range(len(betas))]
        g_pred = g_of(h_pred)
        h = [decay[m] * h[m] + (1 - decay[m]) * 0.5 * (g + g_pred) for m in range(len(betas))]
        g_new = g_of(h)
        total = total + nu_integral(step * dt, (step + 1) * dt) @ (0.5 * (g + g_new))
        g = g_new
    return -np.expm1(-total)


def drivers(
    model: SumExp, streams: EventStreams, t0: float, horizon: float, target: int, *, top: int = 5
) -> tuple[float, float, list[tuple[float, int, int, float]]]:
    """What drives stream ``target``'s expected count in (t0, t0 + horizon].

    Returns ``(baseline part, excitation part, top events)``: the baseline's expected events
    ``mu * h``, the events directly triggered by past events (first generation), and the
    ``top`` past events by their share of it, as ``(time, stream, index in stream, share)``.
    """
    rows = model.rows(target)  # (M, S)
    base = float(model.baseline[target] * horizon)
    found: list[tuple[float, int, int, float]] = []
    total = 0.0
    for j, x in enumerate(streams.times):
        w = rows[:, j]
        if not np.any(w > 0):
            continue
        past = x[: np.searchsorted(x, t0, side="left")]
        if not len(past):
            continue
        lag = t0 - past
        contrib = np.zeros(len(past))
        for m, beta in enumerate(model.decays):
            if w[m] > 0:
                contrib += w[m] * np.exp(-beta * lag) * (-np.expm1(-beta * horizon))
        total += float(contrib.sum())
        if top:
            best = np.argsort(contrib)[::-1][:top]
            found += [
                (float(past[i]), j, int(i), float(contrib[i])) for i in best if contrib[i] > 0
            ]
    found.sort(key=lambda x: -x[3])
    return base, total, found[:top]

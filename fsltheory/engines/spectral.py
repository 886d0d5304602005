"""Spectral sums of docs/theory.md §3 and their closed forms of docs/theory.md §4.

For the power-law task (docs/theory.md §1: ``λ_j = j^(−β)``, ``λ_j θ*_j² = j^(−(1+sβ))``, j = 1..M)

    e(t)   = ½ Σ_j λ_j θ*_j² e^(−2 λ_j t)          signal term               (docs/theory.md §3)
    K(u)   =   Σ_j λ_j²      e^(−2 λ_j u)          noise-forgetting kernel   (docs/theory.md §3)
    T(u)   = ∫_u^∞ K = ½ Σ_j λ_j e^(−2 λ_j u)      kernel tail               (docs/theory.md §4, §5)

Three ways to evaluate them
---------------------------
* :func:`signal_term`, :func:`forgetting_kernel`, :func:`kernel_tail` — the exact finite-M
  sums in compiled numba code, parallel over the evaluation points.  Guaranteed relative
  accuracy 1e-12 (see *Accuracy* below).
* :func:`signal_term_mp`, :func:`forgetting_kernel_mp`, :func:`kernel_tail_mp` — the same
  sums in mpmath at ``precision`` significant digits (the reference used by the tests;
  module :mod:`fsltheory.engines.spectral_mp`).
* :func:`signal_term_asymptotic`, :func:`forgetting_kernel_asymptotic`,
  :func:`kernel_tail_asymptotic` — the closed forms of docs/theory.md §4 (sum replaced by its
  integral, Gamma-function constants), optionally with the finite-M tail correction;
  :func:`asymptotic_window` derives, from the same formulas, the range of t over which the
  closed form is expected to hold to a given tolerance (module
  :mod:`fsltheory.engines.spectral_asymptotic`).

This module holds the compiled sums; the other two are re-exported from it, so every name
above imports from ``fsltheory.engines.spectral``.

All three sums have the shape ``c Σ_{j=1}^{M} j^(−(1+pβ)) exp(−2 t j^(−β))`` with
``(c, p) = (½, s)`` for e, ``(1, 2 − 1/β)`` for K and ``(½, 1 − 1/β)`` for T; the integral
``∫_0^∞ j^(−(1+pβ)) e^(−2t j^(−β)) dj = Γ(p) (2t)^(−p) / β`` gives every §4 constant.

Accuracy (compiled sums)
------------------------
Every term is positive, so there is no cancellation in the sum itself.  The modes are split
at a breakpoint J (the first of a fixed set of ~80 per decade with ``x_J = 2tλ_J ≤ 2``):

* **Fast modes j < J, summed directly.**  ``λ_j`` is read from ``task.lambdas``
  (``j**−β``, ≤ 1 ulp), ``x = 2tλ_j`` carries ≤ 2 ulp and ``e^(−x)`` then has relative
  error ≤ (2x + 1)·2^(−53); terms with ``x > 745`` underflow to exactly 0 and are skipped.
  Terms with ``x ≳ 40`` contribute less than e^(−40) of the sum, so the term error is
  ≲ 1e-14 relative.  They are summed from j = J−1 down (smallest λ first) in blocks of 256
  naive additions whose block sums are Kahan-accumulated: summation error ≤ 258·2^(−53)
  ≈ 3e-14 relative, *independently of M*.
* **Slow modes j ≥ J, by a Taylor series.**  ``Σ_{j≥J} w_j e^(−2tλ_j) = Σ_{n<32}
  (−x_J)^n/n! · P_n(J)`` with the power sums ``P_n(J) = Σ_{j≥J} w_j (λ_j/λ_J)^n ≤ P_0(J)``
  precomputed once per task (blocked Kahan sums, cached).  Truncation < 2^32/32! < 1e-25
  of P_0(J); since ``x_J ≤ 2`` the alternating series' Σ|terms| ≤ e^(x_J) P_0 is at most
  ``e^(2x_J) ≤ e⁴ ≈ 55`` times its value, so it loses at most ~55 ulp ≈ 1.2e-14 to
  cancellation.  This makes a point cost O(min(M, t^(1/β))) instead of O(M): 10^4 points
  at M = 10^5, t ≤ 1e4 take a few ms.

**Guarantee: relative error ≤ 1e-12 for all t ∈ [0, 1e8], M ≤ 1e7, β ∈ (1, 8], s ∈ (0, 8],
as long as the value is ≥ 1e-290** (below that, subnormal terms lose relative precision;
the absolute error is still < 1e-300).  Tested against mpmath in tests/test_spectral.py
(observed: ≤ 2e-15).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..errors import InvalidParameterError
from ..task import PowerLawTask
from ._spectral_args import _check_task, _points
from .spectral_asymptotic import (
    asymptotic_window,
    forgetting_kernel_asymptotic,
    kernel_tail_asymptotic,
    signal_term_asymptotic,
)
from .spectral_mp import forgetting_kernel_mp, kernel_tail_mp, signal_term_mp

__all__ = [
    # exact finite-M sums (numba)
    "signal_term",
    "forgetting_kernel",
    "kernel_tail",
    # high-precision reference (mpmath)
    "signal_term_mp",
    "forgetting_kernel_mp",
    "kernel_tail_mp",
    # closed forms of docs/theory.md §4
    "signal_term_asymptotic",
    "forgetting_kernel_asymptotic",
    "kernel_tail_asymptotic",
    "asymptotic_window",
    # plain-numpy baseline (benchmarks)
    "spectral_sum_numpy",
]

_BLOCK = 256
_X_UNDERFLOW = 745.2  # exp(−x) == 0.0 in float64 for x above this


# ---------------------------------------------------------------------------- kernels
# Modes with x_j = 2tλ_j ≤ _X_SERIES are summed through the Taylor series of e^(−x):
#   Σ_{j≥J} w_j e^(−2tλ_j) = Σ_n (−x_J)^n/n! · P_n(J),   P_n(J) = Σ_{j≥J} w_j (λ_j/λ_J)^n,
# with x_J = 2tλ_J ≤ 2 and the normalised power sums P_n precomputed at breakpoints J.
# 2^_N_SERIES/_N_SERIES! < 1e-25 and Σ|terms| ≤ e^(x_J) P_0 ≤ e^(2x_J)·result, so the
# series loses at most a factor e⁴ ≈ 55 in relative rounding error (≈ 1.2e-14).
_X_SERIES = 2.0
_N_SERIES = 32


@njit(cache=True, inline="always")
def _weight(lam, wts, power, i):
    li = lam[i]
    if power == 0:
        return wts[i]
    if power == 1:
        return li
    return li * li


@njit(cache=True)
def _blocked_sum_desc(lam, wts, power, c, hi, lo):
    """``Σ_{i=lo}^{hi−1} w_i e^(−c λ_i)`` summed from i = hi−1 down to lo, in naive blocks of
    ``_BLOCK`` terms whose sums are Kahan-accumulated."""
    total = 0.0
    comp = 0.0
    j = hi - 1
    while j >= lo:
        stop = max(lo, j - _BLOCK + 1)
        blk = 0.0
        for i in range(j, stop - 1, -1):
            blk += _weight(lam, wts, power, i) * math.exp(-c * lam[i])
        y = blk - comp
        tt = total + y
        comp = (tt - total) - y
        total = tt
        j = stop - 1
    return total


@njit(cache=True)
def _power_sums(lam, wts, power, bp, nser):
    """``P[k, n] = Σ_{j ≥ bp[k]} w_j (λ_j/λ_{bp[k]})^n`` for breakpoints ``bp`` (increasing
    0-based mode indices, ``bp[-1] < M``), n < nser.  Each segment
    ``[bp[k], bp[k+1])`` is summed in Kahan-accumulated blocks, then the suffix is built by
    ``P[k] = S_k + (λ_{bp[k+1]}/λ_{bp[k]})^n P[k+1]``."""
    M = lam.size
    nb = bp.size
    P = np.zeros((nb, nser))
    tot = np.zeros(nser)
    comp = np.zeros(nser)
    blk = np.zeros(nser)
    for k in range(nb - 1, -1, -1):
        j0 = bp[k]
        j1 = bp[k + 1] if k + 1 < nb else M
        inv = 1.0 / lam[j0]
        tot[:] = 0.0
        comp[:] = 0.0
        j = j1 - 1
        while j >= j0:
            stop = max(j0, j - _BLOCK + 1)
            blk[:] = 0.0
            for i in range(j, stop - 1, -1):
                r = lam[i] * inv
                v = _weight(lam, wts, power, i)
                for n in range(nser):
                    blk[n] += v
                    v *= r
            for n in range(nser):
                y = blk[n] - comp[n]
                tt = tot[n] + y
                comp[n] = (tt - tot[n]) - y
                tot[n] = tt
            j = stop - 1
        if k + 1 < nb:
            r = lam[j1] * inv
            f = 1.0
            for n in range(nser):
                P[k, n] = tot[n] + f * P[k + 1, n]
                f *= r
        else:
            for n in range(nser):
                P[k, n] = tot[n]
    return P


@njit(cache=True, inline="always")
def _one_point(lam, wts, power, bp, P, t):
    """``Σ_j w_j e^(−2 t λ_j)``: direct sum over the modes with 2tλ_j > _X_SERIES that do
    not underflow, Taylor series over the rest (see the comment above ``_X_SERIES``)."""
    M = lam.size
    c = 2.0 * t
    # first mode whose exponential does not underflow (λ decreases in j)
    lo = 0
    if c * lam[0] > _X_UNDERFLOW:
        a, b = 0, M  # c*lam[a] > X; b == M or c*lam[b] <= X
        while b - a > 1:
            m = (a + b) // 2
            if c * lam[m] > _X_UNDERFLOW:
                a = m
            else:
                b = m
        lo = b
    # first breakpoint with c*lam[bp[k]] <= _X_SERIES (or nb if none)
    nb = bp.size
    a, b = -1, nb
    while b - a > 1:
        m = (a + b) // 2
        if c * lam[bp[m]] <= _X_SERIES:
            b = m
        else:
            a = m
    k = b
    hi = M
    tail = 0.0
    if k < nb:
        hi = bp[k]
        x = c * lam[hi]
        # Horner in −x with coefficients P[k, n]/n!
        acc = 0.0
        for n in range(P.shape[1] - 1, -1, -1):
            acc = acc * (-x) / (n + 1) + P[k, n]
        tail = acc
        if hi < lo:  # cannot happen (x ≤ 2 < 745) but keep the ranges consistent
            hi = lo
    if hi <= lo:
        return tail
    direct = _blocked_sum_desc(lam, wts, power, c, hi, lo)
    return direct + tail


@njit(cache=True, parallel=True)
def _spectral_sum_kernel(lam, wts, power, bp, P, points, scale, out):
    for i in prange(points.size):
        out[i] = scale * _one_point(lam, wts, power, bp, P, points[i])


@njit(cache=True)
def _spectral_sum_serial(lam, wts, power, bp, P, points, scale, out):
    """Serial twin for a few points (a parallel launch costs more than it saves)."""
    for i in range(points.size):
        out[i] = scale * _one_point(lam, wts, power, bp, P, points[i])


# Below this many directly summed terms (≈ 5 ms of serial work) the serial kernel is
# used: waking the thread pool costs more than it saves, especially on a loaded machine.
_PARALLEL_MIN_WORK = 1_000_000


def _direct_work(beta: float, M: int, t: np.ndarray) -> float:
    """Estimated number of directly summed terms: modes with 2tλ_j > _X_SERIES per point."""
    return float(np.sum(np.minimum(M, (2.0 * t / _X_SERIES) ** (1.0 / beta) + 64.0)))


def _breakpoints(M: int) -> np.ndarray:
    """0-based mode indices at which the series tails start: every mode up to 64, then
    geometric with ratio ≈ 1.03 (so at most ~3% extra modes are summed directly)."""
    g = np.unique(np.round(np.geomspace(64, max(M, 64), 80 * max(1, int(np.log10(M)) + 1))))
    bp = np.unique(np.concatenate((np.arange(min(M, 64)), g.astype(np.int64) - 1)))
    return bp[(bp >= 0) & (bp < M)].astype(np.int64)


_SERIES_CACHE: dict = {}


def _series_tables(task: PowerLawTask, power: int, wts: np.ndarray):
    key = (task.beta, task.s if power == 0 else None, task.modes, power)
    hit = _SERIES_CACHE.get(key)
    if hit is None:
        bp = _breakpoints(task.modes)
        P = _power_sums(task.lambdas, wts, power, bp, _N_SERIES)
        if len(_SERIES_CACHE) > 32:
            _SERIES_CACHE.clear()
        hit = _SERIES_CACHE[key] = (bp, P)
    return hit


def _evaluate(task, x, name, power, weights, scale) -> np.ndarray:
    task = _check_task(task)
    a = _points(name, x)
    flat = np.ascontiguousarray(a.ravel())
    out = np.empty(flat.size)
    bp, P = _series_tables(task, power, weights)
    parallel = _direct_work(task.beta, task.modes, flat) >= _PARALLEL_MIN_WORK
    kernel = _spectral_sum_kernel if parallel else _spectral_sum_serial
    kernel(task.lambdas, weights, power, bp, P, flat, scale, out)
    return out.reshape(a.shape)


_EMPTY = np.empty(0)


# ---------------------------------------------------------------------------- exact sums
def signal_term(task: PowerLawTask, t) -> np.ndarray:
    """Signal term ``e(t) = ½ Σ_{j=1}^{M} j^(−(1+sβ)) e^(−2 j^(−β) t)`` (docs/theory.md §3).

    Parameters
    ----------
    task : PowerLawTask
    t : array_like
        Intrinsic times ``t ≥ 0`` (any shape).

    Returns
    -------
    ndarray of the same shape as ``t`` (shape ``(1,)`` for a scalar, as
    ``np.atleast_1d``).  ``e(0)`` is the initial excess risk.

    Notes
    -----
    Exact finite-M sum, compiled, parallel over points; relative error ≤ 1e-12 for
    t ≤ 1e8, M ≤ 1e7 (module docstring, *Accuracy*).  Cost O(M) per point (modes whose
    exponential underflows are skipped).

    Examples
    --------
    >>> task = PowerLawTask(2.0, 0.5, modes=1000)
    >>> bool(abs(signal_term(task, 0.0) / task.initial_risk - 1) < 1e-14)
    True
    """
    task = _check_task(task)
    return _evaluate(task, t, "t", 0, task.signal_weights, 0.5)


def forgetting_kernel(task: PowerLawTask, u) -> np.ndarray:
    """Noise-forgetting kernel ``K(u) = Σ_{j=1}^{M} j^(−2β) e^(−2 j^(−β) u)`` (docs/theory.md §3).

    ``K(0) = Σ_j j^(−2β)`` (→ ζ(2β) as M → ∞).  Same accuracy and cost as
    :func:`signal_term`.

    >>> task = PowerLawTask(2.0, 0.5, modes=10)
    >>> bool(abs(forgetting_kernel(task, 0.0) - sum(j**-4.0 for j in range(1, 11))) < 1e-15)
    True
    """
    return _evaluate(task, u, "u", 2, _EMPTY, 1.0)


def kernel_tail(task: PowerLawTask, u) -> np.ndarray:
    """Kernel tail ``∫_u^∞ K = ½ Σ_{j=1}^{M} j^(−β) e^(−2 j^(−β) u)`` (docs/theory.md §4, §5).

    ``kernel_tail(task, 0) = tr(Λ)/2`` (→ ζ(β)/2).  Same accuracy and cost as
    :func:`signal_term`.
    """
    return _evaluate(task, u, "u", 1, _EMPTY, 0.5)


def spectral_sum_numpy(task: PowerLawTask, t, which: str = "signal",
                       series: bool = False) -> np.ndarray:
    """Plain-numpy versions of the same finite sums (one vectorised sum per point).

    ``series=False``: the direct sum over all modes (smallest λ first) — the brute-force
    reference.  ``series=True``: the same algorithm as the compiled kernel (direct sum
    over the fast modes, Taylor series with the cached power sums for the slow ones) —
    the baseline of benchmarks/bench_spectral.py.
    """
    task = _check_task(task)
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    lam = task.lambdas
    if which == "signal":
        w, c, power = task.signal_weights, 0.5, 0
    elif which == "kernel":
        w, c, power = lam * lam, 1.0, 2
    elif which == "tail":
        w, c, power = lam, 0.5, 1
    else:
        raise InvalidParameterError(f"which must be 'signal', 'kernel' or 'tail', got {which!r}")
    if not series:
        lr, wr = lam[::-1], w[::-1]
        return np.array([c * np.sum(wr * np.exp(-2.0 * lr * ti)) for ti in t])
    bp, P = _series_tables(task, power, task.signal_weights if power == 0 else _EMPTY)
    rev, rev_bp = lam[::-1], lam[bp][::-1]  # increasing views, for binary search
    M, nb = lam.size, bp.size
    inv_fact = 1.0 / np.cumprod(np.concatenate(([1.0], np.arange(1.0, P.shape[1]))))
    out = np.empty(t.size)
    for i, ti in enumerate(t):
        x = 2.0 * ti
        # lo: first mode with x λ_j ≤ 745.2; k: first breakpoint with x λ ≤ _X_SERIES
        lo = M - int(np.searchsorted(rev, _X_UNDERFLOW / x, side="right")) if x > 0 else 0
        k = nb - int(np.searchsorted(rev_bp, _X_SERIES / x, side="right")) if x > 0 else 0
        tail, hi = 0.0, lam.size
        if k < bp.size:
            hi = int(bp[k])
            xj = x * lam[hi]
            tail = float(np.sum(P[k] * inv_fact * (-xj) ** np.arange(P.shape[1])))
        seg = slice(lo, max(lo, hi))
        out[i] = c * (np.sum(w[seg][::-1] * np.exp(-x * lam[seg][::-1])) + tail)
    return out

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
  sums in mpmath at ``precision`` significant digits (the reference used by the tests).
* :func:`signal_term_asymptotic`, :func:`forgetting_kernel_asymptotic`,
  :func:`kernel_tail_asymptotic` — the closed forms of docs/theory.md §4 (sum replaced by its
  integral, Gamma-function constants), optionally with the finite-M tail correction;
  :func:`asymptotic_window` derives, from the same formulas, the range of t over which the
  closed form is expected to hold to a given tolerance.

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

import mpmath
import numpy as np
from numba import njit, prange

from ..errors import InvalidParameterError, check_range
from ..task import PowerLawTask

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


# ---------------------------------------------------------------------------- helpers
def _check_task(task) -> PowerLawTask:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    return task


def _points(name: str, x) -> np.ndarray:
    """Validate an array of evaluation points: finite and ≥ 0."""
    try:
        a = np.atleast_1d(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} must be real numbers in [0, inf), got {x!r}"
        ) from None
    bad = ~np.isfinite(a) | (a < 0)
    if np.any(bad):
        v = a[bad].flat[0]
        raise InvalidParameterError(f"{name} must be finite and in [0, inf), got {v!r}")
    return a


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


# ---------------------------------------------------------------------------- mpmath
# Modes beyond this index are summed by mpmath's Euler–Maclaurin summation (mpmath.sumem),
# whose error for these smooth summands is far below the working precision (the summand
# varies on the scale j, so the Bernoulli remainder after n terms is ~ (n/(2πj))^(2n)).
_MP_DIRECT = 20_000


def _mp_sum(task: PowerLawTask, x, p_exp: mpmath.mpf, scale, precision: int, direct: int):
    """``scale · Σ_{j=1}^{M} j^(−p_exp) exp(−2 x j^(−β))`` at ``precision`` digits."""
    task = _check_task(task)
    precision = int(check_range("precision", precision, 15, 1000))
    a = _points("t" if scale == 0.5 else "u", x)
    out = np.empty(a.shape, dtype=object)
    M = task.modes
    with mpmath.workdps(precision + 10):
        beta = mpmath.mpf(task.beta)
        pe = mpmath.mpf(p_exp)
        for idx, xv in np.ndenumerate(a):
            c = 2 * mpmath.mpf(float(xv))

            def f(j, c=c):
                return mpmath.power(j, -pe) * mpmath.exp(-c * mpmath.power(j, -beta))

            n_direct = min(M, direct)
            s = mpmath.fsum(f(mpmath.mpf(j)) for j in range(1, n_direct + 1))
            if M > n_direct:
                s += mpmath.sumem(f, [n_direct + 1, M])
            out[idx] = +(scale * s)
    with mpmath.workdps(precision):
        for idx in np.ndindex(out.shape):
            out[idx] = +out[idx]
    return out


def signal_term_mp(task: PowerLawTask, t, precision: int = 30,
                   direct: int = _MP_DIRECT) -> np.ndarray:
    """:func:`signal_term` in mpmath at ``precision`` significant digits (object array of
    ``mpf``).

    The first ``direct`` modes are summed term by term (``mpmath.fsum``); the rest, if
    ``M > direct``, by Euler–Maclaurin summation (``mpmath.sumem``), which is accurate to
    the working precision for these smooth, slowly varying summands.  The working precision
    is a ``mpmath.workdps`` context (``precision + 10`` guard digits).
    """
    task = _check_task(task)
    return _mp_sum(task, t, 1.0 + task.s * task.beta, 0.5, precision, direct)


def forgetting_kernel_mp(task: PowerLawTask, u, precision: int = 30,
                         direct: int = _MP_DIRECT) -> np.ndarray:
    """:func:`forgetting_kernel` in mpmath at ``precision`` digits (see
    :func:`signal_term_mp`)."""
    task = _check_task(task)
    return _mp_sum(task, u, 2.0 * task.beta, 1.0, precision, direct)


def kernel_tail_mp(task: PowerLawTask, u, precision: int = 30,
                   direct: int = _MP_DIRECT) -> np.ndarray:
    """:func:`kernel_tail` in mpmath at ``precision`` digits (see :func:`signal_term_mp`)."""
    task = _check_task(task)
    return _mp_sum(task, u, task.beta, 0.5, precision, direct)


# ---------------------------------------------------------------------------- §4 closed forms
def _shape(task: PowerLawTask, which: str) -> tuple[float, float]:
    """``(c, p)`` with sum = c Σ j^(−(1+pβ)) e^(−2t j^(−β)) (module docstring)."""
    b = task.beta
    if which == "signal":
        return 0.5, task.s
    if which == "kernel":
        return 1.0, 2.0 - 1.0 / b
    if which == "tail":
        return 0.5, 1.0 - 1.0 / b
    raise InvalidParameterError(f"which must be 'signal', 'kernel' or 'tail', got {which!r}")


def _asymptotic(task: PowerLawTask, x, which: str, finite_m: bool, name: str) -> np.ndarray:
    task = _check_task(task)
    a = _points(name, x)
    c, p = _shape(task, which)
    b = task.beta
    with np.errstate(divide="ignore"):
        main = c * math.gamma(p) / b * (2.0 * a) ** (-p)
    if finite_m:
        main = main - c * float(task.modes) ** (-p * b) / (p * b)
    return main


def signal_term_asymptotic(task: PowerLawTask, t, finite_m: bool = True) -> np.ndarray:
    """Closed form of docs/theory.md §4: ``e(t) ≈ Γ(s)/(2β) (2t)^(−s) − M^(−sβ)/(2sβ)``.

    The first term is the M = ∞ integral (exact for the integral, asymptotic for the sum
    as t → ∞); the second (``finite_m=True``) is the missing tail
    ``½ Σ_{j>M} j^(−(1+sβ)) ≈ M^(−sβ)/(2sβ)``, valid for ``t ≪ M^β``.  See
    :func:`asymptotic_window` for where the approximation holds.
    """
    return _asymptotic(task, t, "signal", finite_m, "t")


def forgetting_kernel_asymptotic(task: PowerLawTask, u, finite_m: bool = True) -> np.ndarray:
    """Closed form of docs/theory.md §4: ``K(u) ≈ Γ(2 − 1/β)/β (2u)^(−(2−1/β)) − M^(1−2β)/(2β − 1)``
    (the second term only with ``finite_m=True``: the missing tail ``Σ_{j>M} λ_j²``)."""
    return _asymptotic(task, u, "kernel", finite_m, "u")


def kernel_tail_asymptotic(task: PowerLawTask, u, finite_m: bool = True) -> np.ndarray:
    """Closed form of docs/theory.md §4: ``∫_u^∞ K ≈ Γ(2−1/β)/(2β(1−1/β)) (2u)^(−(1−1/β))
    − M^(1−β)/(2(β − 1))`` (second term with ``finite_m=True``: the missing ``½Σ_{j>M} λ_j``).
    Note ``Γ(2−1/β)/(1−1/β) = Γ(1−1/β)``."""
    return _asymptotic(task, u, "tail", finite_m, "u")


def _solve_increasing(f, lo: float, hi: float) -> float:
    """Root of an increasing function on [lo, hi] by bisection in log space (f(lo) < 0)."""
    if f(hi) <= 0:
        return hi
    if f(lo) >= 0:
        return lo
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-10:
            break
    return math.sqrt(lo * hi)


def _em_constants(p: float, beta: float, kmax: int = 3) -> list[float]:
    """``I_k = ∫_0^∞ |g^(2k)(y)| dy`` for ``g(y) = y^(−a) e^(−y^(−β))``, a = 1 + pβ.

    ``g^(n)(y) = y^(−a−n) e^(−z) Q_n(z)`` with ``z = y^(−β)``, ``Q_0 = 1`` and
    ``Q_{n+1}(z) = (βz − a − n) Q_n(z) − βz Q_n'(z)`` (differentiate once more).  The
    integral of ``|g^(2k)|`` is the total variation of ``g^(2k−1)`` (which vanishes at both
    ends), summed on a fine logarithmic grid.
    """
    from numpy.polynomial import Polynomial

    a = 1.0 + p * beta
    y = np.geomspace(700.0 ** (-1.0 / beta), 1e8, 200_001)
    z = y ** (-beta)
    zpoly = Polynomial([0.0, beta])
    Q = Polynomial([1.0])
    out = []
    for n in range(2 * kmax):
        if n % 2 == 1:  # Q is Q_n with n = 2k − 1
            gn = y ** (-a - n) * np.exp(-z) * Q(z)
            out.append(float(np.sum(np.abs(np.diff(gn)))))
        Q = (zpoly - (a + n)) * Q - zpoly * Q.deriv()
    return out


def asymptotic_window(task: PowerLawTask, which: str = "signal",
                      tol: float = 0.01) -> tuple[float, float]:
    """Range ``[t_lo, t_hi]`` of t where the §4 closed form (with finite-M tail) matches
    the finite sum to relative accuracy ``tol``, derived from the §4 formulas.

    Write the sum as ``c Σ_{j=1}^{M} f(j)`` with ``f(j) = j^(−(1+pβ)) e^(−2t j^(−β))`` and
    ``A(t) = c Γ(p)/β (2t)^(−p) = c ∫_0^∞ f`` (the M = ∞ closed form).

    * **Lower end** (the sum approaches its integral).  By the Euler–Maclaurin formula with
      remainder, ``|Σ_{j≥1} f(j) − ∫_0^∞ f| ≤ 2ζ(2k)/(2π)^(2k) ∫|f^(2k)| + (terms at
      j = 1, all ∝ e^(−2t))``.  Scaling ``j = (2t)^(1/β) y`` gives
      ``∫|f^(2k)| = (2t)^(−p−2k/β) I_k`` with ``I_k = ∫|g^(2k)|``, ``g(y) = y^(−(1+pβ))
      e^(−y^(−β))`` (computed by :func:`_em_constants`), so the relative error is at most
      ``C_k (2t)^(−2k/β)``, ``C_k = 2ζ(2k)/(2π)^(2k) · I_k β/Γ(p)``.  ``t_lo`` is the
      smallest t where ``min_{k≤3} C_k (2t)^(−2k/β) ≤ tol/2``, and at least 30 (so the
      j = 1 boundary terms, ∝ e^(−2t) ≤ e^(−60), are negligible).
    * **Upper end** (the finite-M correction stops being small).  The §4 correction
      ``c M^(−pβ)/(pβ)`` assumes ``e^(−2tλ_j) ≈ 1`` for all j > M; the next term of that
      expansion is ``c Σ_{j>M} f(j)·2tλ_j ≈ 2ct M^(−(p+1)β)/((p+1)β)``.  ``t_hi`` is the
      first t where (a) that neglected term exceeds ``tol/10`` of ``A(t)``, or (b) the
      correction itself exceeds half of ``A(t)`` (beyond that the closed form is a
      difference of nearly equal terms and the power law is no longer visible), capped at
      ``t = 1e8``.

    Returns ``(t_lo, t_hi)``; the window may be empty (``t_hi ≤ t_lo``) for small M.
    """
    task = _check_task(task)
    tol = check_range("tol", tol, 0.0, 0.5, low_open=True)
    c, p = _shape(task, which)
    b, M = task.beta, float(task.modes)
    t_lo = math.inf
    for k, I_k in enumerate(_em_constants_cached(p, b), start=1):
        C_k = 2.0 * float(mpmath.zeta(2 * k)) / (2.0 * math.pi) ** (2 * k) * I_k * b / math.gamma(p)
        t_lo = min(t_lo, 0.5 * (C_k / (tol / 2.0)) ** (b / (2.0 * k)))
    t_lo = max(t_lo, 30.0)

    def A(t):
        return c * math.gamma(p) / b * (2.0 * t) ** (-p)

    corr = c * M ** (-p * b) / (p * b)

    def f_next(t):  # increasing in t
        return 2.0 * c * t * M ** (-(p + 1.0) * b) / ((p + 1.0) * b) - tol / 10.0 * A(t)

    def f_corr(t):
        return corr - 0.5 * A(t)

    t_hi = min(_solve_increasing(f_next, 1e-12, 1e8), _solve_increasing(f_corr, 1e-12, 1e8))
    return t_lo, t_hi


_EM_CACHE: dict = {}


def _em_constants_cached(p: float, beta: float) -> list[float]:
    key = (p, beta)
    if key not in _EM_CACHE:
        _EM_CACHE[key] = _em_constants(p, beta)
    return _EM_CACHE[key]

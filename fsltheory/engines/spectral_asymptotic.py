"""Closed forms of docs/theory.md §4 for the spectral sums of §3 — the sum replaced by its
integral (Gamma-function constants), optionally with the finite-M tail correction — and
:func:`asymptotic_window`, the range of t where they hold to a given tolerance, bounded with
Euler–Maclaurin constants (:func:`_em_constants`).  Every sum has the shape
``c Σ_{j=1}^{M} j^(−(1+pβ)) exp(−2 t j^(−β))`` of the :mod:`fsltheory.engines.spectral`
docstring.  Re-exported by :mod:`fsltheory.engines.spectral`."""

from __future__ import annotations

import math

import mpmath
import numpy as np

from ..errors import InvalidParameterError, check_range
from ..task import PowerLawTask
from ._spectral_args import _check_task, _points

__all__ = [
    "signal_term_asymptotic",
    "forgetting_kernel_asymptotic",
    "kernel_tail_asymptotic",
    "asymptotic_window",
]


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

"""Spectral sums of spec §3: the signal term e(t) and the noise-forgetting kernel K(u).

    e(t) = ½ Σ_j λ_j (θ*_j)² e^(−2 λ_j t),        K(u) = Σ_j λ_j² e^(−2 λ_j u)

(PLACEHOLDER implementation in plain numpy; the engines issue replaces it with numba
kernels and an mpmath reference, keeping these signatures.)
"""

from __future__ import annotations

import numpy as np

from ..task import PowerLawTask

__all__ = ["signal_term", "forgetting_kernel"]


def signal_term(task: PowerLawTask, t) -> np.ndarray:
    """``e(t) = ½ Σ_j j^(−(1+sβ)) exp(−2 j^(−β) t)`` for an array of intrinsic times t ≥ 0."""
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    lam = task.lambdas[::-1]
    w = task.signal_weights[::-1]
    return np.array([0.5 * np.sum(w * np.exp(-2.0 * lam * ti)) for ti in t])


def forgetting_kernel(task: PowerLawTask, u) -> np.ndarray:
    """``K(u) = Σ_j j^(−2β) exp(−2 j^(−β) u)`` for an array of lags u ≥ 0."""
    u = np.atleast_1d(np.asarray(u, dtype=np.float64))
    lam = task.lambdas[::-1]
    return np.array([np.sum(lam**2 * np.exp(-2.0 * lam * ui)) for ui in u])

"""Water-filling on a log grid of remaining time: the inner problem of the continuous
optimum (docs/theory.md §5, C-OPT-EASY / C-OPT-HARD; ``docs/theory.md §5``)."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ..engines.spectral import kernel_tail
from ..task import PowerLawTask


class _Grid:
    """Log grid of remaining time ``u`` with the kernel tail precomputed at its nodes."""

    def __init__(self, task: PowerLawTask, lr: float, u_max: float, per_decade: int):
        # Whole decades from u_lo = η/16 up past u_max, ``per_decade`` cells each, so that
        # doubling per_decade refines every cell into two (nested grids).
        u_lo = lr / 16.0
        decades = max(1, int(math.ceil(math.log10(u_max / u_lo) - 1e-12)))
        self.nodes = np.concatenate(
            ([0.0], u_lo * 10.0 ** (np.arange(decades * per_decade + 1) / per_decade)))
        self.kt = kernel_tail(task, self.nodes)
        self.task = task

    def cells(self, T: float, kt_T: float):
        m = int(np.searchsorted(self.nodes, T, side="left"))
        nodes = np.append(self.nodes[:m], T)
        kt = np.append(self.kt[:m], kt_T)
        du = np.diff(nodes)
        dk = np.maximum(-np.diff(kt), 0.0)
        return nodes, du, dk


def _waterfill(du, dk, total, b_min, b_max):
    """Minimise Σ dk_i / b_i subject to Σ du_i b_i = total, b_min ≤ b_i ≤ b_max.

    KKT: b_i = clip(c √(dk_i/du_i)), c the root of the increasing, piecewise-linear
    budget function ``used(c) = Σ du_i clip(c r_i) − total`` (:func:`scipy.optimize.brentq`
    in log c to relative 1e-14, then the exact linear solve on the final free set).
    Returns ``(b, noise_sum = Σ dk/b)``.
    """
    r = np.sqrt(np.maximum(dk, 1e-300) / du)
    bmax = np.inf if b_max is None else float(b_max)

    def used(c):
        return float(np.sum(du * np.clip(c * r, b_min, bmax)))

    # bracket: at lo every cell sits on the floor (used ≤ total since T ≤ ηD/b_min); at hi
    # every cell is at the cap, or the unclipped profile alone uses ≥ total
    lo = 0.5 * b_min / r.max()
    hi = 2.0 * max(b_min / r.min(), total / float(np.sum(du * r)))
    if b_max is not None:
        hi = max(hi, 2.0 * bmax / r.min())
    if used(hi) < total:  # all at b_max: the horizon is the shortest feasible one
        b = np.full_like(r, bmax)
    else:
        if used(lo) >= total:  # all on the floor (T = ηD/b_min up to rounding)
            c = lo
        else:
            c = math.exp(brentq(lambda lc: used(math.exp(lc)) - total, math.log(lo),
                                math.log(hi), xtol=1e-14, rtol=1e-14, maxiter=500))
        b = np.clip(c * r, b_min, bmax)
        free = (c * r > b_min) & (c * r < bmax)
        if np.any(free):  # exact linear solve on the free set
            rest = total - float(np.sum(du[~free] * b[~free]))
            c2 = rest / float(np.sum(du[free] * r[free]))
            b2 = np.clip(c2 * r, b_min, bmax)
            if np.array_equal((c2 * r > b_min) & (c2 * r < bmax), free):
                b = b2
    return b, float(np.sum(dk / b))


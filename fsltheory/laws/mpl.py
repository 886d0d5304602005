"""The Multi-Power Law (Luo et al., ICLR 2025, arXiv 2503.12811) — the peer baseline
(docs/theory.md §7).

    L(t) = L0 + A (S1(t) + S_W)^(−α) − B Σ_{k} (η_{k−1} − η_k) G(η_k^(−γ) S_k(t)),
    G(x) = 1 − (C x + 1)^(−β),

in raw learning-rate units: ``S_W`` is the warmup area (the sum of η over the leading
steps where η rises to its first peak), ``S1(t)`` the sum of η after the warmup,
``S_k(t) = Σ_{τ=k}^{t−1} η_τ`` the learning rate spent since drop k, and the drops
``η_{k−1} − η_k`` run over the post-warmup steps.  Rows in raw units let the paper's
published parameters be evaluated directly.  The law ignores the batch (it was designed
for constant-batch runs): two runs at different batches get the same prediction.

In FSL terms α plays s and the forgetting exponent β plays 1 − 1/β_task (G is the
cumulative noise-forgetting kernel), so :meth:`MPLLaw.regime` reports easy iff α ≥ β —
an analogy, not a property the MPL paper claims.

The law is linear in ``L0, A, B`` (the fit eliminates them by linear least squares and
searches only ``α, C, β, γ``).

Identifiability: a constant-LR run pins only ``L0``, ``A`` and ``α``; ``B, C, β, γ`` need
LR drops of several sizes (γ couples the kernel's speed to the LR after the drop).

Example
-------
>>> import numpy as np
>>> law = MPLLaw()
>>> lr = np.concatenate((np.linspace(3e-4 / 100, 3e-4, 100), np.full(900, 3e-4)))
>>> p = np.array([3.04, 0.525, 0.508, 363.788, 2.066, 0.583, 0.641])
>>> L = law.predict(p, lr, np.full(1000, 1), np.array([200, 999]))
>>> bool(3.04 < L[1] < L[0])
True
"""

from __future__ import annotations

import numpy as np

from ._memory import memory_sum
from .base import Law, array_key

__all__ = ["MPLLaw", "warmup_length"]


def warmup_length(lr: np.ndarray) -> int:
    """Index of the first peak: the learning rate rises (by more than 1e-9 relative) at
    every step before it (0 if it does not rise at first)."""
    lr = np.asarray(lr, dtype=np.float64)
    d = np.diff(lr)
    nonrise = np.flatnonzero(d <= 1e-9 * np.abs(lr[:-1]))
    return int(nonrise[0]) if nonrise.size else int(lr.size - 1)


class MPLLaw(Law):
    """Multi-Power Law (see the module docstring)."""

    name = "mpl"
    param_names = ("L0", "A", "alpha", "B", "C", "beta", "gamma")
    log_params = frozenset({"A", "B", "C"})
    linear_params = ("L0", "A", "B")
    identifiability = (
        "a constant-LR run pins only L0, A and alpha; B, C, beta and gamma need LR drops "
        "of several sizes; the law ignores the batch"
    )

    def __init__(self) -> None:
        super().__init__()

    @classmethod
    def from_data(cls, runs, **options) -> MPLLaw:
        return cls()

    def bounds(self, runs):
        lmin = min(float(r.obs_loss.min()) for r in runs)
        lmax = max(float(r.obs_loss.max()) for r in runs)
        peak = max(float(np.max(r.lr)) for r in runs)
        lo = np.array([0.0, 1e-6 * lmax, 0.02, 1e-6 * lmax / peak, 1e-4, 0.02, 0.0])
        hi = np.array([lmin, 1e4 * lmax, 3.0, 1e4 * lmax / peak, 1e4, 3.0, 1.5])
        return lo, hi

    def initial(self, runs):
        lmin = min(float(r.obs_loss.min()) for r in runs)
        lmax = max(float(r.obs_loss.max()) for r in runs)
        peak = max(float(np.max(r.lr)) for r in runs)
        # B·peak ≈ a tenth of the loss range, C·peak^(−γ)·peak ≈ 0.5 per step at peak
        return np.array([0.8 * lmin, 0.2 * lmax, 0.5, 0.1 * (lmax - lmin) / peak + 1e-9,
                         2.0, 0.6, 0.6])

    def basis(self, params, lr, batch, steps):
        """Columns multiplying the linear parameters ``(L0, A, B)``:
        ``[1, (S1 + S_W)^(−α), −Σ drops·G]``."""
        alpha, C, beta, gam = (float(params[i]) for i in (2, 4, 5, 6))
        steps = np.asarray(steps, dtype=np.int64)
        key = array_key(lr, steps)

        def axes():
            lr_ = np.asarray(lr, dtype=np.float64)
            W = warmup_length(lr_)
            T = np.concatenate(([0.0], np.cumsum(lr_)))
            drop = np.zeros(lr_.size)
            drop[W + 1:] = lr_[W:-1] - lr_[W + 1:]
            src = np.flatnonzero(drop != 0.0)
            cum = np.cumsum(drop)[np.minimum(steps, lr_.size - 1)]
            return lr_, T[steps], drop, src, cum

        lr_, Ts, drop, src, cum = self._cached(key, axes)

        def ld():
            if src.size == 0:
                return np.zeros(steps.size)
            a = C * lr_[src] ** (-gam)
            return cum - memory_sum(lr_, src, drop[src], a, beta, steps)

        LD = self._cached(key + (C, beta, gam), ld)
        return np.column_stack((np.ones(steps.size), np.maximum(Ts, 1e-300) ** (-alpha), -LD))

    def predict(self, params, lr, batch, steps):
        p = np.asarray(params, dtype=np.float64)
        return self.basis(p, lr, batch, steps) @ p[[0, 1, 3]]

    def regime(self, params):
        return "easy" if float(params[2]) >= float(params[5]) else "hard"

    def exponents(self, params):
        return {"s": float(params[2]), "one_minus_inv_beta": float(params[5])}

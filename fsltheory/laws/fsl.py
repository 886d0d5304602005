"""The batch-aware practical FSL ansatz — the default fitted law (docs/theory.md §7).

With intrinsic time measured in steps at the reference learning rate,
``u_k = Σ_{j<k} η_j / η_ref``, and the dimensionless noise rate

    r_k = (η_k / η_ref) · (b_ref / b_k)^κ        (κ = 1: SGD's η/b; κ = ½: the √ rule)

the law is

    L(k) = L0 + c1 (1 + u_k)^(−s)
              + c2 (c3 + (1 + u_k)^(−s)) Σ_{i≤k} (r_i − r_{i−1}) [1 − (1 + c4 (u_k − u_i))^(−γ)],

with ``r_{−1} = 0``.  It is equation (V) of docs/theory.md §3 integrated by parts with a
power-law signal ``e ∝ t^(−s)`` and a power-law kernel whose integral is
``1 − (1 + c4 u)^(−γ)`` (γ plays ``1 − 1/β``): each change of the noise rate ``η/b``
starts a response that saturates as the kernel forgets; ``c3`` is the additive (σ²) part
of the noise and ``(1 + u)^(−s)`` the multiplicative part ``E(t)``.  With a constant batch
``r`` is the learning rate up to a constant and the law is the ansatz of 2509.19189
App. B.2, with two deliberate differences:

* **The multiplicative weight is read at the current time**, ``c3 + (1 + u_k)^(−s)``,
  not at the drop, ``c3 + T(i)^(−s)``.  The latter is the *warmup trap*: during a
  warmup ``T(i) → 0`` and ``T(i)^(−s)`` gives the first steps an unbounded, never-forgotten
  weight, so two runs differing only in warmup shape get different fits.  In (V) the
  noise injected at ``z`` is multiplied by ``E(z) + σ²/2`` and forgotten by the kernel, so
  after a lag of a few kernel times the response is weighted by ``E`` near ``t``: the
  current-time weight is the leading term (docs/theory.md §3).
  ``FSLLaw(..., weight="drop")`` evaluates the paper's weight instead (for comparison;
  benchmarks/bench_fit.py prints both on real runs).
* **The noise starts from zero** (``r_{−1} = 0``): the warmup's increases of ``η/b`` are
  sources like any other, so runs at different constant batches get different noise
  floors ``c2 c3 r`` — the batch-awareness — and no step is special.

The fitted parameters are ``(L0, c1, s, c2, c2c3, c4, γ)`` with ``c2c3 = c2·c3``, so the
law is linear in ``L0, c1, c2, c2c3`` (the fit eliminates them by linear least squares
and searches only ``s, c4, γ``).

Identifiability: from a single constant-LR, constant-batch run only ``L0 + c2c3 r``,
``c1 + c2 r`` and ``s`` are determined (the noise has no change to respond to after the
warmup); ``c4`` and ``γ`` need a change of ``η/b`` (an LR decay, a batch switch, or runs at
several batch sizes with a warmup), and ``c2c3`` vs ``c2`` needs two noise levels.

Example
-------
>>> import numpy as np
>>> law = FSLLaw(eta_ref=0.1, b_ref=8)
>>> p = np.array([0.1, 1.0, 0.5, 0.05, 0.025, 0.1, 0.5])
>>> lr = np.full(1001, 0.1); b = np.full(1001, 8)
>>> L = law.predict(p, lr, b, np.array([10, 1000]))
>>> bool(L[1] < L[0])
True
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ._memory import memory_sum
from .base import Law, array_key, reference_lr_batch

__all__ = ["FSLLaw"]


class FSLLaw(Law):
    """Batch-aware practical FSL ansatz (see the module docstring for the formula)."""

    name = "fsl"
    param_names = ("L0", "c1", "s", "c2", "c2c3", "c4", "gamma")
    log_params = frozenset({"c1", "c2", "c2c3", "c4"})
    linear_params = ("L0", "c1", "c2", "c2c3")
    identifiability = (
        "a single constant-LR constant-batch run pins only L0 + c2c3*r, c1 + c2*r and s; "
        "c4 and gamma need a change of lr/batch (decay, switch, or several batches); "
        "c2 vs c2c3 needs two noise levels"
    )

    def __init__(self, eta_ref: float, b_ref: float, kappa: float = 1.0,
                 weight: str = "current") -> None:
        if weight not in ("current", "drop"):
            raise InvalidParameterError(f"weight must be 'current' or 'drop', got {weight!r}")
        super().__init__(eta_ref=float(eta_ref), b_ref=float(b_ref), kappa=float(kappa),
                         weight=str(weight))

    @classmethod
    def from_data(cls, runs, **options) -> FSLLaw:
        eta, b = reference_lr_batch(runs)
        return cls(eta_ref=eta, b_ref=b, kappa=float(options.get("kappa", 1.0)),
                   weight=str(options.get("weight", "current")))

    def bounds(self, runs):
        lmin = min(float(r.obs_loss.min()) for r in runs)
        lmax = max(float(r.obs_loss.max()) for r in runs)
        lo = np.array([0.0, 1e-6 * lmax, 0.02, 1e-8 * lmax, 1e-8 * lmax, 1e-6, 0.02])
        hi = np.array([lmin, 1e4 * lmax, 3.0, 1e2 * lmax, 1e2 * lmax, 1e2, 0.98])
        return lo, hi

    def initial(self, runs):
        lmin = min(float(r.obs_loss.min()) for r in runs)
        lmax = max(float(r.obs_loss.max()) for r in runs)
        return np.array([0.5 * lmin, lmax, 0.5, 0.05 * lmax, 0.05 * lmax, 0.05, 0.5])

    def _time_noise(self, lr, batch):
        c = self.constants
        dt = np.asarray(lr, np.float64) / c["eta_ref"]
        r = dt * (c["b_ref"] / np.asarray(batch, np.float64)) ** c["kappa"]
        return dt, r

    def basis(self, params, lr, batch, steps):
        """Columns multiplying the linear parameters ``(L0, c1, c2, c2c3)``:
        ``[1, g, g·Q, Q]`` with ``g = (1 + u)^(−s)`` and ``Q = r − H``."""
        s, c4, gam = float(params[2]), float(params[5]), float(params[6])
        steps = np.asarray(steps, dtype=np.int64)
        key = array_key(lr, batch, steps)

        def axes():
            dt, r = self._time_noise(lr, batch)
            u = np.concatenate(([0.0], np.cumsum(dt)))[steps]
            dr = np.diff(np.concatenate(([0.0], r)))
            src = np.flatnonzero(dr != 0.0)
            rk = r[np.minimum(steps, r.size - 1)]
            return dt, u, dr, src, rk

        dt, u, dr, src, rk = self._cached(key, axes)
        H = self._cached(key + (c4, gam), lambda: memory_sum(dt, src, dr[src], c4, gam, steps))
        g = (1.0 + u) ** (-s)
        Q = rk - H
        if self.constants.get("weight", "current") == "current":
            return np.column_stack((np.ones_like(g), g, g * Q, Q))
        # the paper's weight read at the drop: Σ Δr_i (1 + u_i)^(−s) [1 − kernel]
        ui = np.concatenate(([0.0], np.cumsum(dt)))[src]
        qi = dr[src] * (1.0 + ui) ** (-s)
        csum = np.cumsum(qi)
        idx = np.searchsorted(src, steps, side="right") - 1
        cum = np.where(idx >= 0, csum[np.maximum(idx, 0)], 0.0)
        Hg = self._cached(key + (c4, gam, s, "drop"),
                          lambda: memory_sum(dt, src, qi, c4, gam, steps))
        return np.column_stack((np.ones_like(g), g, cum - Hg, Q))

    def predict(self, params, lr, batch, steps):
        p = np.asarray(params, dtype=np.float64)
        return self.basis(p, lr, batch, steps) @ p[[0, 1, 3, 4]]

    def regime(self, params):
        s, gam = float(params[2]), float(params[6])
        return "easy" if s >= gam else "hard"

    def exponents(self, params):
        return {"s": float(params[2]), "one_minus_inv_beta": float(params[6]),
                "beta": 1.0 / (1.0 - float(params[6]))}

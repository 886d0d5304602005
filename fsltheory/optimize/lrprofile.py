"""The FSL objective under a fixed learning-rate profile, in data coordinates
(``docs/theory.md §7``).

With an LR profile ``φ`` over the data fraction (``η(p) = η_peak φ(p/D)``) and a batch
schedule ``b(p)`` over the data ``p ∈ [0, D]``, intrinsic time is
``t(p) = ∫_0^p η(q)/b(q) dq`` and the σ²-dominated FSL of ``docs/theory.md §5, §7`` is

    J[b] = e(T) + (σ²/2) ∫_0^T K(T − t) γ(t) dt,     γ = η/b,  T = t(D).

The data budget is built in (the variable is ``b(p)``), so the only constraints are the
batch bounds.  Data is cut into cells (uniform in ``p`` plus log-spaced in the remaining
data ``D − p``, so the end of training is resolved down to one batch; the profile's
kinks and the stage boundaries are nodes); on a cell ``b`` is constant and ``η`` is the
cell average of ``η_peak φ`` (3-point Gauss–Legendre), and the FSL is integrated exactly
through the kernel tail: a cell is a run of ``Δp/b`` (fractional) steps.  Per-step
effects (the LR is read at each step's first sample, a final partial batch) are
``O(b/D)`` and left out; :func:`fsl_stages_risk` agrees with :func:`fsl_risk` of the
realised per-step schedule to ``~1e-4`` (tested).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..engines.spectral import forgetting_kernel, kernel_tail, signal_term
from ..errors import InvalidParameterError, check_int_range, check_range
from ..task import PowerLawTask
from ._common import _check_task
from .objective import _fsl_runs_many

__all__ = ["fsl_stages_risk"]

# Gauss–Legendre nodes/weights on [0, 1] (3 points: exact for quintics)
_GL_X = 0.5 + 0.5 * np.array([-np.sqrt(0.6), 0.0, np.sqrt(0.6)])
_GL_W = np.array([5.0, 8.0, 5.0]) / 18.0


def _as_profile(lr_schedule):
    """The LR profile of ``lr_schedule`` (``str``, ``LRProfile`` or ``None``), or ``None``
    when it is constant (then the constant-LR code paths apply unchanged)."""
    if lr_schedule is None or (isinstance(lr_schedule, str) and lr_schedule.strip() == "const"):
        return None
    if isinstance(lr_schedule, str):
        from ..lr import as_lr_profile

        prof = as_lr_profile(lr_schedule)
    else:  # an LRProfile (anything with .profile and .is_constant)
        prof = lr_schedule
    if prof.is_constant:
        return None
    if getattr(prof, "is_table", False):
        raise InvalidParameterError(
            "lr_schedule must be a shape (const|cosine|linear|wsd:F[...]) for the optimiser; "
            "table LR schedules (CSV or arrays) are only supported by simulate")
    return prof


def _profile_name(prof) -> str:
    return "const" if prof is None else prof.format()


def _kinks(prof) -> list[float]:
    """Data fractions where ``φ`` has a kink (warmup end, start of a WSD decay)."""
    out = []
    w = float(getattr(prof, "warmup", 0.0) or 0.0)
    if 0.0 < w < 1.0:
        out.append(w)
    if getattr(prof, "shape", "") == "wsd":
        f = float(getattr(prof, "decay", 0.0))
        if 0.0 < f < 1.0:
            out.append(1.0 - f)
    return out


def _data_nodes(D: int, b_end: int, prof, per_decade: int, uniform: int,
                extra: Sequence[float] = ()) -> np.ndarray:
    """Cell edges in data ``0 = p_0 < … < p_C = D``: ``uniform`` equal cells, log-spaced
    remaining data ``D − p`` from one final batch ``b_end`` up (``per_decade`` per decade),
    the profile's kinks and ``extra`` points (stage boundaries)."""
    D = float(D)
    r_lo = min(float(b_end), D)
    n_log = max(2, int(np.ceil(per_decade * np.log10(D / r_lo))) + 1)
    pts = [np.linspace(0.0, D, uniform + 1), D - np.geomspace(r_lo, D, n_log),
           D * np.asarray(_kinks(prof) if prof is not None else [], dtype=float),
           np.asarray(extra, dtype=float)]
    nodes = np.unique(np.clip(np.concatenate(pts), 0.0, D))
    # drop slivers (< 1e-9 of D) that float noise would create next to an inserted point
    keep = np.concatenate(([True], np.diff(nodes) > 1e-9 * D))
    nodes = nodes[keep]
    nodes[-1] = D
    return nodes


def _phi_mean(prof, nodes: np.ndarray, D: float) -> np.ndarray:
    """Cell averages of ``φ`` over ``[p_c, p_{c+1}]`` (Gauss–Legendre, 3 points)."""
    a, h = nodes[:-1], np.diff(nodes)
    if prof is None:
        return np.ones(a.size)
    x = (a[:, None] + h[:, None] * _GL_X[None, :]) / D
    return prof.profile(np.clip(x, 0.0, 1.0)) @ _GL_W


def _stage_runs(D: int, lr: float, prof, batches: Sequence[int], switches: Sequence[float],
                per_decade: int, uniform: int):
    """Run table ``(η_c, b_c, n_c)`` of the data cells of a staged schedule: stage ``i``
    uses ``batches[i]`` on ``[P_{i−1}, P_i)`` (``P_0 = 0``, switches ``P_i``, ``P_k = D``)."""
    sw = np.asarray(switches, dtype=float)
    nodes = _data_nodes(D, batches[-1], prof, per_decade, uniform, sw)
    eta = lr * _phi_mean(prof, nodes, float(D))
    mid = 0.5 * (nodes[:-1] + nodes[1:])
    b = np.asarray(batches, dtype=float)[np.searchsorted(sw, mid, side="right")]
    keep = eta > 0.0  # a zero-LR cell (φ = 0 at the very end or start) does nothing
    return eta[keep], b[keep], (np.diff(nodes) / b)[keep]


def fsl_stages_risk(
    task: PowerLawTask, budget: int, lr: float, batches: Sequence[int], switch_samples,
    lr_schedule=None, *, per_decade: int = 32, uniform: int = 128,
) -> np.ndarray:
    """FSL final risk of staged batch schedules under an LR profile (``docs/theory.md §7``).

    Parameters
    ----------
    task : PowerLawTask
    budget : int
        Data budget ``D``.
    lr : float
        Peak learning rate ``η_peak``.
    batches : sequence of int
        Batch of each stage.
    switch_samples : array_like, shape ``(k−1,)`` or ``(n, k−1)``
        Cumulative samples at each switch (one row per candidate schedule).
    lr_schedule : str, LRProfile or None
        The LR profile ``φ`` (``None``: constant).
    per_decade, uniform : int
        Data cells per decade of remaining data, and uniform cells.

    Returns
    -------
    ndarray, shape ``(n,)``
        ``J = e(T) + (σ²/2) Σ_c γ_c [Kt(u_{c+1}) − Kt(u_c)]`` on the data cells (module
        docstring): the data-continuum FSL of ``docs/theory.md §7``.

    Examples
    --------
    >>> from fsltheory import PowerLawTask
    >>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
    >>> J = fsl_stages_risk(task, 10_000, 0.2, [4, 32], [[0], [9000]], "cosine")
    >>> bool(J[1] < J[0])
    True
    """
    task = _check_task(task)
    budget = check_int_range("budget", budget, 1, None)
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    per_decade = check_int_range("per_decade", per_decade, 4, None)
    uniform = check_int_range("uniform", uniform, 1, None)
    prof = _as_profile(lr_schedule)
    batches = [int(b) for b in batches]
    sw = np.atleast_2d(np.asarray(switch_samples, dtype=float))
    if sw.shape[1] != len(batches) - 1 and not (len(batches) == 1 and sw.size == 0):
        raise InvalidParameterError(
            f"switch_samples must have {len(batches) - 1} columns (one per switch), got "
            f"shape {sw.shape}")
    if len(batches) == 1:
        sw = np.zeros((max(sw.shape[0], 1), 0))
    runs = [_stage_runs(budget, lr, prof, batches, row, per_decade, uniform) for row in sw]
    return _fsl_runs_many(task, runs)


# ============================================================================ continuum
class _DataProblem:
    """``min_b J[b]`` over data cells with ``b_min ≤ b ≤ b_max`` (module docstring), with
    the analytic gradient.  Variables ``z_c = log b_c``.

    With ``a_c = η_c Δp_c`` (intrinsic time per unit ``1/b``), ``x_c = 1/b_c``,
    remaining times ``u_c = Σ_{c' ≥ c} a_{c'} x_{c'}`` (``u_C = 0``, ``T = u_0``) and
    ``γ_c = η_c x_c``::

        J = e(u_0) + (σ²/2) Σ_c γ_c [Kt(u_{c+1}) − Kt(u_c)]
        ∂J/∂x_j = e'(T) a_j + (σ²/2) (η_j ΔKt_j + a_j (A_j − B_j)),
        A_j = Σ_{c ≤ j} γ_c K(u_c),   B_j = Σ_{c < j} γ_c K(u_{c+1})

    (``Kt' = −K``).
    """

    def __init__(self, task, D, lr, prof, per_decade, uniform, b_end):
        self.task, self.D, self.lr, self.prof = task, D, lr, prof
        self.nodes = _data_nodes(D, b_end, prof, per_decade, uniform)
        self.eta = lr * _phi_mean(prof, self.nodes, float(D))
        self.dp = np.diff(self.nodes)
        self.a = self.eta * self.dp
        self.noise = 0.5 * task.sigma**2
        self.n_eval = 0

    def times(self, z):
        x = np.exp(-z)
        dt = self.a * x
        u = np.concatenate((np.cumsum(dt[::-1])[::-1], [0.0]))
        return x, u

    def value(self, z) -> float:
        x, u = self.times(z)
        kt = kernel_tail(self.task, u)
        self.n_eval += 1
        return float(signal_term(self.task, [u[0]])[0]
                     + self.noise * np.sum(self.eta * x * (kt[1:] - kt[:-1])))

    def value_grad(self, z):
        x, u = self.times(z)
        kt = kernel_tail(self.task, u)
        K = forgetting_kernel(self.task, u)
        T = u[0]
        h = 1e-5 * T
        e0, ep, em = signal_term(self.task, [T, T + h, T - h])
        de = (ep - em) / (2 * h)
        gam = self.eta * x
        dkt = kt[1:] - kt[:-1]
        A = np.cumsum(gam * K[:-1])
        B = np.concatenate(([0.0], np.cumsum(gam * K[1:])[:-1]))
        gx = de * self.a + self.noise * (self.eta * dkt + self.a * (A - B))
        self.n_eval += 1
        return float(e0 + self.noise * np.sum(gam * dkt)), gx * (-x)  # dJ/dz = −x dJ/dx

    def solve(self, b_min: float, b_max: float | None, starts):
        from scipy.optimize import minimize

        hi = np.log(b_max) if b_max is not None else None
        bounds = [(np.log(b_min), hi)] * self.dp.size
        best = None
        for b0 in starts:
            z0 = np.clip(np.log(np.broadcast_to(np.asarray(b0, float), self.dp.shape)),
                         np.log(b_min), np.inf if hi is None else hi)
            res = minimize(self.value_grad, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                           options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-10})
            if best is None or res.fun < best.fun:
                best = res
        return np.exp(best.x), float(best.fun)

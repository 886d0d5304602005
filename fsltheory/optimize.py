"""Optimal batch-size schedules under a data budget (spec §5).

User guide
----------
The final excess risk of constant-learning-rate SGD with batch schedule ``b(t)`` in
intrinsic time ``t`` (spec §3) is, in the σ²-dominated FSL of spec §5,

    J[b] = e(T) + (σ²η/2) ∫_0^T K(T − t) / b(t) dt,        ∫_0^T b(t) dt = η D,

with the exact finite-M spectral sums ``e`` and ``K`` of spec §3.  This module answers
"which schedule minimises the final loss?" in three flavours:

* :func:`optimal_schedule` — the continuous optimum.  For a fixed horizon ``T`` the
  problem is convex in ``1/b`` and the KKT conditions give the clipped water-filling law
  ``b*(t) = clip(c √K(T − t), b_min, b_max)`` (C-OPT-EASY / C-OPT-HARD) with ``c`` set by
  the budget; ``T`` is then optimised in 1-D.  The result is rounded to an integer-batch
  :class:`~fsltheory.schedule.Schedule` (exact budget) and, for ``model="exact"`` or
  ``"volterra"``, refined on that engine by a parallel compass search over a
  low-dimensional parametrisation.
* :func:`optimal_switch` / :func:`optimal_stages` — the best two-stage / k-stage switch
  points for given batch sizes (C-SWITCH).
* :func:`compare_baselines` — the usual schedules on the same task and budget.
* :func:`switch_scaling`, :func:`continuous_scaling` — fitted exponents of ``D − P*``,
  ``T*`` and ``J*`` against ``D`` next to the predicted ones.

Discretisation of the continuous problem
----------------------------------------
Remaining time ``u = T − t`` is cut into cells on a grid that is log-spaced in ``u`` (so
the end of training, where the batch grows fastest, is resolved down to ``η/16``).  On each
cell the batch is constant and the FSL is integrated **exactly** through the kernel tail
``Kt(u) = ∫_u^∞ K = ½ Σ_j λ_j e^(−2 λ_j u)``.  Hence the grid optimum is the exact FSL
value of an admissible schedule, i.e. an *upper bound* on the continuous optimum, and
refining the grid (nested) can only lower it; the reported ``discretisation_error`` is
the drop when every cell is halved in log-width.

Example
-------
>>> from fsltheory import PowerLawTask
>>> from fsltheory.optimize import optimal_switch
>>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
>>> res = optimal_switch(task, 2**14, 0.2, 4, 64, progress=False)
>>> res.fraction > 0.5
True
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engines.exact import exact_risk_many, max_stable_lr, stability_q
from .engines.spectral import forgetting_kernel, kernel_tail, signal_term
from .errors import InvalidParameterError, UnstableScheduleError, check_int_range, check_range
from .schedule import Schedule
from .task import PowerLawTask

__all__ = [
    # results
    "ContinuousOptimum",
    "SwitchResult",
    "StagesResult",
    "BaselineRow",
    "ScalingResult",
    # solvers
    "optimal_schedule",
    "optimal_switch",
    "optimal_stages",
    "compare_baselines",
    # scaling studies
    "switch_scaling",
    "continuous_scaling",
    "predicted_exponents",
    # FSL model evaluation
    "fsl_risk",
    "fsl_risk_many",
    "fsl_two_stage",
    # generic searches
    "minimize_scalar",
    "minimize_integer",
    "compass_search",
    "MODELS",
]

MODELS = ("fsl", "volterra", "exact")

_GOLD = 0.5 * (3.0 - math.sqrt(5.0))


# ============================================================================ helpers
def _progress(total: int | None, desc: str, enabled: bool | None):
    """A tqdm bar on stderr; ``enabled=None`` means "only if stderr is a terminal"."""
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, desc=desc, file=sys.stderr, disable=not enabled, leave=False)


def _check_model(model: str) -> str:
    if model not in MODELS:
        raise InvalidParameterError(f"model must be one of {list(MODELS)}, got {model!r}")
    if model == "volterra":
        _volterra_engine()
    return model


def _volterra_engine() -> Callable:
    try:
        from .engines.volterra import volterra_risk
    except ImportError:
        raise InvalidParameterError(
            "model 'volterra' needs the Volterra engine (fsltheory.engines.volterra), which "
            "is not available in this build; use model 'fsl' or 'exact'"
        ) from None
    return volterra_risk


def _check_task(task: PowerLawTask) -> PowerLawTask:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    if task.sigma <= 0:
        raise InvalidParameterError(
            f"task.sigma must be in (0, inf) for batch-size scheduling (spec §5 is about the "
            f"noise-dominated regime), got {task.sigma!r}"
        )
    return task


def _check_stable(task: PowerLawTask, lr: float, batch: int, name: str) -> None:
    if stability_q(task, lr, batch) >= 1.0:
        raise UnstableScheduleError(
            f"lr={lr:g} is unstable for {name}={batch} (spec §2 needs q < 1): lr must be in "
            f"(0, {max_stable_lr(task, batch):.6g}) for batch {batch}"
        )


# ============================================================================ FSL model
def _runs_geometry(schedule: Schedule):
    lrs, bs, counts = schedule.runs()
    dt = lrs * counts  # intrinsic time of each run
    ends = np.cumsum(dt)
    T = float(ends[-1])
    starts = ends - dt
    gam = lrs / bs  # noise rate γ = η/B of each run
    return T, T - starts, T - ends, gam


def fsl_risk_many(task: PowerLawTask, schedules: Sequence[Schedule]) -> np.ndarray:
    """Final FSL risk of many schedules (one vectorised spectral call).

    Notes
    -----
    Spec §3/§5 σ²-dominated FSL for a piecewise-constant schedule with runs ``r`` of
    learning rate ``η_r`` and batch ``B_r`` over intrinsic times ``[t_r, t_r')``::

        J = e(T) + (σ²/2) Σ_r (η_r / B_r) [Kt(T − t_r') − Kt(T − t_r)]

    — the exact integral of ``(σ²/2) ∫ K(T − t) γ(t) dt`` with ``γ = η/B``.
    """
    task = _check_task(task)
    geo = [_runs_geometry(s) for s in schedules]
    if not geo:
        return np.empty(0)
    us = np.concatenate([np.concatenate((g[1], g[2])) for g in geo])
    uniq, inv = np.unique(us, return_inverse=True)
    kt = kernel_tail(task, uniq)[inv]
    Ts = np.array([g[0] for g in geo])
    e = signal_term(task, Ts)
    out = np.empty(len(geo))
    pos = 0
    for i, (_, ua, _ub, gam) in enumerate(geo):
        n = ua.size
        ka, kb = kt[pos:pos + n], kt[pos + n:pos + 2 * n]
        pos += 2 * n
        out[i] = e[i] + 0.5 * task.sigma**2 * float(np.sum(gam * (kb - ka)))
    return out


def fsl_risk(task: PowerLawTask, schedule: Schedule) -> float:
    """Final excess risk of ``schedule`` under the σ²-dominated FSL (spec §5); see
    :func:`fsl_risk_many`."""
    return float(fsl_risk_many(task, [schedule])[0])


def _model_risks(task, schedules, model: str) -> np.ndarray:
    if model == "fsl":
        return fsl_risk_many(task, schedules)
    if model == "exact":
        return np.array([c.final_risk for c in exact_risk_many(task, schedules)])
    eng = _volterra_engine()
    out = []
    for s in schedules:
        try:  # only the final risk is needed: ask for 2 output points if supported
            curve = eng(task, s, points=2)
        except TypeError:
            curve = eng(task, s)
        out.append(curve.final_risk)
    return np.array(out)


# ============================================================================ 1-D / low-D search
def minimize_scalar(
    f: Callable[[float], float], a: float, b: float, *, grid: np.ndarray | None = None,
    xtol: float = 1e-9, max_iter: int = 200,
) -> tuple[float, float]:
    """Minimise ``f`` on ``[a, b]``: bracket on ``grid`` (default 33 points, log-spaced
    when ``a > 0``), then golden-section refinement between the best point's neighbours.

    Returns ``(x*, f(x*))``.  Robust to a non-unimodal ``f`` at the grid's resolution; the
    refinement stops when the bracket is narrower than ``xtol·max(|x|, 1e-300)``.
    """
    if grid is None:
        grid = np.geomspace(a, b, 33) if a > 0 else np.linspace(a, b, 33)
    grid = np.unique(np.clip(np.asarray(grid, dtype=np.float64), a, b))
    vals = np.array([f(x) for x in grid])
    i = int(np.argmin(vals))
    best_x, best_f = float(grid[i]), float(vals[i])
    lo = float(grid[max(i - 1, 0)])
    hi = float(grid[min(i + 1, grid.size - 1)])
    # golden section on [lo, hi]
    x1 = lo + _GOLD * (hi - lo)
    x2 = hi - _GOLD * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(max_iter):
        if hi - lo <= xtol * max(abs(best_x), 1e-300):
            break
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = lo + _GOLD * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = hi - _GOLD * (hi - lo)
            f2 = f(x2)
        for x, fx in ((x1, f1), (x2, f2)):
            if fx < best_f:
                best_x, best_f = x, fx
    return best_x, best_f


def minimize_integer(
    f_many: Callable[[np.ndarray], np.ndarray], lo: int, hi: int, *,
    grid: np.ndarray | None = None, points: int = 8, progress=None,
) -> tuple[int, float, dict[int, float]]:
    """Minimise an integer function on ``[lo, hi]`` evaluated in batches.

    ``f_many(ks)`` returns the values at an array of integers (evaluated in parallel by the
    caller).  Bracket on ``grid`` (plus the end points), then zoom: evaluate ``points``
    evenly spread integers strictly inside the best point's neighbours, repeat until every
    integer of the bracket has been seen.  Exact for a unimodal ``f`` between the bracketing
    grid points.  Returns ``(k*, f(k*), {k: f(k)} of everything evaluated)``.
    """
    seen: dict[int, float] = {}

    def ev(ks) -> None:
        ks = np.array(sorted({int(k) for k in ks if lo <= int(k) <= hi} - set(seen)),
                      dtype=np.int64)
        if ks.size:
            for k, v in zip(ks.tolist(), np.asarray(f_many(ks), dtype=float).tolist(),
                            strict=True):
                seen[k] = v
            if progress is not None:
                progress.update(int(ks.size))

    base = [lo, hi] if grid is None else [lo, hi, *np.asarray(grid).tolist()]
    ev(np.round(base))
    while True:
        keys = np.array(sorted(seen))
        vals = np.array([seen[k] for k in keys])
        i = int(np.argmin(vals))
        a = int(keys[max(i - 1, 0)])
        b = int(keys[min(i + 1, keys.size - 1)])
        inner = [k for k in range(a + 1, b) if k not in seen] if b - a <= 2 * points + 2 else None
        if inner is not None:
            if not inner:
                break
            ev(inner)
            continue
        ev(np.unique(np.round(np.linspace(a, b, points + 2)[1:-1])))
    k_best = min(seen, key=seen.get)
    return k_best, seen[k_best], seen


def compass_search(
    f_many: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, step: float | np.ndarray, *,
    min_step: float = 1e-3, max_rounds: int = 40, progress=None,
) -> tuple[np.ndarray, float, int]:
    """Parallel compass (pattern) search: each round evaluates ``x ± h e_i`` for all
    coordinates at once (``f_many`` receives an ``(n, d)`` array), moves to the best
    improving point, else halves ``h``; stops when ``h < min_step``.  Returns
    ``(x*, f(x*), number of evaluations)``.  Derivative-free and robust to the small
    discontinuities that integer rounding of batches introduces.
    """
    x = np.asarray(x0, dtype=np.float64).copy()
    h = np.broadcast_to(np.asarray(step, dtype=np.float64), x.shape).copy()
    fx = float(np.asarray(f_many(x[None, :]))[0])
    n_eval = 1
    for _ in range(max_rounds):
        if np.all(h < min_step):
            break
        cands = []
        for i in range(x.size):
            for sgn in (1.0, -1.0):
                y = x.copy()
                y[i] += sgn * h[i]
                cands.append(y)
        cands = np.array(cands)
        vals = np.asarray(f_many(cands), dtype=float)
        n_eval += len(cands)
        if progress is not None:
            progress.update(1)
        j = int(np.argmin(vals))
        if vals[j] < fx:
            x, fx = cands[j], float(vals[j])
        else:
            h *= 0.5
    return x, fx, n_eval


# ============================================================================ water-filling
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
    budget function (bisection in log c, then the exact linear solve on the final free
    set).  Returns ``(b, noise_sum = Σ dk/b)``.
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
        for _ in range(200):
            mid = math.sqrt(lo * hi)
            if used(mid) < total:
                lo = mid
            else:
                hi = mid
            if hi / lo - 1.0 < 1e-14:
                break
        c = math.sqrt(lo * hi)
        b = np.clip(c * r, b_min, bmax)
        free = (c * r > b_min) & (c * r < bmax)
        if np.any(free):  # exact linear solve on the free set
            rest = total - float(np.sum(du[~free] * b[~free]))
            c2 = rest / float(np.sum(du[free] * r[free]))
            b2 = np.clip(c2 * r, b_min, bmax)
            if np.array_equal((c2 * r > b_min) & (c2 * r < bmax), free):
                b = b2
    return b, float(np.sum(dk / b))


@dataclass(frozen=True)
class ContinuousOptimum:
    """Result of :func:`optimal_schedule` (spec §5, C-OPT-EASY / C-OPT-HARD).

    Attributes
    ----------
    schedule : Schedule or None
        Integer-batch schedule (budget exactly ``D``) — the answer on ``model``
        (``None`` with ``integer=False``).
    model : str
    final_risk : float
        Final excess risk of ``schedule`` on ``model``.
    horizon : float
        Continuous optimum ``T*`` (intrinsic time; steps ≈ ``T*/η``).
    floor_end : float
        ``T₁*``: intrinsic time at which the floor ``b_min`` stops binding (0 if it never
        binds).
    ceiling_start : float or None
        Intrinsic time from which ``b_max`` binds (``None`` if it never binds).
    predicted_risk : float
        ``J*``: FSL value of the continuous (grid) optimum.
    fsl_rounded_risk : float
        FSL value of the integer schedule rounded from it.
    rounding_loss : float
        ``fsl_rounded_risk − predicted_risk``.
    discretisation_error : float
        ``J*`` on the grid minus ``J*`` on the grid refined twice over (≥ 0, see module
        docstring).
    binding : tuple of str
        Constraints that bind: ``"b_min"``, ``"b_max"``, ``"horizon_max"`` (all data at
        ``b_min``), ``"finite_M_signal"`` (more than 10 % of the infinite-M signal at
        ``T*`` lies beyond the M modes).
    floor_step_fraction, ceiling_step_fraction : float
        Shares of the integer schedule's steps at ``b_min`` / ``b_max``.
    signal_tail_fraction : float
        ``tail/(e_M(T*) + tail)`` where ``tail = ½ Σ_{j>M} j^(−(1+sβ)) e^(−2λ_j T*)``
        (integral approximation, spec §4).
    profile_time, profile_batch : ndarray
        The continuous optimum ``b*(t)`` on the grid (cell left ends in ``t``).
    meta : dict
        Search details (grid size, evaluations, FSL-start risk on ``model``, …).
    """

    schedule: Schedule | None
    model: str
    final_risk: float
    horizon: float
    floor_end: float
    ceiling_start: float | None
    predicted_risk: float
    fsl_rounded_risk: float
    rounding_loss: float
    discretisation_error: float
    binding: tuple[str, ...]
    floor_step_fraction: float
    ceiling_step_fraction: float
    signal_tail_fraction: float
    profile_time: np.ndarray
    profile_batch: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-ready diagnostics."""
        if self.schedule is not None:
            b = self.schedule.batch
            steps, data = self.schedule.n_steps, self.schedule.budget
            first, last, top = int(b[0]), int(b[-1]), int(b.max())
        else:
            steps, data = None, None
            first, last = float(self.profile_batch[0]), float(self.profile_batch[-1])
            top = float(self.profile_batch.max())
        return {
            "model": self.model,
            "final_risk": self.final_risk,
            "steps": steps,
            "data": data,
            "batch_first": first,
            "batch_last": last,
            "batch_max": top,
            "horizon": self.horizon,
            "floor_end": self.floor_end,
            "ceiling_start": self.ceiling_start,
            "predicted_risk": self.predicted_risk,
            "fsl_rounded_risk": self.fsl_rounded_risk,
            "rounding_loss": self.rounding_loss,
            "discretisation_error": self.discretisation_error,
            "binding": list(self.binding),
            "floor_step_fraction": self.floor_step_fraction,
            "ceiling_step_fraction": self.ceiling_step_fraction,
            "signal_tail_fraction": self.signal_tail_fraction,
        }


def _signal_tail(task: PowerLawTask, T: float) -> float:
    """``½ Σ_{j>M} j^(−(1+sβ)) e^(−2 j^(−β) T) ≈ (1/(2β)) (2T)^(−s) γ(s, 2T M^(−β))``
    (integral approximation of the missing modes, spec §4; exact lower incomplete gamma)."""
    import mpmath

    x = 2.0 * T * task.modes ** (-task.beta)
    return float(mpmath.gammainc(task.s, 0, x)) * (2.0 * T) ** (-task.s) / (2.0 * task.beta)


def _floor_end(task, T, nodes, du, b, at_floor, at_ceil, b_min) -> float:
    """``T₁* = T − u₁`` where the KKT law ``c √K(u)`` meets the floor: ``K(u₁) = (b_min/c)²``.

    ``c`` is read off the free cells (``b = c √K̄``); ``u₁`` is located inside the
    transition cell pair by a log-log interpolation of the exact kernel
    (:func:`~fsltheory.engines.spectral.forgetting_kernel`) on 65 points, i.e. far below
    the grid resolution.  0 if the floor never binds, ``T`` if it binds everywhere.
    """
    if not np.any(at_floor):
        return 0.0
    free = ~at_floor & ~at_ceil
    if not np.any(free):
        return float(T - nodes[np.flatnonzero(~at_floor)[-1] + 1]) if np.any(
            ~at_floor) else float(T)
    i = int(np.flatnonzero(free)[-1])  # largest-u free cell; cell i+1 is on the floor
    dk = np.diff(-np.append(kernel_tail(task, nodes[:-1]), kernel_tail(task, [T])))
    r_free = np.sqrt(np.maximum(dk[free], 1e-300) / du[free])
    c = float(np.median(b[free] / r_free))
    k1 = (b_min / c) ** 2
    lo = max(nodes[i], nodes[1] * 1e-3)
    hi = nodes[min(i + 2, nodes.size - 1)]
    u = np.geomspace(lo, hi, 65)
    K = forgetting_kernel(task, u)
    if k1 >= K[0]:
        u1 = lo
    elif k1 <= K[-1]:
        u1 = hi
    else:  # K decreasing: interpolate log u against log K
        u1 = float(np.exp(np.interp(np.log(k1), np.log(K[::-1]), np.log(u[::-1]))))
    return float(T - u1)


def _validate_opt(task, budget, lr, b_min, b_max):
    task = _check_task(task)
    budget = check_int_range("budget", budget, 1, None)
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    b_min = check_int_range("b_min", b_min, 1, None)
    if b_max is not None:
        b_max = check_int_range("b_max", b_max, 1, None)
        if b_max < b_min:
            raise InvalidParameterError(
                f"b_max must be >= b_min={b_min} (batch bounds b_min <= b <= b_max), "
                f"got b_max={b_max}"
            )
        if budget < b_max:
            raise InvalidParameterError(
                f"budget must be >= b_max={b_max} (at least one full batch), got {budget}"
            )
    if budget < b_min:
        raise InvalidParameterError(
            f"budget must be >= b_min={b_min} (at least one full batch), got {budget}"
        )
    _check_stable(task, lr, b_min, "b_min")
    return task, budget, lr, b_min, b_max


class _FSLProblem:
    """The continuous problem of spec §5 on a log grid of remaining time."""

    def __init__(self, task, budget, lr, b_min, b_max, per_decade):
        self.task, self.D, self.lr, self.b_min, self.b_max = task, budget, lr, b_min, b_max
        self.total = lr * budget  # ∫ b dt = η D
        self.T_hi = self.total / b_min
        self.T_lo = lr * max(1.0, budget / b_max) if b_max is not None else lr
        self.T_lo = min(self.T_lo, self.T_hi)
        self.grid = _Grid(task, lr, self.T_hi, per_decade)
        self.noise = 0.5 * task.sigma**2 * lr
        self.n_eval = 0

    def solve(self, T: float, e_T: float | None = None, kt_T: float | None = None):
        if e_T is None:
            e_T = float(signal_term(self.task, [T])[0])
        if kt_T is None:
            kt_T = float(kernel_tail(self.task, [T])[0])
        nodes, du, dk = self.grid.cells(T, kt_T)
        b, s = _waterfill(du, dk, self.total, self.b_min, self.b_max)
        self.n_eval += 1
        return e_T + self.noise * s, nodes, du, b

    def J(self, T: float) -> float:
        return self.solve(T)[0]

    def optimise_T(self, bar=None) -> tuple[float, float]:
        lo, hi = self.T_lo, self.T_hi
        if hi - lo <= 1e-12 * hi:
            return hi, self.J(hi)
        span = hi - lo
        grid = np.concatenate((
            np.geomspace(lo, hi, 40),
            hi - np.geomspace(min(self.lr / 4, span / 2), span, 40),
        ))
        grid = np.unique(np.clip(grid, lo, hi))
        e = signal_term(self.task, grid)
        kt = kernel_tail(self.task, grid)
        table = {float(x): self.solve(float(x), float(ei), float(ki))[0]
                 for x, ei, ki in zip(grid, e, kt, strict=True)}
        if bar is not None:
            bar.update(1)

        def f(x):
            v = table.get(float(x))
            return v if v is not None else self.J(float(x))

        return minimize_scalar(f, lo, hi, grid=grid, xtol=1e-10)


def _per_step_batches(nodes, du, b, T, lr, n_steps, budget, b_min, b_max):
    """Integer batches of ``n_steps`` steps of length ``lr`` for the cell profile ``b(u)``
    (``u`` remaining time), with total exactly ``budget``.

    The mean batch of step k is ``m_k = (1/η) ∫_step b dt`` (exact for the piecewise-
    constant profile).  Rounding: ``B_k = ⌊m_k⌋``, plus one sample on the last
    ``D − Σ⌊m_k⌋`` steps whose mean is fractional.  Every batch is within one of its mean
    and inside ``[b_min, b_max]``, the total is exact, and a non-decreasing profile stays
    non-decreasing (for ``j < k`` with ``m_j`` fractional, ``⌊m_j⌋ + 1 ≤ ⌈m_k⌉``).
    """
    cum_u = np.concatenate(([0.0], np.cumsum(du * b)))  # η·data consumed in the last u
    t_edges = lr * np.arange(n_steps + 1)
    u_edges = np.clip(T - t_edges, 0.0, T)
    C = np.interp(u_edges, nodes, cum_u)
    m = -np.diff(C) / lr
    m *= budget / m.sum()
    hi = np.inf if b_max is None else b_max
    m = np.clip(m, b_min, hi)
    fl = np.floor(m + 1e-9)
    frac = m - fl
    deficit = int(budget - fl.sum())
    batch = fl.astype(np.int64)
    if deficit > 0:
        idx = np.flatnonzero(frac > 1e-9)
        if idx.size < deficit:  # float noise: any step below the ceiling will do
            idx = np.flatnonzero(batch < hi)
        batch[idx[-deficit:]] += 1
    elif deficit < 0:  # only from clipping noise; take from the largest free steps
        idx = np.flatnonzero(batch > b_min)
        batch[idx[deficit:]] -= 1
    return batch


def _round_schedule(prob: _FSLProblem, T: float):
    cands = []
    K_lo = max(1, math.ceil(prob.D / prob.b_max)) if prob.b_max is not None else 1
    K_hi = prob.D // prob.b_min
    for K in {math.floor(T / prob.lr), math.ceil(T / prob.lr)}:
        K = min(max(K, K_lo), K_hi)
        _, nodes, du, b = prob.solve(K * prob.lr)
        batch = _per_step_batches(nodes, du, b, K * prob.lr, prob.lr, K, prob.D, prob.b_min,
                                  prob.b_max)
        batch = np.maximum(batch, 1)
        cands.append(Schedule.from_arrays(prob.lr, batch))
    vals = fsl_risk_many(prob.task, cands)
    i = int(np.argmin(vals))
    return cands[i], float(vals[i])


def _profile_schedule(prob: _FSLProblem, base_nodes, base_r, x: np.ndarray, edges: np.ndarray):
    """Integer schedule for parameters ``x = (log T-multiplier, log tilts per segment)``:
    ``b(u) = clip(c √K̄(u) e^(a_m), b_min, b_max)`` on the log-segments ``edges`` of
    remaining time, with ``c`` set by the budget (used by the engine refinement)."""
    T0 = base_nodes[-1]
    T = float(np.clip(T0 * math.exp(x[0]), prob.T_lo, prob.T_hi))
    K = int(np.clip(round(T / prob.lr), math.ceil(prob.T_lo / prob.lr - 1e-9),
                    math.floor(prob.T_hi / prob.lr + 1e-9)))
    K = max(K, 1)
    T = K * prob.lr
    # stretch the base cell geometry to the new horizon (log grid of remaining time)
    nodes = base_nodes * (T / T0)
    du = np.diff(nodes)
    mid = 0.5 * (nodes[:-1] + nodes[1:]) / T
    seg = np.searchsorted(edges, mid)
    w = base_r * np.exp(np.asarray(x[1:])[np.clip(seg, 0, len(x) - 2)])
    b, _ = _waterfill(du, w**2 * du, prob.total, prob.b_min, prob.b_max)
    batch = _per_step_batches(nodes, du, b, T, prob.lr, K, prob.D, prob.b_min, prob.b_max)
    return Schedule.from_arrays(prob.lr, np.maximum(batch, 1))


def optimal_schedule(
    task: PowerLawTask,
    budget: int,
    lr: float,
    b_min: int,
    b_max: int | None = None,
    model: str = "fsl",
    *,
    per_decade: int = 48,
    segments: int = 5,
    max_rounds: int = 30,
    integer: bool = True,
    progress: bool | None = None,
) -> ContinuousOptimum:
    """Numerically optimal batch schedule under a data budget (spec §5).

    Parameters
    ----------
    task : PowerLawTask
        Needs ``σ > 0``.
    budget : int
        Data budget ``D`` (samples), ``≥ b_max`` (and ``≥ b_min``).
    lr : float
        Constant learning rate ``η``; must be stable for ``b_min`` (spec §2), hence for
        every larger batch.
    b_min, b_max : int
        Batch bounds; ``b_max=None`` means no ceiling.
    model : {"fsl", "volterra", "exact"}
        Objective the returned schedule is optimised for.
    per_decade : int
        Grid cells per decade of remaining time (discretisation, module docstring).
    segments : int
        Number of log-segments of remaining time in the engine refinement.
    integer : bool
        Round to an integer-batch schedule (default).  ``False`` (FSL model only) skips the
        per-step arrays — for scaling studies at huge budgets; then ``schedule`` is
        ``None``, ``final_risk = predicted_risk`` and the rounding fields are NaN.
    progress : bool or None
        tqdm bar on stderr (``None``: only when stderr is a terminal).

    Notes
    -----
    FSL model: for fixed ``T`` minimise ``∫ K(T−t)/b`` subject to ``∫ b = ηD`` and the
    bounds; by KKT ``b*(t) = clip(c √K(T − t), b_min, b_max)`` (C-OPT-EASY, C-OPT-HARD),
    exactly solved on the cell grid (:func:`_waterfill`).  ``T`` is optimised on
    ``[η max(1, D/b_max), ηD/b_min]`` by log-grid bracketing (dense near both ends) and
    golden section.  Rounding: ``K ∈ {⌊T*/η⌋, ⌈T*/η⌉}`` steps, the profile re-solved at
    ``T = Kη``, per-step data rounded cumulatively (exact budget; each batch within one of
    its continuous mean, hence within the bounds).  Exact/Volterra: compass search over
    ``(log T, log-tilt of the profile on ``segments`` log-segments of remaining time)``
    starting at the FSL optimum, every round's candidates evaluated in parallel.
    """
    task, budget, lr, b_min, b_max = _validate_opt(task, budget, lr, b_min, b_max)
    model = _check_model(model)
    if not integer and model != "fsl":
        raise InvalidParameterError(
            f"integer=False needs model 'fsl' (engines run integer schedules), got {model!r}"
        )
    per_decade = check_int_range("per_decade", per_decade, 4, None)
    segments = check_int_range("segments", segments, 1, 50)
    prob = _FSLProblem(task, budget, lr, b_min, b_max, per_decade)
    with _progress(None, "optimal schedule", progress) as bar:
        T_star, J_star = prob.optimise_T(bar)
        _, nodes, du, b = prob.solve(T_star)
        # discretisation error: the same T on a grid twice as fine (nested)
        fine = _FSLProblem(task, budget, lr, b_min, b_max, 2 * per_decade)
        J_fine = fine.J(T_star)
        if integer:
            sched, J_round = _round_schedule(prob, T_star)
        else:  # continuous answer only (scaling studies at budgets too big for arrays)
            sched, J_round = None, math.nan
        final = J_round if integer else J_star
        meta: dict[str, Any] = {"grid_cells": int(du.size), "fsl_evaluations": prob.n_eval}
        if model != "fsl":
            kt_nodes = np.append(prob.grid.kt[:nodes.size - 1],
                                 float(kernel_tail(task, [T_star])[0]))
            base_r = np.sqrt(np.maximum(-np.diff(kt_nodes), 1e-300) / du)
            edges = np.geomspace(max(lr, T_star / 1e4) / T_star, 1.0, segments + 1)[1:-1]
            # x = 0 reproduces the FSL-rounded profile
            start_val = float(_model_risks(task, [sched], model)[0])

            def f_many(X):
                scheds = [_profile_schedule(prob, nodes, base_r, x, edges) for x in X]
                return _model_risks(task, scheds, model)

            x0 = np.zeros(segments + 1)
            x, fx, n_ev = compass_search(f_many, x0, 0.25, min_step=0.01,
                                         max_rounds=max_rounds, progress=bar)
            cand = _profile_schedule(prob, nodes, base_r, x, edges)
            if fx < start_val:
                sched, final = cand, fx
            else:
                final = start_val
            meta.update(fsl_start_risk_on_model=start_val, engine_evaluations=n_ev,
                        parameters=x.tolist())
            J_round = fsl_risk(task, sched)
    t_cells = T_star - nodes[1:]  # left ends in t of each cell (cells ordered by u)
    at_floor = b <= b_min * (1 + 1e-12)
    at_ceil = np.zeros_like(at_floor) if b_max is None else b >= b_max * (1 - 1e-12)
    floor_end = _floor_end(task, T_star, nodes, du, b, at_floor, at_ceil, b_min)
    ceiling_start = float(T_star - nodes[np.flatnonzero(at_ceil)[-1] + 1]) if np.any(
        at_ceil) else None
    tail = _signal_tail(task, T_star)
    e_T = float(signal_term(task, [T_star])[0])
    tail_frac = tail / (e_T + tail)
    batches = sched.batch if sched is not None else np.empty(0, dtype=np.int64)
    step_frac = (lambda m: float(np.mean(m))) if batches.size else (lambda m: math.nan)
    binding = []
    if np.any(at_floor):
        binding.append("b_min")
    if np.any(at_ceil):
        binding.append("b_max")
    if T_star >= prob.T_hi * (1 - 1e-9):
        binding.append("horizon_max")
    if tail_frac > 0.1:
        binding.append("finite_M_signal")
    return ContinuousOptimum(
        schedule=sched,
        model=model,
        final_risk=float(final),
        horizon=float(T_star),
        floor_end=floor_end,
        ceiling_start=ceiling_start,
        predicted_risk=float(J_star),
        fsl_rounded_risk=float(J_round),
        rounding_loss=float(J_round - J_star),
        discretisation_error=float(J_star - J_fine),
        binding=tuple(binding),
        floor_step_fraction=step_frac(batches == b_min),
        ceiling_step_fraction=step_frac(batches == b_max) if b_max is not None else 0.0,
        signal_tail_fraction=float(tail_frac),
        profile_time=t_cells[::-1].copy(),
        profile_batch=b[::-1].copy(),
        meta=meta,
    )


# ============================================================================ switches
@dataclass(frozen=True)
class SwitchResult:
    """Result of :func:`optimal_switch` (spec §5, C-SWITCH).

    Attributes
    ----------
    samples : int
        Optimal switch point ``P*`` (samples at ``b1``; a multiple of ``b1``).
    fraction : float
        ``P*/D``.
    final_risk : float
        Loss of the optimal two-stage schedule on ``model``.
    curve_samples, curve_risk : ndarray
        Every switch point evaluated by the search and its loss (sorted by samples).
    model : str
    budget, lr, b1, b2 : the problem.

    The :attr:`schedule` is built on demand (per-step arrays can be large for huge D).
    """

    samples: int
    fraction: float
    final_risk: float
    curve_samples: np.ndarray
    curve_risk: np.ndarray
    model: str
    budget: int
    lr: float
    b1: int
    b2: int

    @property
    def schedule(self) -> Schedule:
        return _two_stage(self.b1, self.b2, self.samples, self.budget, self.lr)

    @property
    def steps(self) -> int:
        rest = self.budget - self.samples
        return self.samples // self.b1 + -(-rest // self.b2)

    def summary(self) -> dict[str, Any]:
        return {"samples": self.samples, "fraction": self.fraction,
                "final_risk": self.final_risk, "b1": self.b1, "b2": self.b2,
                "steps": self.steps, "model": self.model}


def _two_stage(b1: int, b2: int, P: int, D: int, lr: float) -> Schedule:
    return Schedule.two_stage(b1, b2, P / D, D, lr)


def fsl_two_stage(task: PowerLawTask, budget: int, lr: float, b1: int, b2: int,
                  samples) -> np.ndarray:
    """FSL final risk of the two-stage schedules ``b1 → b2`` after ``samples`` (multiples
    of ``b1``), without building per-step arrays (spec §5, C-SWITCH).

    Same geometry as :meth:`Schedule.two_stage`: ``n1 = P/b1`` steps at ``b1``, then
    ``⌈(D−P)/b2⌉`` steps at ``b2`` of which the last takes the remainder ``r`` if
    ``b2 ∤ D−P``.  With ``u`` the remaining intrinsic time::

        J = e(T) + (σ²η/2)[(Kt(R) − Kt(T))/b1 + (Kt(η) − Kt(R))/b2 + (Kt(0) − Kt(η))/B_K]

    where ``R`` is the duration of stage 2 and ``B_K`` the last batch (``b2`` or ``r``).
    """
    task = _check_task(task)
    P = np.asarray(samples, dtype=np.int64)
    n1 = P // b1
    rest = budget - P
    n2 = -(-rest // b2)
    last = np.where(rest % b2 == 0, b2, rest % b2).astype(np.float64)
    T = lr * (n1 + n2)
    R = lr * n2
    pts = np.unique(np.concatenate((T, R, [0.0, lr])))
    kt = dict(zip(pts.tolist(), kernel_tail(task, pts).tolist(), strict=True))
    ktT = np.array([kt[x] for x in T.tolist()])
    ktR = np.array([kt[x] for x in R.tolist()])
    k0, k1 = kt[0.0], kt[lr]
    last = np.where(n2 > 0, last, b2)
    ktE = np.where(n2 > 0, k1, k0)  # no stage 2: the b2 terms vanish (R = 0)
    noise = (ktR - ktT) / b1 + np.where(n2 > 0, (ktE - ktR) / b2 + (k0 - ktE) / last, 0.0)
    return signal_term(task, T) + 0.5 * task.sigma**2 * lr * noise


def _validate_batches(task, budget, lr, batches):
    task = _check_task(task)
    budget = check_int_range("budget", budget, 1, None)
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    batches = [check_int_range(f"b{i + 1}", b, 1, None) for i, b in enumerate(batches)]
    for i in range(1, len(batches)):
        if batches[i] <= batches[i - 1]:
            raise InvalidParameterError(
                f"b{i + 1} must be > b{i}={batches[i - 1]} (stages use increasing batch "
                f"sizes), got {batches[i]}"
            )
    if budget < batches[-1]:
        raise InvalidParameterError(
            f"budget must be >= the largest batch {batches[-1]} (at least one full batch), "
            f"got {budget}"
        )
    _check_stable(task, lr, batches[0], "b1")
    return task, budget, lr, batches


def optimal_switch(
    task: PowerLawTask,
    budget: int,
    lr: float,
    b1: int,
    b2: int,
    model: str = "fsl",
    *,
    grid_points: int = 40,
    progress: bool | None = None,
) -> SwitchResult:
    """Best two-stage schedule ``b1 → b2`` after ``P`` samples (spec §5, C-SWITCH).

    Notes
    -----
    ``P`` is a multiple of ``b1`` (stage 1 takes whole batches); the search runs over the
    lattice of such ``P`` whose stage 2 ends on a full ``b2`` batch (or the largest
    possible partial one, :func:`_switch_lattice`; spacing ``lcm(b1, b2)``, i.e. one
    ``b2`` step when ``b1 | b2``), plus the two ends ``P = 0`` and ``P = b1⌊D/b1⌋``.
    Search: a log grid of ``D − P`` (``grid_points`` values from ``b2`` to ``D``, so late
    switches are resolved to a relative precision of the remaining data), then batched
    zooming between the best point's neighbours down to single lattice steps
    (:func:`minimize_integer`).  Every batch of candidates is evaluated at once
    (:func:`~fsltheory.engines.exact.exact_risk_many` in parallel for ``model="exact"``).
    Under the FSL the interior optimum solves ``−e'(S) = (σ²η/2)[K(S)/B1 + K(R)/B2]``
    (S, R intrinsic times of the whole run and of stage 2).
    """
    task, budget, lr, (b1, b2) = _validate_batches(task, budget, lr, [b1, b2])
    model = _check_model(model)
    grid_points = check_int_range("grid_points", grid_points, 3, None)
    D = budget
    # Lattice of switch points P = P0 + m·L (see _switch_lattice): stage 1 whole b1
    # batches and stage 2 ending on a full b2 batch whenever possible.
    P0, L = _switch_lattice(0, b1, D, b2)
    m_max = (D - P0) // L
    R = np.geomspace(min(b2, D), D, grid_points)
    grid = np.round((D - P0 - R) / L)

    def f_many(ms):
        Ps = P0 + np.asarray(ms, dtype=np.int64) * L
        if model == "fsl":
            return fsl_two_stage(task, D, lr, b1, b2, Ps)
        return _model_risks(task, [_two_stage(b1, b2, int(p), D, lr) for p in Ps], model)

    with _progress(None, f"optimal switch ({model})", progress) as bar:
        m, val, seen = minimize_integer(f_many, 0, m_max, grid=grid, progress=bar)
    P_best = P0 + m * L
    curve = {int(P0 + mm * L): v for mm, v in seen.items()}
    # the two ends (all-b2 and all-b1 up to one partial b2 batch) compete as well, even
    # when they are off the full-batch lattice
    ends = [p for p in {0, (D // b1) * b1} if p not in curve]
    if ends:
        if model == "fsl":
            vals = fsl_two_stage(task, D, lr, b1, b2, np.array(ends))
        else:
            vals = _model_risks(task, [_two_stage(b1, b2, p, D, lr) for p in ends], model)
        for p, v in zip(ends, vals, strict=True):
            curve[int(p)] = float(v)
            if v < val:
                P_best, val = int(p), float(v)
    Ps = np.array(sorted(curve), dtype=np.int64)
    return SwitchResult(
        samples=int(P_best),
        fraction=float(P_best / D),
        final_risk=float(val),
        curve_samples=Ps,
        curve_risk=np.array([curve[int(x)] for x in Ps]),
        model=model,
        budget=D,
        lr=lr,
        b1=b1,
        b2=b2,
    )


@dataclass(frozen=True)
class StagesResult:
    """Result of :func:`optimal_stages`: switch points (samples), fractions, loss."""

    samples: tuple[int, ...]
    fractions: tuple[float, ...]
    final_risk: float
    schedule: Schedule
    batches: tuple[int, ...]
    model: str
    sweeps: int


def optimal_stages(
    task: PowerLawTask,
    budget: int,
    lr: float,
    batches: Sequence[int],
    model: str = "fsl",
    *,
    max_sweeps: int = 12,
    progress: bool | None = None,
) -> StagesResult:
    """Best k-stage schedule with given increasing batch sizes (spec §5).

    Coordinate descent over the k−1 switch points (samples before each switch, each a
    whole number of its stage's batches): each sweep re-optimises one switch at a time by
    the batched integer search of :func:`minimize_integer` with the others fixed, until a
    sweep changes nothing.  Starts from the optimal two-stage switch ``b_1 → b_k`` with the
    intermediate stages spread geometrically over its remaining data.
    """
    task, budget, lr, batches = _validate_batches(task, budget, lr, list(batches))
    model = _check_model(model)
    D, k = budget, len(batches)
    if k == 1:
        s = Schedule.constant(batches[0], D, lr)
        return StagesResult((), (), float(_model_risks(task, [s], model)[0]), s,
                            tuple(batches), model, 0)
    if k == 2:
        r = optimal_switch(task, D, lr, batches[0], batches[1], model, progress=progress)
        return StagesResult((r.samples,), (r.fraction,), r.final_risk, r.schedule,
                            tuple(batches), model, 1)
    two = optimal_switch(task, D, lr, batches[0], batches[-1], model, progress=progress)
    rem = max(D - two.samples, batches[-1])
    # cumulative data before switch i: P_1 = P*, then geometric split of the remainder
    P = [two.samples]
    for i in range(1, k - 1):
        P.append(int(D - rem * 0.5**i))
    P = _snap_switches(P, batches, D)

    def build(P):
        fr = [p / D for p in P]
        if any(b <= a for a, b in zip(fr, fr[1:], strict=False)):
            return None
        return Schedule.stages(batches, fr, D, lr)

    def value(P) -> float:
        s = build(P)
        return np.inf if s is None else float(_model_risks(task, [s], model)[0])

    best = value(P)
    sweeps = 0
    with _progress(max_sweeps, f"optimal stages ({model})", progress) as bar:
        while sweeps < max_sweeps:
            sweeps += 1
            changed = False
            for i in range(k - 1):
                lo = P[i - 1] if i > 0 else 0
                hi = P[i + 1] if i < k - 2 else D
                b = batches[i]  # stage i+1 ... switch i ends stage i (batch batches[i])
                # switch i sits at lo + n·b (stage i takes whole batches)

                if i == k - 2:  # last switch: keep the final stage on full batches
                    off, L = _switch_lattice(lo, b, D, batches[-1])
                else:
                    off, L = lo, b
                n_max = max((hi - off) // L, 0)

                def f_many(ns, i=i, off=off, L=L, P=P):
                    out = []
                    for n in ns:
                        Q = list(P)
                        Q[i] = off + int(n) * L
                        out.append(value(_snap_switches(Q, batches, D)))
                    return np.array(out)

                R = np.geomspace(1, max(hi - off, 2), 16)
                n, v, _ = minimize_integer(f_many, 0, n_max, grid=np.round((hi - off - R) / L))
                if v < best - 1e-15 * abs(best):
                    Q = list(P)
                    Q[i] = off + int(n) * L
                    P, best, changed = _snap_switches(Q, batches, D), v, True
            bar.update(1)
            if not changed:
                break
    s = build(P)
    return StagesResult(tuple(s.switch_samples), tuple(x / D for x in s.switch_samples),
                        best, s, tuple(batches), model, sweeps)


def _switch_lattice(base: int, step: int, D: int, b_last: int) -> tuple[int, int]:
    """Switch points ``P = base + n·step`` (the stage before the switch takes whole
    batches) whose final stage ends on a full ``b_last`` batch, or, when no such ``P``
    exists, on the largest possible partial batch.  Returns ``(P0, L)``: the lattice
    ``P0 + m·L``, ``L = lcm(step, b_last)``.

    Why: a final partial batch of ``r`` samples adds ``(σ²η/2)(Kt(0) − Kt(η))(1/r − 1/b)``
    to the FSL (spec §5) — an artefact of the budget rule of :class:`Schedule` that would
    make the loss a saw-tooth in ``P`` with period ``b_last``; the switch searches compare
    switch points on equal footing instead.  Resolution: one step of the last stage.
    """
    g = math.gcd(step, b_last)
    L = step * b_last // g
    best_n, best_last = 0, -1
    for n in range(b_last // g):
        r = (D - base - n * step) % b_last
        last = b_last if r == 0 else r
        if last > best_last:
            best_n, best_last = n, last
    return base + best_n * step, L


def _snap_switches(P, batches, D):
    """Snap cumulative switch points so that each stage takes whole batches (as
    :meth:`Schedule.stages` realises them)."""
    out, used = [], 0
    for p, b in zip(P, batches[:-1], strict=False):
        n = max(0, min(int(round((p - used) / b)), (D - used) // b))
        used += n * b
        out.append(used)
    # strictly increasing fractions are needed by Schedule.stages; equal points mean an
    # empty stage, which we keep as an infinitesimal gap by skipping in build()
    return out


# ============================================================================ baselines
@dataclass(frozen=True)
class BaselineRow:
    """One row of :func:`compare_baselines`."""

    name: str
    schedule: Schedule
    final_risk: float
    steps: int
    data: int
    improvement_vs_bmax: float  # 1 − risk / risk(const b_max)
    improvement_vs_bmin: float  # 1 − risk / risk(const b_min)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "schedule": str(self.schedule),
                "final_risk": self.final_risk, "steps": self.steps, "data": self.data,
                "improvement_vs_bmax": self.improvement_vs_bmax,
                "improvement_vs_bmin": self.improvement_vs_bmin}


def _ramp(b_lo: int, b_hi: int, D: int, lr: float) -> Schedule:
    """Linear ramp in steps from ``b_lo`` to ``b_hi``, cumulatively rounded to exactly D."""
    K = max(1, int(round(2 * D / (b_lo + b_hi))))
    mean = b_lo + (b_hi - b_lo) * (np.arange(K) + 0.5) / K
    cum = np.concatenate(([0.0], np.cumsum(mean)))
    cum *= D / cum[-1]
    r = np.floor(cum + 0.5).astype(np.int64)
    r[0], r[-1] = 0, D
    return Schedule.from_arrays(lr, np.maximum(np.diff(r), 1))


def compare_baselines(
    task: PowerLawTask,
    budget: int,
    lr: float,
    b_min: int,
    b_max: int | None = None,
    model: str = "fsl",
    *,
    optimum: ContinuousOptimum | None = None,
    switch: SwitchResult | None = None,
    progress: bool | None = None,
) -> list[BaselineRow]:
    """Baseline schedules on the same task and budget, evaluated on ``model``.

    Rows: ``const b_min``, ``const b_max``, ``early switch`` (b_min → b_max after 25 % of
    the data), ``late switch`` (75 %), ``optimal switch`` (:func:`optimal_switch`),
    ``doubling`` (b_min, 2b_min, …, ≤ b_max; each stage uses half the remaining data:
    switches at fractions 1 − 2^(−i)), ``linear ramp`` (b_min → b_max linearly in steps),
    and ``continuous optimum`` (:func:`optimal_schedule`).  Without ``b_max`` the largest
    batch of the continuous optimum plays its role.  Improvements are
    ``1 − risk/risk(const b_max)`` and ``1 − risk/risk(const b_min)``.
    """
    task, budget, lr, b_min, b_max = _validate_opt(task, budget, lr, b_min, b_max)
    model = _check_model(model)
    D = budget
    if optimum is None:
        optimum = optimal_schedule(task, D, lr, b_min, b_max, model, progress=progress)
    b_hi = b_max if b_max is not None else max(int(optimum.schedule.batch.max()), b_min)
    rows: list[tuple[str, Schedule]] = [
        (f"const b_min={b_min}", Schedule.constant(b_min, D, lr)),
        (f"const b_max={b_hi}", Schedule.constant(b_hi, D, lr)),
    ]
    if b_hi > b_min:
        if switch is None:
            switch = optimal_switch(task, D, lr, b_min, b_hi, model, progress=progress)
        dbl = [b_min]
        while dbl[-1] * 2 <= b_hi:
            dbl.append(dbl[-1] * 2)
        rows += [
            ("early switch 25%", Schedule.two_stage(b_min, b_hi, 0.25, D, lr)),
            ("late switch 75%", Schedule.two_stage(b_min, b_hi, 0.75, D, lr)),
            (f"optimal switch {switch.fraction:.4f}", switch.schedule),
        ]
        if len(dbl) > 1:
            rows.append((f"doubling {b_min}..{dbl[-1]}", Schedule.stages(
                dbl, [1 - 0.5**i for i in range(1, len(dbl))], D, lr)))
        rows.append((f"linear ramp {b_min}->{b_hi}", _ramp(b_min, b_hi, D, lr)))
    rows.append(("continuous optimum", optimum.schedule))
    vals = _model_risks(task, [s for _, s in rows[:-1]], model).tolist()
    vals.append(optimum.final_risk)
    r_min, r_max = vals[0], vals[1]
    return [
        BaselineRow(name, s, float(v), s.n_steps, s.budget, float(1 - v / r_max),
                    float(1 - v / r_min))
        for (name, s), v in zip(rows, vals, strict=True)
    ]


# ============================================================================ scaling
def predicted_exponents(beta: float, s: float) -> dict[str, Any]:
    """Predicted log-log slopes against ``D`` (spec §5: C-SWITCH, C-OPT-EASY, C-OPT-HARD),
    read from :mod:`fsltheory.symbolic` (the single source of truth for exponents).

    hard (s < 1 − 1/β): ``D − P* ≍ D^((1+s)/(2−1/β))``, ``T* ≍ D``, ``J* ≍ D^(−s)``,
    growth phase ``T* − T₁* ≍ D^((1+s)/(2−1/β))``, ``b*(0) = B_min``,
    ``b*(T*) ≍ D^((1+s)/2)`` (no cap);
    easy: ``P* = 0`` (``switch_remaining`` is ``None``), ``T* ≍ D^(β/(1+sβ))``,
    ``J* ≍ D^(−sβ/(1+sβ))``, ``b*(0) ≍ D^((s−1+1/β)/(s+1/β))``,
    ``b*(T*) ≍ D^((1/2+sβ)/(1+sβ))``; the whole run is the growth phase.
    """
    from .symbolic import exponent_value

    def ev(name: str) -> float:
        return exponent_value(name, beta=beta, s=s)

    # hard/easy split at the derived boundary s_c (C-REGIME), not a retyped 1 − 1/β;
    # horizon 1 (T* ≈ ηD/B_min) and batch_first 0 (b*(0) = B_min) are the clipped laws
    if s < ev("regime_boundary"):
        return {"regime": "hard", "switch_remaining": ev("switch"), "horizon": 1.0,
                "risk": ev("J_star_hard"), "growth_phase": ev("growth_length"),
                "batch_first": 0.0, "batch_last": ev("hard_final_batch")}
    return {"regime": "easy", "switch_remaining": None, "horizon": ev("T_star"),
            "risk": ev("J_star"), "growth_phase": ev("T_star"), "batch_first": ev("b0"),
            "batch_last": ev("bT")}


def _sorted_budgets(budgets: Sequence[int]) -> np.ndarray:
    """Validated budgets (integers >= 1, at least two), sorted ascending, for a scaling fit."""
    out = np.array(sorted(check_int_range("budget", b, 1, None) for b in budgets))
    if out.size < 2:
        raise InvalidParameterError(f"budgets needs at least 2 values, got {out.size}")
    return out


def _slope(x, y) -> float:
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(lx, ly, 1)[0])


@dataclass(frozen=True)
class ScalingResult:
    """Fitted log-log exponents against the budget next to the predicted ones."""

    budgets: np.ndarray
    values: dict[str, np.ndarray]
    fitted: dict[str, float | None]
    predicted: dict[str, Any]
    regime: str

    def summary(self) -> dict[str, Any]:
        return {"regime": self.regime, "budgets": self.budgets,
                "values": self.values, "fitted": self.fitted, "predicted": self.predicted}


def switch_scaling(
    task: PowerLawTask,
    budgets: Sequence[int],
    lr: float,
    b1: int,
    b2: int,
    model: str = "fsl",
    *,
    progress: bool | None = None,
) -> ScalingResult:
    """Optimal switch point against the budget (C-SWITCH).

    Fits the log-log slope of ``D − P*`` against ``D`` (least squares over all budgets) and
    reports it next to the predicted ``(1+s)/(2−1/β)`` (hard) — for an easy task the
    prediction is ``P* = 0`` and ``values["fraction"]`` should vanish.
    """
    budgets = _sorted_budgets(budgets)
    res = []
    with _progress(budgets.size, "switch scaling", progress) as bar:
        for D in budgets:
            res.append(optimal_switch(task, int(D), lr, b1, b2, model, progress=False))
            bar.update(1)
    P = np.array([r.samples for r in res])
    rem = budgets - P
    pred = predicted_exponents(task.beta, task.s)
    fitted = {"switch_remaining": _slope(budgets, rem) if np.all(rem > 0) else None}
    return ScalingResult(
        budgets=budgets,
        values={"samples": P, "remaining": rem, "fraction": P / budgets,
                "risk": np.array([r.final_risk for r in res])},
        fitted=fitted, predicted=pred, regime=task.regime,
    )


def continuous_scaling(
    task: PowerLawTask,
    budgets: Sequence[int],
    lr: float,
    b_min: int,
    b_max: int | None = None,
    *,
    progress: bool | None = None,
) -> ScalingResult:
    """``T*``, ``J*`` and ``T* − T₁*`` of the continuous FSL optimum against the budget
    (C-OPT-EASY, C-OPT-HARD), with fitted and predicted log-log slopes."""
    budgets = _sorted_budgets(budgets)
    rs = []
    with _progress(budgets.size, "continuous scaling", progress) as bar:
        for D in budgets:
            rs.append(optimal_schedule(task, int(D), lr, b_min, b_max, "fsl", integer=False,
                                       progress=False))
            bar.update(1)
    T = np.array([r.horizon for r in rs])
    J = np.array([r.predicted_risk for r in rs])
    grow = T - np.array([r.floor_end for r in rs])
    b0 = np.array([r.profile_batch[0] for r in rs])
    b1 = np.array([r.profile_batch[-1] for r in rs])
    fitted = {"horizon": _slope(budgets, T), "risk": _slope(budgets, J),
              "growth_phase": _slope(budgets, grow) if np.all(grow > 0) else None,
              "batch_first": _slope(budgets, b0), "batch_last": _slope(budgets, b1)}
    return ScalingResult(
        budgets=budgets,
        values={"horizon": T, "risk": J, "growth_phase": grow,
                "batch_first": b0, "batch_last": b1},
        fitted=fitted, predicted=predicted_exponents(task.beta, task.s), regime=task.regime,
    )

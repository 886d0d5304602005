"""The continuous optimum of the FSL batch-scheduling problem (docs/theory.md §5;
module docstring of
:mod:`fsltheory.optimize`, ``docs/theory.md §5``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from ..engines.spectral import forgetting_kernel, kernel_tail, signal_term
from ..errors import InvalidParameterError, check_int_range
from ..schedule import Schedule
from ..task import PowerLawTask
from ._common import _check_model, _check_steps, _progress, _validate_opt
from .lrprofile import _as_profile
from .objective import _model_risks, fsl_risk, fsl_risk_many
from .search import compass_search, minimize_scalar
from .waterfill import _Grid, _waterfill

__all__ = ["ContinuousOptimum", "optimal_schedule"]


@dataclass(frozen=True)
class ContinuousOptimum:
    """Result of :func:`optimal_schedule` (docs/theory.md §5, C-OPT-EASY / C-OPT-HARD).

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
        (integral approximation, docs/theory.md §4).
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
            "lr_schedule": self.meta.get("lr_schedule", "const"),
        }


def _signal_tail(task: PowerLawTask, T: float) -> float:
    """``½ Σ_{j>M} j^(−(1+sβ)) e^(−2 j^(−β) T) ≈ (1/(2β)) (2T)^(−s) γ(s, 2T M^(−β))``
    (integral approximation of the missing modes, docs/theory.md §4; exact lower
    incomplete gamma)."""
    import mpmath

    x = 2.0 * T * task.modes ** (-task.beta)
    return float(mpmath.gammainc(task.s, 0, x)) * (2.0 * T) ** (-task.s) / (2.0 * task.beta)


def _floor_end(task, T, nodes, du, b, at_floor, at_ceil, b_min) -> float:
    """``T₁* = T − u₁`` where the KKT law ``c √K(u)`` meets the floor: ``K(u₁) = (b_min/c)²``.

    ``c`` is read off the free cells (``b = c √K̄``); ``u₁`` is the root of
    ``log K(u) − log(b_min/c)²`` inside the transition cell pair (exact kernel
    :func:`~fsltheory.engines.spectral.forgetting_kernel`, decreasing in ``u``;
    :func:`scipy.optimize.brentq` to relative 1e-12 in ``log u``), i.e. far below the grid
    resolution.  0 if the floor never binds, ``T`` if it binds everywhere.
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

    def g(lu: float) -> float:
        return math.log(float(forgetting_kernel(task, [math.exp(lu)])[0])) - math.log(k1)

    g_lo, g_hi = g(math.log(lo)), g(math.log(hi))
    if g_lo <= 0.0:
        u1 = lo
    elif g_hi >= 0.0:
        u1 = hi
    else:  # K decreasing: one root in log u
        u1 = math.exp(brentq(g, math.log(lo), math.log(hi), rtol=1e-12))
    return float(T - u1)


class _FSLProblem:
    """The continuous problem of docs/theory.md §5 on a log grid of remaining time."""

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
    Ks = {min(max(K, K_lo), K_hi) for K in (math.floor(T / prob.lr), math.ceil(T / prob.lr))}
    _check_steps(max(Ks), prob.D, copies=len(Ks))  # before allocating the candidates
    for K in Ks:
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
    _check_steps(K, prob.D)
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
    lr_schedule=None,
    progress: bool | None = None,
) -> ContinuousOptimum:
    """Numerically optimal batch schedule under a data budget (docs/theory.md §5),
    optionally under a
    fixed LR profile (``docs/theory.md §7``).

    Parameters
    ----------
    task : PowerLawTask
        Needs ``σ > 0``.
    budget : int
        Data budget ``D`` (samples), ``≥ b_max`` (and ``≥ b_min``).
    lr : float
        Constant learning rate ``η``; must be stable for ``b_min`` (docs/theory.md §2), hence for
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
    lr_schedule : str, LRProfile or None
        Fixed LR profile ``φ`` over the data fraction (``lr`` is its peak); ``None`` or
        ``"const"``: constant LR.  A decaying profile is solved in data coordinates
        (:mod:`fsltheory.optimize.continuous_lr`: L-BFGS-B over the batch of each data cell,
        bounds only), then rounded and, for engines, refined like the constant-LR case.
    progress : bool or None
        tqdm bar on stderr (``None``: only when stderr is a terminal).

    Examples
    --------
    >>> from fsltheory import PowerLawTask
    >>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
    >>> opt = optimal_schedule(task, 2**14, 0.2, 4, 64, progress=False)
    >>> opt.schedule.budget, "b_min" in opt.binding
    (16384, True)

    Notes
    -----
    FSL model: for fixed ``T`` minimise ``∫ K(T−t)/b`` subject to ``∫ b = ηD`` and the
    bounds; by KKT ``b*(t) = clip(c √K(T − t), b_min, b_max)`` (C-OPT-EASY, C-OPT-HARD),
    exactly solved on the cell grid (:func:`_waterfill`).  ``T`` is optimised on
    ``[η max(1, D/b_max), ηD/b_min]`` by log-grid bracketing (dense near both ends) and
    scipy's Brent / bounded search (:func:`~fsltheory.optimize.search.minimize_scalar`).
    Rounding: ``K ∈ {⌊T*/η⌋, ⌈T*/η⌉}`` steps, the profile re-solved at ``T = Kη``,
    per-step data rounded cumulatively (exact budget; each batch within one of its
    continuous mean, hence within the bounds).  Exact/Volterra: compass search over
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
    if integer:  # the integer schedule has at least ⌈D/b_max⌉ steps: refuse before work
        _check_steps(1 if b_max is None else -(-budget // b_max), budget)
    prof = _as_profile(lr_schedule)
    if prof is not None:
        from .continuous_lr import optimal_schedule_lr

        with _progress(None, "optimal schedule (LR profile)", progress) as bar:
            return ContinuousOptimum(**optimal_schedule_lr(
                task, budget, lr, prof, b_min, b_max, model, per_decade=per_decade,
                segments=segments, max_rounds=max_rounds, integer=integer, bar=bar))
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


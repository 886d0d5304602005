"""Optimal schedules searched directly on the continuum engine (docs/theory.md §3, §5).

The §5 exponents of the claim checks are measured twice: on the FSL optimiser of
:mod:`fsltheory.optimize` (cheap, budgets up to 1e8) and, independently of it, on the
Volterra engine (V), whose answer includes the multiplicative noise the σ²-dominated FSL
drops.  This module holds the engine-side searches; nothing here calls the optimiser's
solvers (only its generic 1-D searches ``minimize_scalar`` / ``minimize_integer``).

* :func:`engine_switch` — the best two-stage switch ``b1 → b2`` by a bracketing integer
  search over the number of large-batch steps, every candidate run on (V) (C-SWITCH).
* :func:`engine_continuous` — the best schedule of the clipped √K family
  ``b(u) = max(B_min, c√K̄(u))`` (``u`` remaining time, ``c`` fixed by the budget, the
  Cauchy–Schwarz / KKT shape of docs/theory.md §5 for a *given* horizon) with the horizon
  searched on (V) (C-OPT-EASY, C-OPT-HARD, C-REGIME).  Schedules are run-length encoded
  (cells 1 % wide in remaining time, integer batches, exact budget), so a 10^7-step
  schedule costs ~0.1 s on :func:`~fsltheory.engines.volterra.volterra_risk_runs`.

Example
-------
>>> from fsltheory import PowerLawTask
>>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=2000)
>>> r = engine_switch(task, 20_000, 0.2, 1, 8)    # hard task: switch late
>>> 0.5 < r["samples"] / 20_000 < 1
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.optimize import brentq

from ..engines.spectral import kernel_tail
from ..engines.volterra import volterra_risk_runs
from ..task import PowerLawTask
from .base import decades, fit_loglog

__all__ = ["engine_switch", "engine_continuous", "kkt_runs", "switch_rows", "bmin_rows",
           "continuous_rows"]

#: cells per decade of remaining time in :func:`kkt_runs` (≈ 1 % wide: below the 1 % γ
#: change at which the engine places a node anyway)
CELLS_PER_DECADE = 230


def _final(task: PowerLawTask, lr: float, batch, counts) -> float:
    lrs = np.full(len(batch), lr)
    return float(volterra_risk_runs(task, lrs, batch, counts, points=2).final_risk)


@lru_cache(maxsize=256)
def engine_switch(task: PowerLawTask, budget: int, lr: float, b1: int, b2: int) -> dict:
    """Best two-stage schedule ``b1 → b2`` on the Volterra engine (C-SWITCH).

    The switch point ``P = D − k·b2`` (stage 2 takes ``k`` full ``b2`` batches; requires
    ``b1 | b2`` and ``b2 | D``) is found by :func:`~fsltheory.optimize.minimize_scalar`
    over ``log k`` (8 bracketing points over ``1 ≤ k ≤ D/b2``, then golden section to a
    bracket of 1e-3 in ``log k``, i.e. ``k`` to ~1 %), each candidate ``k`` (rounded)
    run on (V); the ends ``k = 0`` (all ``b1``) and ``k = D/b2`` (all ``b2``) compete too.
    Returns ``{"samples": P*, "remaining": D − P*, "risk": J*, "evaluations": n}``.
    """
    from ..optimize import minimize_scalar

    D = int(budget)
    if b2 % b1 or D % b2:
        raise ValueError(f"engine_switch needs b1 | b2 | D, got b1={b1}, b2={b2}, D={D}")
    k_max = D // b2
    seen: dict[int, float] = {}

    def at(k: int) -> float:
        if k not in seen:
            n1 = (D - k * b2) // b1
            runs = [(b, n) for b, n in ((b1, n1), (b2, k)) if n > 0]
            seen[k] = _final(task, lr, [b for b, _ in runs], [n for _, n in runs])
        return seen[k]

    hi = math.log(k_max)
    minimize_scalar(lambda x: at(int(round(math.exp(x)))), 0.0, hi,
                    grid=np.linspace(0.0, hi, 8), xtol=1e-3)
    at(0)
    k = min(seen, key=seen.get)
    return {"samples": D - k * b2, "remaining": k * b2, "risk": float(seen[k]),
            "evaluations": len(seen)}


def kkt_runs(task: PowerLawTask, budget: int, lr: float, b_min: int, steps: int
             ) -> tuple[np.ndarray, np.ndarray, float]:
    """Integer run-length schedule of ``steps`` steps with exactly ``budget`` samples
    following ``b(u) = max(b_min, c√K̄(u))`` (docs/theory.md §5; ``u`` remaining
    intrinsic time, ``K̄`` the exact cell mean of the finite-M kernel from
    :func:`~fsltheory.engines.spectral.kernel_tail`, ``c`` set by the budget).

    Returns ``(batch, counts, R)`` in time order, ``R`` the remaining time at which the
    floor stops binding (0 if it never binds: the whole run grows).
    """
    n = int(steps)
    D = int(budget)
    if not 1 <= n <= D // b_min:
        raise ValueError(f"steps must be in [1, {D // b_min}], got {n}")
    num = max(2, int(math.ceil(CELLS_PER_DECADE * math.log10(max(n, 2)))) + 1)
    j = np.unique(np.concatenate(([0], np.round(np.geomspace(1, n, num)))).astype(np.int64))
    u = lr * j.astype(np.float64)
    kt = kernel_tail(task, u)
    w = np.diff(j)
    kbar = -np.diff(kt) / np.diff(u)
    r = np.sqrt(kbar)

    def used(c: float) -> float:
        return float(np.sum(w * np.maximum(b_min, c * r))) - D

    if used(0.0) >= 0:  # every step at the floor
        c = 0.0
    else:
        c = brentq(used, 0.0, D / float(np.sum(w * r)) + 1.0, xtol=1e-14, rtol=1e-15)
    m = np.maximum(b_min, c * r)
    f = np.floor(m).astype(np.int64)
    extra = np.minimum(np.round((m - f) * w).astype(np.int64), w)
    resid = D - int(np.sum(w * f + extra))
    order = np.argsort(-w)  # absorb the rounding residual in the widest cells
    for i in order.tolist():
        if resid == 0:
            break
        d = max(-extra[i], min(w[i] - extra[i], resid))
        extra[i] += d
        resid -= d
    if resid:  # pragma: no cover - the cells hold n ≥ residual samples of room
        raise RuntimeError("kkt_runs: could not realise the budget exactly")
    # time order (largest remaining time first); f is non-decreasing in time, and the
    # cells sharing one f are merged into "f steps, then f+1 steps" so that the batch
    # never decreases (no spurious γ jumps for the engine's grid)
    f, w, extra = f[::-1], w[::-1], extra[::-1]
    vals, first = np.unique(f, return_index=True)
    n_f = np.add.reduceat(w - extra, first)
    n_f1 = np.add.reduceat(extra, first)
    batch = np.column_stack((vals, vals + 1)).ravel()
    counts = np.column_stack((n_f, n_f1)).ravel()
    keep = counts > 0
    batch, counts = batch[keep], counts[keep]
    first_of_run = np.concatenate(([True], np.diff(batch) != 0))  # merge equal neighbours
    counts = np.add.reduceat(counts, np.flatnonzero(first_of_run))
    batch = batch[first_of_run]
    free = c * r > b_min
    if c == 0.0 or np.all(free):
        R = 0.0 if c == 0.0 else float(u[-1])
    else:  # K(R) = (b_min/c)²: log-log interpolation of r against the cell mid-times
        mid = np.sqrt(np.maximum(u[:-1], 0.5 * lr) * u[1:])
        R = float(np.exp(np.interp(-math.log(b_min / c), -np.log(r), np.log(mid))))
    return batch, counts, R


@lru_cache(maxsize=256)
def engine_continuous(task: PowerLawTask, budget: int, lr: float, b_min: int,
                      evaluations: int = 10) -> dict:
    """Engine-optimal horizon of the clipped √K family (C-OPT-EASY / C-OPT-HARD).

    The number of steps ``n`` is searched on (V) by
    :func:`~fsltheory.optimize.minimize_scalar`: over ``log n`` (easy, floor not binding
    at the optimum) or over ``log(n_max − n)``, ``n_max = D/B_min`` (hard: almost every
    step at the floor, so the deficit of steps is the resolved variable).  ``evaluations``
    bracketing points, then golden section to 0.2 % in the variable.  Returns
    ``{"horizon": T*, "risk": J*, "growth": R*, "growth_fraction": R*/T*,
    "batch_first", "batch_last", "steps", "evaluations"}``.
    """
    from ..optimize import minimize_scalar

    D = int(budget)
    n_max = D // b_min
    cache: dict[int, tuple[float, np.ndarray, np.ndarray, float]] = {}

    def at(n: int):
        n = int(min(max(n, 1), n_max))
        if n not in cache:
            b, cnt, R = kkt_runs(task, D, lr, b_min, n)
            cache[n] = (_final(task, lr, b, cnt), b, cnt, R)
        return n, cache[n]

    hard = task.regime == "hard"
    if hard:
        def f(x: float) -> float:
            return at(n_max - int(round(math.exp(x))))[1][0]
        hi = math.log(max(n_max - 1, 2))
        x, _ = minimize_scalar(f, 0.0, hi, grid=np.linspace(0.0, hi, evaluations),
                               xtol=2e-3)
        n = n_max - int(round(math.exp(x)))
    else:
        def f(x: float) -> float:
            return at(int(round(math.exp(x))))[1][0]
        # easy: the mean batch D/n is searched down to 8·B_min (a longer horizon spends
        # most steps near the floor, which is the hard-regime answer); 5 decades of n
        hi = math.log(max(n_max / 8.0, 20.0))
        lo = max(math.log(10.0), hi - 5 * math.log(10))
        x, _ = minimize_scalar(f, lo, hi, grid=np.linspace(lo, hi, evaluations), xtol=2e-3)
        if x <= lo + 1e-9 or x >= hi - 1e-9:
            raise RuntimeError(f"engine_continuous: optimum at the search bound n = "
                               f"{math.exp(x):.4g} (D={D}, B_min={b_min}); widen the range")
        n = int(round(math.exp(x)))
    n, (J, b, cnt, R) = at(n)
    best = min(cache, key=lambda k: cache[k][0])  # the search's best evaluation
    if cache[best][0] < J:
        n, (J, b, cnt, R) = at(best)
    T = n * lr
    return {"horizon": T, "risk": J, "growth": R, "growth_fraction": R / T,
            "batch_first": float(b[0]), "batch_last": float(b[-1]), "steps": n,
            "evaluations": len(cache)}


# ------------------------------------------------------------------ evidence rows
def _budgets(spec: Mapping[str, Any], unit: int) -> np.ndarray:
    """``n`` log-spaced budgets ``D'`` in ``[lo, hi]``, times ``unit`` (see module
    docstring: the noise scale κ), rounded to multiples of ``unit``."""
    lo, hi, n = spec["d"]
    base = np.unique(np.round(np.geomspace(lo, hi, n)).astype(np.int64))
    return base * int(unit)


def progress_bar(total: int, desc: str):
    """Progress inside a long claim: a tqdm bar on stderr (only on a terminal) or, in a
    :class:`fsltheory.jobs.JobPool` worker, a :class:`~fsltheory.jobs.WorkerBar` whose
    steps show on the parent's bar."""
    import sys

    from tqdm import tqdm

    from ..jobs import WorkerBar, in_worker

    if in_worker():
        return WorkerBar(total, desc)
    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty())


def switch_rows(ev, spec: Mapping[str, Any], executor: Any = None) -> None:
    """C-SWITCH on the Volterra engine: slope of ``D − P*`` vs ``D`` (hard pairs), ``P*``
    from :func:`engine_switch` at every budget (one :func:`fsltheory.sweep` job per
    budget, :func:`.sweeps.engine_switch_job`, run on ``executor``), vs the derived
    ``switch_exponent``."""
    from .checks_core import num, pstr
    from .sweeps import engine_switch_values

    sw = num("C-SWITCH", "switch_exponent")
    lr, b1, b2 = spec["lr"], spec["b1"], spec["b2"]
    for beta, s in spec["pairs"]:
        D = _budgets(spec, 1)
        D = D - D % b2  # stage 2 on full b2 batches (engine_switch's lattice)
        task = PowerLawTask(beta, s, sigma=1.0, modes=_modes(beta, lr * float(D[-1]) / b1))
        res = engine_switch_values(beta, s, task.modes, D, lr, b1, b2, executor)
        rem = np.array([r["remaining"] for r in res], dtype=np.float64)
        local = np.diff(np.log(rem)) / np.diff(np.log(D.astype(np.float64)))
        # 0.03: docs/theory.md §6 default; the switch search resolves D − P* to one b2 step (≤ 1e-3
        # relative here) and (V) adds the multiplicative noise the FSL drops (a shift of
        # the optimum that is a constant factor to leading order, hence not in the slope)
        ev.add("slope of D − P* vs D (switch searched on the engine)",
               pstr(beta=beta, s=s, M=task.modes, B=f"{b1}->{b2}", lr=lr,
                    D=f"[{D[0]:g},{D[-1]:g}]"),
               sw(beta=beta, s=s), fit_loglog(D, rem), spec["tol"], engine="volterra",
               note=f"{decades(D):.1f} decades; P*/D = {1 - rem[0] / D[0]:.3f} → "
                    f"{1 - rem[-1] / D[-1]:.3f}; local slopes "
                    + ", ".join(f"{x:.3f}" for x in local)
                    + f"; {sum(r['evaluations'] for r in res)} engine runs")


def _continuous_study(beta: float, s: float, spec: Mapping[str, Any], executor: Any = None):
    """Engine optima of the √K family at the budgets of ``spec`` (cached per pair in this
    process), one :func:`fsltheory.sweep` job per budget run on ``executor``."""
    from .sweeps import engine_continuous_values

    kappa = int(spec["kappa"])
    hard = s < 1.0 - 1.0 / beta
    b_min = kappa if hard else int(spec["easy_b_min"])
    D = _budgets(spec, kappa)
    lr = spec["lr"]
    task = PowerLawTask(beta, s, sigma=math.sqrt(kappa),
                        modes=min(int(spec["max_modes"]),
                                  _modes(beta, lr * float(D[-1]) / b_min, 1e4)))
    res = engine_continuous_values(beta, s, task.sigma, task.modes, D.tolist(), lr,
                                   [b_min] * D.size, executor)
    vals = {k: np.array([r[k] for r in res], dtype=np.float64) for k in res[0]}
    return task, D, b_min, vals


def _modes(beta: float, t_max: float, margin: float = 100.0) -> int:
    """M with M^β = margin·t_max (every intrinsic time used satisfies t ≪ M^β)."""
    return int(np.ceil((margin * t_max) ** (1.0 / beta)))


def continuous_rows(ev, spec: Mapping[str, Any], claim: str, executor: Any = None) -> None:
    """Engine rows of C-OPT-EASY (T*, J*), C-OPT-HARD (J*, growth fraction) and C-REGIME
    (b*(0)): the clipped √K family with its horizon searched on the Volterra engine
    (:func:`engine_continuous`) at budgets ``κ·D'`` with ``σ² = κ`` and ``B_min = κ``
    (hard) — the FSL is invariant under ``b → κb, σ² → κσ², D → κD``, and batches ≥ κ
    keep the integer rounding of the batch below the engine's 1 % resolution."""
    from .checks_core import num, pstr

    corr = num("C-SIGNAL", "finite_M_correction")
    for beta, s in spec["pairs"]:
        task, D, b_min, v = _continuous_study(beta, s, spec, executor)
        par = pstr(beta=beta, s=s, M=task.modes, sigma2=int(spec["kappa"]), B_min=b_min,
                   lr=spec["lr"], D=f"[{D[0]:g},{D[-1]:g}]")
        note = f"{decades(D):.1f} decades; {task.regime}; {int(v['evaluations'].sum())} " \
               "engine runs"
        tail = -corr(beta=beta, s=s, M=task.modes)
        J = v["risk"] + tail  # the missing signal tail of the M modes (docs/theory.md §4)
        jnote = note + f"; M-tail {tail / J[-1]:.1%} of J at max D"
        # tolerances 0.03 (docs/theory.md §6 default); measured local slopes approach the
        # prediction from one side as D grows (corrections ∝ T^(−1/(2β)) for J, T)
        if claim == "C-OPT-EASY":
            ev.add("slope of T* vs D (horizon searched on the engine)", par,
                   num(claim, "T_star_exponent")(beta=beta, s=s), fit_loglog(D, v["horizon"]),
                   spec["tol"], engine="volterra", note=note)
            ev.add("slope of J* + M-tail vs D (engine optimum)", par,
                   num(claim, "J_star_exponent")(beta=beta, s=s), fit_loglog(D, J),
                   spec["tol"], engine="volterra", note=jnote)
        elif claim == "C-OPT-HARD":
            ev.add("slope of J* + M-tail vs D (engine optimum)", par,
                   num(claim, "J_star_exponent")(beta=beta, s=s), fit_loglog(D, J),
                   spec["tol"], engine="volterra", note=jnote)
            ev.add("slope of growth fraction (T*−T₁*)/T* vs D (engine optimum)", par,
                   num(claim, "growth_fraction_exponent")(beta=beta, s=s),
                   fit_loglog(D, v["growth_fraction"]), spec["tol"], engine="volterra",
                   note=note + f"; (T*−T₁*)/T* = {v['growth_fraction'][0]:.3g} → "
                               f"{v['growth_fraction'][-1]:.3g}")
        elif claim == "C-REGIME":
            first = v["batch_first"]
            pred = max(0.0, num(claim, "b0_exponent")(beta=beta, s=s))
            if task.regime == "easy":
                ev.add("slope of b*(0) vs D (engine optimum, floor not binding)", par, pred,
                       fit_loglog(D, first), spec["tol"], engine="volterra",
                       note=note + f"; b*(0) = {first[0]:.4g} → {first[-1]:.4g}")
            # regime indicator: +1 if the engine optimum starts above the floor at every
            # budget (easy), −1 if it starts on the floor at every budget (hard), 0 mixed
            above = first > b_min
            measured = 1.0 if above.all() else (-1.0 if not above.any() else 0.0)
            sc = num(claim, "regime_boundary")(beta=beta)
            ev.add("regime on the engine (+1 easy / −1 hard): b*(0) above the floor?",
                   par + f", s_c={sc:.4g}", 1.0 if s > sc else -1.0, measured, 0.0,
                   kind="sign", engine="volterra",
                   note=f"b*(0)/B_min = {first[0] / b_min:.3g} … {first[-1] / b_min:.3g}")
        else:  # pragma: no cover - internal misuse
            raise ValueError(f"no engine rows for {claim}")


def bmin_rows(ev, p: Mapping[str, Any]) -> None:
    """C-OPT-HARD, corrected final-batch law (docs/theory.md §5): at fixed D, η, σ the
    final batch of the optimum scales as ``B_min^(final_batch_Bmin_exponent)``
    (= B_min^(−s/2)), measured over ``p["b_min_factors"]`` (≥ 3 values, ≥ 1 decade) on the
    FSL optimiser (σ = 1, ``D = d_hi``) and on the Volterra engine (σ² = B_min base = κ,
    ``D = κ·D'_max``)."""
    from ..optimize import optimal_schedule
    from .checks_core import num, pstr
    from .sweeps import engine_continuous_values

    fac = np.asarray(p["b_min_factors"], dtype=np.int64)
    spec = p["engine"]
    kappa = int(spec["kappa"])
    for beta, s in spec["pairs"]:
        pred = num("C-OPT-HARD", "final_batch_Bmin_exponent")(beta=beta, s=s)
        D = int(p["d_hi"])
        task = PowerLawTask(beta, s, sigma=1.0,
                            modes=_modes(beta, p["lr"] * D / int(fac.min())))
        last = [optimal_schedule(task, D, p["lr"], int(b), progress=False,
                                 integer=False).profile_batch[-1] for b in fac.tolist()]
        # 0.03 (spec default): the derivation is leading order in R*/T* (≤ 0.1 here)
        ev.add("slope of b*(T*) vs B_min at fixed D, η, σ", pstr(
            beta=beta, s=s, M=task.modes, D=D, lr=p["lr"],
            B_min=f"[{fac.min()},{fac.max()}]"), pred, fit_loglog(fac, last), spec["tol"],
            engine="fsl", note=f"{decades(fac):.1f} decades of B_min; b*(T*) = "
                               + ", ".join(f"{x:.4g}" for x in last))
        Dv = int(_budgets(spec, kappa)[-1])
        bm = kappa * fac
        etask = PowerLawTask(beta, s, sigma=math.sqrt(kappa), modes=min(
            int(spec["max_modes"]), _modes(beta, spec["lr"] * Dv / int(bm.min()), 1e4)))
        res = engine_continuous_values(beta, s, etask.sigma, etask.modes, [Dv] * bm.size,
                                       spec["lr"], bm.tolist(), p.get("executor"))
        lastv = [r["batch_last"] for r in res]
        ev.add("slope of b*(T*) vs B_min at fixed D, η, σ (engine optimum)", pstr(
            beta=beta, s=s, M=etask.modes, sigma2=kappa, D=Dv, lr=spec["lr"],
            B_min=f"[{bm.min()},{bm.max()}]"), pred, fit_loglog(bm, lastv), spec["tol"],
            engine="volterra", note=f"{decades(bm):.1f} decades of B_min; b*(T*) = "
                                    + ", ".join(f"{x:.4g}" for x in lastv))

"""The σ²-dominated FSL objective and the model risks of :mod:`fsltheory.optimize`.

docs/theory.md §3/§5: for a schedule with runs of learning rate ``η_r`` and batch ``B_r`` the final
excess risk is ``J = e(T) + (σ²/2) ∫_0^T K(T − t) γ(t) dt`` with ``γ = η/B``, integrated
exactly through the kernel tail ``Kt(u) = ∫_u^∞ K`` (see ``docs/theory.md §5``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..engines.exact import exact_risk_many
from ..engines.spectral import kernel_tail, signal_term
from ..schedule import Schedule
from ..task import PowerLawTask
from ._common import _check_task, _volterra_engine

__all__ = ["fsl_risk", "fsl_risk_many", "fsl_two_stage"]


def _runs_geometry(lrs, bs, counts):
    """``(T, u at run starts, u at run ends, γ per run)`` of runs ``(η_r, B_r, n_r)``
    (``n_r`` may be fractional: data-continuum cells), ``u = T − t`` remaining time."""
    dt = lrs * counts  # intrinsic time of each run
    ends = np.cumsum(dt)
    T = float(ends[-1])
    starts = ends - dt
    gam = lrs / bs  # noise rate γ = η/B of each run
    return T, T - starts, T - ends, gam


def _fsl_runs_many(task: PowerLawTask, runs: Sequence[tuple]) -> np.ndarray:
    """Final FSL risk of many run tables ``(η_r, B_r, n_r)`` (see :func:`fsl_risk_many`);
    every kernel tail is computed once (one vectorised spectral call)."""
    geo = [_runs_geometry(*r) for r in runs]
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


def fsl_risk_many(task: PowerLawTask, schedules: Sequence[Schedule]) -> np.ndarray:
    """Final FSL risk of many schedules (one vectorised spectral call).

    Notes
    -----
    docs/theory.md §3/§5/§7 σ²-dominated FSL for a piecewise-constant schedule with runs ``r`` of
    learning rate ``η_r`` and batch ``B_r`` over intrinsic times ``[t_r, t_r')``::

        J = e(T) + (σ²/2) Σ_r (η_r / B_r) [Kt(T − t_r') − Kt(T − t_r)]

    — the exact integral of ``(σ²/2) ∫ K(T − t) γ(t) dt`` with ``γ = η/B``
    (``docs/theory.md §5, §7``); any LR schedule enters through its runs.
    """
    task = _check_task(task)
    return _fsl_runs_many(task, [s.runs() for s in schedules])


def fsl_risk(task: PowerLawTask, schedule: Schedule) -> float:
    """Final excess risk of ``schedule`` under the σ²-dominated FSL (docs/theory.md §5); see
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


def _two_stage(b1: int, b2: int, P: int, D: int, lr: float, prof=None) -> Schedule:
    """``b1 → b2`` after ``P`` samples; LR profile ``prof`` (``None``: constant)."""
    if prof is None:
        return Schedule.two_stage(b1, b2, P / D, D, lr)
    return Schedule.two_stage(b1, b2, P / D, D, lr, lr_schedule=prof)


def _stages(batches, fractions, D: int, lr: float, prof=None) -> Schedule:
    """:meth:`Schedule.stages` with the LR profile ``prof`` (``None``: constant)."""
    if prof is None:
        return Schedule.stages(batches, fractions, D, lr)
    return Schedule.stages(batches, fractions, D, lr, lr_schedule=prof)


def _constant(b: int, D: int, lr: float, prof=None) -> Schedule:
    """:meth:`Schedule.constant` with the LR profile ``prof`` (``None``: constant)."""
    if prof is None:
        return Schedule.constant(b, D, lr)
    return Schedule.constant(b, D, lr, lr_schedule=prof)


def fsl_two_stage(task: PowerLawTask, budget: int, lr: float, b1: int, b2: int,
                  samples) -> np.ndarray:
    """FSL final risk of the two-stage schedules ``b1 → b2`` after ``samples`` (multiples
    of ``b1``), without building per-step arrays (docs/theory.md §5, C-SWITCH).

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


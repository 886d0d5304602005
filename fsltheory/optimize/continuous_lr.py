"""The continuous optimum under a fixed LR profile (``docs/theory.md §7``).

With the LR profile fixed over the data fraction the budget constraint disappears (the
variable is the batch ``b(p)`` over the data ``p ∈ [0, D]``) and only the bounds remain:

    min_{b_min ≤ b ≤ b_max}  J[b] = e(T) + (σ²/2) ∫ K(T − t) γ(t) dt,   γ = η/b,

solved on the data cells of :mod:`fsltheory.optimize.lrprofile` by L-BFGS-B
(:func:`scipy.optimize.minimize`) in ``log b`` with the analytic gradient, from a few
constant starts.  The answer is rounded to integer batches per cell (cumulatively, exact
budget) and realised with :meth:`Schedule.from_batches` under the same profile; for
``model="exact"``/``"volterra"`` it is refined on the engine by a parallel compass search
over log-tilts of ``b`` on log-segments of the remaining data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engines.spectral import signal_term
from ..schedule import Schedule
from .lrprofile import _DataProblem, _profile_name
from .objective import _model_risks, fsl_risk
from .search import compass_search

__all__: list[str] = []


def _round_cells(nodes: np.ndarray, b: np.ndarray, D: int, b_min: int, b_max: int | None):
    """Integer run-length batches ``(B_c, n_c)`` for the cell profile ``b`` on data
    ``nodes``: ``B_c = clip(round(b_c))``, step counts rounded cumulatively so that the data
    used tracks the cell edges; the remainder ``D − Σ B_c n_c`` is spread as one extra
    sample over the last steps when it fits, else taken by final partial steps."""
    hi = np.inf if b_max is None else b_max
    B = np.clip(np.round(b), b_min, hi).astype(np.int64)
    seg_b, seg_n = [], []
    used = 0
    for c in range(B.size):
        n = int((nodes[c + 1] - used) // B[c])
        if n > 0 and used + n * B[c] <= D:
            seg_b.append(int(B[c]))
            seg_n.append(n)
            used += n * int(B[c])
    rest = D - used
    if 0 < rest <= seg_n[-1] and seg_b[-1] + 1 <= hi:  # spread over the last steps: B → B+1
        seg_b.append(seg_b[-1] + 1)
        seg_n[-1] -= rest
        seg_n.append(rest)
        rest = 0
    while rest > 0:  # final (partial) step(s)
        step = int(min(rest, seg_b[-1] if seg_b else rest, hi))
        seg_b.append(step)
        seg_n.append(1)
        rest -= step
    return np.array(seg_b, dtype=np.int64), np.array(seg_n, dtype=np.int64)


def _realise(prob: _DataProblem, b_cells, D, lr, prof, b_min, b_max) -> Schedule:
    seg_b, seg_n = _round_cells(prob.nodes, b_cells, D, b_min, b_max)
    return Schedule.from_batches(seg_b, lr, lr_schedule=prof, counts=seg_n)


def optimal_schedule_lr(task, budget, lr, prof, b_min, b_max, model, *, per_decade,
                        segments, max_rounds, integer, bar):
    """Continuous optimum under the LR profile ``prof`` (module docstring); returns the
    keyword arguments of :class:`~fsltheory.optimize.continuous.ContinuousOptimum`."""
    from .continuous import _signal_tail

    D = budget
    uniform = 4 * per_decade
    prob = _DataProblem(task, D, lr, prof, per_decade, uniform, b_min)
    cap = b_max if b_max is not None else 64 * b_min
    starts = [b_min, math.sqrt(b_min * cap)]
    b, J_star = prob.solve(b_min, b_max, starts)
    fine = _DataProblem(task, D, lr, prof, 2 * per_decade, 2 * uniform, b_min)
    mid_f = 0.5 * (fine.nodes[:-1] + fine.nodes[1:])
    warm = b[np.clip(np.searchsorted(prob.nodes, mid_f) - 1, 0, b.size - 1)]
    _, J_fine = fine.solve(b_min, b_max, [warm])
    if bar is not None:
        bar.update(1)
    x, u = prob.times(np.log(b))
    T = float(u[0])
    t_edges = T - u  # intrinsic time at the data nodes
    meta: dict[str, Any] = {"lr_schedule": _profile_name(prof), "data_cells": int(b.size),
                            "fsl_evaluations": prob.n_eval + fine.n_eval}
    sched, final, J_round = None, J_star, math.nan
    if integer:
        sched = _realise(prob, b, D, lr, prof, b_min, b_max)
        J_round = fsl_risk(task, sched)
        final = J_round
        if model != "fsl":
            start_val = float(_model_risks(task, [sched], model)[0])
            r = (D - 0.5 * (prob.nodes[:-1] + prob.nodes[1:])) / D  # remaining data
            edges = np.geomspace(max(b_min / D, 1e-4), 1.0, segments + 1)[1:-1]
            seg = np.searchsorted(edges, r)

            def build(a):
                hi = np.inf if b_max is None else b_max
                return _realise(prob, np.clip(b * np.exp(np.asarray(a)[seg]), b_min, hi),
                                D, lr, prof, b_min, b_max)

            def f_many(X):
                return _model_risks(task, [build(a) for a in X], model)

            a, fa, n_ev = compass_search(f_many, np.zeros(segments), 0.25, min_step=0.01,
                                         max_rounds=max_rounds, progress=bar)
            if fa < start_val:
                sched, final = build(a), fa
                J_round = fsl_risk(task, sched)
            else:
                final = start_val
            meta.update(fsl_start_risk_on_model=start_val, engine_evaluations=n_ev,
                        parameters=a.tolist())
    at_floor = b <= b_min * (1 + 1e-6)
    at_ceil = np.zeros_like(at_floor) if b_max is None else b >= b_max * (1 - 1e-6)
    # end of the initial floor phase (late cells where φ ≈ 0 may sit anywhere: γ ≈ 0)
    floor_end = float(t_edges[np.argmin(at_floor)]) if at_floor[0] and not np.all(at_floor) \
        else (T if np.all(at_floor) else 0.0)
    ceiling_start = float(t_edges[np.flatnonzero(at_ceil)[0]]) if np.any(at_ceil) else None
    tail = _signal_tail(task, T)
    e_T = float(signal_term(task, [T])[0])
    tail_frac = tail / (e_T + tail)
    if sched is not None:
        _, bs, ns = sched.segments().lr, sched.segments().batch, sched.segments().count
        steps = float(ns.sum())
        floor_frac = float(ns[bs == b_min].sum() / steps)
        ceil_frac = float(ns[bs == b_max].sum() / steps) if b_max is not None else 0.0
    else:
        floor_frac = ceil_frac = math.nan
    binding = [name for name, hit in (("b_min", np.any(at_floor)), ("b_max", np.any(at_ceil)),
                                      ("finite_M_signal", tail_frac > 0.1)) if hit]
    return dict(
        schedule=sched, model=model, final_risk=float(final), horizon=T,
        floor_end=floor_end, ceiling_start=ceiling_start, predicted_risk=float(J_star),
        fsl_rounded_risk=float(J_round), rounding_loss=float(J_round - J_star),
        discretisation_error=float(J_star - J_fine), binding=tuple(binding),
        floor_step_fraction=floor_frac, ceiling_step_fraction=ceil_frac,
        signal_tail_fraction=float(tail_frac), profile_time=t_edges[:-1].copy(),
        profile_batch=b.copy(), meta=meta)

"""The per-budget scaling studies of the claims as :func:`fsltheory.sweep` grids.

Every budget of a scaling study (the optimal schedule of C-OPT-EASY / C-REGIME /
C-OPT-HARD, the optimal switch of C-SWITCH; docs/theory.md §5) is an independent job of a
module-level (picklable) job function that returns plain numbers, so the same check runs in
this process (``executor=None``, the default: a :class:`~fsltheory.sweep.SerialExecutor`
that leaves numba's thread count alone, as the plain loops did), on a local process pool
(:func:`fsltheory.sweep.local_executor`) or on a dask.distributed cluster
(:func:`fsltheory.sweep.dask_executor`).  The numbers are bit-for-bit those of the plain
loop whatever the executor: each job is the same deterministic computation, and floats
cross process boundaries unchanged.

Example
-------
>>> import numpy as np
>>> from fsltheory.claims.sweeps import switch_values
>>> v = switch_values(2.0, 0.25, 200, np.array([4096, 16384]), 0.2, 1, 8)
>>> sorted(v)
['fraction', 'remaining', 'risk', 'samples']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..task import PowerLawTask

__all__ = ["run_sweep", "switch_values", "switch_job", "optimum_values", "optimum_job",
           "engine_switch_values", "engine_switch_job", "engine_continuous_values",
           "engine_continuous_job"]

_KEEP_STEPS = 5_000_000


def run_sweep(grid: dict[str, Any], fn, executor: Any = None):
    """Run ``grid`` through :func:`fsltheory.sweep` with job function ``fn``.

    ``executor=None``: in this process, numba threads untouched (the default timing of the
    checks); otherwise any :class:`concurrent.futures.Executor`, one numba thread per job.
    A failed job raises :class:`RuntimeError` with the job's error.
    """
    from ..sweep import sweep

    if executor is None:
        table = sweep(grid, fn, "serial", threads=None, progress=None)
    else:
        table = sweep(grid, fn, executor, threads=1, progress=None)
    if table.failed:
        raise RuntimeError(f"scaling job failed: {table.failed[0]['error']}")
    return table


def _col(table, name: str, dtype) -> np.ndarray:
    return np.array([r[name] for r in table.rows], dtype=dtype)


# ---------------------------------------------------------------------------- C-SWITCH
def switch_job(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """One budget of C-SWITCH: :func:`fsltheory.optimize.optimal_switch` (FSL model,
    docs/theory.md §5) at ``budget``; returns ``samples`` (P*) and ``final_risk``."""
    from ..optimize import optimal_switch

    task = PowerLawTask(params["beta"], params["s"], sigma=params["sigma"],
                        modes=params["modes"])
    r = optimal_switch(task, int(params["budget"]), params["lr"], params["b1"], params["b2"],
                       params["model"], progress=False)
    return {"samples": int(r.samples), "final_risk": float(r.final_risk)}


def switch_values(beta: float, s: float, modes: int, budgets: np.ndarray, lr: float,
                  b1: int, b2: int, executor: Any = None) -> dict[str, np.ndarray]:
    """The ``values`` of :func:`fsltheory.optimize.switch_scaling` (``samples`` P*,
    ``remaining`` D − P*, ``fraction`` P*/D, ``risk``) with one sweep job per budget.

    ``budgets`` must be sorted, unique integers (as ``switch_scaling`` makes them)."""
    budgets = np.asarray(budgets, dtype=np.int64)
    grid = {"task": {"beta": float(beta), "s": float(s), "sigma": 1.0, "modes": int(modes)},
            "run": {"model": "fsl", "budget": [int(d) for d in budgets], "lr": float(lr),
                    "b1": int(b1), "b2": int(b2)}}
    t = run_sweep(grid, switch_job, executor)
    P = _col(t, "samples", np.int64)
    return {"samples": P, "remaining": budgets - P, "fraction": P / budgets,
            "risk": _col(t, "final_risk", np.float64)}


# ---------------------------------------------------------------------------- optimum
def optimum_job(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """One budget of the optimal-schedule studies: :func:`fsltheory.optimize.optimal_schedule`
    (FSL model, docs/theory.md §5) at ``budget``; returns its ``horizon``, ``risk``
    (predicted J*), ``floor_end``, ``batch_first`` / ``batch_last`` (b*(0), b*(T*)), and
    with ``volterra`` the continuum-engine (§3) risk of the integer schedule
    (``volterra_risk``; ``volterra_ok`` 0 when the schedule is too long to keep)."""
    from ..optimize import optimal_schedule

    task = PowerLawTask(params["beta"], params["s"], sigma=1.0, modes=params["modes"])
    r = optimal_schedule(task, int(params["budget"]), params["lr"], params["b_min"],
                         progress=False, integer=params["integer"])
    out = {"horizon": float(r.horizon), "risk": float(r.predicted_risk),
           "floor_end": float(r.floor_end), "batch_first": float(r.profile_batch[0]),
           "batch_last": float(r.profile_batch[-1])}
    if params["volterra"]:
        sch = r.schedule
        ok = sch is not None and sch.n_steps <= _KEEP_STEPS
        if ok:
            from ..engines.volterra import volterra_risk

            out["volterra_risk"] = float(volterra_risk(task, sch, points=2).final_risk)
        else:
            out["volterra_risk"] = float("nan")
        out["volterra_ok"] = int(ok)
    return out


def optimum_values(beta: float, s: float, modes: int, budgets: np.ndarray, lr: float,
                   b_min: int, integer: bool, volterra: bool,
                   executor: Any = None) -> dict[str, np.ndarray]:
    """The optimiser's answers over ``budgets`` (one sweep job per budget): arrays
    ``horizon``, ``risk``, ``growth_phase`` (T* − T₁*), ``batch_first``, ``batch_last``,
    and with ``volterra`` also ``volterra_risk`` and ``volterra_ok``."""
    grid = {"task": {"beta": float(beta), "s": float(s), "modes": int(modes)},
            "run": {"budget": [int(d) for d in budgets], "lr": float(lr),
                    "b_min": int(b_min), "integer": bool(integer),
                    "volterra": bool(volterra)}}
    t = run_sweep(grid, optimum_job, executor)
    T = _col(t, "horizon", np.float64)
    out = {"horizon": T, "risk": _col(t, "risk", np.float64),
           "growth_phase": T - _col(t, "floor_end", np.float64),
           "batch_first": _col(t, "batch_first", np.float64),
           "batch_last": _col(t, "batch_last", np.float64)}
    if volterra:
        out["volterra_risk"] = _col(t, "volterra_risk", np.float64)
        out["volterra_ok"] = _col(t, "volterra_ok", np.int64)
    return out


# ---------------------------------------------------------------------------- engine switch
def engine_switch_job(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """One budget of the C-SWITCH engine rows: :func:`.engine_scaling.engine_switch` (the
    switch searched on the Volterra engine, docs/theory.md §3, §5); returns its
    ``samples``, ``remaining``, ``risk`` and ``evaluations``."""
    from .engine_scaling import engine_switch

    task = PowerLawTask(params["beta"], params["s"], sigma=1.0, modes=params["modes"])
    return dict(engine_switch(task, int(params["budget"]), params["lr"], params["b1"],
                              params["b2"]))


def engine_switch_values(beta: float, s: float, modes: int, budgets: np.ndarray, lr: float,
                         b1: int, b2: int, executor: Any = None) -> list[dict[str, Any]]:
    """:func:`.engine_scaling.engine_switch` at every budget (one sweep job each), as a
    list of its result dicts in budget order."""
    grid = {"task": {"beta": float(beta), "s": float(s), "modes": int(modes)},
            "run": {"budget": [int(d) for d in budgets], "lr": float(lr), "b1": int(b1),
                    "b2": int(b2)}}
    t = run_sweep(grid, engine_switch_job, executor)
    keys = ("samples", "remaining", "risk", "evaluations")
    return [{k: r[k] for k in keys} for r in t.rows]


# ---------------------------------------------------------------------------- engine optimum
def engine_continuous_job(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """One point of the engine rows of C-OPT-EASY / C-REGIME / C-OPT-HARD:
    :func:`.engine_scaling.engine_continuous` (horizon of the clipped √K family searched
    on the Volterra engine, docs/theory.md §3, §5) at ``budget`` and ``b_min``."""
    from .engine_scaling import engine_continuous

    task = PowerLawTask(params["beta"], params["s"], sigma=params["sigma"],
                        modes=params["modes"])
    return dict(engine_continuous(task, int(params["budget"]), params["lr"],
                                  int(params["b_min"])))


def engine_continuous_values(beta: float, s: float, sigma: float, modes: int,
                             budgets: list[int], lr: float, b_mins: list[int],
                             executor: Any = None) -> list[dict[str, Any]]:
    """:func:`.engine_scaling.engine_continuous` at the points ``zip(budgets, b_mins)``
    (one sweep job each), as a list of its result dicts in that order."""
    points = [f"{int(d)}:{int(b)}" for d, b in zip(budgets, b_mins, strict=True)]
    grid = {"task": {"beta": float(beta), "s": float(s), "sigma": float(sigma),
                     "modes": int(modes)},
            "run": {"point": points, "lr": float(lr)}}
    t = run_sweep(grid, _engine_continuous_point, executor)
    keys = ("horizon", "risk", "growth", "growth_fraction", "batch_first", "batch_last",
            "steps", "evaluations")
    return [{k: r[k] for k in keys} for r in t.rows]


def _engine_continuous_point(params: dict[str, Any], seed: int) -> dict[str, Any]:
    d, b = (int(x) for x in params.pop("point").split(":"))
    return engine_continuous_job({**params, "budget": d, "b_min": b}, seed)

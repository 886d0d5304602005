"""Data of the batch-schedule figures (docs/theory.md §5): ``optimal-schedules``
(continuous optimum, easy vs hard), ``switch-vs-loss`` (final loss vs switch point),
``switch-scaling`` (D − P* vs D) and ``phase-diagram`` (the (β, s) plane).  The last two
run their points as :func:`fsltheory.sweep` jobs (:func:`_switch_job`, :func:`_phase_job`,
module-level so that process pools can import them)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engines.exact import exact_risk_many
from ..schedule import Schedule
from ..task import PowerLawTask
from .common import (
    B_LARGE,
    B_SMALL,
    BETA,
    LR,
    S_EASY,
    S_HARD,
    SIGMA,
    FigData,
    loglog_slope,
    predicted_profile_exponent,
    predicted_switch_exponent,
    regime_boundary,
)

__all__ = ["data_optimal_schedules", "data_switch_vs_loss", "data_switch_scaling",
           "data_phase_diagram"]


def data_optimal_schedules(quick: bool = False) -> FigData:
    """Optimal continuous batch schedules (docs/theory.md §5 C-OPT-EASY / C-OPT-HARD) from
    :func:`fsltheory.optimize.optimal_schedule` (FSL model, floor B_SMALL, no ceiling) for
    an easy and a hard task at several budgets: the continuous optimum b*(t) against
    t/T* (= fraction of steps, the learning rate being constant), with T₁*/T* where the
    floor stops binding.  Modes are chosen so that the finite-M signal tail does not bind
    (the optimiser reports it in ``binding``)."""
    from ..optimize import optimal_schedule

    budgets = [2**14, 2**16, 2**18] if quick else [2**14, 2**16, 2**18, 2**20]
    modes = 10**4 if quick else 10**5
    fd = FigData("optimal-schedules", meta={"budgets": budgets, "modes": modes, "lr": LR,
                                            "b_min": B_SMALL})
    for label, s in (("easy", S_EASY), ("hard", S_HARD)):
        task = PowerLawTask(BETA, s, sigma=SIGMA, modes=modes)
        rows = []
        for D in budgets:
            res = optimal_schedule(task, D, LR, B_SMALL, model="fsl", progress=False)
            t = np.asarray(res.profile_time, dtype=np.float64)
            b = np.asarray(res.profile_batch, dtype=np.float64)
            remaining = res.horizon - t
            row = {"budget": D, "frac": t / res.horizon, "remaining": remaining, "batch": b,
                   "horizon": res.horizon, "floor_end": res.floor_end,
                   "floor_step_fraction": res.floor_step_fraction,
                   "steps": res.schedule.n_steps, "int_batch": res.schedule.batch,
                   "binding": tuple(res.binding), "final_risk": res.final_risk}
            # slope of log b* vs log(T − t) where b* > b_min and 10 ≤ T − t ≤ T/2
            win = (remaining >= 10.0) & (remaining <= res.horizon / 2) & (b > 1.001 * B_SMALL)
            row["fitted"] = loglog_slope(remaining[win], b[win])[0] if win.sum() >= 4 else None
            rows.append(row)
        pred = predicted_profile_exponent(BETA)
        fd.panels[label] = {"task": task, "rows": rows, "predicted": pred}
        fd.fits[label] = [{"budget": r["budget"], "binding": r["binding"],
                           "floor_step_fraction": r["floor_step_fraction"],
                           "fitted": r["fitted"], "predicted": pred} for r in rows]
    return fd


def _switch_grid(task: PowerLawTask, budget: int, n: int,
                 b1: int = B_SMALL, b2: int = B_LARGE) -> tuple[np.ndarray, np.ndarray]:
    """Final exact risk of two-stage schedules ``b1 → b2`` whose large-batch data
    ``R = D − P`` runs over ~``n`` log-spaced whole multiples of ``b2`` (so that neither
    stage ends with a partial batch, which would add a step-count artefact to the curve;
    needs ``D`` divisible by ``b2`` and ``b2`` by ``b1``).  Returns (shares R/D, risks)."""
    m = np.unique(np.round(np.geomspace(1, budget // b2, n)).astype(np.int64))
    R = m * b2
    scheds = [Schedule.two_stage(b1, b2, float(budget - r) / budget, budget, LR) for r in R]
    curves = exact_risk_many(task, scheds)
    real = np.array([1.0 - s.switch_samples[0] / budget for s in scheds])
    return real, np.array([c.final_risk for c in curves])


def data_switch_vs_loss(quick: bool = False) -> FigData:
    """Final excess risk (exact engine) of the two-stage schedule B_SMALL → B_LARGE vs the
    switch point, for several budgets, on a hard and an easy task (docs/theory.md §5 C-SWITCH).

    The curve is a log grid of the large-batch share of data (D − P)/D evaluated directly
    on the exact engine; the marked optimum P* comes independently from
    :func:`fsltheory.optimize.optimal_switch` (exact model, its own bracketing and zoom
    search).  The optimum moves later (smaller share) as D grows on the hard task and
    stays at share 1 (P* = 0) on the easy one.
    """
    from ..optimize import optimal_switch

    budgets = [2**12, 2**14, 2**16] if quick else [2**12, 2**14, 2**16, 2**18, 2**20]
    modes = 1000 if quick else 4000
    n = 16 if quick else 40
    fd = FigData("switch-vs-loss", meta={"budgets": budgets, "modes": modes, "lr": LR,
                                         "b_small": B_SMALL, "b_large": B_LARGE})
    for label, s in (("hard", S_HARD), ("easy", S_EASY)):
        task = PowerLawTask(BETA, s, sigma=SIGMA, modes=modes)
        rows = []
        for D in budgets:
            real, loss = _switch_grid(task, D, n)
            order = np.argsort(real)
            opt = optimal_switch(task, D, LR, B_SMALL, B_LARGE, model="exact", progress=False)
            rows.append({"budget": D, "share": real[order], "loss": loss[order],
                         "best_share": 1.0 - opt.fraction, "best_loss": opt.final_risk,
                         "grid_min_loss": float(loss.min())})
        fd.panels[label] = {"task": task, "rows": rows}
        fd.fits[label] = [{"budget": r["budget"], "best_share": r["best_share"],
                           "best_loss": r["best_loss"], "grid_min_loss": r["grid_min_loss"]}
                          for r in rows]
    return fd


_SWITCH_PAIRS = [(2.0, 0.25), (2.0, 0.4), (3.0, 0.3)]


def _switch_job(params: dict[str, Any], seed: int) -> dict[str, int]:
    """One (pair, budget) point of the switch-scaling figure (a :func:`fsltheory.sweep`
    job): P* of :func:`fsltheory.optimize.optimal_switch` and D − P* (docs/theory.md §5)."""
    from ..optimize import optimal_switch

    beta, s = _SWITCH_PAIRS[params["pair"]]
    task = PowerLawTask(beta, s, sigma=params["sigma"], modes=params["modes"])
    D = int(params["budget"])
    opt = optimal_switch(task, D, params["lr"], params["b1"], params["b2"],
                         model=params["model"], progress=False)
    return {"samples": int(opt.samples), "remaining": D - int(opt.samples)}


def data_switch_scaling(quick: bool = False, executor: Any = None) -> FigData:
    """D − P* vs D (docs/theory.md §5 C-SWITCH) from
    :func:`fsltheory.optimize.optimal_switch` on the FSL model for three hard (β, s) pairs over
    4.2 decades of D, log-log, with the fitted
    exponent next to the predicted (1+s)/(2−1/β) from the symbolic layer; for the first
    pair also P* found on the exact engine (``meta['exact']``) as a second method.

    Every (pair, budget) point is an independent :func:`fsltheory.sweep` job;
    ``executor`` is passed through (None: one local process pool for both sweeps)."""
    from ..sweep import local_executor, sweep

    pairs = _SWITCH_PAIRS
    # D up to 2^26 (4.2 decades): the optimiser materialises per-step schedules (D/4 steps).
    budgets = 2 ** np.arange(12, 23 if quick else 27, 2)
    modes = 10**4 if quick else 10**5
    fd = FigData("switch-scaling", meta={"lr": LR, "b_small": B_SMALL, "b_large": B_LARGE,
                                         "modes": modes})
    # second method: the exact engine (optimal_switch, model="exact") for the first pair,
    # at budgets where the exact recursion is affordable
    ex_budgets = 2 ** np.arange(12, 17 if quick else 21, 2)
    ex_modes = 1000 if quick else 4000
    run = {"lr": LR, "b1": B_SMALL, "b2": B_LARGE}
    own = local_executor() if executor is None else None
    try:
        fsl = sweep({"task": {"pair": list(range(len(pairs))), "sigma": SIGMA, "modes": modes},
                     "run": {"model": "fsl", "budget": budgets.tolist(), **run}},
                    fn=_switch_job, executor=own or executor, progress=False)
        ex = sweep({"task": {"pair": 0, "sigma": SIGMA, "modes": ex_modes},
                    "run": {"model": "exact", "budget": ex_budgets.tolist(), **run}},
                   fn=_switch_job, executor=own or executor, progress=False)
    finally:
        if own is not None:
            own.shutdown()
    for t in (fsl, ex):
        if t.failed:
            raise RuntimeError(f"switch-scaling job failed: {t.failed[0]['error']}")
    fd.meta["sweep"] = fsl.summary() + "\n" + ex.summary()
    gaps = fsl.column("remaining").reshape(len(pairs), budgets.size)  # pair slowest
    for k, (beta, s) in enumerate(pairs):
        D = budgets.astype(np.float64)
        gap = gaps[k]
        p, c = loglog_slope(D, gap)
        pred = predicted_switch_exponent(beta, s)
        key = f"β={beta:g}, s={s:g}"
        fd.panels[key] = {"budgets": D, "gap": gap, "fitted": p, "fit_const": c,
                          "predicted": pred}
        fd.fits[key] = {"fitted": p, "predicted": pred}
    beta, s = pairs[0]
    rem = ex.column("remaining")
    p, c = loglog_slope(ex_budgets, rem)
    fd.meta["exact"] = {"key": f"β={beta:g}, s={s:g}", "budgets": ex_budgets.astype(float),
                        "gap": rem, "fitted": p, "fit_const": c, "modes": ex_modes}
    fd.fits["exact " + f"β={beta:g}, s={s:g}"] = {"fitted": p,
                                                  "predicted": predicted_switch_exponent(beta, s)}
    return fd


def _phase_settings(quick: bool) -> dict[str, dict[str, Any]]:
    return {
        "exact": {"model": "exact", "budget": 2**14 if quick else 2**16,
                  "modes": 400 if quick else 1000},
        "fsl": {"model": "fsl", "budget": 2**20 if quick else 2**24,
                "modes": 10**4 if quick else 10**5},
    }


def _phase_job(params: dict[str, Any], seed: int) -> dict[str, float]:
    """One cell of the phase diagram (a :func:`fsltheory.sweep` job): the optimal
    large-batch data share ``1 − P*/D`` at ``(beta, s)`` for ``panel`` (docs/theory.md §5)."""
    from ..optimize import optimal_switch

    st = _phase_settings(params["quick"])[params["panel"]]
    task = PowerLawTask(params["beta"], params["s"], sigma=params["sigma"], modes=st["modes"])
    opt = optimal_switch(task, st["budget"], params["lr"], params["b1"], params["b2"],
                         model=st["model"], progress=False)
    return {"share": 1.0 - opt.fraction}


def data_phase_diagram(quick: bool = False, executor: Any = None,
                       resolution: int | None = None) -> FigData:
    """Optimal large-batch data share (D − P*)/D of the two-stage schedule B_SMALL →
    B_LARGE over the (β, s) plane, P* from :func:`fsltheory.optimize.optimal_switch`, with
    the easy/hard boundary s = 1 − 1/β from the symbolic layer (docs/theory.md §5 C-REGIME,
    C-SWITCH).  Two panels: the exact engine at a moderate budget, and the FSL model at a
    budget 2^8 times larger — the boundary is an asymptotic statement (on the hard side
    the share shrinks like D^(−(1−1/β−s)/(2−1/β))), so the transition sharpens towards
    s = 1 − 1/β as D grows.

    The cells are independent jobs of :func:`fsltheory.sweep` (:func:`_phase_job`):
    ``executor`` is passed through (None: a local process pool; any
    ``concurrent.futures.Executor``, e.g. :func:`fsltheory.dask_executor`, runs it on a
    cluster); ``resolution`` overrides the number of points per axis (14, quick 6)."""
    from ..optimize import optimal_switch
    from ..sweep import sweep

    nb, ns = (6, 6) if quick else (14, 14)
    if resolution is not None:
        from ..errors import check_int_range

        nb = ns = check_int_range("resolution", resolution, 2, None)
    betas = np.linspace(1.25, 4.0, nb)
    ss = np.linspace(0.1, 1.5, ns)
    settings = _phase_settings(quick)
    bline = np.linspace(betas[0], betas[-1], 100)
    fd = FigData("phase-diagram", meta={"lr": LR, "b_small": B_SMALL, "b_large": B_LARGE,
                                        "settings": settings})
    grid = {"task": {"beta": betas.tolist(), "s": ss.tolist(), "sigma": SIGMA},
            "run": {"panel": list(settings), "quick": bool(quick), "lr": LR, "b1": B_SMALL,
                    "b2": B_LARGE}}
    table = sweep(grid, fn=_phase_job, executor=executor, progress=False)
    if table.failed:
        raise RuntimeError(f"phase-diagram job failed: {table.failed[0]['error']}")
    fd.meta["sweep"] = table.summary()
    # jobs run over (beta, s, panel), beta slowest
    cells = table.column("share").reshape(nb, ns, len(settings))
    for k, (key, st) in enumerate(settings.items()):
        share = np.ascontiguousarray(cells[:, :, k].T)  # rows: s, columns: beta
        fd.panels[key] = {"betas": betas, "ss": ss, "share": share, **st,
                          "boundary_beta": bline, "boundary_s": regime_boundary(bline)}
        fd.fits[key] = share
    # the finite-D blur on the easy side near the boundary at large β: the optimal share
    # reaches 1 only as D grows (FSL model, one easy cell, budgets 2^16 … 2^32)
    beta_b, s_b = 4.0, 1.0
    task = PowerLawTask(beta_b, s_b, sigma=SIGMA, modes=settings["fsl"]["modes"])
    ks = [16, 20, 24] if quick else [16, 20, 24, 28, 32]
    fd.fits["blur"] = {"beta": beta_b, "s": s_b, "budgets": [2**k for k in ks], "share": [
        1.0 - optimal_switch(task, 2**k, LR, B_SMALL, B_LARGE, model="fsl",
                             progress=False).fraction for k in ks]}
    return fd

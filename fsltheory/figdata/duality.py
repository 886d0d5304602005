"""Data of the ``duality`` figure: an LR schedule at fixed batch vs the optimal batch
schedule at fixed LR (docs/theory.md §5 C-DUALITY)."""

from __future__ import annotations

import numpy as np

from ..engines.exact import exact_risk_many
from ..schedule import Schedule
from ..task import PowerLawTask
from .common import (
    B_SMALL,
    BETA,
    LR,
    S_EASY,
    SIGMA,
    FigData,
    _curve_points,
    predicted_duality_lr_exponent,
)

__all__ = ["data_duality"]


def data_duality(quick: bool = False) -> FigData:
    """LR/batch duality (docs/theory.md §5 C-DUALITY), exact engine, easy task.

    Batch schedule at fixed LR η0: the optimal continuous batch schedule b_k of
    :func:`fsltheory.optimize.optimal_schedule`.  LR schedule at fixed batch B0 = B_SMALL:
    each batch-schedule step of batch b_k becomes b_k/B0 steps at learning rate
    η0·B0/b_k (b_k rounded to a multiple of B0), so both consume the same data with the
    same noise rate r = η/b per unit intrinsic time.  Under the σ²-dominated FSL they have
    the same loss as a function of data; the exact engine shows it to O(η).  The LR
    schedule is compared with the power decay η0 (1 − z/N)^(2β−1) of 2602.06797.
    """
    from ..optimize import optimal_schedule

    budget = 2**15 if quick else 2**18
    modes = 1000 if quick else 4000
    task = PowerLawTask(BETA, S_EASY, sigma=SIGMA, modes=modes)
    res = optimal_schedule(task, budget, LR, B_SMALL, model="fsl", progress=False)
    sch_b = res.schedule
    b = np.maximum(B_SMALL, np.round(sch_b.batch / B_SMALL).astype(np.int64) * B_SMALL)
    batch_sched = Schedule.from_arrays(LR, b)
    reps = b // B_SMALL
    lr_steps = np.repeat(LR * B_SMALL / b, reps)
    lr_sched = Schedule.from_arrays(lr_steps, np.full(lr_steps.size, B_SMALL, dtype=np.int64))
    c_b, c_l = exact_risk_many(task, [batch_sched, lr_sched])
    # the LR curve at the data points of the batch curve, once past the first 1% of the
    # data (the first few batch-schedule steps take lr 0.2 steps on modes with λ ≈ 1, where
    # the O(η²λ²) terms the FSL drops are largest)
    at = c_l.at_data(c_b.data[1:])
    rel_all = np.abs(at / c_b.risk[1:] - 1.0)
    rel = float(np.max(rel_all[c_b.data[1:] >= 0.01 * batch_sched.budget]))
    rel_final = float(c_l.final_risk / c_b.final_risk - 1.0)
    z = np.arange(lr_steps.size) / lr_steps.size
    expo = predicted_duality_lr_exponent(BETA)
    fd = FigData("duality", meta={"task": task, "budget": int(batch_sched.budget), "lr": LR,
                                  "nominal_budget": budget,
                                  "b0": B_SMALL})
    fd.panels["batch"] = {"curve": _curve_points(c_b), "batch": b.astype(np.float64),
                          "steps": batch_sched.n_steps}
    fd.panels["lr"] = {"curve": _curve_points(c_l), "lr": lr_steps, "z": z,
                       "steps": lr_sched.n_steps, "peak": float(lr_steps[0]),
                       "power_decay": lr_steps[0] * (1.0 - z) ** expo, "exponent": expo}
    fd.fits = {"max_rel_diff_vs_data": rel, "final_rel_diff": rel_final,
               "max_rel_diff_all": float(np.max(rel_all)), "steps_batch": batch_sched.n_steps,
               "steps_lr": lr_sched.n_steps,
               "final_batch": c_b.final_risk, "final_lr": c_l.final_risk}
    return fd

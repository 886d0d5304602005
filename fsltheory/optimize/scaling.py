"""Scaling studies: fitted exponents against the budget next to the predicted ones (docs/theory.md
§5:
C-SWITCH, C-OPT-EASY, C-OPT-HARD; ``docs/theory.md §5``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..task import PowerLawTask
from ._common import _progress, _slope, _sorted_budgets
from .continuous import optimal_schedule
from .switch import optimal_switch

__all__ = ["ScalingResult", "predicted_exponents", "switch_scaling", "continuous_scaling"]


def predicted_exponents(beta: float, s: float) -> dict[str, Any]:
    """Predicted log-log slopes against ``D`` (docs/theory.md §5: C-SWITCH, C-OPT-EASY, C-OPT-HARD),
    read from :mod:`fsltheory.symbolic` (the single source of truth for exponents).

    hard (s < 1 − 1/β): ``D − P* ≍ D^((1+s)/(2−1/β))``, ``T* ≍ D``, ``J* ≍ D^(−s)``,
    growth phase ``T* − T₁* ≍ D^((1+s)/(2−1/β))``, ``b*(0) = B_min``,
    ``b*(T*) ≍ D^((1+s)/2)`` (no cap);
    easy: ``P* = 0`` (``switch_remaining`` is ``None``), ``T* ≍ D^(β/(1+sβ))``,
    ``J* ≍ D^(−sβ/(1+sβ))``, ``b*(0) ≍ D^((s−1+1/β)/(s+1/β))``,
    ``b*(T*) ≍ D^((1/2+sβ)/(1+sβ))``; the whole run is the growth phase.
    """
    from ..symbolic import exponent_value

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
    lr_schedule=None,
    progress: bool | None = None,
) -> ScalingResult:
    """Optimal switch point against the budget (C-SWITCH), optionally under a fixed LR
    profile ``lr_schedule`` (``docs/theory.md §7``, C-SWITCH-LR).

    Fits the log-log slope of ``D − P*`` against ``D`` (least squares over all budgets) and
    reports it next to the predicted ``(1+s)/(2−1/β)`` (hard) — for an easy task the
    prediction is ``P* = 0`` and ``values["fraction"]`` should vanish.
    """
    budgets = _sorted_budgets(budgets)
    res = []
    with _progress(budgets.size, "switch scaling", progress) as bar:
        for D in budgets:
            res.append(optimal_switch(task, int(D), lr, b1, b2, model,
                                      lr_schedule=lr_schedule, progress=False))
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

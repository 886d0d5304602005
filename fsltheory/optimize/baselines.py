"""Baseline schedules on the same task and budget (docs/theory.md §5; ``docs/theory.md §5``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..schedule import Schedule
from ..task import PowerLawTask
from ._common import _check_model, _check_steps, _validate_opt
from .continuous import ContinuousOptimum, optimal_schedule
from .lrprofile import _as_profile
from .objective import _constant, _model_risks, _stages
from .switch import SwitchResult, optimal_switch

__all__ = ["BaselineRow", "compare_baselines"]


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
    #: ``"batch"``: a batch schedule under the common LR profile (the optimum's feasible
    #: set); ``"adaptive"``: a critical-batch baseline of :mod:`fsltheory.adaptive`
    #: (Seesaw also decays the LR, so it lies outside that set).
    family: str = "batch"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "schedule": str(self.schedule),
                "final_risk": self.final_risk, "steps": self.steps, "data": self.data,
                "improvement_vs_bmax": self.improvement_vs_bmax,
                "improvement_vs_bmin": self.improvement_vs_bmin,
                "family": self.family}


def _ramp(b_lo: int, b_hi: int, D: int, lr: float, prof=None) -> Schedule:
    """Linear ramp in steps from ``b_lo`` to ``b_hi``, cumulatively rounded to exactly D
    (LR profile ``prof`` over the data fraction; ``None``: constant)."""
    K = max(1, int(round(2 * D / (b_lo + b_hi))))
    _check_steps(K, D)
    mean = b_lo + (b_hi - b_lo) * (np.arange(K) + 0.5) / K
    cum = np.concatenate(([0.0], np.cumsum(mean)))
    cum *= D / cum[-1]
    r = np.floor(cum + 0.5).astype(np.int64)
    r[0], r[-1] = 0, D
    batch = np.maximum(np.diff(r), 1)
    if prof is None:
        return Schedule.from_arrays(lr, batch)
    return Schedule.from_batches(batch, lr, lr_schedule=prof)


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
    lr_schedule=None,
    progress: bool | None = None,
    adaptive: bool = True,
) -> list[BaselineRow]:
    """Baseline schedules on the same task, budget and LR profile, evaluated on ``model``.

    Rows: ``const b_min``, ``const b_max``, ``early switch`` (b_min → b_max after 25 % of
    the data), ``late switch`` (75 %), ``optimal switch`` (:func:`optimal_switch`),
    ``doubling`` (b_min, 2b_min, …, ≤ b_max; each stage uses half the remaining data:
    switches at fractions 1 − 2^(−i)), ``linear ramp`` (b_min → b_max linearly in steps),
    then, with ``adaptive=True`` (the default) and a constant LR profile, the three
    critical-batch baselines of :func:`fsltheory.adaptive.adaptive_baselines`
    (``docs/theory.md §8``: B_opt-tracking b ∝ 1/L(t), GNS-adaptive b = B_noise(t), both
    closed-loop on the exact engine, and Seesaw: LR ×1/√2 and batch ×2 at 3 step-decays;
    ``family="adaptive"``), evaluated on the same ``model`` as the other rows, and last
    ``continuous optimum`` (:func:`optimal_schedule`).  Seesaw changes the LR, so it is
    outside the optimum's feasible set (batch schedules under one LR profile) and can beat
    it on easy tasks; the adaptive rows are left out under a non-constant LR profile (the
    builders run at constant peak LR).  Without ``b_max`` the largest
    batch of the continuous optimum plays its role.  Improvements are
    ``1 − risk/risk(const b_max)`` and ``1 − risk/risk(const b_min)``.  Every row uses the
    LR profile ``lr_schedule`` (``docs/theory.md §7``; ``None``: constant LR) with peak
    ``lr``, so the constant small / large batch rows are the profile's own baselines.

    Examples
    --------
    >>> from fsltheory import PowerLawTask
    >>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
    >>> rows = compare_baselines(task, 2**12, 0.2, 4, 64, progress=False)
    >>> rows[-1].name, rows[-1].final_risk <= rows[0].final_risk
    ('continuous optimum', True)
    """
    task, budget, lr, b_min, b_max = _validate_opt(task, budget, lr, b_min, b_max)
    model = _check_model(model)
    prof = _as_profile(lr_schedule)
    D = budget
    if optimum is None:
        optimum = optimal_schedule(task, D, lr, b_min, b_max, model, lr_schedule=prof,
                                   progress=progress)
    b_hi = b_max if b_max is not None else max(int(optimum.schedule.batch.max()), b_min)
    rows: list[tuple[str, Schedule]] = [
        (f"const b_min={b_min}", _constant(b_min, D, lr, prof)),
        (f"const b_max={b_hi}", _constant(b_hi, D, lr, prof)),
    ]
    if b_hi > b_min:
        if switch is None:
            switch = optimal_switch(task, D, lr, b_min, b_hi, model, lr_schedule=prof,
                                    progress=progress)
        dbl = [b_min]
        while dbl[-1] * 2 <= b_hi:
            dbl.append(dbl[-1] * 2)
        rows += [
            ("early switch 25%", _stages([b_min, b_hi], [0.25], D, lr, prof)),
            ("late switch 75%", _stages([b_min, b_hi], [0.75], D, lr, prof)),
            (f"optimal switch {switch.fraction:.4f}", switch.schedule),
        ]
        if len(dbl) > 1:
            rows.append((f"doubling {b_min}..{dbl[-1]}", _stages(
                dbl, [1 - 0.5**i for i in range(1, len(dbl))], D, lr, prof)))
        rows.append((f"linear ramp {b_min}->{b_hi}", _ramp(b_min, b_hi, D, lr, prof)))
    n_batch = len(rows)
    if adaptive and b_hi > b_min and prof is None:
        from ..adaptive import adaptive_baselines

        rows += adaptive_baselines(task, D, lr, b_min, b_hi)
    rows.append(("continuous optimum", optimum.schedule))
    vals = _model_risks(task, [s for _, s in rows[:-1]], model).tolist()
    vals.append(optimum.final_risk)
    r_min, r_max = vals[0], vals[1]
    fams = ["batch"] * n_batch + ["adaptive"] * (len(rows) - 1 - n_batch) + ["batch"]
    return [
        BaselineRow(name, s, float(v), s.n_steps, s.budget, float(1 - v / r_max),
                    float(1 - v / r_min), fam)
        for (name, s), v, fam in zip(rows, vals, fams, strict=True)
    ]


"""Batch schedules from the critical-batch ideas, as baselines (docs/theory.md §8).

* **B_opt-tracking** (2601.05034's scheduler): raise the batch as the loss falls,
  b(t) = (1 + 1/s)·B_floor(L(t)) with B_floor(L) the batch whose §2 stationary floor is L
  (≈ ησ²tr(Λ)/(4L)) — in the FSL, b ∝ 1/L(t).
* **GNS-adaptive** (McCandlish et al.): b(t) = κ·B_noise(t), the gradient noise scale of
  the current iterate distribution (:mod:`fsltheory.gns`, from the exact moments).
* **Seesaw-style**: a step-decay LR turned into batch growth: at each of ``decays`` equally
  spaced data fractions the LR is multiplied by 1/√2 and the batch doubled.

The first two are closed-loop: the exact engine (§2) is advanced in ``decisions`` chunks of
equal data and the batch of each chunk is set from the state at its start.  Every builder
returns an integer-batch :class:`~fsltheory.schedule.Schedule` that spends the budget
exactly (last step partial) with batches clipped to [b_min, b_max].

Integration: :func:`adaptive_baselines` returns ``[(name, Schedule), …]`` for the same
``(task, budget, lr, b_min, b_max)`` arguments as ``compare_baselines`` / ``plan``;
:func:`baseline_table` evaluates them on the exact engine next to the FSL optimum.

Example
-------
>>> from fsltheory import PowerLawTask
>>> from fsltheory.adaptive import adaptive_baselines
>>> task = PowerLawTask(2.0, 1.0, sigma=1.0, modes=100)
>>> rows = adaptive_baselines(task, 20_000, 0.2, 1, 64, decisions=16)
>>> [name.split()[0] for name, _ in rows]
['B_opt-tracking', 'GNS-adaptive', 'Seesaw']
>>> all(sch.budget == 20_000 for _, sch in rows)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .critical import _ExactState
from .errors import InvalidParameterError, check_int_range, check_range
from .schedule import Schedule
from .task import PowerLawTask

__all__ = [
    "bopt_tracking",
    "gns_adaptive",
    "seesaw",
    "adaptive_baselines",
    "baseline_table",
    "adaptive_report",
]


def _validate(task, budget, lr, b_min, b_max):
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    budget = check_int_range("budget", budget, 1, None)
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    b_min = check_int_range("b_min", b_min, 1, None)
    b_max = check_int_range("b_max", b_max, b_min, None)
    if budget < b_max:
        raise InvalidParameterError(f"budget must be >= b_max={b_max}, got {budget}")
    return budget, lr, b_min, b_max


def _closed_loop(task: PowerLawTask, budget: int, lr: float, b_min: int, b_max: int,
                 rule: Callable[[_ExactState, float], float], decisions: int) -> Schedule:
    decisions = check_int_range("decisions", decisions, 1, None)
    st = _ExactState(task)
    batches: list[int] = []
    counts: list[int] = []
    used = 0
    for i in range(decisions):
        risk = 0.5 * st.E2
        b = int(np.clip(round(rule(st, risk)), b_min, b_max))
        end = budget if i == decisions - 1 else int(round(budget * (i + 1) / decisions))
        n = (end - used) // b
        if n > 0:
            st.advance(lr, b, n)
            batches.append(b)
            counts.append(n)
            used += n * b
    rest = budget - used
    if rest > 0:
        batches.append(rest)
        counts.append(1)
    return Schedule.from_batches(np.array(batches), lr, counts=np.array(counts))


def bopt_tracking(task: PowerLawTask, budget: int, lr: float, b_min: int, b_max: int, *,
                  decisions: int = 64) -> Schedule:
    """B_opt-tracking: b = (1 + 1/s)·B_floor(L(t)), clipped (module docstring).

    B_floor(L) is the root of the exact §2 floor ½σ²q/(1 − q) = L while L is below the
    floor at batch 1, else its small-η form ησ²tr(Λ)/(4L); either way b ∝ 1/L(t) to
    leading order."""
    from .critical import _floor, b_min_floor

    budget, lr, b_min, b_max = _validate(task, budget, lr, b_min, b_max)
    c = lr * task.sigma**2 * task.trace / 4.0
    k = 1.0 + 1.0 / task.s
    try:
        f1 = _floor(task, lr, 1.0, "exact")
    except ValueError:
        f1 = math.inf

    def rule(st, L):
        if task.sigma == 0.0:
            return b_min
        if L < f1:
            return k * b_min_floor(task, lr, L)
        return k * c / max(L, 1e-300)

    return _closed_loop(task, budget, lr, b_min, b_max, rule, decisions)


def gns_adaptive(task: PowerLawTask, budget: int, lr: float, b_min: int, b_max: int, *,
                 decisions: int = 64, kappa: float = 1.0, which: str = "B_noise") -> Schedule:
    """GNS-adaptive: b = κ·B_noise(t) (or B_simple) of the current moments, clipped."""
    from .gns import gns_from_moments

    budget, lr, b_min, b_max = _validate(task, budget, lr, b_min, b_max)
    kappa = check_range("kappa", kappa, 0.0, None, low_open=True)
    if which not in ("B_noise", "B_simple"):
        raise InvalidParameterError(f"which must be 'B_noise' or 'B_simple', got {which!r}")
    return _closed_loop(task, budget, lr, b_min, b_max,
                        lambda st, L: kappa * float(gns_from_moments(task, st.d)[which]),
                        decisions)


def seesaw(task: PowerLawTask, budget: int, lr: float, b_min: int, b_max: int, *,
           decays: int = 3) -> Schedule:
    """Seesaw-style: at data fractions i/(decays+1), LR ×1/√2 and batch ×2 (≤ b_max)."""
    budget, lr, b_min, b_max = _validate(task, budget, lr, b_min, b_max)
    decays = check_int_range("decays", decays, 0, 30)
    lrs: list[np.ndarray] = []
    bs: list[np.ndarray] = []
    used = 0
    b, eta = b_min, lr
    for i in range(decays + 1):
        end = budget if i == decays else int(round(budget * (i + 1) / (decays + 1)))
        n = (end - used) // b
        if i == decays:
            n = -(-(end - used) // b)
        if n > 0:
            stage = np.full(n, b, dtype=np.int64)
            if i == decays and (end - used) % b:
                stage[-1] = (end - used) % b
            bs.append(stage)
            lrs.append(np.full(n, eta))
            used += int(stage.sum())
        b = min(2 * b, b_max)
        eta /= math.sqrt(2.0)
    return Schedule.from_arrays(np.concatenate(lrs), np.concatenate(bs))


def adaptive_baselines(task: PowerLawTask, budget: int, lr: float, b_min: int, b_max: int,
                       *, decisions: int = 64, decays: int = 3,
                       kappa: float = 1.0) -> list[tuple[str, Schedule]]:
    """The three §8 baselines as ``[(name, Schedule), …]`` for ``compare_baselines`` / ``plan``.

    Parameters are those of ``compare_baselines`` (task, data budget, peak LR, batch bounds);
    ``decisions`` is the number of closed-loop batch updates, ``decays`` the number of
    Seesaw steps, ``kappa`` the GNS multiplier.  All schedules spend ``budget`` exactly.
    """
    return [
        ("B_opt-tracking b∝1/L", bopt_tracking(task, budget, lr, b_min, b_max,
                                               decisions=decisions)),
        (f"GNS-adaptive b={kappa:g}·B_noise", gns_adaptive(task, budget, lr, b_min, b_max,
                                                           decisions=decisions, kappa=kappa)),
        (f"Seesaw ×2/÷√2 ({decays} steps)", seesaw(task, budget, lr, b_min, b_max,
                                                    decays=decays)),
    ]


def _final_exact(task: PowerLawTask, sch: Schedule) -> float:
    from .engines.exact import exact_risk

    return exact_risk(task, sch, points=2).final_risk


def baseline_table(task: PowerLawTask, budget: int, lr: float, b_min: int, b_max: int, *,
                   decisions: int = 64, decays: int = 3) -> list[dict[str, Any]]:
    """Rows ``{name, final_risk, steps, risk_vs_optimum, steps_vs_optimum}`` on the exact
    engine: the FSL optimum (``fsltheory.optimize.optimal_schedule``, FSL model), constant
    b_min, and :func:`adaptive_baselines` — final loss at equal data and steps, relative to
    the optimum."""
    from .optimize import optimal_schedule

    budget, lr, b_min, b_max = _validate(task, budget, lr, b_min, b_max)
    opt = optimal_schedule(task, budget, lr, b_min, b_max, progress=False)
    rows = [("FSL optimum", opt.schedule), (f"const b_min={b_min}",
                                             Schedule.constant(b_min, budget, lr))]
    rows += adaptive_baselines(task, budget, lr, b_min, b_max, decisions=decisions,
                               decays=decays)
    out = []
    for name, sch in rows:
        out.append({"name": name, "final_risk": _final_exact(task, sch), "steps": sch.n_steps,
                    "data": sch.budget, "max_batch": int(sch.batch.max())})
    r0, s0 = out[0]["final_risk"], out[0]["steps"]
    for r in out:
        r["risk_vs_optimum"] = r["final_risk"] / r0
        r["steps_vs_optimum"] = r["steps"] / s0
    return out


def adaptive_report(quick: bool = False) -> dict[str, list[dict[str, Any]]]:
    """:func:`baseline_table` on a hard (β=2, s=0.25) and an easy (β=2, s=1) task
    (σ = 1, lr 0.2, b ∈ [1, 256]; budget 10⁵, quick 2·10⁴)."""
    D = 20_000 if quick else 100_000
    out = {}
    for name, s in (("hard", 0.25), ("easy", 1.0)):
        task = PowerLawTask(2.0, s, sigma=1.0, modes=300 if quick else 1000)
        out[f"{name} (β=2, s={s:g}, D={D})"] = baseline_table(task, D, 0.2, 1, 256)
    return out

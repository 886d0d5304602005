"""Critical-batch baselines for a plan on a fitted law (docs/theory.md §7, §8).

The task-level builders of :mod:`fsltheory.adaptive` need the task (σ, tr Λ, the exact
moments); a plan only has a fitted law ``L̂``.  Two of them carry over:

* **B_opt-tracking** (b ∝ 1/L): the data budget is cut into ``decisions`` equal chunks; the
  batch of chunk ``i ≥ 1`` is ``b_i = clip(round(bmin · L̂_1 / L̂_i), bmin, bmax)``, with
  ``L̂_i`` the fitted law's predicted loss at the start of chunk ``i`` of the schedule decided
  so far (closed loop on the law) — B_opt ∝ 1/L with the constant fixed so that the first
  chunks run at ``bmin``.  Non-decreasing while the predicted loss falls.
* **Seesaw**: at data fractions ``i/(decays+1)`` the batch doubles (≤ bmax) and the LR is
  multiplied by 1/√2, on top of the user's LR profile (and of the √-rule multiplier under
  ``noise_scaling="sqrt"``).

GNS-adaptive needs the gradient noise scale of the iterates, which a fitted loss law does
not give, so it is not a plan row.

Example
-------
>>> from fsltheory.curves import example_curves
>>> from fsltheory.fit import fit_curves
>>> from fsltheory.plan import plan_batches
>>> fit = fit_curves(example_curves(steps=300, points=30, modes=100), "fsl", starts=1,
...                  bootstrap=0)
>>> plan = plan_batches(fit, budget=4096, bmin=4, bmax=64, grid=9, continuous=False)
>>> [r["name"].split()[0] for r in plan["baselines"]]
['B_opt-tracking', 'Seesaw']
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import FSLError, check_int_range

__all__ = ["plan_adaptive_rows"]


def _predict(ev, lr, b, steps) -> float:
    try:
        val = float(ev.fit.law.predict(ev.fit.params, lr, b, np.array([int(steps)]))[0])
    except FSLError:
        return math.inf
    return val if np.isfinite(val) else math.inf


def _bopt(ev, bmin: int, bmax: int, decisions: int) -> tuple[list[int], list[float]]:
    D = ev.D
    fracs = [i / decisions for i in range(1, decisions)]
    batches = [bmin]
    l_ref = None
    for i in range(1, decisions):
        lr, b, sch = ev.arrays(batches, fracs[: i - 1])
        starts = np.concatenate(([0], np.cumsum(sch.batch)[:-1]))
        k = int(np.searchsorted(starts, round(D * fracs[i - 1]), side="left"))
        L = _predict(ev, lr, b, k)
        if l_ref is None:
            l_ref = L
        if not (math.isfinite(L) and math.isfinite(l_ref) and L > 0):
            nb = batches[-1]
        else:
            nb = int(np.clip(round(bmin * l_ref / L), bmin, bmax))
        batches.append(nb)
    return batches, fracs


def _seesaw(ev, bmin: int, bmax: int, decays: int):
    bs = [min(bmin * 2**i, bmax) for i in range(decays + 1)]
    fracs = [i / (decays + 1) for i in range(1, decays + 1)]
    lr, b, sch = ev.arrays(bs, fracs)
    starts = np.concatenate(([0], np.cumsum(sch.batch)[:-1]))
    stage = np.searchsorted(np.asarray(sch.switch_samples, dtype=np.int64), starts,
                            side="right")
    lr = lr.copy()
    lr[:-1] *= 2.0 ** (-0.5 * stage)
    lr[-1] = lr[-2]
    return bs, fracs, lr, b, sch


def plan_adaptive_rows(ev, bmin: int, bmax: int, reference_loss: float, *,
                       decisions: int = 32, decays: int = 3) -> list[dict[str, Any]]:
    """Rows ``{name, final_loss, steps, data, batch_first, batch_last,
    loss_vs_recommended, stages}`` (``final_loss`` and ``loss_vs_recommended`` are ``None``,
    with a ``note``, when the fitted law gives no finite loss) of the two baselines of the
    module docstring, scored by the plan's evaluator ``ev`` (same budget, LR profile, peak
    LR and noise scaling as the plan); ``loss_vs_recommended = final_loss / reference_loss − 1``."""
    from .plan import _stage_table

    decisions = check_int_range("decisions", decisions, 2, None)
    decays = check_int_range("decays", decays, 0, 30)
    rows = []
    bs, fr = _bopt(ev, bmin, bmax, decisions)
    L, n = ev.loss(bs, fr)
    rows.append({"name": f"B_opt-tracking b~1/L ({decisions} chunks)", "final_loss": L,
                 "steps": n, "batches": bs, "stages": _stage_table(ev, bs, fr)})
    bs, fr, lr, b, sch = _seesaw(ev, bmin, bmax, decays)
    starts = [0, *sch.switch_samples]
    stages = []
    for i, (s, bb) in enumerate(zip(starts, bs, strict=True)):
        if s < ev.D:
            stages.append({"samples": int(s), "batch": int(bb),
                           "lr_multiplier": ev.multiplier(bb) * 2.0 ** (-0.5 * i)})
    rows.append({"name": f"Seesaw x2 batch, /sqrt2 LR ({decays} steps)",
                 "final_loss": _predict(ev, lr, b, sch.n_steps), "steps": sch.n_steps,
                 "batches": bs, "stages": stages})
    for r in rows:
        r["data"] = ev.D
        r["batch_first"], r["batch_last"] = int(r["batches"][0]), int(r["batches"][-1])
        if math.isfinite(r["final_loss"]):
            r["loss_vs_recommended"] = r["final_loss"] / reference_loss - 1.0
        else:  # never a silent inf in PLAN.json
            r["final_loss"] = r["loss_vs_recommended"] = None
            r["note"] = "the fitted law gives no finite loss for this schedule"
        del r["batches"]
    return rows

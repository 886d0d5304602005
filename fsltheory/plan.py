"""Batch plans on a fitted law: budget, batch bounds, LR profile → stages (docs/theory.md
§5, §7).

For a data budget ``D`` (samples), batch bounds ``[bmin, bmax]`` and the user's LR profile
``φ`` over the data fraction (the peak LR is the fit data's unless given), every
candidate schedule is realised step by step — batch ``b_k``, LR ``η_peak φ(P_k/D)``
(times ``√(b_k/b_ref)`` under the √ rule) — and scored by the fitted law's final loss:

* **two-stage** ``bmin → bmax`` after ``P`` samples: the recommended plan; ``P = D`` is
  "never switch" (at a fixed budget a decaying LR already drains the noise a late switch
  would remove, so the loss-optimal plan can be to stay at ``bmin``);
* **continuous optimum**: a non-decreasing batch over data intervals that halve towards the
  end (plus the two-stage switch point as an edge), optimised with scipy (Powell) from the
  two-stage plan — the law's best many-stage plan, for comparison;
* **best constant batch** over a geometric grid of ``[bmin, bmax]``: the baseline for
  "steps saved" (difference in steps at the same budget) and "data saved" (extra data
  the best constant batch needs to reach the plan's loss, by root finding).

Objectives (the loss–steps frontier of the two-stage family is always reported):
``min_loss`` (default); ``min_steps`` subject to ``loss ≤ (1 + x)·min loss``
(``max_loss_increase=x``); ``min_loss`` subject to ``steps ≤ N`` (``max_steps=N``).

Noise scaling with batch (the assumption the plan states)
---------------------------------------------------------
``"sgd"`` (default, the FSL's): gradient noise per unit intrinsic time is ``η/b``; the
trainer keeps its LR profile when the batch changes (LR multiplier 1).  ``"sqrt"``: an
Adam-family trainer that rescales the LR by ``√(b/b_ref)`` when the batch changes (the √
rule; OLMo-core's batch-size scheduler does this itself): the law then sees the rescaled
LR, so time per step grows like ``√b`` and the noise rate like ``1/√b``; the exported stages
carry the multiplier ``√(b/b_ref)``.

Example
-------
>>> from fsltheory.curves import example_curves
>>> from fsltheory.fit import fit_curves
>>> cs = example_curves(steps=300, points=30, modes=100)
>>> fit = fit_curves(cs, "fsl", starts=1, bootstrap=0)
>>> plan = plan_batches(fit, budget=4096, bmin=4, bmax=64, grid=9, continuous=False)
>>> plan["stages"][0]["samples"]
0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import brentq, minimize, minimize_scalar

from .errors import FSLError, InvalidParameterError, check_int_range, check_range
from .fit import FitResult
from .lr import as_lr_profile
from .predict import predict_schedule
from .schedule import Schedule

__all__ = ["plan_batches", "NOISE_SCALINGS", "parse_fraction"]

NOISE_SCALINGS = ("sgd", "sqrt")


def parse_fraction(text: str | float, name: str = "max-loss-increase") -> float:
    """``"0.5%"`` → 0.005, ``"0.005"`` → 0.005 (must be in (0, 1))."""
    t = str(text).strip()
    try:
        v = float(t[:-1]) / 100.0 if t.endswith("%") else float(t)
    except ValueError:
        raise InvalidParameterError(f"{name} must be a fraction or a percentage like 0.5%, "
                                    f"got {text!r}") from None
    return check_range(name, v, 0.0, 1.0, low_open=True, high_open=True)


class _Evaluator:
    def __init__(self, fit, budget, peak_lr, profile, noise_scaling, b_ref):
        self.fit, self.D, self.peak = fit, budget, peak_lr
        self.profile, self.sqrt, self.b_ref = profile, noise_scaling == "sqrt", b_ref
        self.cache: dict = {}

    def arrays(self, batches, fracs, budget=None):
        D = self.D if budget is None else int(budget)
        sch = Schedule.stages(list(batches), list(fracs), D, lr=self.peak,
                              lr_schedule=self.profile)
        b = sch.batch
        lr = np.asarray(sch.lr, dtype=np.float64)  # η_peak φ(P_k/D), docs/theory.md §7
        if self.sqrt:
            lr = lr * np.sqrt(b / self.b_ref)
        return np.append(lr, lr[-1]), np.append(b, b[-1]), sch

    def loss(self, batches, fracs, budget=None) -> tuple[float, int]:
        key = (tuple(batches), tuple(round(f, 12) for f in fracs), budget)
        if key not in self.cache:
            lr, b, sch = self.arrays(batches, fracs, budget)
            try:
                val = float(self.fit.law.predict(self.fit.params, lr, b,
                                                 np.array([sch.n_steps]))[0])
            except FSLError:
                val = math.inf
            self.cache[key] = (val if np.isfinite(val) else math.inf, sch.n_steps)
        return self.cache[key]

    def multiplier(self, b: int) -> float:
        return math.sqrt(b / self.b_ref) if self.sqrt else 1.0


def _stage_table(ev: _Evaluator, batches, fracs) -> list[dict[str, Any]]:
    _, _, sch = ev.arrays(batches, fracs)
    starts = [0, *sch.switch_samples]
    rows: list[dict[str, Any]] = []
    for s, b in zip(starts, batches, strict=True):
        if rows and s == rows[-1]["samples"]:
            rows[-1] = {"samples": int(s), "batch": int(b), "lr_multiplier": ev.multiplier(b)}
        elif rows and b == rows[-1]["batch"]:
            continue
        elif s < ev.D:
            rows.append({"samples": int(s), "batch": int(b), "lr_multiplier": ev.multiplier(b)})
    return rows


def plan_batches(fit: FitResult, budget: int, bmin: int, bmax: int, *,
                 lr_schedule=None, peak_lr: float | None = None, noise_scaling: str = "sgd",
                 max_loss_increase: float | None = None, max_steps: int | None = None,
                 grid: int = 41, continuous: bool = True,
                 adaptive: bool = True) -> dict[str, Any]:
    """Recommended two-stage plan, continuous optimum and savings (module docstring).

    Returns the PLAN.json object: ``stages`` (the recommended stage table: samples
    threshold, global batch, LR multiplier), ``two_stage``, ``continuous``,
    ``best_constant``, ``savings``, ``frontier``, ``baselines`` (with ``adaptive=True``:
    the B_opt-tracking and Seesaw rows of :func:`fsltheory.plan_baselines.plan_adaptive_rows`
    on the same law, budget and LR profile, docs/theory.md §8; else ``[]``) and the
    assumptions.
    """
    budget = check_int_range("budget", budget, 1, None)
    bmin = check_int_range("bmin", bmin, 1, None)
    bmax = check_int_range("bmax", bmax, bmin, None)
    if budget < bmax:
        raise InvalidParameterError(f"budget must be >= bmax={bmax} samples, got {budget}")
    if noise_scaling not in NOISE_SCALINGS:
        raise InvalidParameterError(f"noise scaling must be one of {list(NOISE_SCALINGS)}, "
                                    f"got {noise_scaling!r}")
    if max_loss_increase is not None and max_steps is not None:
        raise InvalidParameterError("give at most one of max-loss-increase and max-steps")
    grid = check_int_range("grid", grid, 3, None)
    ref = fit.info.get("reference", {})
    peak = float(peak_lr) if peak_lr is not None else float(ref.get("peak_lr", math.nan))
    check_range("peak lr", peak, 0.0, None, low_open=True)
    b_ref = float(ref.get("batch", bmin))
    profile = as_lr_profile(lr_schedule)
    ev = _Evaluator(fit, budget, peak, profile, noise_scaling, b_ref)

    def two(f):
        return ev.loss([bmin, bmax], [float(f)])

    fracs = np.linspace(0.0, 1.0, grid)
    front = [(float(f), *two(f)[::-1]) for f in fracs]  # (fraction, steps, loss)
    losses = np.array([x[2] for x in front])
    i0 = int(np.argmin(losses))
    lo, hi = fracs[max(i0 - 1, 0)], fracs[min(i0 + 1, grid - 1)]
    res = minimize_scalar(lambda f: two(f)[0], bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-4})
    f_opt = float(res.x) if two(res.x)[0] <= losses[i0] else float(fracs[i0])
    l_opt = two(f_opt)[0]
    objective: dict[str, Any] = {"kind": "min_loss"}
    f_pick = f_opt
    if max_loss_increase is not None:
        x = parse_fraction(max_loss_increase)
        target = l_opt * (1.0 + x)
        ok = [f for f, _, L in front if L <= target and f <= f_opt]
        f_pick = min(ok) if ok else f_opt
        j = int(np.searchsorted(fracs, f_pick))
        if j > 0 and two(fracs[j - 1])[0] > target:
            g = lambda f: two(f)[0] - target  # noqa: E731
            f_pick = float(brentq(g, fracs[j - 1], f_pick, xtol=1e-5))
            if two(f_pick)[0] > target:  # stay on the feasible side of the root
                f_pick = min(f_pick + 1e-5, 1.0)
        objective = {"kind": "min_steps", "max_loss_increase": x, "loss_limit": target}
    elif max_steps is not None:
        n = check_int_range("max_steps", max_steps, 1, None)
        s_lo = ev.loss([bmax], [])[1]
        if n < s_lo:
            raise InvalidParameterError(f"max-steps must be >= {s_lo} (the budget at bmax="
                                        f"{bmax}), got {n}")
        feasible = [f for f, s, _ in front if s <= n]
        f_max = max(feasible)
        if f_max < 1.0:  # refine the largest feasible switch point
            j = int(np.searchsorted(fracs, f_max))
            g = lambda f: two(f)[1] - n - 0.5  # noqa: E731
            f_max = float(brentq(g, f_max, fracs[j + 1], xtol=1e-7)) if g(fracs[j + 1]) > 0 \
                else f_max
            while two(f_max)[1] > n:
                f_max -= 1e-6
        r2 = minimize_scalar(lambda f: two(f)[0], bounds=(0.0, f_max), method="bounded",
                             options={"xatol": 1e-4})
        cand = [f for f in (float(r2.x), *[f for f in feasible]) if two(f)[1] <= n]
        f_pick = min(cand, key=lambda f: two(f)[0])
        objective = {"kind": "min_loss_under_steps", "max_steps": n}
    _, _, sch_pick = ev.arrays([bmin, bmax], [f_pick])
    if 0 < budget - sch_pick.switch_samples[0] < bmax:  # less than one large batch left:
        f_pick = 1.0  # "never switch" (within the objective's constraints, checked below)
        if objective["kind"] == "min_loss_under_steps" and two(1.0)[1] > max_steps:
            f_pick = float(sch_pick.switch_samples[0]) / budget
        _, _, sch_pick = ev.arrays([bmin, bmax], [f_pick])
    l_pick, s_pick = two(f_pick)
    two_stage = {"b1": bmin, "b2": bmax, "switch_fraction": f_pick,
                 "switch_samples": int(sch_pick.switch_samples[0]), "final_loss": l_pick,
                 "steps": s_pick, "never_switch": bool(sch_pick.switch_samples[0] >= budget),
                 "loss_optimal_fraction": f_opt, "loss_optimal_loss": l_opt}
    lr_a, b_a, _ = ev.arrays([bmin, bmax], [f_pick])
    _, band_lo, band_hi = predict_schedule(fit, lr_a, b_a, np.array([s_pick]))
    if band_lo is not None:
        two_stage["final_loss_band"] = [float(band_lo[0]), float(band_hi[0])]

    # best constant batch
    cands = sorted({int(round(x)) for x in np.geomspace(bmin, bmax, 9)})
    const = min(((b, *ev.loss([b], [])) for b in cands), key=lambda t: t[1])
    b_c, l_c, s_c = const

    def const_gap(logd):
        return ev.loss([b_c], [], budget=int(round(math.exp(logd))))[0] - l_pick

    data_saved = None
    try:
        lo_d, hi_d = math.log(max(b_c, budget / 8)), math.log(budget * 8)
        if const_gap(lo_d) > 0 > const_gap(hi_d):
            d_eq = math.exp(brentq(const_gap, lo_d, hi_d, xtol=1e-4))
            data_saved = d_eq - budget
    except (ValueError, FSLError):
        data_saved = None
    savings = {"steps_saved": int(s_c - s_pick), "steps_saved_fraction": (s_c - s_pick) / s_c,
               "data_saved": data_saved,
               "data_saved_fraction": None if data_saved is None else data_saved / budget,
               "loss_change_fraction": l_pick / l_c - 1.0}

    cont = None
    if continuous:
        # intervals that halve towards the end of the data (where the batch grows), with
        # the two-stage optimum as one edge so the search starts from (and cannot lose to) it
        edges = sorted({round(1.0 - 0.5**j, 12) for j in range(1, 8)} | {round(f_opt, 12)}
                       - {0.0, 1.0})
        n_k = len(edges) + 1
        span = math.log(bmax / bmin) if bmax > bmin else 1.0

        def batches_of(x):
            x = np.maximum.accumulate(np.clip(x, 0.0, 1.0))
            return [int(round(bmin * math.exp(span * v))) for v in x]

        def obj(x):
            return ev.loss(batches_of(x), edges)[0]

        starts_at = [0.0, *edges]
        x0 = np.array([1.0 if a >= f_opt - 1e-12 else 0.0 for a in starts_at])
        r3 = minimize(obj, x0, method="Powell", bounds=[(0.0, 1.0)] * n_k,
                      options={"maxfev": 300, "xtol": 1e-3})
        bs = batches_of(r3.x) if obj(r3.x) <= obj(x0) else batches_of(x0)
        lc, sc = ev.loss(bs, edges)
        cont = {"fractions": starts_at, "batches": bs, "final_loss": lc, "steps": sc,
                "stages": _stage_table(ev, bs, edges)}

    baselines: list[dict[str, Any]] = []
    if adaptive and bmax > bmin:
        from .plan_baselines import plan_adaptive_rows

        baselines = plan_adaptive_rows(ev, bmin, bmax, l_pick)

    return {
        "law": fit.law.name, "budget": budget, "bmin": bmin, "bmax": bmax,
        "lr_schedule": profile.format(), "peak_lr": peak, "noise_scaling": noise_scaling,
        "reference_batch": b_ref, "objective": objective,
        "stages": _stage_table(ev, [bmin, bmax], [f_pick]),
        "two_stage": two_stage, "continuous": cont,
        "best_constant": {"batch": b_c, "final_loss": l_c, "steps": s_c},
        "savings": savings, "baselines": baselines,
        "frontier": [{"switch_fraction": f, "steps": s, "final_loss": L} for f, s, L in front],
    }

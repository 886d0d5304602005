"""Data of the ``catch-up`` (loss after a batch switch merges with the large-batch curve)
and ``catch-up-gap`` (gap ∝ (t − t_s)^(−(1−1/β))) figures (docs/theory.md §5 C-CATCHUP)."""

from __future__ import annotations

import numpy as np

from ..curve import LossCurve
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
    _curve_points,
    loglog_slope,
    predicted_catchup_exponent,
)

__all__ = ["data_catch_up", "data_catch_up_gap"]


def data_catch_up(quick: bool = False) -> FigData:
    """The fast catch-up effect (docs/theory.md §5 C-CATCHUP) on a hard and an easy task, exact
    engine.

    All runs use the same learning rate, so equal steps mean equal intrinsic time.  Each
    run is 2N steps long (N = D/B_SMALL): constant B_SMALL, constant B_LARGE, and B_SMALL
    → B_LARGE switching after a fraction f of the budget D (the switch step is a multiple
    of B_LARGE/B_SMALL so that the budget-D schedule has no partial batch).  Panel "steps":
    after the switch the loss drops suddenly and then merges with the constant-B_LARGE
    curve.  Panel "data": the same runs up to D samples — each is then exactly the
    budget-D schedule (its prefix); on the hard task the late switch wins, on the easy
    task constant B_LARGE wins.
    """
    budget = 2**14 if quick else 2**17
    modes = 1000 if quick else 4000
    fracs = [0.5, 0.8, 0.95]
    ratio = B_LARGE // B_SMALL
    fd = FigData("catch-up", meta={"budget": budget, "modes": modes, "lr": LR,
                                   "b_small": B_SMALL, "b_large": B_LARGE, "fractions": fracs})
    n = budget // B_SMALL
    n_tot = 2 * n
    k_sw = [int(ratio * round(f * n / ratio)) for f in fracs]
    arrays = [np.full(n_tot, B_SMALL), np.full(n_tot, B_LARGE)]
    arrays += [np.concatenate((np.full(k, B_SMALL), np.full(n_tot - k, B_LARGE))) for k in k_sw]
    scheds = [Schedule.from_arrays(LR, a.astype(np.int64)) for a in arrays]

    def at_budget(c: LossCurve) -> tuple[int, float]:
        k = int(np.searchsorted(c.data, budget))
        if c.data[k] != budget:  # pragma: no cover - guaranteed by the construction
            raise RuntimeError("catch-up run does not hit the budget exactly")
        return k, float(c.risk[k])

    for label, s in (("hard", S_HARD), ("easy", S_EASY)):
        task = PowerLawTask(BETA, s, sigma=SIGMA, modes=modes)
        curves = exact_risk_many(task, scheds)
        small, large = curves[0], curves[1]
        dense = np.arange(min(k_sw) - 2, n + 1)  # constant runs over the same data range
        finals = {"const small": at_budget(small)[1], "const large": at_budget(large)[1]}
        sw = []
        for f, k, c in zip(fracs, k_sw, curves[2:], strict=True):
            kb, fin = at_budget(c)
            # the post-switch segment up to the budget at full resolution (every step):
            # the drop is a drop, and a switch at 95 % of D is drawn, not skipped
            sw.append({"fraction": f, "switch_step": k, "budget_step": kb,
                       **_curve_points(c, 600, extra=np.arange(k - 2, kb + 1))})
            finals[f"switch {f:g}"] = fin
        fd.panels[label] = {"task": task, "small": _curve_points(small, 600, dense),
                            "large": _curve_points(large, 600, dense // ratio), "switch": sw,
                            "finals": finals}
        fd.fits[label] = finals
    return fd


def _gap_prediction(task: PowerLawTask, g1: float, g2: float, tau: np.ndarray,
                    t_s: float) -> np.ndarray:
    """Δ(τ) = (σ²/2)(γ₁ − γ₂) ∫_τ^{t_s+τ} K_M(u) du (docs/theory.md §5 C-CATCHUP), the integral as a
    difference of exact finite-M kernel tails ∫_u^∞ K = ½ Σ_j λ_j e^(−2λ_j u) (spectral
    sums, independent of the exact recursion)."""
    from ..engines.spectral import kernel_tail

    tau = np.asarray(tau, dtype=np.float64)
    integral = kernel_tail(task, tau) - kernel_tail(task, tau + t_s)
    return 0.5 * task.sigma**2 * (g1 - g2) * integral


def data_catch_up_gap(quick: bool = False) -> FigData:
    """Gap to the large-batch curve after a switch, vs time since the switch (docs/theory.md §5
    C-CATCHUP), exact engine, for β ∈ {2, 3} (hard tasks, s = 0.25).

    Two runs at the same learning rate (so equal steps = equal intrinsic time): batch
    B_SMALL until t_s then B_LARGE, and B_LARGE throughout.  The gap Δ(τ), τ = t − t_s, is
    compared with the forgotten-noise prediction (σ²/2)(γ₁−γ₂)∫_τ^{t} K_M (an independent
    spectral-sum computation) and its log-log slope over 10 ≤ τ ≤ t_s/100 (1 ≪ τ ≪ t_s, so
    that the far end ∫^{t} K is ≤ 10% of the tail) with the predicted −(1 − 1/β).
    """
    t_s = 1e5 if quick else 1e6
    modes = 1000 if quick else 4000
    fd = FigData("catch-up-gap", meta={"t_switch": t_s, "modes": modes, "lr": LR,
                                       "b_small": B_SMALL, "b_large": B_LARGE, "s": S_HARD})
    k_s = int(round(t_s / LR))
    k_after = int(round(t_s / 10 / LR))
    for beta in (2.0, 3.0):
        task = PowerLawTask(beta, S_HARD, sigma=SIGMA, modes=modes)
        n = k_s + k_after
        b_sw = np.full(n, B_SMALL, dtype=np.int64)
        b_sw[k_s:] = B_LARGE
        sw = Schedule.from_arrays(LR, b_sw)
        lg = Schedule.from_arrays(LR, np.full(n, B_LARGE, dtype=np.int64))
        c_sw, c_lg = exact_risk_many(task, [sw, lg])
        k = k_s + np.unique(np.round(np.geomspace(1, k_after, 300)).astype(np.int64))
        tau = c_sw.time[k] - c_sw.time[k_s]
        gap = c_sw.risk[k] - c_lg.risk[k]
        pred = _gap_prediction(task, LR / B_SMALL, LR / B_LARGE, tau, t_s)
        win = (tau >= 10.0) & (tau <= t_s / 100)
        p, c = loglog_slope(tau[win], gap[win])
        expo = predicted_catchup_exponent(beta)
        fd.panels[f"β={beta:g}"] = {"beta": beta, "tau": tau, "gap": gap, "predicted_gap": pred,
                                    "risk_at_switch": float(c_sw.risk[k_s]),
                                    "window": (float(tau[win][0]), float(tau[win][-1])),
                                    "fitted": p, "fit_const": c, "predicted": expo}
        fd.fits[f"β={beta:g}"] = {"fitted": p, "predicted": expo,
                                  "max_rel_err_vs_prediction":
                                  float(np.max(np.abs(gap[win] / pred[win] - 1)))}
    return fd

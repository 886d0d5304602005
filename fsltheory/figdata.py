"""The numbers behind every figure (no plotting here; :mod:`fsltheory.plots` draws them).

Each ``data_<name>(quick=False)`` function runs the engines, the optimiser and the symbolic
layer and returns a plain :class:`FigData` (a title, a dict of arrays/scalars per panel and a
dict of fitted-vs-predicted numbers).  Nothing here imports matplotlib, so the data can be
tested and reused without a display.  Predicted exponents always come from the symbolic
layer (:mod:`fsltheory.symbolic`), the single source of truth; they are never retyped here.

Figures (file stems in ``figures/``) and the docs/theory.md section each illustrates:

================  ==========================================================================
three-engines     exact (§2), Volterra (§3) and SGD (mean ± 2 s.e.) curves on one task
kernels           e(t), K(u) exact sums vs their closed forms (§4)
catch-up          the fast catch-up effect after a batch switch (§5 C-CATCHUP, C-SWITCH)
catch-up-gap      gap to the large-batch curve ∝ (t − t_s)^(−(1−1/β)) (§5 C-CATCHUP)
optimal-schedules optimal continuous batch schedules, easy vs hard (§5 C-OPT-EASY/HARD)
switch-vs-loss    final loss vs switch point for several budgets (§5 C-SWITCH)
switch-scaling    D − P* vs D, fitted vs predicted (1+s)/(2−1/β) (§5 C-SWITCH)
phase-diagram     (β, s) plane, large-batch data share at fixed D, boundary s = 1 − 1/β
duality           LR schedule at fixed batch vs batch schedule at fixed LR (§5 C-DUALITY)
switch-under-lr   optimal switch and its gain under const/WSD/cosine LR (§7 C-SWITCH-LR)
critical-batch    E vs S curves with B_min, B_opt and the three fitted forms (§8)
fit-band          the default law fitted to the example curves, with its 90% band (§7)
================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .curve import LossCurve, log_spaced_indices
from .engines.exact import exact_risk, exact_risk_many
from .errors import InvalidParameterError
from .schedule import Schedule
from .task import PowerLawTask

__all__ = [
    "FigData",
    "FIGURE_NAMES",
    "FIGURE_DATA",
    "figure_data",
    "loglog_slope",
    "data_three_engines",
    "data_kernels",
    "data_catch_up",
    "data_catch_up_gap",
    "data_optimal_schedules",
    "data_switch_vs_loss",
    "data_switch_scaling",
    "data_phase_diagram",
    "data_duality",
    "data_critical_batch",
    "data_switch_under_lr",
    "data_fit_band",
]

# Shared experiment settings (docs/theory.md §5 uses σ > 0 and a constant learning rate).
BETA = 2.0
S_HARD = 0.25  # hard: s < 1 − 1/β = 0.5
S_EASY = 1.5  # easy
SIGMA = 1.0
LR = 0.2
B_SMALL = 4
B_LARGE = 64


@dataclass
class FigData:
    """Everything a plot builder needs: ``panels`` maps a panel key to a dict of plain
    arrays/scalars; ``fits`` holds fitted-vs-predicted numbers (also used by tests);
    ``meta`` records the settings (task, budget, …) shown in captions."""

    name: str
    panels: dict[str, dict[str, Any]] = field(default_factory=dict)
    fits: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------- helpers
def loglog_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares fit ``log y = a + p log x``; returns ``(p, exp(a))``.

    Points with a non-positive or non-finite coordinate are skipped; the remaining ``x``
    must be distinct (a repeated ``x`` adds no independent information)."""
    try:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError("loglog_slope needs real arrays x and y") from None
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidParameterError(
            f"loglog_slope needs 1-D x and y of equal length, got shapes {x.shape}, {y.shape}")
    ok = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        raise InvalidParameterError("loglog_slope needs at least two positive points")
    if np.unique(x[ok]).size != int(ok.sum()):
        raise InvalidParameterError("loglog_slope needs distinct x values, got duplicates")
    p, a = np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)
    return float(p), float(np.exp(a))


def _curve_points(curve: LossCurve, points: int = 400,
                  extra: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """A curve as plain log-spaced arrays (steps ≥ 1 so log axes work), plus every step
    in ``extra`` (e.g. a post-switch segment at full resolution)."""
    idx = log_spaced_indices(len(curve), points)
    if extra is not None:
        idx = np.union1d(idx, np.clip(np.asarray(extra, dtype=np.int64), 0, len(curve) - 1))
    idx = idx[idx >= 1]
    out = {
        "steps": curve.steps[idx].astype(np.float64),
        "data": curve.data[idx].astype(np.float64),
        "time": curve.time[idx],
        "risk": curve.risk[idx],
    }
    if curve.stderr is not None:
        out["stderr"] = curve.stderr[idx]
    return out


def _exponent(name: str, beta: float, s: float | None = None) -> float:
    """Numeric value of the derived exponent ``name`` of :data:`fsltheory.symbolic.EXPONENTS`
    (import deferred: deriving is done once, on first use)."""
    from .symbolic import exponent_value

    return float(exponent_value(name, beta, s))


def _twin(claim: str, key: str):
    """Numeric twin of the derived result ``key`` of ``claim`` (docs/theory.md §4)."""
    from .symbolic import derivation

    return derivation(claim).numeric[key]


# Predicted exponents, each from its one symbolic source (docs/theory.md §4–§5).
def predicted_signal_exponent(beta: float, s: float) -> float:
    """p in e(t) ∝ t^p, i.e. −s (docs/theory.md §4, C-SIGNAL)."""
    return _exponent("signal", beta, s)


def predicted_kernel_exponent(beta: float) -> float:
    """p in K(u) ∝ u^p, i.e. −(2 − 1/β) (docs/theory.md §4, C-KERNEL)."""
    return _exponent("kernel", beta)


def predicted_catchup_exponent(beta: float) -> float:
    """p in Δ ∝ (t − t_s)^p, i.e. −(1 − 1/β) (docs/theory.md §5, C-CATCHUP)."""
    return _exponent("catchup_gap", beta)


def predicted_switch_exponent(beta: float, s: float) -> float:
    """p in D − P* ∝ D^p, i.e. (1+s)/(2−1/β) (docs/theory.md §5, C-SWITCH, hard regime)."""
    return _exponent("switch", beta, s)


def predicted_profile_exponent(beta: float) -> float:
    """p in b*(t) ∝ (T − t + 1)^p, i.e. 1/(2β) − 1 (docs/theory.md §5, C-OPT-EASY)."""
    return _exponent("batch_growth", beta)


def predicted_duality_lr_exponent(beta: float) -> float:
    """p in η*(z) ∝ (1 − z/N)^p, i.e. 2β − 1 (docs/theory.md §5, C-DUALITY)."""
    return _exponent("lr_decay_power", beta)


def regime_boundary(beta: np.ndarray) -> np.ndarray:
    """The easy/hard boundary s = 1 − 1/β (docs/theory.md §1, C-REGIME), from the symbolic layer."""
    b = np.asarray(beta, dtype=np.float64)
    return np.array([_exponent("regime_boundary", float(x)) for x in b])


# ---------------------------------------------------------------------------- figures
def data_three_engines(quick: bool = False) -> FigData:
    """Exact (§2), Volterra (§3) and stochastic SGD (§2 update; mean ± 2 s.e.) on one hard
    task and two schedules: the toolkit's own validation.  Engines not yet available are
    skipped (their absence is recorded in ``meta['missing']``)."""
    from .engines import ENGINES

    task = PowerLawTask(BETA, S_HARD, sigma=SIGMA, modes=200 if quick else 1000)
    budget = 2**12 if quick else 2**15
    seeds = 32 if quick else 64
    specs = ["const:16", "switch:4,64@0.8"]
    fd = FigData("three-engines", meta={"task": task, "budget": budget, "lr": LR,
                                        "seeds": seeds, "missing": []})
    for spec in specs:
        sch = Schedule.parse(spec, budget, LR)
        panel: dict[str, Any] = {"schedule": spec}
        exact = exact_risk(task, sch)
        panel["exact"] = _curve_points(exact)
        if "volterra" in ENGINES:
            vol = ENGINES["volterra"](task, sch)
            panel["volterra"] = _curve_points(vol)
            fd.fits[f"{spec}:volterra_final_rel"] = vol.final_risk / exact.final_risk - 1.0
        elif "volterra" not in fd.meta["missing"]:
            fd.meta["missing"].append("volterra")
        if "sgd" in ENGINES:
            sgd = ENGINES["sgd"](task, sch, seeds=seeds, seed=0)
            idx = log_spaced_indices(len(sgd), 40)[1:]
            panel["sgd"] = {
                "data": sgd.data[idx].astype(np.float64),
                "risk": sgd.risk[idx],
                "stderr": sgd.stderr[idx],
                "exact": exact.risk[idx],
            }
            z = np.abs(sgd.risk[idx] - exact.risk[idx]) / sgd.stderr[idx]
            fd.fits[f"{spec}:sgd_within_4se"] = float(np.mean(z <= 4.0))
        elif "sgd" not in fd.meta["missing"]:
            fd.meta["missing"].append("sgd")
        fd.panels[spec] = panel
    return fd


def _signal_closed_form(beta: float, s: float, t: np.ndarray, modes: int | None) -> np.ndarray:
    """e_M(t) ≈ Γ(s)/(2β)(2t)^(−s) − M^(−sβ)/(2sβ) (docs/theory.md §4; ``modes=None``: M = ∞),
    the derived closed form of the symbolic layer (C-SIGNAL)."""
    t = np.asarray(t, dtype=np.float64)
    if modes is None:
        return _twin("C-SIGNAL", "e_asymptotic")(beta=beta, s=s, t=t)
    return _twin("C-SIGNAL", "e_finite_M")(M=float(modes), beta=beta, s=s, t=t)


def _kernel_closed_form(beta: float, u: np.ndarray) -> np.ndarray:
    """K(u) ≈ Γ(2 − 1/β)/β · (2u)^(−(2−1/β)) (docs/theory.md §4), the derived closed form of the
    symbolic layer (C-KERNEL)."""
    return _twin("C-KERNEL", "K_asymptotic")(beta=beta, u=np.asarray(u, dtype=np.float64))


def _lower_end(beta: float) -> float:
    """Smallest t (or u) at which ≥ 6 modes dominate the spectral sums: (2t)^(1/β) ≥ 6."""
    return max(10.0, 6.0**beta / 2)


def data_kernels(quick: bool = False) -> FigData:
    """Exact finite-M sums e_M(t), K_M(u) (docs/theory.md §3) against their asymptotic closed forms
    (docs/theory.md §4, including the finite-M tail −M^(−sβ)/(2sβ) of e), with log-log slopes fitted
    on the exact sums inside the window where §4 says the pure power law holds.

    Lower end: t ≥ max(10, 6^β/2), i.e. the modes that dominate at time t,
    j ~ (2t)^(1/β), number at least 6, so that the sum is within ~1% of its integral
    (measured: the relative error there is ≤ 0.8% for β ∈ [1.5, 4]).  Upper end for e:
    where the finite-M tail reaches 2% of the leading term (slope bias ≤ 2%·s), capped at
    10^6; for K: where the finite-M tail M^(1−2β)/(2β−1) reaches 0.2% of K, capped at 10^6.
    """
    from .engines.spectral import forgetting_kernel, signal_term

    modes = 10**5 if quick else 10**6
    npts = 60 if quick else 160
    fd = FigData("kernels", meta={"modes": modes})
    pairs = [(2.0, 0.25), (2.0, 1.0), (3.0, 0.5), (1.5, 2.0)]
    t = np.geomspace(1e-2, 1e7, npts)
    sig = {}
    for beta, s in pairs:
        task = PowerLawTask(beta, s, sigma=SIGMA, modes=modes)
        e = np.asarray(signal_term(task, t))
        closed = _signal_closed_form(beta, s, t, modes)
        lead = _signal_closed_form(beta, s, t, None)  # M → ∞: no tail correction
        tail = lead - closed
        win = (t >= _lower_end(beta)) & (tail <= 0.02 * lead) & (t <= 1e6)
        p, _ = loglog_slope(t[win], e[win])
        pred = predicted_signal_exponent(beta, s)
        sig[f"β={beta:g}, s={s:g}"] = {"t": t, "exact": e, "closed": closed, "lead": lead,
                                       "window": (float(t[win][0]), float(t[win][-1])),
                                       "fitted": p, "predicted": pred}
        fd.fits[f"signal β={beta:g}, s={s:g}"] = {"fitted": p, "predicted": pred}
    fd.panels["signal"] = sig
    ker = {}
    for beta in (1.5, 2.0, 3.0, 4.0):
        task = PowerLawTask(beta, 1.0, sigma=SIGMA, modes=modes)
        k = np.asarray(forgetting_kernel(task, t))
        closed = _kernel_closed_form(beta, t)
        k_tail = _twin("C-KERNEL", "finite_M_tail")(M=float(modes), beta=beta)
        win = (t >= _lower_end(beta)) & (k_tail <= 0.002 * closed) & (t <= 1e6)
        p, _ = loglog_slope(t[win], k[win])
        pred = predicted_kernel_exponent(beta)
        ker[f"β={beta:g}"] = {"u": t, "exact": k, "closed": closed,
                              "window": (float(t[win][0]), float(t[win][-1])),
                              "fitted": p, "predicted": pred}
        fd.fits[f"kernel β={beta:g}"] = {"fitted": p, "predicted": pred}
    fd.panels["kernel"] = ker
    return fd


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
    from .engines.spectral import kernel_tail

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


def data_optimal_schedules(quick: bool = False) -> FigData:
    """Optimal continuous batch schedules (docs/theory.md §5 C-OPT-EASY / C-OPT-HARD) from
    :func:`fsltheory.optimize.optimal_schedule` (FSL model, floor B_SMALL, no ceiling) for
    an easy and a hard task at several budgets: the continuous optimum b*(t) against
    t/T* (= fraction of steps, the learning rate being constant), with T₁*/T* where the
    floor stops binding.  Modes are chosen so that the finite-M signal tail does not bind
    (the optimiser reports it in ``binding``)."""
    from .optimize import optimal_schedule

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
    from .optimize import optimal_switch

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
    from .optimize import optimal_switch

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
    from .sweep import local_executor, sweep

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
    from .optimize import optimal_switch

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
    from .optimize import optimal_switch
    from .sweep import sweep

    nb, ns = (6, 6) if quick else (14, 14)
    if resolution is not None:
        from .errors import check_int_range

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
    from .optimize import optimal_schedule

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


def data_critical_batch(quick: bool = False) -> FigData:
    """E vs S curves and the critical batch sizes (docs/theory.md §8); see
    :mod:`fsltheory.figdata_critical`."""
    from .figdata_critical import data_critical_batch as _data

    return _data(quick=quick)


def data_switch_under_lr(quick: bool = False) -> FigData:
    """Optimal two-stage switch under constant, WSD and cosine LR (§7 C-SWITCH-LR); see
    :func:`fsltheory.figdata_lr.switch_under_lr_data`."""
    from .figdata_lr import switch_under_lr_data

    return switch_under_lr_data(quick)


def data_fit_band(quick: bool = False) -> FigData:
    """The default law fitted to the example curves with its 90% bootstrap band (§7); see
    :mod:`fsltheory.figdata_fit`."""
    from .figdata_fit import data_fit_band as _data

    return _data(quick=quick)


FIGURE_DATA: dict[str, Callable[..., FigData]] = {
    "three-engines": data_three_engines,
    "kernels": data_kernels,
    "catch-up": data_catch_up,
    "catch-up-gap": data_catch_up_gap,
    "optimal-schedules": data_optimal_schedules,
    "switch-vs-loss": data_switch_vs_loss,
    "switch-scaling": data_switch_scaling,
    "phase-diagram": data_phase_diagram,
    "duality": data_duality,
    "critical-batch": data_critical_batch,
    "switch-under-lr": data_switch_under_lr,
    "fit-band": data_fit_band,
}
FIGURE_NAMES: tuple[str, ...] = tuple(FIGURE_DATA)


def figure_data(name: str, quick: bool = False) -> FigData:
    """The data behind figure ``name`` (one of :data:`FIGURE_NAMES`)."""
    if not isinstance(name, str) or name not in FIGURE_DATA:
        raise InvalidParameterError(
            f"figure must be one of {', '.join(FIGURE_NAMES)}; got {name!r}"
        )
    return FIGURE_DATA[name](quick=quick)


"""Fitting laws to exact-engine curves: recovery, warmup robustness, out-of-sample batch
schedules, plans (docs/theory.md §1–§3, §5, §7)."""

from __future__ import annotations

import numpy as np
import pytest

from fsltheory import PowerLawTask, Schedule, exact_risk
from fsltheory.curves import CurveRun, CurveSet, example_curves
from fsltheory.fit import FitResult, fit_curves
from fsltheory.plan import plan_batches
from fsltheory.predict import predict_schedule

# Hidden task: hard regime (s = 0.3 < 1 − 1/β = 0.6), three constant batches, 1% noise.
BETA, S, SIGMA, M, LR, STEPS = 2.5, 0.3, 0.5, 300, 0.2, 1000
TRUTH = {"beta": BETA, "s": S, "sigma": SIGMA, "scale": 1.0}


def _curves(seed):
    return example_curves(beta=BETA, s=S, sigma=SIGMA, modes=M, lr=LR, steps=STEPS,
                          points=50, noise=0.01, seed=seed)


@pytest.fixture(scope="module")
def task_fit():
    return fit_curves(_curves(0), "task", starts=2, bootstrap=8, seed=0,
                      law_options={"modes": M})


def test_task_law_recovers_s_and_the_regime(task_fit):
    p = task_fit.law.as_dict(task_fit.params)
    # 10%: the tolerance; with 1% noise on 150 points the measured error is < 2%
    assert abs(p["s"] / S - 1) < 0.10
    assert task_fit.regime == PowerLawTask(BETA, S, SIGMA, M).regime == "hard"
    assert task_fit.regime_confidence is not None and task_fit.regime_confidence >= 0.75


def test_fsl_ansatz_s_reported_next_to_the_task_law(task_fit):
    """The surrogate's exponent is reported, not required to match: its (1 + u)^(−s) is
    the asymptote of the finite-M signal sum, which at these horizons still bends (the
    missing tail −M^(−sβ)/(2sβ) of docs/theory.md §4), so its s is an effective one."""
    fsl = fit_curves(_curves(0), "fsl", starts=2, bootstrap=0, seed=0)
    s_fsl = fsl.law.as_dict(fsl.params)["s"]
    s_task = task_fit.law.as_dict(task_fit.params)["s"]
    print(f"\ns: truth {S}, task law {s_task:.4f}, fsl ansatz {s_fsl:.4f} "
          f"(regime {fsl.regime}); fsl mean rel. error "
          f"{100 * fsl.info['residuals']['mean_rel_error']:.2f}%")
    assert 0.0 < s_fsl < 3.0 and fsl.regime in ("easy", "hard")


def test_fit_json_round_trip(task_fit):
    d = task_fit.to_dict()
    assert set(d) >= {"law", "params", "regime", "provenance"}
    for v in d["params"].values():
        assert v["low"] <= v["high"]
    back = FitResult.from_dict(d)
    np.testing.assert_array_equal(back.params, task_fit.params)
    np.testing.assert_array_equal(back.boot, task_fit.boot)


def _run_from_schedule(name, sch, task, steps_obs):
    risk = exact_risk(task, sch).risk
    lr = np.append(sch.lr, sch.lr[-1])
    b = np.append(sch.batch, sch.batch[-1])
    return CurveRun(name, lr, b, steps_obs, risk[steps_obs])


def test_two_stage_final_loss_out_of_sample(task_fit):
    """Fitted on constant batches, the predicted final loss of a two-stage run is within
    3% (the issue's tolerance) of the exact engine."""
    task = PowerLawTask(BETA, S, SIGMA, M)
    sch = Schedule.two_stage(4, 64, 0.8, 16 * STEPS, LR)
    truth = exact_risk(task, sch).final_risk
    pred, lo, hi = predict_schedule(task_fit, np.append(sch.lr, LR),
                                    np.append(sch.batch, 64), np.array([sch.n_steps]))
    assert abs(pred[0] / truth - 1) < 0.03


def test_planned_switch_is_within_2_percent_of_the_engine_optimum(task_fit):
    task = PowerLawTask(BETA, S, SIGMA, M)
    D = 16 * STEPS
    plan = plan_batches(task_fit, D, 4, 64, grid=21, continuous=False)
    f = plan["two_stage"]["switch_fraction"]
    planned = exact_risk(task, Schedule.two_stage(4, 64, f, D, LR)).final_risk
    # the engine's own optimum: brute force over switch points (finer than the plan's grid)
    fr = np.linspace(0, 1, 81)
    best = min(exact_risk(task, Schedule.two_stage(4, 64, x, D, LR)).final_risk for x in fr)
    assert planned <= best * 1.02


def test_warmup_shape_does_not_change_the_prediction_quality():
    """Two runs that differ only in the warmup's shape (linear vs quadratic ramp over the
    first 200 of 1200 steps) are predicted equally well by the fsl law fitted on constant-
    batch runs with a linear warmup: the law weights the noise by the current loss, so the
    warmup is forgotten at the rate of the kernel rather than carrying a T(i)^(−s) weight
    that diverges at the start."""
    task = PowerLawTask(BETA, S, SIGMA, M)
    K, W = 1200, 200
    k = np.arange(K)

    def sched(shape, b):
        ramp = (k + 1) / W if shape == "linear" else ((k + 1) / W) ** 2
        return Schedule.from_arrays(LR * np.minimum(ramp, 1.0), b)

    obs = np.unique(np.geomspace(W, K, 40).astype(int))
    train = CurveSet(tuple(_run_from_schedule(f"lin_{b}", sched("linear", b), task, obs)
                           for b in (4, 16, 64)))
    fit = fit_curves(train, "fsl", starts=2, bootstrap=0, seed=0)
    drop = fit_curves(train, "fsl", starts=2, bootstrap=0, seed=0,
                      law_options={"weight": "drop"})
    errs, errs_drop = {}, {}
    for shape in ("linear", "quadratic"):
        run = _run_from_schedule(shape, sched(shape, 8), task, obs)
        pred, _, _ = predict_schedule(fit, run.lr, run.batch, run.obs_steps, band=False)
        errs[shape] = float(np.mean(np.abs(pred / run.obs_loss - 1)))
        pred, _, _ = predict_schedule(drop, run.lr, run.batch, run.obs_steps, band=False)
        errs_drop[shape] = float(np.mean(np.abs(pred / run.obs_loss - 1)))
    print(f"\nmean rel. error after warmup: {errs}; with the weight at the drop: {errs_drop}")
    # both held-out runs (batch 8 is not in the training set) within 3%, and the warmup
    # shape changes the error by less than a third of the error itself (+0.2% floor)
    assert max(errs.values()) < 0.03
    assert abs(errs["linear"] - errs["quadratic"]) < max(errs.values()) / 3 + 0.002


@pytest.mark.slow
def test_task_intervals_cover_the_truth():
    """90% bootstrap intervals of β, s, σ, scale cover the hidden values in ≥ 80% of 20
    repetitions (fresh observation noise each time)."""
    hits = {k: 0 for k in TRUTH}
    for rep in range(20):
        res = fit_curves(_curves(100 + rep), "task", starts=1, bootstrap=40, seed=rep,
                         law_options={"modes": M}, progress=False)
        lo, hi = res.interval()
        p = res.law.param_names
        for name, v in TRUTH.items():
            i = p.index(name)
            hits[name] += bool(lo[i] <= v <= hi[i])
    print(f"\ncoverage of 20: {hits}")
    assert all(h >= 16 for h in hits.values()), hits


def test_plan_objectives_and_noise_scaling(task_fit):
    D = 16 * STEPS
    base = plan_batches(task_fit, D, 4, 64, grid=11, continuous=False)
    # a step cap: the plan's steps respect it and its loss is the best feasible on the grid
    cap = (base["two_stage"]["steps"] + D // 64) // 2
    capped = plan_batches(task_fit, D, 4, 64, grid=11, continuous=False, max_steps=cap)
    assert capped["two_stage"]["steps"] <= cap
    feasible = [f["final_loss"] for f in capped["frontier"] if f["steps"] <= cap]
    assert capped["two_stage"]["final_loss"] <= min(feasible) * (1 + 1e-12)
    # a loss tolerance: fewer (or equal) steps than the loss-optimal plan, within 0.5%
    fast = plan_batches(task_fit, D, 4, 64, grid=11, continuous=False,
                        max_loss_increase="0.5%")
    assert fast["two_stage"]["steps"] <= base["two_stage"]["steps"]
    assert fast["two_stage"]["final_loss"] <= base["two_stage"]["final_loss"] * 1.005 + 1e-15
    # the sqrt rule: stages carry the LR multiplier sqrt(b / b_ref), b_ref the fit's batch
    sq = plan_batches(task_fit, D, 4, 64, grid=11, continuous=False, noise_scaling="sqrt")
    b_ref = sq["reference_batch"]
    for st in sq["stages"]:
        assert st["lr_multiplier"] == pytest.approx((st["batch"] / b_ref) ** 0.5, rel=1e-12)
    with pytest.raises(ValueError, match="at most one"):
        plan_batches(task_fit, D, 4, 64, max_steps=100, max_loss_increase=0.01)

"""Batch schedules under a fixed LR profile (docs/theory.md §7) and the C-SWITCH-LR study."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fsltheory import PowerLawTask, Schedule
from fsltheory.claims.base import Evidence
from fsltheory.claims.checks_lr import check_switch_lr
from fsltheory.cli import main
from fsltheory.engines.volterra import volterra_risk
from fsltheory.lr import as_lr_profile
from fsltheory.optimize import (
    compare_baselines,
    fsl_risk,
    fsl_stages_risk,
    fsl_two_stage,
    optimal_schedule,
    optimal_switch,
)
from fsltheory.optimize.lrprofile import _DataProblem

HARD = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
LR = 0.2


def test_switch_lr_exponent_is_the_typed_law_and_reduces_to_c_switch():
    from fsltheory.symbolic import derivation, exponent_value

    d = derivation("C-SWITCH-LR")
    f = d.numeric["switch_exponent_lr"]
    for beta, s, nu in [(2.0, 0.25, 0), (2.0, 0.25, 1), (3.0, 0.4, 2), (2.5, 0.1, 0.5)]:
        a = 2 - 1 / beta  # typed independently: balance −e'(T) ∝ η_P K(u_R)
        typed = (1 + s + nu * (a - 1)) / ((nu + 1) * a - nu)
        assert f(beta=beta, s=s, nu=nu) == pytest.approx(typed, rel=1e-12)
    assert f(beta=2.0, s=0.25, nu=0) == pytest.approx(exponent_value("switch", 2.0, 0.25))
    assert exponent_value("switch_lr_wsd", 2.0, 0.25) == pytest.approx(0.875)
    assert d.results["constant_limit_gap"] == 0


@pytest.mark.parametrize("spec", ["cosine", "wsd:0.2", "linear,warmup=0.05"])
def test_data_continuum_fsl_matches_per_step_fsl(spec):
    # fsl_stages_risk integrates the FSL on data cells with cell-averaged LR; fsl_risk sums
    # the realised per-step schedule exactly.  They differ by per-step effects (the LR is
    # read at each step's first sample), first order in b/D: ≤ 6e-4 relative at D = 2^16
    # with b₂ = 64 (measured), shrinking ~4× per 4× D.
    def err(D, frac):
        sch = Schedule.two_stage(4, 64, frac, D, LR, lr_schedule=spec)
        a = fsl_stages_risk(HARD, D, LR, [4, 64], [sch.switch_samples[0]], spec)[0]
        return a / fsl_risk(HARD, sch) - 1

    for frac in (0.0, 0.5, 0.9375):
        assert abs(err(2**16, frac)) < 1e-3, (spec, frac)
    assert abs(err(2**16, 0.0)) < abs(err(2**14, 0.0)) / 3  # first order in b/D
    # constant profile: the same numbers as the step-exact two-stage shortcut
    J = fsl_stages_risk(HARD, 2**14, LR, [4, 64], [[8192]], None)[0]
    assert J == pytest.approx(fsl_two_stage(HARD, 2**14, LR, 4, 64, [8192])[0], rel=1e-3)


def test_data_problem_gradient_matches_finite_differences():
    prob = _DataProblem(HARD, 2**12, LR, as_lr_profile("cosine"), 8, 16, 4)
    rng = np.random.default_rng(1)
    z = np.log(rng.uniform(4, 64, prob.dp.size))
    _, g = prob.value_grad(z)
    for j in rng.choice(z.size, 5, replace=False):
        h = 1e-5
        zp, zm = z.copy(), z.copy()
        zp[j] += h
        zm[j] -= h
        fd = (prob.value(zp) - prob.value(zm)) / (2 * h)
        assert g[j] == pytest.approx(fd, rel=1e-4, abs=1e-12)


@pytest.mark.parametrize("task,b_max", [(HARD, 64), (PowerLawTask(2.0, 1.5, sigma=1.0,
                                                                  modes=2000), None)])
def test_data_problem_at_constant_lr_equals_waterfilling(task, b_max):
    # Second, independent method for the continuum optimum: L-BFGS-B over the batch of
    # data cells (no budget constraint) vs the KKT water-filling in time (docs/theory.md §5).  Both
    # are admissible discretisations (upper bounds) with errors ≤ 5e-5 relative here.
    D = 2**14
    opt = optimal_schedule(task, D, LR, 4, b_max, progress=False)
    b, J = _DataProblem(task, D, LR, None, 48, 192, 4).solve(4, b_max, [4.0, 16.0])
    assert J == pytest.approx(opt.predicted_risk, rel=1e-4)


def test_optimal_switch_under_wsd_equals_brute_force_and_engine_value():
    D = 4096
    res = optimal_switch(HARD, D, LR, 4, 64, lr_schedule="wsd:0.2", progress=False)
    P = np.arange(0, D + 1, 64)
    J = fsl_stages_risk(HARD, D, LR, [4, 64], P[:, None], "wsd:0.2")
    assert res.samples == int(P[np.argmin(J)])
    assert res.lr_schedule == "wsd:0.2"
    assert res.schedule.lr_profile.format() == "wsd:0.2"
    v = optimal_switch(HARD, D, LR, 4, 64, "volterra", lr_schedule="wsd:0.2", progress=False)
    assert v.final_risk == pytest.approx(volterra_risk(HARD, v.schedule, points=2).final_risk,
                                         rel=1e-12)


def test_lr_optimum_beats_baselines_under_the_same_profile():
    for spec in ("wsd:0.2", "cosine"):
        rows = compare_baselines(HARD, 2**13, LR, 4, 64, lr_schedule=spec, progress=False)
        assert rows[-1].name == "continuous optimum"
        for r in rows:
            assert r.schedule.lr_profile.format() == spec, r.name
        # the optimum is solved on the data continuum and evaluated per step: allow the
        # O(b/D) per-step difference (≤ 2e-4 relative, as measured above)
        best = min(r.final_risk for r in rows[:-1])
        assert rows[-1].final_risk <= best * (1 + 2e-4), spec


def test_cli_optimize_with_lr_schedule_json(capsys):
    rc = main(["optimize", "--lr-schedule", "wsd:0.2", "--budget", "4096", "--two-stage",
               "4,64", "--json", "--no-progress"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lr_schedule"] == "wsd:0.2"
    assert out["switch"]["lr_schedule"] == "wsd:0.2"
    assert out["continuous"]["lr_schedule"] == "wsd:0.2"
    assert out["continuous"]["data"] == 4096


def test_switch_lr_check_rows_pass_and_fail_when_perturbed():
    # a small version of the claim check: hard task, WSD (interior switch) and cosine
    # (no interior switch) on the Volterra engine at D ∈ [1e5, 3e5] (3 budgets)
    p = {"pairs": [(2.0, 0.25)], "profiles": ["wsd:0.2", "cosine"], "d_lo": 1e5,
         "d_hi": 3e5, "points": 3, "lr": 1.5, "b1": 8, "b2": 64, "engine": "volterra",
         "rtol": 0.03, "probes": [0.1], "tol": 0.06, "frac_tol": 0.02,
         "gain_ratio_tol": 0.3, "gain_tol": 1e-3, "shift_tol": 0.02}
    ev = Evidence("C-SWITCH-LR", "quick", 0)
    check_switch_lr(ev, p)
    assert ev.verdict == "pass", [r.as_dict() for r in ev.rows if not r.passed]
    kinds = {r.quantity.split(" (")[0] for r in ev.rows}
    assert "slope of D − P* vs D" in kinds
    bad = Evidence("C-SWITCH-LR", "quick", 0, perturb=0.1)
    check_switch_lr(bad, p)
    assert bad.verdict == "fail"


def test_optimal_stages_under_wsd_never_worse_than_its_two_stage_start():
    # under WSD the two-stage optimum may be "never switch" (P* = D): the k-stage search
    # must still start from a feasible point and can only improve on it
    from fsltheory.optimize import optimal_stages

    D = 4096
    two = optimal_switch(HARD, D, LR, 4, 64, lr_schedule="wsd:0.2", progress=False)
    r = optimal_stages(HARD, D, LR, [4, 16, 64], lr_schedule="wsd:0.2", progress=False)
    assert r.lr_schedule == "wsd:0.2" and len(r.samples) == 2
    assert r.final_risk <= two.final_risk * (1 + 1e-12)
    sw = list(r.samples)
    J = fsl_stages_risk(HARD, D, LR, [4, 16, 64], [sw], "wsd:0.2")[0]
    assert r.final_risk == pytest.approx(J, rel=1e-12)

"""The critical-batch baselines (docs/theory.md §8) as rows of ``compare_baselines`` and of
``fsltheory optimize --json``."""

from __future__ import annotations

import json
import math

import pytest

from fsltheory import PowerLawTask, exact_risk
from fsltheory.cli import main
from fsltheory.optimize import compare_baselines, fsl_risk

HARD = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
LR = 0.2
PREFIXES = ("B_opt-tracking", "GNS-adaptive", "Seesaw")


def _adaptive(rows):
    return [r for r in rows if r.family == "adaptive"]


def test_rows_present_finite_and_ordered():
    rows = compare_baselines(HARD, 2**13, LR, 4, 64, "fsl", progress=False)
    old = compare_baselines(HARD, 2**13, LR, 4, 64, "fsl", progress=False, adaptive=False)
    ad = _adaptive(rows)
    assert [r.name.split()[0] for r in ad] == list(PREFIXES)
    # the existing rows keep their names, values and order; the optimum stays last
    assert [r.name for r in rows if r.family == "batch"] == [r.name for r in old]
    assert [r.final_risk for r in rows if r.family == "batch"] == [r.final_risk for r in old]
    assert rows[-1].name == "continuous optimum" and not _adaptive(old)
    for r in ad:
        assert math.isfinite(r.final_risk) and r.final_risk > 0 and r.data == 2**13
        assert 4 <= int(r.schedule.batch[:-1].min()) and int(r.schedule.batch.max()) <= 64
        # evaluated on the same model as the other rows: the FSL risk recomputed here
        assert r.final_risk == pytest.approx(fsl_risk(HARD, r.schedule), rel=1e-12)


@pytest.mark.parametrize("model", ["fsl", "exact"])
def test_optimum_beats_adaptive_rows_on_hard_task(model):
    # hard task (s = 1/4 < 1): the optimum is a batch schedule at the same peak LR, and the
    # adaptive rows are feasible batch schedules (Seesaw: an LR decay too, which on a hard
    # task costs signal progress more than it saves noise), so none may beat it.  On the
    # exact model the optimum is the FSL solution refined on the engine: same tolerance as
    # the other exact-engine baselines (1e-12, pure rounding).
    D = 2**15 if model == "fsl" else 2**13
    rows = compare_baselines(HARD, D, LR, 4, 64, model, progress=False)
    opt = rows[-1]
    ad = _adaptive(rows)
    assert len(ad) == 3
    for r in ad:
        assert r.data == opt.data == D
        assert opt.final_risk <= r.final_risk * (1 + 1e-12), r.name
        if model == "exact":  # an independent evaluation of the row on the exact engine
            assert r.final_risk == pytest.approx(
                exact_risk(HARD, r.schedule, points=2).final_risk, rel=1e-10)


def test_adaptive_rows_left_out_under_an_lr_profile():
    rows = compare_baselines(HARD, 2**12, LR, 4, 64, lr_schedule="cosine", progress=False)
    assert not _adaptive(rows) and rows[-1].name == "continuous optimum"


def test_cli_optimize_json_shows_adaptive_rows(capsys):
    base = ["optimize", "--beta", "2", "--s", "0.25", "--modes", "300", "--lr", "0.2",
            "--budget", "4096", "--bmin", "4", "--bmax", "64", "--no-progress", "--json"]
    assert main(base) == 0
    d = json.loads(capsys.readouterr().out)
    ad = [b for b in d["baselines"] if b["family"] == "adaptive"]
    assert [b["name"].split()[0] for b in ad] == list(PREFIXES)
    assert d["baselines"][-1]["name"] == "continuous optimum"
    for b in ad:
        assert b["data"] == 4096 and b["final_risk"] >= d["continuous"]["final_risk"]
    assert main(base + ["--no-adaptive"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert all(b["family"] == "batch" for b in d["baselines"])


@pytest.fixture(scope="module")
def small_fit():
    from fsltheory.curves import example_curves
    from fsltheory.fit import fit_curves

    return fit_curves(example_curves(steps=300, points=30, modes=100), "fsl", starts=1,
                      bootstrap=0)


@pytest.mark.parametrize("lr_schedule", [None, "cosine"])
def test_plan_rows_on_the_fitted_law(small_fit, lr_schedule):
    import numpy as np

    from fsltheory.lr import as_lr_profile
    from fsltheory.plan import plan_batches

    D, bmin, bmax = 4096, 4, 64
    plan = plan_batches(small_fit, D, bmin, bmax, grid=9, continuous=False,
                        lr_schedule=lr_schedule)
    rows = {r["name"].split()[0]: r for r in plan["baselines"]}
    assert set(rows) == {"B_opt-tracking", "Seesaw"}
    for r in rows.values():
        assert math.isfinite(r["final_loss"]) and r["data"] == D
        assert r["final_loss"] / plan["two_stage"]["final_loss"] - 1 == pytest.approx(
            r["loss_vs_recommended"], rel=1e-12)
    bo = [s["batch"] for s in rows["B_opt-tracking"]["stages"]]
    # b ∝ 1/L̂ with the loss falling: non-decreasing, starts at bmin, within the bounds
    assert bo[0] == bmin and bo == sorted(bo) and bo[-1] <= bmax and len(bo) > 1
    # Seesaw recomputed here from its definition with plain numpy: stage i of four equal
    # data quarters has batch bmin·2^i and LR η_peak·φ(P/D)·2^(−i/2)
    peak = plan["peak_lr"]
    batch, lr, used = [], [], 0
    for i in range(4):
        b, end = bmin * 2**i, D * (i + 1) // 4
        while used < end:
            step = min(b, end - used) if i == 3 else b
            lr.append(peak * as_lr_profile(lr_schedule).profile(np.array([used / D]))[0]
                      * 2.0 ** (-0.5 * i))
            batch.append(step)
            used += step
    batch, lr = np.array(batch + batch[-1:], dtype=float), np.array(lr + lr[-1:])
    want = small_fit.law.predict(small_fit.params, lr, batch, np.array([len(batch) - 1]))[0]
    # same law, same per-step arrays: only floating-point summation order differs
    assert rows["Seesaw"]["final_loss"] == pytest.approx(want, rel=1e-9)
    assert rows["Seesaw"]["steps"] == len(batch) - 1
    none = plan_batches(small_fit, D, bmin, bmax, grid=9, continuous=False, adaptive=False)
    assert none["baselines"] == []

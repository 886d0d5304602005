"""The claims' scaling studies built on ``fsltheory.sweep`` give the numbers of the plain
per-budget loops, bit for bit, in this process and on a local process pool; ``verify
--workers`` gives the serial run's evidence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fsltheory.claims import get_claim
from fsltheory.claims.engine_scaling import engine_switch
from fsltheory.claims.sweeps import engine_switch_values, optimum_values, switch_values
from fsltheory.cli import main
from fsltheory.optimize import optimal_schedule, switch_scaling
from fsltheory.sweep import local_executor
from fsltheory.task import PowerLawTask


@pytest.fixture(scope="module")
def pool():
    ex = local_executor(2)
    yield ex
    ex.shutdown(wait=True)


def test_switch_sweep_equals_plain_loop(pool):
    # reference: optimize.switch_scaling, the plain loop over budgets the check used before
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=300)
    budgets = np.array([4096, 16384], dtype=np.int64)
    ref = switch_scaling(task, budgets, 0.2, 1, 8, progress=False).values
    for ex in (None, pool):
        got = switch_values(2.0, 0.25, 300, budgets, 0.2, 1, 8, executor=ex)
        for k in ("samples", "remaining", "fraction", "risk"):
            # bit for bit: the same deterministic computation in every job
            assert np.array_equal(got[k], ref[k]), (k, ex)
        assert got["samples"].dtype == ref["samples"].dtype


def test_optimum_sweep_equals_plain_loop(pool):
    # reference: optimal_schedule called in a loop (and the Volterra engine on its integer
    # schedules), as the check did before it was a sweep
    from fsltheory.engines.volterra import volterra_risk

    task = PowerLawTask(2.0, 1.0, sigma=1.0, modes=400)
    budgets = np.array([10_000, 40_000], dtype=np.int64)
    res = [optimal_schedule(task, int(d), 0.2, 1, progress=False, integer=True)
           for d in budgets]
    ref = {"horizon": [r.horizon for r in res], "risk": [r.predicted_risk for r in res],
           "growth_phase": [r.horizon - r.floor_end for r in res],
           "batch_first": [r.profile_batch[0] for r in res],
           "batch_last": [r.profile_batch[-1] for r in res],
           "volterra_risk": [volterra_risk(task, r.schedule, points=2).final_risk
                             for r in res]}
    for ex in (None, pool):
        got = optimum_values(2.0, 1.0, 400, budgets, 0.2, 1, True, True, executor=ex)
        assert np.all(got["volterra_ok"] == 1)
        for k, v in ref.items():
            assert np.array_equal(got[k], np.array(v, dtype=np.float64)), (k, ex)


def test_engine_switch_sweep_equals_plain_loop(pool):
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=200)
    budgets = [2048, 8192]
    ref = [engine_switch(task, d, 0.2, 1, 8) for d in budgets]
    assert engine_switch_values(2.0, 0.25, 200, budgets, 0.2, 1, 8, executor=pool) == ref


def _small_switch(monkeypatch):
    claim = get_claim("C-SWITCH")
    small = {**claim.params["quick"], "pairs": [(2.0, 0.25), (2.0, 1.0)], "d_lo": 1e4,
             "d_hi": 1e5, "points": 3,
             "engine": {**claim.params["quick"]["engine"], "d": (1e4, 1e5, 3)},
             "exact_case": (2.0, 0.25, 200, 4000), "sgd_case": (2.0, 0.25, 30, 400),
             "seeds": 8}
    monkeypatch.setitem(claim.params, "quick", small)


def test_verify_workers_gives_serial_evidence(monkeypatch, capsys):
    _small_switch(monkeypatch)  # C-SWITCH at a reduced size (the workers see the grid)
    out = {}
    for extra in ([], ["--workers", "2"]):
        code = main(["verify", "C-SWITCH", "--quick", "--json", "--report", "-",
                     "--no-progress", *extra])
        d = json.loads(capsys.readouterr().out)
        out[len(extra)] = (code, [(r["quantity"], r["params"], r["predicted"], r["measured"],
                                   r["note"]) for c in d["claims"] for r in c["rows"]])
    assert len(out[0][1]) >= 4  # FSL switch rows, engine row, exact row, SGD row
    assert out[2] == out[0]


@pytest.mark.parametrize("argv, word", [(["--workers", "0"], "--workers"),
                                        (["--workers", "2", "--dask", "local"], "--dask")])
def test_verify_bad_executor_is_one_line_error(capsys, argv, word):
    try:
        code = main(["verify", "C-KERNEL", "--quick", "--report", "-", *argv])
    except SystemExit as exc:  # argparse's own errors (mutually exclusive flags)
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and word in err


def test_engine_continuous_sweep_equals_plain_loop(pool):
    from fsltheory.claims.engine_scaling import engine_continuous
    from fsltheory.claims.sweeps import engine_continuous_values

    task = PowerLawTask(2.0, 0.25, sigma=4.0, modes=500)  # hard, σ² = κ = B_min = 16
    points = [(16 * 2000, 16), (16 * 8000, 16)]
    ref = [engine_continuous(task, d, 0.2, b) for d, b in points]
    got = engine_continuous_values(2.0, 0.25, 4.0, 500, [d for d, _ in points], 0.2,
                                   [b for _, b in points], executor=pool)
    assert got == ref  # bit for bit (dict equality compares the floats exactly)

"""Sizes that cannot fit: refused up front with the parameter, the estimate and the limit
(before: numpy MemoryError tracebacks, or a seed list built without bound)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_one_line_error

from fsltheory import PowerLawTask, Schedule
from fsltheory.errors import InvalidParameterError


def test_check_memory_names_parameter_estimate_and_limit():
    from fsltheory.errors import check_memory

    assert check_memory("modes", 1000, limit=4096) == 1000
    with pytest.raises(InvalidParameterError) as e:
        check_memory("modes", 3 << 30, limit=1 << 30, value=12345)
    msg = str(e.value)
    assert "modes=12345" in msg and "3 GiB" in msg and "1 GiB" in msg
    with pytest.raises(InvalidParameterError):
        check_memory("x", float("inf"), limit=1 << 30)


def test_memory_limit_env_override(monkeypatch):
    from fsltheory.errors import memory_limit

    monkeypatch.setenv("FSLTHEORY_MEMORY_LIMIT", "2M")
    assert memory_limit() == 2 << 20
    monkeypatch.setenv("FSLTHEORY_MEMORY_LIMIT", "lots")
    with pytest.raises(InvalidParameterError, match="FSLTHEORY_MEMORY_LIMIT"):
        memory_limit()


def test_task_with_too_many_modes_is_refused_before_allocating(monkeypatch):
    # before: numpy tried to allocate 74.5 GiB and raised MemoryError
    task = PowerLawTask(2.0, 0.25, modes=10**10)
    with pytest.raises(InvalidParameterError, match=r"modes=10000000000 needs about"):
        task.lambdas  # noqa: B018
    # the limit is what decides: a small limit refuses a modest size too
    monkeypatch.setenv("FSLTHEORY_MEMORY_LIMIT", "1M")
    with pytest.raises(InvalidParameterError, match="modes=100000"):
        PowerLawTask(2.0, 0.25, modes=100_000).initial_risk  # noqa: B018


def test_target_coefficients_that_overflow_are_refused():
    # θ*_j = j^((β−1−sβ)/2): β = 1e300 made θ*² = inf and every risk nan (before: accepted)
    with pytest.raises(InvalidParameterError, match="overflow float64"):
        PowerLawTask(1e300, 0.25, modes=10)
    task = PowerLawTask(1e300, 0.25, modes=1)  # one mode: θ*_1 = 1, nothing overflows
    assert np.isfinite(task.theta_star).all()


def test_seed_list_is_refused_not_built(monkeypatch):
    # before: seed_generators(0, 10**12) started building 10^12 generators (hang / OOM)
    from fsltheory.engines.sgd import seed_generators

    with pytest.raises(InvalidParameterError, match="seeds=1000000000000"):
        seed_generators(0, 10**12)


def test_sgd_runs_result_size_is_checked():
    from fsltheory.engines.sgd import sgd_runs

    task = PowerLawTask(2.0, 0.25, modes=10)
    with pytest.raises(InvalidParameterError, match="seeds=10000000000"):
        sgd_runs(task, Schedule.constant(4, 400, 0.2), seeds=10**10)


@pytest.mark.parametrize("argv,needles", [
    (["simulate", "--modes", "10000000000"], ["modes=10000000000", "limit"]),
    (["optimize", "--budget", "100000000000000000", "--modes", "50"], ["budget=", "limit"]),
])
def test_cli_refuses_sizes_that_cannot_fit(cli, argv, needles):
    # before: a numpy MemoryError traceback (exit 1)
    rc, out, err = cli(*argv)
    assert_one_line_error(rc, out, err, *needles)


def test_cli_sizes_in_budget_forms(cli):
    # --budget accepts 1e3 and 2**10 (exact integers); a fraction is refused
    rc, out, _ = cli("simulate", "--modes", "20", "--budget", "2**10", "--schedule",
                     "const:4", "--json")
    assert rc == 0 and '"budget": 1024' in out
    rc, out, err = cli("simulate", "--budget", "1.5e0")
    assert_one_line_error(rc, out, err, "budget must be an integer")


def test_schedule_budget_that_overflows_int64_is_refused():
    # before: from_arrays wrapped the budget to -9223372036854775808, and constant() with a
    # budget above 2^63 raised OverflowError
    with pytest.raises(InvalidParameterError, match="budget"):
        Schedule.from_arrays([0.1, 0.1], [2**62, 2**62])
    with pytest.raises(InvalidParameterError, match="budget"):
        Schedule.constant(1, 10**19, 0.1)
    # the largest legal budgets still build, with the exact integer budget
    big = Schedule.constant(2**40, 2**62, 0.1)
    assert big.budget == 2**62 and big.n_steps == 2**22


def test_optimal_schedule_refuses_a_budget_too_large_for_memory(monkeypatch):
    from fsltheory.optimize import optimal_schedule

    # before: MemoryError from numpy (per-step schedule of ~10^17 steps)
    monkeypatch.setenv("FSLTHEORY_MEMORY_LIMIT", "1G")
    task = PowerLawTask(2.0, 0.25, modes=100)
    with pytest.raises(InvalidParameterError, match=r"budget=100000000000000000 needs about"
                                                    r".*above the limit 1 GiB"):
        optimal_schedule(task, 10**17, 0.2, 1, 64)


def test_cli_simulate_refuses_hours_of_exact_engine_work(cli):
    # before: --budget 1e15 with the exact engine ran for hours (2.5e14 steps x 4000 modes)
    from fsltheory.cli.simulate import DEFAULT_SCHEDULE

    line = assert_one_line_error(*cli("simulate", "--budget", "1e15", "--json"),
                                 "--budget", "mode-steps", "min", "--engine volterra")
    steps = Schedule.parse(DEFAULT_SCHEDULE, 10**15, 0.2).n_steps  # 4000 modes by default
    assert f"{steps} steps x 4000 modes = {steps * 4000.0:.2g} mode-steps" in line
    # the volterra engine's cost does not grow with steps that way: not refused by this guard
    rc, out, err = cli("simulate", "--budget", "1e9", "--modes", "100", "--engine",
                       "volterra", "--schedule", "const:64", "--lr", "0.2", "--json")
    assert rc == 0 and "mode-steps" not in err, err

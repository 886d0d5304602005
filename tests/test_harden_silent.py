"""Silent nonsense: inputs that used to "work" and return something meaningless now fail
with one clear line (or do what they say)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_one_line_error

from fsltheory import PowerLawTask, Schedule, max_stable_lr
from fsltheory.claims import fit_loglog, run_claims
from fsltheory.claims.base import decades
from fsltheory.errors import InvalidParameterError, UnstableScheduleError, check_int_range
from fsltheory.figdata import loglog_slope


def test_final_partial_batch_is_checked_for_stability():
    from fsltheory.engines.guards import check_final_step

    # One extra sample past 200 whole batches of 64 is a final batch of 1 at an lr three
    # times its stable limit: the exact engine (whose check exempts that step) returns a
    # risk 11.8x higher than without the sample.  The guard refuses it.
    task = PowerLawTask(2.0, 0.25, modes=1000)
    lr = 0.95 * max_stable_lr(task, 64)
    assert lr > max_stable_lr(task, 1)  # the premise: the partial batch is unstable
    check_final_step(task, Schedule.constant(64, 64 * 200, lr))
    with pytest.raises(UnstableScheduleError, match="final partial batch"):
        check_final_step(task, Schedule.constant(64, 64 * 200 + 1, lr))


def test_lr_array_with_one_huge_final_entry_is_refused():
    from fsltheory.engines.guards import check_final_step

    # before: exact/sgd engines accepted it (last step exempt) and returned E ≈ 1.5e200
    task = PowerLawTask(2.0, 0.25, modes=1000)
    sch = Schedule.from_arrays([0.1] * 10 + [1e100], [4] * 10 + [1])
    with pytest.raises(UnstableScheduleError, match="lr=1e\\+100"):
        check_final_step(task, sch)
    from fsltheory.engines.sgd import sgd_risk

    with pytest.raises(UnstableScheduleError):
        sgd_risk(task, sch, seeds=2)


def test_cli_simulate_refuses_unstable_final_partial_batch(cli):
    rc, out, err = cli("simulate", "--modes", "1000", "--schedule", "const:64",
                       "--budget", "12801", "--lr", "1.84", "--json")
    assert_one_line_error(rc, out, err, "final partial batch", "largest stable lr")


def test_duplicate_budgets_in_a_scaling_fit_are_refused():
    # before: fit_loglog([1, 1, 1], ...) raised numpy LinAlgError, and duplicates among
    # distinct values silently counted twice in the slope
    with pytest.raises(InvalidParameterError, match="duplicates 1024"):
        fit_loglog([1024, 1024, 4096], [1.0, 2.0, 3.0])
    with pytest.raises(InvalidParameterError, match="duplicates"):
        loglog_slope(np.array([2.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0]))
    # distinct points: y = 3 x^-0.5 recovers −0.5 (least squares on exact data, 1e-12)
    assert fit_loglog([1, 10, 100], [3.0, 3 / 10**0.5, 0.3]) == pytest.approx(-0.5, abs=1e-12)
    with pytest.raises(InvalidParameterError):
        decades([])


@pytest.mark.parametrize("argv,needles", [
    (["optimize", "--bmax", "0"], ["--bmax", "'none' for no cap", "'0'"]),
    (["optimize", "--bmax", "-3"], ["--bmax"]),
    (["figures", "--list", "kernels"], ["--list takes no figure names", "kernels"]),
    (["simulate", "--modes", "١٠٠"], ["--modes", "ASCII"]),
    (["simulate", "--lr", "٠.٢"], ["--lr", "ASCII"]),
    (["simulate", "--budget", "１２８"], ["--budget", "budget must be an integer"]),
    (["verify", "C-KERNEL", "--perturb", "nan", "--report", "-"], ["perturb must be"]),
])
def test_cli_silent_inputs_now_fail_clearly(cli, argv, needles):
    # before: --bmax 0 meant "no cap" silently; --list ignored the names; Unicode digits
    # were read as numbers (Arabic-Indic ١٠٠ = 100); --perturb nan ran every check
    rc, out, err = cli(*argv)
    assert_one_line_error(rc, out, err, *needles)


def test_bmax_none_still_means_no_cap(cli):
    rc, out, _ = cli("optimize", "--bmax", "none", "--modes", "50", "--budget", "1024",
                     "--no-progress", "--json")
    assert rc == 0 and '"bmax": null' in out


def test_library_refuses_non_ascii_digits():
    with pytest.raises(InvalidParameterError):
        check_int_range("modes", "١٠٠", 1)
    with pytest.raises(InvalidParameterError):
        PowerLawTask("٢", 0.25)
    assert PowerLawTask("2", 0.25).beta == 2.0  # ASCII strings keep working


def test_run_claims_string_is_one_id_and_perturb_is_validated():
    # before: run_claims("C-KERNEL") iterated the characters ("got 'C'"), perturb=nan ran
    with pytest.raises(InvalidParameterError, match="perturb must be"):
        run_claims("C-KERNEL", perturb=float("nan"))
    with pytest.raises(InvalidParameterError, match="perturb must be"):
        run_claims(["C-KERNEL"], perturb=-1.0)


def test_exact_engine_refuses_unstable_final_partial_batch():
    from fsltheory import exact_risk, exact_risk_many

    # before: exact_risk accepted both (its own check exempts a final partial batch) and
    # returned a risk 11.8x higher than without the extra sample, and 1.5e200
    task = PowerLawTask(2.0, 0.25, modes=1000)
    lr = 0.95 * max_stable_lr(task, 64)
    assert lr > max_stable_lr(task, 1)  # the premise: a final batch of 1 is unstable
    bad = Schedule.constant(64, 64 * 200 + 1, lr)
    with pytest.raises(UnstableScheduleError, match="final partial batch"):
        exact_risk(task, bad)
    with pytest.raises(UnstableScheduleError, match="final partial batch"):
        exact_risk_many(task, [Schedule.constant(64, 64 * 200, lr), bad])
    with pytest.raises(UnstableScheduleError, match="lr=1e\\+100"):
        exact_risk(task, Schedule.from_arrays([0.1] * 10 + [1e100], [4] * 10 + [1]))


def test_exact_engine_still_runs_a_stable_final_partial_batch():
    from fsltheory import exact_risk, exact_risk_many
    from fsltheory.engines.exact import exact_risk_numpy

    # a final batch of 1 at an lr below max_stable_lr(1) is stable and still runs; the
    # compiled engines agree with the plain-numpy reference (same recursion, different
    # summation order: 1e-10 relative)
    task = PowerLawTask(2.0, 0.25, modes=200)
    lr = 0.9 * max_stable_lr(task, 1)
    sch = Schedule.constant(64, 64 * 50 + 1, lr)
    assert sch.segments().batch[-1] == 1
    ref = exact_risk_numpy(task, sch)[-1]
    assert exact_risk(task, sch).final_risk == pytest.approx(ref, rel=1e-10)
    assert exact_risk_many(task, [sch])[0].final_risk == pytest.approx(ref, rel=1e-10)


def test_switch_scaling_refuses_duplicate_budgets():
    from fsltheory.optimize import switch_scaling

    # before: [1024, 1024] gave a "slope" from two identical points
    task = PowerLawTask(2.0, 0.25, modes=100)
    with pytest.raises(InvalidParameterError, match="budgets.*duplicate.*1024"):
        switch_scaling(task, [1024, 1024], 0.2, 4, 64)
    with pytest.raises(InvalidParameterError, match="duplicate"):
        switch_scaling(task, [1024, 4096, 1024], 0.2, 4, 64)

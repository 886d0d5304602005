"""Extreme but legal floats: computed correctly or refused clearly — never an
OverflowError traceback or a numba typing error."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import assert_one_line_error

from fsltheory import PowerLawTask, Schedule, exact_risk, stationary_risk
from fsltheory.errors import InvalidParameterError, check_finite, check_range


def test_sigma_whose_square_overflows_is_refused():
    # before: PowerLawTask accepted σ = 1e200 and exact_risk / stationary_risk raised
    # OverflowError: (34, 'Numerical result out of range') from σ**2
    with pytest.raises(InvalidParameterError, match=r"sigma must be in \[0, 1e\+100\]"):
        PowerLawTask(2.0, 0.25, sigma=1e200, modes=10)


def test_largest_sigma_still_computes_finite_risks():
    from fsltheory.task import SIGMA_MAX

    task = PowerLawTask(2.0, 0.25, sigma=SIGMA_MAX, modes=10)
    curve = exact_risk(task, Schedule.constant(4, 400, 0.2))
    assert np.all(np.isfinite(curve.risk))
    # E_∞ = ½ σ² q/(1−q) is linear in σ²: compare with σ = 1 scaled by σ² (exact in
    # float64 up to a few ulps, hence rtol 1e-12)
    unit = stationary_risk(PowerLawTask(2.0, 0.25, sigma=1.0, modes=10), 0.2, 4)
    big = stationary_risk(task, 0.2, 4)
    assert big == pytest.approx(unit * SIGMA_MAX**2, rel=1e-12)


def test_check_finite_never_leaks_overflow():
    # float(10**400) raises OverflowError; before it escaped check_finite/check_range
    with pytest.raises(InvalidParameterError, match="lr must be"):
        check_range("lr", 10**400, 0.0, None, low_open=True)
    with pytest.raises(InvalidParameterError):
        check_finite("x", 10**400)


def test_cli_derive_at_extreme_exponents_is_one_line(cli):
    # before: OverflowError: math range error (traceback, exit 1)
    rc, out, err = cli("derive", "--beta", "1e308", "--s", "1e308")
    assert_one_line_error(rc, out, err, "not a finite number", "beta=1e+308")


def test_cli_derive_moderate_values_still_work(cli):
    rc, out, _ = cli("derive", "C-SWITCH", "--beta", "2", "--s", "0.25", "--json")
    assert rc == 0
    import json

    v = json.loads(out)["claims"][0]["values"]
    # C-SWITCH (docs/theory.md §5): D − P* ∝ D^(β(1+s)/(2β−1)); at β=2, s=1/4 by hand:
    # 2·1.25/3 = 5/6 (float evaluation of a rational expression: rel 1e-12)
    assert math.isclose(v["switch_exponent"], 5 / 6, rel_tol=1e-12)


@pytest.mark.parametrize("argv", [
    ["simulate", "--sigma", "1e200"],
    ["simulate", "--beta", "1e300", "--modes", "10", "--budget", "100"],
    ["optimize", "--sigma", "1e300", "--modes", "50", "--budget", "1000"],
])
def test_cli_extreme_task_values_are_one_line_exit_2(cli, argv):
    # before: OverflowError traceback (σ) / "overflowed at step 0" with warnings (β)
    rc, out, err = cli(*argv)
    assert_one_line_error(rc, out, err)


def test_cli_unexpected_errors_are_one_line_not_a_traceback(cli):
    # Before, the Volterra engine failed on lr = 1e-300 with a numba TypingError traceback
    # (engines/volterra.py now computes it); and whatever an engine raises, the CLI prints
    # one line without a traceback or terminal colour codes.
    rc, out, err = cli("simulate", "--lr", "1e-300", "--modes", "10", "--budget", "100",
                       "--engine", "volterra", "--json")
    assert rc in (0, 2) and "Traceback" not in err
    if rc == 0:
        import json

        d = json.loads(out)  # lr ≈ 0: the risk stays at E_0 (to rounding)
        assert d["final_risk"] == pytest.approx(d["initial_risk"], rel=1e-12)
    else:
        assert out == "" and len(err.strip().splitlines()) == 1 and "\x1b[" not in err


def test_cli_internal_errors_are_one_line(cli, monkeypatch):
    from fsltheory.cli import simulate

    def boom(*a, **k):
        raise ZeroDivisionError("\x1b[1mcolour\x1b[0m\nsecond line")

    monkeypatch.setattr(simulate, "get_engine", boom)
    rc, out, err = cli("simulate", "--modes", "10", "--budget", "100")
    assert_one_line_error(rc, out, err, "internal error: ZeroDivisionError: colour second line",
                          status=1)
    assert "\x1b[" not in err

"""Wrong types and empty inputs: public functions raise the project's errors (or a
ValueError/TypeError naming the parameter) — never AttributeError, IndexError,
LinAlgError, OverflowError or an unhashable-type TypeError from deep inside."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from fsltheory import PowerLawTask, Schedule, exact_risk
from fsltheory.errors import InvalidParameterError


@pytest.fixture(scope="module")
def curve():
    return exact_risk(PowerLawTask(2.0, 0.25, modes=20), Schedule.constant(4, 400, 0.2))


@pytest.mark.parametrize("bad", ["a", None, 1.5, 1])
def test_subsample_points_is_validated(curve, bad):
    # before: TypeError "'<=' not supported between 'int' and 'str'" (no parameter name);
    # points=1 returned a one-point curve without the first step
    with pytest.raises(InvalidParameterError, match="points must be an integer"):
        curve.subsample(bad)


def test_log_spaced_indices_arguments_are_validated():
    from fsltheory.curve import log_spaced_indices

    with pytest.raises(InvalidParameterError, match="points"):
        log_spaced_indices(10, "x")
    with pytest.raises(InvalidParameterError, match="n must be"):
        log_spaced_indices(-5, 3)  # before: silently []


def test_at_data_names_its_parameter(curve):
    with pytest.raises(InvalidParameterError, match="samples must be real numbers"):
        curve.at_data("x")


def test_fits_with_degenerate_input():
    from fsltheory.claims import fit_loglog
    from fsltheory.claims.base import decades

    with pytest.raises(InvalidParameterError):
        fit_loglog([1, 1, 1], [1, 2, 3])  # before: numpy.linalg.LinAlgError
    with pytest.raises(InvalidParameterError):
        fit_loglog([1, 2, "x"], [1, 2, 3])
    with pytest.raises(InvalidParameterError):
        decades([])  # before: ValueError "zero-size array to reduction operation"


@pytest.mark.parametrize("bad", [None, "x", [1], 5])
def test_report_renderers_reject_non_evidence(bad):
    # before: AttributeError "'str' object has no attribute 'rows'" etc.
    from fsltheory.claims import evidence_json, render_report, render_table, summary

    with pytest.raises(InvalidParameterError, match="evidence must be"):
        render_table(bad)
    with pytest.raises(InvalidParameterError, match="evidence must be"):
        render_report(bad, {})
    with pytest.raises(InvalidParameterError, match="evidence must be"):
        summary(bad)
    with pytest.raises(InvalidParameterError, match="ev must be"):
        evidence_json(bad, None)


def test_plots_reject_wrong_objects(tmp_path):
    from fsltheory.plots import build_figure, save_figure

    with pytest.raises(InvalidParameterError, match="fd must be the FigData"):
        build_figure(None)  # before: AttributeError 'NoneType' object has no attribute 'name'
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        save_figure(None, tmp_path, "x")  # before: AttributeError on None.savefig


def test_figure_data_with_unhashable_name():
    from fsltheory.figdata import figure_data

    with pytest.raises(InvalidParameterError, match="figure must be one of"):
        figure_data([])  # before: TypeError unhashable type: 'list'


def test_symbolic_helpers_reject_non_expressions():
    from fsltheory.symbolic import NumericTwin, power_exponent

    x = sp.Symbol("x", positive=True)
    with pytest.raises(InvalidParameterError, match="expr must be a sympy expression"):
        power_exponent(None, x)  # before: AttributeError (no attribute 'is_Number')
    with pytest.raises(InvalidParameterError, match="x must be a sympy Symbol"):
        power_exponent(x**2, [])  # before: IndexError: list index out of range
    with pytest.raises(InvalidParameterError, match="expr must be"):
        NumericTwin(None)  # before: AttributeError (no attribute 'free_symbols')
    assert power_exponent(3 * x**sp.Rational(-1, 2), x) == sp.Rational(-1, 2)


def test_sgd_arguments():
    from fsltheory.engines.sgd import seed_generators, sgd_risk

    with pytest.raises(InvalidParameterError, match="seeds"):
        seed_generators(0, 1e300)  # before: OverflowError (int too large for C ssize_t)
    task = PowerLawTask(2.0, 0.25, modes=10)
    with pytest.raises(InvalidParameterError, match="check_stable must be True or False"):
        sgd_risk(task, Schedule.constant(4, 64, 0.2), seeds=2, check_stable="no")


def test_figure_names_given_as_one_string():
    from fsltheory.cli.figures import check_names

    # before: the string was split into letters ("unknown figure name(s) 'k', 'e', ...")
    assert check_names("kernels") == ["kernels"]


def test_check_int_range_takes_huge_ints_exactly():
    from fsltheory.errors import check_int_range

    big = 2**80 + 1  # float() would round it (and 10**400 would overflow)
    assert check_int_range("budget", big, 1) == big
    with pytest.raises(InvalidParameterError):
        check_int_range("budget", 10**400, 1, 10**300)
    assert np.int64(5) == check_int_range("n", np.int64(5), 0)


def test_exact_engine_arguments_name_the_parameter():
    from fsltheory import exact_risk_many, max_stable_lr

    # before: AttributeError ('str' object has no attribute 'lambdas') and TypeError
    # ("'int' object is not iterable")
    task = PowerLawTask(2.0, 0.25, modes=20)
    with pytest.raises(InvalidParameterError, match="task must be a PowerLawTask"):
        max_stable_lr("x", 4)
    with pytest.raises(InvalidParameterError, match="schedules must be"):
        exact_risk_many(task, 5)
    with pytest.raises(InvalidParameterError, match="schedules must be"):
        exact_risk_many(task, Schedule.constant(4, 400, 0.2))
    with pytest.raises(InvalidParameterError, match="schedule must be a Schedule"):
        exact_risk_many(task, [Schedule.constant(4, 400, 0.2), "const:4"])


def test_schedule_stages_switches_must_be_a_sequence():
    # before: TypeError "'NoneType' object is not iterable"
    with pytest.raises(InvalidParameterError, match="switches must be a sequence"):
        Schedule.stages([1, 2], None, 100, 0.1)
    with pytest.raises(InvalidParameterError, match="batches must be a sequence"):
        Schedule.stages(4, [], 100, 0.1)

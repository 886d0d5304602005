"""PowerLawTask (docs/theory.md §1): spectrum, target, regime, initial risk, validation."""

from __future__ import annotations

import dataclasses
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsltheory import InvalidParameterError, PowerLawTask


def _tail_free_sum(p: float, m: int) -> float:
    """Σ_{j=1}^{m} j^(−p) = ζ(p) − ζ(p, m+1), evaluated by mpmath (Hurwitz zeta): an
    independent route to the finite sums that PowerLawTask computes term by term."""
    with mpmath.workdps(30):
        return float(mpmath.zeta(p) - mpmath.zeta(p, m + 1))


# ---------------------------------------------------------------- spectrum and target
@pytest.mark.parametrize("beta,s", [(2.0, 0.25), (1.5, 1.0), (3.0, 2.0)])
def test_spectrum_and_target_follow_spec(beta, s):
    task = PowerLawTask(beta, s, sigma=0.5, modes=500)
    j = np.arange(1, 501)
    assert task.lambdas.shape == task.theta_star.shape == (500,)
    # λ_j = j^(−β): λ_1 = 1 and the log-log slope is −β everywhere.
    assert task.lambdas[0] == 1.0
    np.testing.assert_allclose(np.diff(np.log(task.lambdas)) / np.diff(np.log(j)), -beta,
                               rtol=1e-12)
    # θ*_j > 0 and λ_j θ*_j² = j^(−(1+sβ)) (rtol: a few roundings of pow/mul).
    assert np.all(task.theta_star > 0)
    np.testing.assert_allclose(task.lambdas * task.theta_star**2, j ** (-(1.0 + s * beta)),
                               rtol=1e-13)
    np.testing.assert_allclose(task.signal_weights, j ** (-(1.0 + s * beta)), rtol=1e-15)


@pytest.mark.parametrize("beta,s,modes", [(2.0, 0.25, 1), (2.0, 0.25, 4000), (1.2, 0.1, 10**5)])
def test_initial_risk_and_trace_match_hurwitz_zeta(beta, s, modes):
    task = PowerLawTask(beta, s, modes=modes)
    # Float sum of ≤1e5 positive terms smallest-first: relative error ≲ 1e5·1.1e-16 ≈ 1e-11.
    assert task.initial_risk == pytest.approx(0.5 * _tail_free_sum(1 + s * beta, modes),
                                              rel=1e-10)
    assert task.trace == pytest.approx(_tail_free_sum(beta, modes), rel=1e-10)
    # ... and E(θ=0) = ½ Σ λ_j θ*_j² from the target itself.
    assert task.initial_risk == pytest.approx(
        0.5 * float(np.sum(task.lambdas * task.theta_star**2)), rel=1e-12)


def test_regime_boundary_is_s_equal_one_minus_inverse_beta():
    # s = 1 − 1/β exactly representable: β=2 → 0.5, β=4 → 0.75.
    assert PowerLawTask(2.0, 0.5).regime == "easy"
    assert PowerLawTask(2.0, math.nextafter(0.5, 0)).regime == "hard"
    assert PowerLawTask(4.0, 0.75).regime == "easy"
    assert PowerLawTask(4.0, 0.7499).regime == "hard"
    assert PowerLawTask(2.0, 0.25).regime == "hard"
    assert PowerLawTask(2.0, 1.5).regime == "easy"


def test_regime_agrees_with_the_derived_boundary():
    """task.regime (typed in task.py) vs the boundary derived by fsltheory.symbolic
    (C-REGIME): same side for points 1e-6 either side of s_c(β)."""
    from fsltheory.symbolic import exponent_value

    for beta in (1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0):
        sc = exponent_value("regime_boundary", beta=beta)
        assert PowerLawTask(beta, sc + 1e-6).regime == "easy", beta
        assert PowerLawTask(beta, sc - 1e-6).regime == "hard", beta


@settings(max_examples=60, deadline=None)
@given(beta=st.floats(1.01, 6.0), s=st.floats(0.01, 4.0), modes=st.integers(1, 3000))
def test_properties(beta, s, modes):
    task = PowerLawTask(beta, s, modes=modes)
    assert task.regime == ("easy" if s >= 1 - 1 / beta else "hard")
    # Partial sums of a convergent positive series: below the full series, ½ζ(1+sβ).
    assert 0.5 <= task.initial_risk <= 0.5 * float(mpmath.zeta(1 + s * beta)) * (1 + 1e-12)
    assert np.all(np.diff(task.lambdas) < 0) or modes == 1


def test_repr_and_frozen():
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=4000)
    r = repr(task)
    for part in ("beta=2", "s=0.25", "sigma=1", "modes=4000", "regime='hard'"):
        assert part in r
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.beta = 3.0  # type: ignore[misc]


def test_accepts_boundary_values_and_integral_floats():
    assert PowerLawTask(1.0001, 1e-9, sigma=0.0, modes=1).modes == 1
    t = PowerLawTask(2, 1, sigma=2, modes=10.0)
    assert isinstance(t.modes, int) and t.modes == 10
    assert isinstance(t.beta, float)


# ---------------------------------------------------------------- validation
BAD = [
    ("beta", 1.0, "(1, inf)"),
    ("beta", 0.5, "(1, inf)"),
    ("beta", -3.0, "(1, inf)"),
    ("beta", float("nan"), "(1, inf)"),
    ("beta", float("inf"), "(1, inf)"),
    ("beta", "two", "(1, inf)"),
    ("beta", None, "(1, inf)"),
    ("s", 0.0, "(0, inf)"),
    ("s", -0.25, "(0, inf)"),
    ("s", float("nan"), "(0, inf)"),
    ("s", float("-inf"), "(0, inf)"),
    ("sigma", -0.1, "[0, 1e+100]"),
    ("sigma", float("nan"), "[0, 1e+100]"),
    ("sigma", float("inf"), "[0, 1e+100]"),
    ("modes", 0, "[1, inf]"),
    ("modes", -5, "[1, inf]"),
    ("modes", 2.5, "[1, inf]"),
    ("modes", float("nan"), "[1, inf]"),
    ("modes", float("inf"), "[1, inf]"),
    ("modes", True, "[1, inf]"),
    ("modes", "many", "[1, inf]"),
]


@pytest.mark.parametrize("name,value,allowed", BAD)
def test_invalid_parameters_raise_value_error_naming_parameter_and_range(name, value, allowed):
    kw = {"beta": 2.0, "s": 0.25, "sigma": 1.0, "modes": 100}
    kw[name] = value
    with pytest.raises(InvalidParameterError) as exc:
        PowerLawTask(**kw)
    assert isinstance(exc.value, ValueError)
    msg = str(exc.value)
    assert msg.startswith(name + " ")
    assert allowed in msg

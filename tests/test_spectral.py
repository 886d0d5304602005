"""Spectral sums e(t), K(u), ∫K (docs/theory.md §3) against mpmath, numpy and the §4
closed forms."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsltheory import PowerLawTask
from fsltheory.engines import spectral as sp
from fsltheory.errors import InvalidParameterError

SUMS = [
    ("signal", sp.signal_term, sp.signal_term_mp, sp.signal_term_asymptotic),
    ("kernel", sp.forgetting_kernel, sp.forgetting_kernel_mp, sp.forgetting_kernel_asymptotic),
    ("tail", sp.kernel_tail, sp.kernel_tail_mp, sp.kernel_tail_asymptotic),
]
T_PROBE = np.array([0.0, 1e-3, 0.5, 3.0, 100.0, 1e4, 1e6, 1e8])

# The documented guarantee is 1e-12 relative (error analysis in the module docstring:
# ≲ 1e-14 per term + ≤ 3e-14 summation + a few ulp from the series); the test uses it.
GUARANTEE = 1e-12


def _check_vs_mp(val: np.ndarray, ref: np.ndarray) -> None:
    for v, r in zip(val.tolist(), ref.tolist(), strict=True):
        if r >= mpmath.mpf("1e-290"):
            assert abs(mpmath.mpf(v) / r - 1) <= GUARANTEE, (v, r)
        else:  # underflow region: only an absolute statement
            assert abs(v) < 1e-300


# ---------------------------------------------------------------------------- vs mpmath
@pytest.mark.parametrize("beta,s,M", [
    (2.0, 0.25, 300), (1.5, 2.0, 1000), (4.0, 0.3, 2000),
    pytest.param(2.0, 0.1, 20_000, marks=pytest.mark.slow),
])
@pytest.mark.parametrize("name,f,fmp,_", SUMS)
def test_matches_mpmath_direct_sum(beta, s, M, name, f, fmp, _):
    """M ≤ 20000: mpmath sums every term directly (no Euler–Maclaurin)."""
    task = PowerLawTask(beta, s, modes=M)
    _check_vs_mp(f(task, T_PROBE), fmp(task, T_PROBE, precision=25))


@pytest.mark.parametrize("beta,s", [(1.5, 0.2), (2.0, 1.0), (4.0, 2.0)])
def test_matches_mpmath_at_ten_million_modes(beta, s):
    """M = 1e7, t up to 1e8: mpmath sums 3000 modes directly and the rest by
    Euler–Maclaurin (an independent method from the compiled Taylor-series tail)."""
    task = PowerLawTask(beta, s, modes=10**7)
    t = np.array([0.0, 1.0, 1e4, 1e8])
    for _, f, fmp, _ in SUMS[:2]:
        _check_vs_mp(f(task, t), fmp(task, t, precision=20, direct=3000))


def test_mpmath_precision_is_a_context():
    task = PowerLawTask(2.0, 0.5, modes=500)
    lo = sp.signal_term_mp(task, [7.0], precision=30)[0]
    hi = sp.signal_term_mp(task, [7.0], precision=60)[0]
    with mpmath.workdps(60):
        assert abs(lo / hi - 1) < mpmath.mpf("1e-29")
    # the result carries the requested precision
    assert mpmath.mp.dps == 15


# ---------------------------------------------------------------------------- vs numpy
@pytest.mark.parametrize("name,f,_m,_a", SUMS)
def test_matches_numpy_direct_sum_across_series_breakpoints(name, f, _m, _a):
    """A dense grid of t crosses every switch between direct summation and the Taylor
    tail; the plain-numpy direct sum (no series) must agree everywhere."""
    task = PowerLawTask(2.5, 0.7, modes=5000)
    t = np.geomspace(1e-4, 1e7, 600)
    ref = sp.spectral_sum_numpy(task, t, name)
    val = f(task, t)
    ok = ref > 1e-290
    np.testing.assert_allclose(val[ok], ref[ok], rtol=1e-13, atol=0)
    # the numpy twin of the compiled algorithm (benchmark baseline) agrees too
    twin = sp.spectral_sum_numpy(task, t[::10], name, series=True)
    np.testing.assert_allclose(twin[ok[::10]], ref[::10][ok[::10]], rtol=1e-13, atol=0)


@settings(max_examples=40, deadline=None)
@given(beta=st.floats(1.05, 6.0), s=st.floats(0.05, 4.0), M=st.integers(1, 3000),
       logt=st.floats(-6.0, 8.0), which=st.sampled_from(["signal", "kernel", "tail"]))
def test_property_matches_direct_sum(beta, s, M, logt, which):
    """Any (β, s, M, t): compiled sum = brute-force numpy direct sum to 1e-13 (both are
    near-exact; the documented guarantee is 1e-12)."""
    task = PowerLawTask(beta, s, modes=M)
    t = np.array([10.0**logt])
    f = {"signal": sp.signal_term, "kernel": sp.forgetting_kernel, "tail": sp.kernel_tail}
    ref = sp.spectral_sum_numpy(task, t, which)
    val = f[which](task, t)
    if ref[0] > 1e-290:
        assert abs(val[0] / ref[0] - 1) <= 1e-13
    else:
        assert val[0] < 1e-280


def test_special_values_and_shapes():
    task = PowerLawTask(2.0, 0.5, modes=10_000)
    assert sp.signal_term(task, 0.0)[0] == pytest.approx(task.initial_risk, rel=1e-14)
    lam = task.lambdas
    assert sp.forgetting_kernel(task, 0.0)[0] == pytest.approx(np.sum(lam[::-1] ** 2), rel=1e-14)
    assert sp.kernel_tail(task, 0.0)[0] == pytest.approx(task.trace / 2, rel=1e-14)
    grid = np.geomspace(1e-3, 1e6, 12).reshape(3, 4)
    out = sp.signal_term(task, grid)
    assert out.shape == (3, 4)
    assert sp.signal_term(task, 2.0).shape == (1,)  # np.atleast_1d semantics
    flat = np.sort(out.ravel())[::-1]
    assert np.all(np.diff(sp.signal_term(task, np.sort(grid.ravel()))) < 0)  # decreasing
    assert flat[0] < task.initial_risk


def test_tail_is_integral_of_kernel():
    """∫_u^∞ K(v) dv by quadrature of the compiled K equals the compiled kernel_tail (an
    independent check of the λ_j/2 weights).  Trapezoid in log v with 20001 nodes per
    18 decades: the relative quadrature error is O((Δ ln v)²/12) ≈ 4e-6."""
    task = PowerLawTask(1.7, 0.5, modes=3000)
    u0 = 2.0
    v = np.geomspace(u0, 1e12, 20001)
    g = sp.forgetting_kernel(task, v) * v  # dv = v d(ln v)
    integral = np.sum(0.5 * (g[1:] + g[:-1]) * np.diff(np.log(v)))
    assert integral == pytest.approx(sp.kernel_tail(task, u0)[0], rel=2e-5)


# ---------------------------------------------------------------------------- §4 closed forms
ASYM_CASES = [(1.5, 0.2), (2.0, 0.25), (2.0, 1.0), (3.0, 0.5), (4.0, 2.0), (1.5, 2.0)]


def _check_window(beta, s, M, which, f, fa):
    task = PowerLawTask(beta, s, modes=M)
    lo, hi = sp.asymptotic_window(task, which, tol=0.01)
    assert hi / lo >= 1e3, f"window [{lo:.3g}, {hi:.3g}] is shorter than three decades"
    t = np.geomspace(lo, hi, 25)
    rel = np.abs(f(task, t) / fa(task, t) - 1)
    assert rel.max() <= 0.01, (which, beta, s, rel.max())


@pytest.mark.parametrize("beta,s", ASYM_CASES)
@pytest.mark.parametrize("name,f,_,fa", SUMS)
def test_kernels_match_closed_forms_over_derived_window(beta, s, name, f, _, fa):
    """docs/theory.md §4: exact sums vs closed forms (with the finite-M tail) within 1% over the
    window derived by asymptotic_window, ≥ 3 decades, M = 1e6."""
    _check_window(beta, s, 10**6, name, f, fa)


@pytest.mark.slow
@pytest.mark.parametrize("beta,s", ASYM_CASES + [(2.5, 0.2), (4.0, 0.2)])
@pytest.mark.parametrize("name,f,_,fa", SUMS)
def test_kernels_match_closed_forms_ten_million_modes(beta, s, name, f, _, fa):
    _check_window(beta, s, 10**7, name, f, fa)


def test_finite_m_correction_is_needed_and_right():
    """docs/theory.md §4's example: β=2, s=0.25, M=1e6.  The tail M^(−sβ)/(2sβ) is −1.3% of the M=∞
    form at t=1e4 and −13% at t=1e8; the exact sum shows exactly that deficit, and the
    corrected form removes it."""
    task = PowerLawTask(2.0, 0.25, modes=10**6)
    t = np.array([1e4, 1e8])
    inf_form = sp.signal_term_asymptotic(task, t, finite_m=False)
    fin_form = sp.signal_term_asymptotic(task, t, finite_m=True)
    exact = sp.signal_term(task, t)
    deficit = exact / inf_form - 1
    assert deficit[0] == pytest.approx(-0.013, abs=0.001)
    assert deficit[1] == pytest.approx(-0.13, abs=0.01)
    assert np.all(np.abs(exact / fin_form - 1) < 2e-3)


def test_window_lower_end_is_not_vacuous():
    """Well below the derived lower end the sum is *not* within 1% of its integral (so the
    window test above can fail)."""
    task = PowerLawTask(2.0, 1.0, modes=10**5)
    lo, _ = sp.asymptotic_window(task, "signal")
    t = lo / 100
    assert abs(sp.signal_term(task, t)[0] / sp.signal_term_asymptotic(task, t)[0] - 1) > 0.05


def test_closed_form_constants():
    """The M=∞ forms are the Gamma integrals of docs/theory.md §4: compare with mpmath quadrature of
    ∫_0^∞ c j^(−(1+pβ)) e^(−2t j^(−β)) dj at one t."""
    task = PowerLawTask(2.3, 0.6, modes=10)
    t = 5.0
    b = task.beta
    for (name, _, _, fa), (c, p) in zip(
        SUMS, [(0.5, task.s), (1.0, 2 - 1 / b), (0.5, 1 - 1 / b)], strict=True
    ):
        def integrand(j, c=c, p=p):
            return c * j ** (-(1 + p * b)) * mpmath.exp(-2 * t * j ** (-b))

        quad = mpmath.quad(integrand, [0, 1, 10, mpmath.inf])
        assert fa(task, t, finite_m=False)[0] == pytest.approx(float(quad), rel=1e-10), name
    # docs/theory.md §4 writes the tail constant as Γ(2−1/β)/(2β(1−1/β))
    spec_tail = math.gamma(2 - 1 / b) / (2 * b * (1 - 1 / b)) * (2 * t) ** (-(1 - 1 / b))
    assert sp.kernel_tail_asymptotic(task, t, finite_m=False)[0] == pytest.approx(spec_tail)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), "x"])
def test_bad_points_raise(bad):
    task = PowerLawTask(2.0, 0.5, modes=10)
    with pytest.raises(InvalidParameterError, match=r"t must be .*\[0, inf\)"):
        sp.signal_term(task, [1.0, bad])
    with pytest.raises(InvalidParameterError, match=r"u must be .*\[0, inf\)"):
        sp.forgetting_kernel(task, bad)


def test_bad_arguments_raise():
    task = PowerLawTask(2.0, 0.5, modes=10)
    with pytest.raises(InvalidParameterError, match="task must be a PowerLawTask"):
        sp.signal_term("task", 1.0)
    with pytest.raises(InvalidParameterError, match=r"precision must be in \[15, 1000\]"):
        sp.signal_term_mp(task, 1.0, precision=5)
    with pytest.raises(InvalidParameterError, match="which must be"):
        sp.asymptotic_window(task, "nope")
    with pytest.raises(InvalidParameterError, match=r"tol must be in \(0, 0.5\]"):
        sp.asymptotic_window(task, "signal", tol=0)


@pytest.mark.parametrize("beta,s,M", [(1.5, 0.25, 10**5), (2.0, 1.0, 3000), (3.5, 2.0, 500)])
def test_closed_forms_equal_the_symbolic_twins(beta, s, M):
    """The engine's §4 closed forms (typed in spectral_asymptotic._shape/_asymptotic for
    speed) are the same functions as the results derived by fsltheory.symbolic (C-SIGNAL, C-KERNEL),
    finite-M corrections included: a typo in either layer fails here.  Both evaluate the
    same formula in float64, so 1e-12 relative."""
    from fsltheory.symbolic import derivation

    sig, ker = derivation("C-SIGNAL").numeric, derivation("C-KERNEL").numeric
    task = PowerLawTask(beta, s, modes=M)
    for t in (0.5, 30.0, 1e4):
        want = sig["e_asymptotic"](beta=beta, s=s, t=t) + sig["finite_M_correction"](
            M=M, beta=beta, s=s)
        assert sp.signal_term_asymptotic(task, t)[0] == pytest.approx(float(want), rel=1e-12)
        assert sp.signal_term_asymptotic(task, t, finite_m=False)[0] == pytest.approx(
            float(sig["e_asymptotic"](beta=beta, s=s, t=t)), rel=1e-12)
        want = ker["K_asymptotic"](beta=beta, u=t) - ker["finite_M_tail"](M=M, beta=beta)
        assert sp.forgetting_kernel_asymptotic(task, t)[0] == pytest.approx(float(want),
                                                                          rel=1e-12)
        assert sp.kernel_tail_asymptotic(task, t, finite_m=False)[0] == pytest.approx(
            float(ker["K_tail"](beta=beta, u=t)), rel=1e-12)

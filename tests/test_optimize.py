"""Tests of fsltheory.optimize (docs/theory.md §5: C-OPT-EASY, C-OPT-HARD, C-SWITCH, C-REGIME)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsltheory import PowerLawTask, Schedule, exact_risk
from fsltheory.engines.spectral import forgetting_kernel, kernel_tail, signal_term
from fsltheory.errors import InvalidParameterError, UnstableScheduleError
from fsltheory.optimize import (
    _waterfill,
    compare_baselines,
    compass_search,
    continuous_scaling,
    fsl_risk,
    fsl_risk_many,
    fsl_two_stage,
    minimize_integer,
    minimize_scalar,
    optimal_schedule,
    optimal_stages,
    optimal_switch,
    predicted_exponents,
    switch_scaling,
)

HARD = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
EASY = PowerLawTask(2.0, 1.5, sigma=1.0, modes=1000)
LR = 0.2


def _trapz(y, x):
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))


def _simpson(y, x):
    """Composite Simpson on an odd number of equally spaced points."""
    h = (x[-1] - x[0]) / (x.size - 1)
    return float(h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum()))


# ----------------------------------------------------------------------------- kernels
def test_kernel_tail_matches_direct_sum_and_integral_of_kernel():
    task = PowerLawTask(2.5, 0.4, modes=300)
    u = np.array([0.0, 0.1, 1.0, 7.0, 50.0])
    lam = task.lambdas
    direct = np.array([0.5 * np.sum(lam * np.exp(-2 * lam * x)) for x in u])
    np.testing.assert_allclose(kernel_tail(task, u), direct, rtol=1e-12)
    assert kernel_tail(task, [0.0])[0] == pytest.approx(0.5 * task.trace, rel=1e-12)
    # Kt(a) − Kt(b) = ∫_a^b K: independent quadrature of forgetting_kernel (Simpson on
    # 4001 points, h ≤ 5e-3; error ≤ (b−a) h^4 max|K|/180 with |K| ≤ 16 Σ λ^6 < 17,
    # i.e. < 1e-9 absolute against integrals ~0.1).
    for a, b in [(0.0, 1.0), (1.0, 20.0)]:
        x = np.linspace(a, b, 4001)
        quad = _simpson(forgetting_kernel(task, x), x)
        kt = kernel_tail(task, [a, b])
        assert kt[0] - kt[1] == pytest.approx(quad, rel=1e-8)


def test_fsl_risk_equals_direct_quadrature_and_tracks_exact_engine():
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=200)
    sch = Schedule.stages([4, 16, 32], [0.5, 0.8], 4000, 0.1)
    # Independent evaluation: e(T) + (σ²/2) Σ_k γ_k ∫_{step k} K(T − t) dt with each
    # step integrated by Simpson on 5 points of forgetting_kernel (step 0.1 ≪ 1/λ_1 = 1,
    # Simpson error ~ h^4 |K''''| → relative < 1e-8).
    t = sch.intrinsic_time
    T = t[-1]
    total = 0.0
    for k in range(sch.n_steps):
        x = np.linspace(t[k], t[k + 1], 5)
        Kx = forgetting_kernel(task, T - x)
        h = (x[-1] - x[0]) / 4
        integ = h / 3 * (Kx[0] + 4 * Kx[1] + 2 * Kx[2] + 4 * Kx[3] + Kx[4])
        total += sch.lr[k] / sch.batch[k] * integ
    direct = float(signal_term(task, [T])[0]) + 0.5 * task.sigma**2 * total
    assert fsl_risk(task, sch) == pytest.approx(direct, rel=1e-8)
    # The exact engine (docs/theory.md §2) differs from the σ²-dominated FSL by the dropped
    # E(z)-feedback term of (V) and O(η λ) discretisation terms.  The feedback term is
    # (σ²/2)∫Kγ · E/(σ²/2) ≤ noise part × 2 max E_late/σ²; with E ≈ 0.02 late in the run it
    # is ~4 % of the noise part, so 5 % of the total is a safe bound.
    ex = exact_risk(task, sch).final_risk
    assert abs(ex - fsl_risk(task, sch)) / ex < 0.05


def test_two_stage_shortcut_equals_schedule_evaluation():
    D = 3000  # not a multiple of b2: partial last batches exercised
    P = np.array([0, 4, 1000, 2996, 2400, 3000 - 3000 % 4])
    a = fsl_two_stage(HARD, D, LR, 4, 64, P)
    b = fsl_risk_many(HARD, [Schedule.two_stage(4, 64, p / D, D, LR) for p in P])
    np.testing.assert_allclose(a, b, rtol=1e-13)


# ----------------------------------------------------------------------------- searches
def test_scalar_and_integer_and_compass_searches_find_known_minima():
    x, fx = minimize_scalar(lambda x: (math.log(x) - 2.0) ** 2, 1e-3, 1e4)
    assert x == pytest.approx(math.exp(2.0), rel=1e-6)
    # a minimum right at the upper end (as in the hard regime)
    x, _ = minimize_scalar(lambda x: -x, 1.0, 10.0)
    assert x == pytest.approx(10.0, rel=1e-8)

    def g(ks):
        return (np.asarray(ks, float) - 7321.0) ** 2 + 0.1 * np.sin(np.asarray(ks, float))

    k, _, seen = minimize_integer(g, 0, 10**5, grid=np.geomspace(1, 10**5, 30))
    brute = 7318 + int(np.argmin(g(np.arange(7318, 7325))))
    assert k == brute
    assert len(seen) < 200  # it searched, not enumerated

    def quad(X):
        X = np.atleast_2d(X)
        return np.sum((X - np.array([0.3, -1.2, 2.0])) ** 2, axis=1)

    x, fx, _ = compass_search(quad, np.zeros(3), 1.0, min_step=1e-4)
    np.testing.assert_allclose(x, [0.3, -1.2, 2.0], atol=2e-4)


def test_waterfill_kkt_and_cauchy_schwarz():
    rng = np.random.default_rng(0)
    du = rng.uniform(0.1, 1.0, 50)
    dk = np.sort(rng.uniform(0.01, 1.0, 50))[::-1] * du
    total = 40.0
    # unconstrained: Σ dk/b = (Σ du √(dk/du))² / total (Cauchy–Schwarz equality)
    b, val = _waterfill(du, dk, total, 1e-9, None)
    assert val == pytest.approx(np.sum(du * np.sqrt(dk / du)) ** 2 / total, rel=1e-10)
    # clipped: feasibility and optimality against random feasible perturbations
    total = 0.9 * du.sum()  # feasible: 0.5 Σdu < total < 1.2 Σdu
    b, val = _waterfill(du, dk, total, 0.5, 1.2)
    assert np.all(b >= 0.5 - 1e-12) and np.all(b <= 1.2 + 1e-12)
    assert np.sum(du * b) == pytest.approx(total, rel=1e-12)
    assert np.any(b == 0.5) and np.any(b == 1.2)
    for _ in range(200):
        i, j = rng.choice(50, 2, replace=False)
        eps = rng.uniform(-0.05, 0.05)
        c = b.copy()
        c[i] += eps / du[i]
        c[j] -= eps / du[j]
        if c[i] < 0.5 or c[i] > 1.2 or c[j] < 0.5 or c[j] > 1.2:
            continue
        assert np.sum(dk / c) >= val - 1e-12


# ----------------------------------------------------------------------------- continuous
def test_easy_continuous_optimum_increases_and_matches_cauchy_schwarz_limit():
    task = PowerLawTask(2.0, 1.5, sigma=1.0, modes=4000)
    D = 2**16
    opt = optimal_schedule(task, D, LR, 1, None, progress=False)
    # increasing from start to end (continuous profile strictly, integer non-decreasing)
    assert np.all(np.diff(opt.profile_batch) > 0)
    b = opt.schedule.batch
    assert np.all(np.diff(b) >= 0) and b[-1] > 10 * b[0]
    assert opt.binding == () and opt.floor_end == 0.0 and opt.ceiling_start is None
    assert opt.signal_tail_fraction < 1e-3
    assert opt.schedule.budget == D
    # Unclipped optimum at fixed T: J = e(T) + (σ²/2)(∫_0^T √K)²/D  (C-OPT-EASY).
    # Independent: ∫√K by trapezoid of forgetting_kernel on a log grid (4000 points,
    # relative error < 1e-5); the cell solution is an upper bound within
    # discretisation_error.
    T = opt.horizon
    u = np.concatenate(([0.0], np.geomspace(1e-4, T, 4000)))
    cs = _trapz(np.sqrt(forgetting_kernel(task, u)), u) ** 2
    J_cs = float(signal_term(task, [T])[0]) + 0.5 * task.sigma**2 * cs / D
    assert opt.predicted_risk >= J_cs * (1 - 1e-5)
    assert opt.predicted_risk - J_cs <= 3 * opt.discretisation_error + 1e-5 * J_cs
    # the rounded integer schedule is evaluated independently and loses little
    assert opt.fsl_rounded_risk == pytest.approx(fsl_risk(task, opt.schedule), rel=1e-12)
    assert 0 <= opt.rounding_loss < 0.01 * opt.predicted_risk


def test_hard_continuous_optimum_floor_then_monotone_growth():
    D = 2**16
    opt = optimal_schedule(HARD, D, LR, 4, 64, progress=False)
    b = opt.schedule.batch
    assert opt.schedule.budget == D
    assert b.min() >= 4 and b.max() <= 64
    assert opt.floor_step_fraction >= 0.8
    first_up = int(np.flatnonzero(b > 4)[0])
    assert np.all(b[:first_up] == 4) and np.all(np.diff(b[first_up:]) >= 0)
    assert "b_min" in opt.binding and "b_max" in opt.binding
    assert 0 < opt.floor_end < opt.horizon
    # M = 1000 modes: > 10 % of the signal beyond M at T* ~ 3e3 (docs/theory.md §4 tail formula)
    assert "finite_M_signal" in opt.binding
    # without a cap and with many modes the same task binds only the floor
    big = PowerLawTask(2.0, 0.25, sigma=1.0, modes=200_000)
    opt2 = optimal_schedule(big, D, LR, 4, None, progress=False)
    assert opt2.binding == ("b_min",)
    assert opt2.floor_step_fraction >= 0.8


def test_continuous_only_mode_matches_integer_mode():
    a = optimal_schedule(HARD, 2**14, LR, 4, 64, progress=False)
    b = optimal_schedule(HARD, 2**14, LR, 4, 64, integer=False, progress=False)
    assert b.schedule is None and b.final_risk == b.predicted_risk
    assert (a.horizon, a.predicted_risk, a.floor_end) == (b.horizon, b.predicted_risk,
                                                         b.floor_end)
    assert b.summary()["steps"] is None
    with pytest.raises(InvalidParameterError, match="integer=False"):
        optimal_schedule(HARD, 2**14, LR, 4, 64, "exact", integer=False)


def test_easy_task_with_binding_cap_is_reported():
    # a low b_max makes the easy optimum hit the ceiling: diagnostics must say so
    opt = optimal_schedule(EASY, 2**16, LR, 4, 64, progress=False)
    assert "b_max" in opt.binding and "b_min" not in opt.binding


def test_grid_refinement_is_monotone_and_small():
    Js = [optimal_schedule(HARD, 2**14, LR, 4, 64, per_decade=pd, progress=False)
          for pd in (12, 24, 48)]
    for a in Js:
        assert a.discretisation_error >= 0
    vals = [a.predicted_risk for a in Js]
    assert vals[0] >= vals[1] - 1e-12 >= vals[2] - 2e-12
    assert (vals[0] - vals[2]) / vals[2] < 1e-3


def test_optimum_never_worse_than_baselines_fsl():
    for task, bmax in [(HARD, 64), (EASY, 64), (EASY, None), (HARD, None)]:
        rows = compare_baselines(task, 2**15, LR, 4, bmax, "fsl", progress=False)
        names = [r.name for r in rows]
        assert names[-1] == "continuous optimum" and len(rows) >= 7
        opt = rows[-1].final_risk
        for r in rows:
            assert r.data == 2**15
            if r.name.startswith("Seesaw"):
                continue  # it also decays the LR: outside the optimum's feasible set
            assert opt <= r.final_risk * (1 + 1e-12), (task, bmax, r.name)
        assert rows[1].improvement_vs_bmax == 0.0 and rows[0].improvement_vs_bmin == 0.0


def test_optimum_never_worse_than_baselines_exact():
    rows = compare_baselines(HARD, 2**13, LR, 4, 64, "exact", progress=False)
    opt = rows[-1]
    # evaluated independently on the exact engine
    assert opt.final_risk == pytest.approx(exact_risk(HARD, opt.schedule).final_risk,
                                           rel=1e-12)
    for r in rows:
        assert opt.final_risk <= r.final_risk * (1 + 1e-12), r.name


def test_exact_refinement_never_worse_than_fsl_start():
    opt = optimal_schedule(HARD, 2**13, LR, 4, 64, "exact", progress=False)
    assert opt.final_risk <= opt.meta["fsl_start_risk_on_model"]
    assert opt.schedule.budget == 2**13


# ----------------------------------------------------------------------------- switches
def test_switch_search_equals_brute_force_on_lattice():
    D = 2**12
    res = optimal_switch(HARD, D, LR, 4, 64, progress=False)
    P = np.arange(0, D + 1, 64)  # D multiple of 64: the full-batch lattice
    J = fsl_two_stage(HARD, D, LR, 4, 64, P)
    assert res.samples == int(P[np.argmin(J)])
    assert res.final_risk == pytest.approx(J.min(), rel=1e-14)
    assert res.schedule.switch_samples == (res.samples,)
    assert res.final_risk == pytest.approx(fsl_risk(HARD, res.schedule), rel=1e-12)


def test_switch_ends_compete_off_lattice():
    # D = 101 is not reachable on full b2 = 7 batches from every P; the all-b1 end must
    # still be found when it is best (hard task, tiny budget)
    task = PowerLawTask(2.0, 0.25, modes=200)
    r = optimal_switch(task, 101, LR, 3, 7, progress=False)
    const = fsl_risk(task, Schedule.constant(3, 101, LR))
    assert r.final_risk <= const * (1 + 1e-12)
    assert r.final_risk == pytest.approx(fsl_risk(task, r.schedule), rel=1e-12)


def test_switch_hard_exact_late_and_later():
    fr = {}
    for e in (14, 15, 16):
        r = optimal_switch(HARD, 2**e, LR, 4, 64, "exact", progress=False)
        fr[e] = r.fraction
        # the returned loss is the exact engine's loss of the returned schedule
        assert r.final_risk == pytest.approx(exact_risk(HARD, r.schedule).final_risk,
                                             rel=1e-12)
    assert fr[16] >= 0.8
    assert (1 - fr[14]) > (1 - fr[15]) > (1 - fr[16])


@pytest.mark.slow
def test_switch_hard_exact_large_budgets():
    rem = [1 - optimal_switch(HARD, 2**e, LR, 4, 64, "exact", progress=False).fraction
           for e in range(14, 21)]
    assert all(a > b for a, b in zip(rem, rem[1:], strict=False)), rem


def test_switch_easy_is_immediate():
    for model in ("fsl", "exact"):
        r = optimal_switch(EASY, 2**14, LR, 4, 64, model, progress=False)
        assert r.samples <= 64  # P* = 0 or within one (large-batch) step of it


@pytest.mark.parametrize("beta,s,modes", [(2.0, 0.25, 100_000), (3.0, 0.3, 20_000),
                                          (4.0, 0.5, 10_000)])
def test_switch_exponent_matches_prediction(beta, s, modes):
    # C-SWITCH: D − P* ≍ D^((1+s)/(2−1/β)).  Window D = 1e5..1e9 (4 decades): the
    # switch condition −e'(S) = (σ²η/2)[K(S)/B1 + K(R)/B2] involves only derivatives of
    # e and K, whose finite-M corrections are (S/M^β)^(1+s) ≤ 1e-2 here; the K(S)/B1 term
    # is suppressed by S^−(1−1/β−s) and the S ≈ ηD/B1 approximation by (D−P*)/D ≤ 0.1.
    task = PowerLawTask(beta, s, sigma=1.0, modes=modes)
    D = np.unique(np.round(np.geomspace(1e5, 1e9, 9)).astype(np.int64))
    res = switch_scaling(task, D, LR, 4, 64, progress=False)
    pred = (1 + s) / (2 - 1 / beta)
    assert res.predicted["switch_remaining"] == pytest.approx(pred)
    assert abs(res.fitted["switch_remaining"] - pred) < 0.03
    assert np.all(np.diff(res.values["fraction"]) > 0)


def test_switch_scaling_easy_predicts_zero():
    res = switch_scaling(EASY, [2**14, 2**16, 2**18], LR, 4, 64, progress=False)
    assert res.predicted["switch_remaining"] is None
    assert np.all(res.values["samples"] <= 64)


def test_optimal_stages_beats_its_two_stage_and_brute_force():
    D = 2**12
    r3 = optimal_stages(HARD, D, LR, [4, 16, 64], progress=False)
    r2 = optimal_switch(HARD, D, LR, 4, 64, progress=False)
    assert r3.final_risk <= r2.final_risk
    assert r3.final_risk == pytest.approx(fsl_risk(HARD, r3.schedule), rel=1e-12)
    # brute force over the same realisable switch points (whole batches, last stage on
    # full 64-batches)
    best = np.inf
    for p1 in range(0, D + 1, 4):
        p2 = np.arange(p1 + 16, D + 1, 64)
        p2 = p2[(D - p2) % 64 == 0]
        if p2.size == 0:
            continue
        scheds = [Schedule.stages([4, 16, 64], [p1 / D, q / D], D, LR) for q in p2
                  if Schedule.stages([4, 16, 64], [p1 / D, q / D], D, LR).switch_samples
                  == (p1, q)]
        if scheds:
            best = min(best, float(np.min(fsl_risk_many(HARD, scheds))))
    assert r3.final_risk <= best * (1 + 1e-9)


def test_continuous_scaling_easy_exponents():
    # C-OPT-EASY: T* ≍ D^(β/(1+sβ)), J* ≍ D^(−sβ/(1+sβ)); β=2, s=1.5: 0.5 and −0.75.
    task = PowerLawTask(2.0, 1.5, sigma=1.0, modes=20_000)
    res = continuous_scaling(task, [10**5, 10**6, 10**7, 10**8], LR, 1, None,
                             progress=False)
    pred = predicted_exponents(2.0, 1.5)
    assert pred["horizon"] == pytest.approx(0.5) and pred["risk"] == pytest.approx(-0.75)
    # Tolerance 0.05: the FSL with exact sums approaches the power laws from the
    # pre-asymptotic side (local J* slopes −0.721, −0.729, −0.734 per decade here).
    assert abs(res.fitted["horizon"] - pred["horizon"]) < 0.05
    assert abs(res.fitted["risk"] - pred["risk"]) < 0.05
    # b*(0) ≍ D^((s−1+1/β)/(s+1/β)) = D^0.5, b*(T*) ≍ D^((1/2+sβ)/(1+sβ)) = D^0.875
    assert abs(res.fitted["batch_first"] - 0.5) < 0.05
    assert abs(res.fitted["batch_last"] - 0.875) < 0.05
    assert np.all(res.values["growth_phase"] == res.values["horizon"])  # floor never binds


@pytest.mark.slow
def test_continuous_scaling_hard_exponents():
    # C-OPT-HARD: T* ≈ ηD/B_min, T* − T₁* ≍ D^((1+s)/(2−1/β)), b*(T*) ≍ D^((1+s)/2).
    # These depend on e' and K only (finite-M corrections (T/M^β)^(1+s) ≤ 1e-2); J*
    # itself is left out: e_M(T*) loses its tail M^(−sβ)/(2sβ) (docs/theory.md §4).
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=20_000)
    res = continuous_scaling(task, [10**5, 10**6, 10**7, 10**8], LR, 4, None,
                             progress=False)
    assert abs(res.fitted["horizon"] - 1.0) < 0.01
    assert abs(res.fitted["growth_phase"] - 1.25 / 1.5) < 0.03
    assert abs(res.fitted["batch_last"] - 0.625) < 0.03
    assert np.all(res.values["batch_first"] == 4)


@pytest.mark.parametrize("beta,s", [(2.0, 0.25), (3.0, 0.3), (2.0, 1.5), (1.5, 2.0)])
def test_predicted_exponents_match_spec_formulas(beta, s):
    p = predicted_exponents(beta, s)
    if s < 1 - 1 / beta:
        assert p["regime"] == "hard"
        assert p["switch_remaining"] == pytest.approx((1 + s) / (2 - 1 / beta))
        assert p["growth_phase"] == pytest.approx((1 + s) / (2 - 1 / beta))
        assert p["risk"] == pytest.approx(-s)
        assert p["batch_last"] == pytest.approx((1 + s) / 2)
    else:
        assert p["regime"] == "easy" and p["switch_remaining"] is None
        assert p["horizon"] == pytest.approx(beta / (1 + s * beta))
        assert p["risk"] == pytest.approx(-s * beta / (1 + s * beta))
        assert p["batch_first"] == pytest.approx((s - 1 + 1 / beta) / (s + 1 / beta))
        assert p["batch_last"] == pytest.approx((0.5 + s * beta) / (1 + s * beta))


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kw,exc,words",
    [
        (dict(b_min=64, b_max=4), InvalidParameterError, ["b_max", ">= b_min"]),
        (dict(budget=32), InvalidParameterError, ["budget", "b_max"]),
        (dict(lr=5.0), UnstableScheduleError, ["lr", "b_min", "(0, "]),
        (dict(model="sgd"), InvalidParameterError, ["model", "fsl"]),
        (dict(b_min=0), InvalidParameterError, ["b_min", "[1, inf]"]),
    ],
)
def test_infeasible_requests_fail_clearly(kw, exc, words):
    args = dict(task=HARD, budget=2**12, lr=LR, b_min=4, b_max=64, model="fsl")
    args.update(kw)
    with pytest.raises(exc) as info:
        optimal_schedule(**args, progress=False)
    for w in words:
        assert w in str(info.value)


def test_other_errors():
    with pytest.raises(InvalidParameterError, match="sigma"):
        optimal_schedule(PowerLawTask(2.0, 0.25, sigma=0.0), 2**12, LR, 4, 64)
    with pytest.raises(InvalidParameterError, match="b2 must be > b1"):
        optimal_switch(HARD, 2**12, LR, 64, 4)
    with pytest.raises(UnstableScheduleError, match="b1"):
        optimal_switch(HARD, 2**12, 5.0, 4, 64)
    try:
        import fsltheory.engines.volterra  # noqa: F401
    except ImportError:
        with pytest.raises(InvalidParameterError, match="Volterra"):
            optimal_switch(HARD, 2**12, LR, 4, 64, model="volterra")


# ----------------------------------------------------------------------------- volterra
def test_fsl_equals_additive_volterra_engine():
    vol = pytest.importorskip("fsltheory.engines.volterra")
    # the Volterra engine's σ²-dominated ("additive") form is the same FSL functional,
    # computed by an independent quadrature: agreement to round-off (1e-9 relative).
    for sch in [Schedule.two_stage(4, 64, 0.9, 2**13, LR),
                Schedule.stages([4, 16, 64], [0.5, 0.9], 2**13, LR),
                optimal_schedule(HARD, 2**13, LR, 4, 64, progress=False).schedule]:
        v = vol.volterra_risk(HARD, sch, "additive").final_risk
        assert fsl_risk(HARD, sch) == pytest.approx(v, rel=1e-9)


def test_volterra_model_optimum_never_worse_than_baselines():
    vol = pytest.importorskip("fsltheory.engines.volterra")
    rows = compare_baselines(HARD, 2**12, LR, 4, 64, "volterra", progress=False)
    opt = rows[-1]
    assert opt.final_risk == pytest.approx(
        vol.volterra_risk(HARD, opt.schedule).final_risk, rel=1e-12)
    for r in rows:
        assert opt.final_risk <= r.final_risk * (1 + 1e-12), r.name

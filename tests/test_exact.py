"""Exact engine (docs/theory.md §2): kernel vs references, stability threshold, stationary floor.

Independent routes used here (none shares code with the compiled kernel):

* ``exact_risk_numpy`` — the spec's recursion written literally with ``a_j`` formed;
* the full M×M second-moment recursion derived from Isserlis' theorem (no diagonal
  closure assumed), and a small Monte-Carlo SGD simulation;
* the explicit linear map ``T = diag(a) + c λᵀ`` of docs/theory.md §2: its spectral
  radius (stability),
  its fixed point by a dense linear solve (stationary risk) and its matrix powers;
* a one-mode closed form (geometric sequence).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsltheory import (
    InvalidParameterError,
    PowerLawTask,
    Schedule,
    UnstableScheduleError,
    exact_risk,
    exact_risk_many,
    max_stable_lr,
    stationary_risk,
)
from fsltheory.engines.exact import check_stability, exact_risk_numpy, stability_q

EPS = np.finfo(float).eps


# ---------------------------------------------------------------- independent helpers
def linear_map(task: PowerLawTask, lr: float, batch: float) -> tuple[np.ndarray, np.ndarray]:
    """``T = diag(a) + c λᵀ`` and ``c`` of docs/theory.md §2 as dense arrays (small M only)."""
    lam = task.lambdas
    a = (1.0 - lr * lam) ** 2 + lr**2 * lam**2 / batch
    c = lr**2 * lam / batch
    return np.diag(a) + np.outer(c, lam), c


def spectral_radius(task: PowerLawTask, lr: float, batch: float) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(linear_map(task, lr, batch)[0]))))


def full_covariance_risk(task: PowerLawTask, schedule: Schedule) -> np.ndarray:
    """E_k from the full second-moment matrix Σ_k = E[(θ_k − θ*)(θ_k − θ*)ᵀ].

    With Ĥ = (1/B) Σ_b x_b x_bᵀ and Isserlis' theorem E[x xᵀ S x xᵀ] = 2ΛSΛ + tr(ΛS)Λ,
        E[Ĥ S Ĥ] = ΛSΛ + (ΛSΛ + tr(ΛS) Λ)/B,
    so  Σ' = Σ − η(ΛΣ + ΣΛ) + η² E[ĤΣĤ] + (η²/B) σ² Λ,   E = ½ tr(ΛΣ),
    starting from the rank-one Σ_0 = θ*θ*ᵀ (off-diagonal entries included).
    """
    lam = task.lambdas
    L = np.diag(lam)
    S = np.outer(task.theta_star, task.theta_star)
    out = [0.5 * np.trace(L @ S)]
    for eta, b in zip(schedule.lr, schedule.batch, strict=True):
        LSL = L @ S @ L
        tr = np.trace(L @ S)
        S = (S - eta * (L @ S + S @ L) + eta**2 * (LSL + (LSL + tr * L) / b)
             + eta**2 / b * task.sigma**2 * L)
        out.append(0.5 * np.trace(L @ S))
    return np.array(out)


# ---------------------------------------------------------------- kernel vs references
SCHEDULES = {
    "const": lambda D: Schedule.constant(8, D, 0.3),
    "const-partial": lambda D: Schedule.constant(7, D + 3, 0.3),
    "switch": lambda D: Schedule.two_stage(2, 32, 0.8, D, 0.25),
    "stages": lambda D: Schedule.stages([1, 4, 16, 64], [0.3, 0.6, 0.9], D, 0.2),
    "varying-lr": lambda D: Schedule.from_arrays(
        0.3 * (1.0 - np.linspace(0.0, 0.9, D // 8)), np.full(D // 8, 8)),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@pytest.mark.parametrize("beta,s,sigma,modes", [(2.0, 0.25, 1.0, 2000), (1.5, 1.2, 0.3, 500)])
def test_kernel_matches_numpy_reference(name, beta, s, sigma, modes):
    task = PowerLawTask(beta, s, sigma=sigma, modes=modes)
    sch = SCHEDULES[name](16_000)
    got = exact_risk(task, sch)
    ref = exact_risk_numpy(task, sch)
    assert len(got) == sch.n_steps + 1
    # Tolerance: both evaluate the same stable (contractive) recursion in float64; each step
    # adds O(few·eps) relative rounding (the kernel reassociates the mode sum under fastmath
    # and advances two steps per pass), and errors are not amplified because the map is
    # stable, so after K steps the relative difference is ≲ K·5·eps ≈ 3.6e-12 for the
    # K ≤ 6500 steps used here (observed: ~1e-14, as roundings partly cancel).
    # rtol = 1e-11; a real bug (a wrong coefficient) changes E_k at the 1e-3 level or more.
    np.testing.assert_allclose(got.risk, ref, rtol=1e-11)
    np.testing.assert_array_equal(got.steps, sch.steps)
    np.testing.assert_array_equal(got.data, sch.data)
    np.testing.assert_array_equal(got.time, sch.intrinsic_time)
    assert got.engine == "exact"
    assert got.risk[0] == pytest.approx(task.initial_risk, rel=1e-13)


@pytest.mark.parametrize("name", ["const-partial", "switch", "stages"])
def test_diagonal_closure_matches_full_covariance_recursion(name):
    """The spec's claim that off-diagonal moments never feed back: the full Σ recursion
    (Isserlis) gives the same E_k as the diagonal kernel."""
    task = PowerLawTask(2.0, 0.5, sigma=0.7, modes=12)
    sch = SCHEDULES[name](400)
    full = full_covariance_risk(task, sch)
    # Same float64 arithmetic depth per step as above, ~100 steps: rtol 1e-11 is ample.
    np.testing.assert_allclose(exact_risk(task, sch).risk, full, rtol=1e-11)


def test_agrees_with_monte_carlo_sgd():
    """Plain SGD on Gaussian features, many independent runs vectorised in numpy."""
    task = PowerLawTask(2.0, 0.5, sigma=0.5, modes=4)
    sch = Schedule.two_stage(1, 4, 0.5, budget=48, lr=0.4)
    rng = np.random.default_rng(12345)
    runs = 40_000
    lam, ts = task.lambdas, task.theta_star
    theta = np.zeros((runs, task.modes))
    risks = [0.5 * ((theta - ts) ** 2 @ lam)]
    for eta, b in zip(sch.lr, sch.batch, strict=True):
        x = rng.standard_normal((runs, b, task.modes)) * np.sqrt(lam)
        y = x @ ts + task.sigma * rng.standard_normal((runs, b))
        resid = np.einsum("rbm,rm->rb", x, theta) - y
        theta = theta - (eta / b) * np.einsum("rbm,rb->rm", x, resid)
        risks.append(0.5 * ((theta - ts) ** 2 @ lam))
    risks = np.array(risks)  # (K+1, runs)
    mean = risks.mean(axis=1)
    se = risks.std(axis=1, ddof=1) / np.sqrt(runs)
    exact = exact_risk(task, sch).risk
    # 5 standard errors per step: with ~30 correlated steps a 5σ excursion has probability
    # < 1e-5 (the seed is fixed anyway); a wrong coefficient (e.g. missing the 1/B of the
    # fourth-moment term) shifts E_k by ≫ 5 s.e. here.
    z = np.abs(mean - exact) / se
    assert np.all(z[1:] < 5.0), z.max()


def test_single_mode_closed_form():
    """M = 1: d' = ρ d + η²λσ²/B with ρ = (1 − ηλ)² + 2η²λ²/B (E[x⁴] = 3λ²), so
    d_k = ρ^k d_0 + η²λσ²/B · (1 − ρ^k)/(1 − ρ)."""
    task = PowerLawTask(2.0, 1.0, sigma=0.8, modes=1)  # λ = 1, θ* = 1
    eta, b, n = 0.3, 3, 200
    rho = (1 - eta) ** 2 + 2 * eta**2 / b
    k = np.arange(n + 1)
    d = rho**k + eta**2 * task.sigma**2 / b * (1 - rho**k) / (1 - rho)
    got = exact_risk(task, Schedule.constant(b, b * n, eta)).risk
    np.testing.assert_allclose(got, 0.5 * d, rtol=1e-13)  # 200 steps of 1-term arithmetic
    assert stationary_risk(task, eta, b) == pytest.approx(
        0.5 * eta**2 * task.sigma**2 / b / (1 - rho), rel=1e-14)


def test_matrix_powers_predict_the_whole_curve():
    """Affine recursion d_{k+1} = T d_k + c σ² ⇒ E_k = E_∞ + ½ λᵀ T^k (d_0 − d_∞)."""
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=10)
    eta, b = 0.5, 2
    T, c = linear_map(task, eta, b)
    d_inf = np.linalg.solve(np.eye(task.modes) - T, c * task.sigma**2)
    curve = exact_risk(task, Schedule.constant(b, b * 2000, eta)).risk
    E_inf = stationary_risk(task, eta, b)
    for k in (1, 10, 100, 1000, 2000):
        pred = E_inf + 0.5 * task.lambdas @ np.linalg.matrix_power(T, k) @ (
            task.theta_star**2 - d_inf)
        # absolute error relative to the scale E_0: rounding of ~k·M operations, ≲ 1e-12
        assert curve[k] == pytest.approx(pred, abs=1e-11 * curve[0])


# ---------------------------------------------------------------- many schedules
def test_exact_risk_many_equals_loop():
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=3000)
    schedules = [f(8_000) for f in SCHEDULES.values()] + [Schedule.constant(64, 64, 0.1)]
    many = exact_risk_many(task, schedules)
    assert len(many) == len(schedules)
    for c, sch in zip(many, schedules, strict=True):
        one = exact_risk(task, sch)
        # same kernel body, but the parallel build may vectorise the mode sum differently:
        # agreement to a few K·eps (K ≤ 8000 steps) — 1e-11 relative.
        np.testing.assert_allclose(c.risk, one.risk, rtol=1e-11)
        np.testing.assert_array_equal(c.data, sch.data)
        assert c.engine == "exact"
    assert exact_risk_many(task, []) == []
    with pytest.raises(UnstableScheduleError):
        exact_risk_many(task, [schedules[0], Schedule.constant(1, 1000, 1.9)])


# ---------------------------------------------------------------- stability threshold
@pytest.mark.parametrize("modes", [5, 40])
@pytest.mark.parametrize("batch", [1, 4, 64])
def test_max_stable_lr_is_where_spectral_radius_crosses_one(modes, batch):
    """Independent threshold: bisection on ρ(diag(a) + c λᵀ) = 1 with dense eigenvalues."""
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=modes)
    lo, hi = 0.0, 2.0 / (1.0 + 1.0 / batch)  # at hi, a_1 = 1 so ρ ≥ 1
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if spectral_radius(task, mid, batch) < 1.0 else (lo, mid)
    eta_star = max_stable_lr(task, batch)
    # ρ(η) − 1 has a simple root with O(1) slope and eigvals are accurate to ~1e-14 for
    # these well-conditioned non-negative matrices: the two roots agree to ≲ 1e-12;
    # rtol 1e-9 is safe.
    assert eta_star == pytest.approx(0.5 * (lo + hi), rel=1e-9)
    assert spectral_radius(task, eta_star * (1 - 1e-6), batch) < 1.0
    assert spectral_radius(task, eta_star * (1 + 1e-6), batch) > 1.0
    # and q crosses 1 there (docs/theory.md §2 criterion)
    assert stability_q(task, eta_star * (1 - 1e-9), batch) < 1.0
    assert stability_q(task, eta_star * (1 + 1e-9), batch) >= 1.0


def test_run_just_below_threshold_is_stable_and_above_raises():
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=40)
    b = 4
    eta_star = max_stable_lr(task, b)
    below = exact_risk(task, Schedule.constant(b, b * 20_000, eta_star * (1 - 1e-3)))
    assert np.all(np.isfinite(below.risk))
    # stable ⇒ bounded; the cap 2·max(E_0, E_∞) is generous (it only has to fail on
    # divergence, which at ρ = 1 + O(1e-3) over 20000 steps would be a factor ≫ 2)
    floor = stationary_risk(task, eta_star * (1 - 1e-3), b)
    assert below.risk.max() <= 2 * max(below.risk[0], floor)

    bad = Schedule.constant(b, b * 100, eta_star * (1 + 1e-3))
    with pytest.raises(UnstableScheduleError) as exc:
        exact_risk(task, bad)
    msg = str(exc.value)
    assert f"batch {b}" in msg and "largest stable lr" in msg
    named = float(re.search(r"largest stable lr for batch \d+ is ([0-9.e+-]+)", msg).group(1))
    assert named == pytest.approx(eta_star, rel=1e-5)  # printed with 6 significant digits

    # The check is not over-cautious: without it the recursion really diverges, at the
    # rate of the spectral radius.
    ref = exact_risk_numpy(task, Schedule.constant(b, b * 40_000, eta_star * (1 + 1e-3)))
    rho = spectral_radius(task, eta_star * (1 + 1e-3), b)
    assert rho > 1.0
    growth = (ref[-1] / ref[-10_001]) ** (1 / 10_000)
    assert growth == pytest.approx(rho, rel=1e-6)
    assert ref[-1] > 10 * ref[0]


def test_lone_partial_final_batch_is_exempt_from_stability_check():
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=50)
    eta = 0.5 * (max_stable_lr(task, 1) + max_stable_lr(task, 64))
    assert stability_q(task, eta, 64) < 1.0 <= stability_q(task, eta, 1)
    sch = Schedule.constant(64, 64 * 50 + 1, eta)  # one final step with batch 1
    assert sch.batch[-1] == 1
    check_stability(task, sch)  # no error: check_stability exempts it ...
    # ... but the engine refuses it (fsltheory.engines.guards.check_final_step): one
    # unstable step can multiply the final risk many times over
    with pytest.raises(UnstableScheduleError, match="final partial batch"):
        exact_risk(task, sch)
    # but a batch-1 stage of more than one step is checked
    with pytest.raises(UnstableScheduleError, match="for batch 1"):
        exact_risk(task, Schedule.two_stage(1, 64, 0.1, 64 * 50, eta))
    # ... and so is every single-step run that is not the final step, even when its batch
    # equals the final partial batch
    lr = np.full(20, eta)
    lr[5] *= 1.0001
    b = np.full(20, 64)
    b[5] = b[-1] = 1
    check_stability(task, Schedule.from_arrays(np.full(20, eta), np.r_[[64] * 19, 1]))
    with pytest.raises(UnstableScheduleError, match="for batch 1"):
        check_stability(task, Schedule.from_arrays(lr, b))
    # ... and a schedule of one step is checked too (it is not a "partial tail")
    with pytest.raises(UnstableScheduleError):
        check_stability(task, Schedule.from_arrays([eta], [1]))


def test_max_stable_lr_properties():
    task = PowerLawTask(2.0, 0.25, modes=1000)
    etas = [max_stable_lr(task, b) for b in (1, 2, 8, 64, 1024)]
    assert all(e2 > e1 for e1, e2 in zip(etas, etas[1:], strict=False))  # grows with B
    assert etas[-1] < 2.0 / (1 + 1 / 1024)  # below the a_1 = 1 bound
    # B = 1 has a closed form for q: (η/1)·λ/(2 − 2ηλ), so q(η*) = ½ Σ ηλ/(1 − ηλ) = 1
    lam = task.lambdas
    assert 0.5 * np.sum(etas[0] * lam / (1 - etas[0] * lam)) == pytest.approx(1.0, rel=1e-10)
    with pytest.raises(InvalidParameterError, match=r"batch must be in \[1, inf\)"):
        max_stable_lr(task, 0.5)


# ---------------------------------------------------------------- stationary floor
@pytest.mark.parametrize("eta,b", [(0.5, 2), (0.2, 1), (1.0, 64)])
def test_stationary_risk_is_the_fixed_point_of_the_linear_map(eta, b):
    task = PowerLawTask(2.0, 0.5, sigma=1.3, modes=30)
    T, c = linear_map(task, eta, b)
    d_inf = np.linalg.solve(np.eye(task.modes) - T, c * task.sigma**2)
    # dense solve error ~ cond(I − T)·eps ≲ 1e3·1e-16: rtol 1e-11
    assert stationary_risk(task, eta, b) == pytest.approx(0.5 * task.lambdas @ d_inf, rel=1e-11)


def test_long_constant_run_converges_to_stationary_risk():
    """M = 10: the gap E_k − E_∞ decays geometrically at the Perron root μ of T."""
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=10)
    eta, b = 0.5, 2
    E_inf = stationary_risk(task, eta, b)
    gap = exact_risk(task, Schedule.constant(b, b * 6000, eta)).risk - E_inf
    mu = spectral_radius(task, eta, b)
    rate = [(gap[k + 500] / gap[k]) ** (1 / 500) for k in (500, 1000, 1500, 2000)]
    # The estimated rate approaches μ as the faster modes die out (second eigenvalue
    # ≈ 0.9877 vs μ ≈ 0.9901, so their weight falls like 0.9977^k); by k = 2000 it is within
    # 3e-5 of μ (windows stop before the gap, ~1e-11 at k = 2000, nears rounding, 1e-17).
    err = [abs(r - mu) for r in rate]
    assert err[0] > err[1] > err[2] > err[3] and err[3] < 3e-5
    assert abs(gap[-1]) < 1e-13 * E_inf  # converged to rounding


@pytest.mark.slow
def test_long_run_with_many_modes_reaches_stationary_risk():
    """M = 200, slowest mode relaxes like exp(−2ηλ_M k): after 4e6 steps it is e^(−32)."""
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=200)
    eta, b = 0.2, 8
    n = 4_000_000
    assert 2 * eta * task.lambdas[-1] * n > 30
    E_inf = stationary_risk(task, eta, b)
    curve = exact_risk(task, Schedule.constant(b, b * n, eta))
    # rounding of 4e6 steps on a contraction stays ~1e-15 relative near the fixed point
    assert curve.final_risk == pytest.approx(E_inf, rel=1e-10)


def test_noiseless_task_has_zero_floor_and_decays():
    task = PowerLawTask(2.0, 0.5, sigma=0.0, modes=20)
    assert stationary_risk(task, 0.5, 4) == 0.0
    r = exact_risk(task, Schedule.constant(4, 4 * 3000, 0.5)).risk
    assert r[-1] < 1e-3 * r[0] and np.all(r >= 0)


def test_stationary_risk_validation():
    task = PowerLawTask(2.0, 0.25, modes=100)
    with pytest.raises(InvalidParameterError, match=r"lr must be in \(0, inf\)"):
        stationary_risk(task, 0.0, 4)
    with pytest.raises(InvalidParameterError, match=r"batch must be in \[1, inf\)"):
        stationary_risk(task, 0.1, 0)
    eta_star = max_stable_lr(task, 4)
    with pytest.raises(UnstableScheduleError, match=f"largest stable lr is {eta_star:.6g}"):
        stationary_risk(task, 1.01 * eta_star, 4)


def test_exact_risk_rejects_wrong_types():
    task = PowerLawTask(2.0, 0.25, modes=10)
    sch = Schedule.constant(4, 40, 0.1)
    with pytest.raises(InvalidParameterError, match="task must be a PowerLawTask"):
        exact_risk("task", sch)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="schedule must be a Schedule"):
        exact_risk(task, "const:4")  # type: ignore[arg-type]


# ---------------------------------------------------------------- docs/theory.md §5 sanity check
def test_late_switching_sanity_issue_2():
    """β=2, σ=1, 4000 modes, lr 0.2, D=131072.  Hard task (s=0.25): 4→64 at 95% of the
    data beats constant 4 and constant 64.  Easy task (s=1.5): constant 64 beats it."""
    D, lr = 131072, 0.2
    specs = ["const:4", "const:64", "switch:4,64@0.95"]
    for s in (0.25, 1.5):
        task = PowerLawTask(2.0, s, sigma=1.0, modes=4000)
        curves = exact_risk_many(task, [Schedule.parse(x, D, lr) for x in specs])
        final = dict(zip(specs, (c.final_risk for c in curves), strict=True))
        if s == 0.25:
            assert task.regime == "hard"
            assert final["switch:4,64@0.95"] < min(final["const:4"], final["const:64"])
        else:
            assert task.regime == "easy"
            assert final["const:64"] < final["switch:4,64@0.95"]


@settings(max_examples=40, deadline=None)
@given(
    runs=st.lists(st.tuples(st.sampled_from([0.05, 0.2, 0.4]), st.integers(1, 64),
                            st.integers(1, 5)), min_size=1, max_size=12),
)
def test_kernel_matches_numpy_for_any_run_structure(runs):
    """Runs of odd and even lengths (the kernel does two steps per pass plus a remainder),
    changing lr and batch: the same K·eps tolerance argument as above, K ≤ 60."""
    lr = np.concatenate([[e] * n for e, _, n in runs])
    b = np.concatenate([[bb] * n for _, bb, n in runs])
    task = PowerLawTask(2.0, 0.4, sigma=0.9, modes=64)
    sch = Schedule.from_arrays(lr, b)
    np.testing.assert_allclose(exact_risk(task, sch).risk, exact_risk_numpy(task, sch),
                               rtol=1e-11)

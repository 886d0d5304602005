"""Fitted laws: the compiled evaluation against plain-numpy direct sums of the formulas."""

from __future__ import annotations

import numpy as np
import pytest

from fsltheory import PowerLawTask, Schedule, exact_risk
from fsltheory.laws import LAWS, FSLLaw, MPLLaw, TaskLaw, get_law, law_from_dict
from fsltheory.laws._memory import memory_sum, memory_sum_direct
from fsltheory.laws.mpl import warmup_length


def _schedule(K=3000, W=300):
    k = np.arange(K)
    lr = np.where(k < W, 0.3 * (k + 1) / W,
                  0.03 + 0.27 * (1 + np.cos(np.pi * (k - W) / (K - W))) / 2)
    batch = np.where(k < 2000, 4, 16)
    return lr, batch


@pytest.mark.parametrize("p", [0.3, 0.7, 1.5, 2.5])
def test_memory_sum_matches_direct_sum(p):
    # 1e-4: the quadrature error bound stated in laws/_memory.py (spacing 0.6 in ln w)
    rng = np.random.default_rng(1)
    dt = rng.uniform(0.2, 1.5, 4000)
    src = np.sort(rng.choice(4000, 600, replace=False))
    q = rng.normal(size=600)
    a = np.exp(rng.uniform(-4, 2, 600))
    obs = np.sort(rng.choice(4000, 50, replace=False))
    fast = memory_sum(dt, src, q, a, p, obs)
    ref = memory_sum_direct(dt, src, q, a, p, obs)
    assert np.max(np.abs(fast - ref)) <= 1e-4 * np.max(np.abs(ref))


def test_fsl_law_equals_its_formula_by_direct_summation():
    lr, batch = _schedule()
    law = FSLLaw(eta_ref=0.3, b_ref=4)
    L0, c1, s, c2, c3, c4, g = 0.1, 2.0, 0.4, 0.3, 0.5, 0.05, 0.6
    steps = np.array([50, 299, 1000, 1999, 2000, 2001, 2500, 2999])
    got = law.predict(np.array([L0, c1, s, c2, c2 * c3, c4, g]), lr, batch, steps)
    # the docstring formula, summed term by term
    u = np.concatenate(([0.0], np.cumsum(lr / 0.3)))
    r = (lr / 0.3) * (4 / batch)
    dr = np.diff(np.concatenate(([0.0], r)))
    want = []
    for k in steps:
        i = np.arange(k + 1)
        Q = np.sum(dr[i] * (1 - (1 + c4 * (u[k] - u[i])) ** (-g)))
        w = (1 + u[k]) ** (-s)
        want.append(L0 + c1 * w + c2 * (c3 + w) * Q)
    np.testing.assert_allclose(got, want, rtol=1e-5)  # quadrature error ≤ 1e-4 of a part


def test_fsl_law_with_the_weight_at_the_drop_equals_its_formula():
    lr, batch = _schedule()
    law = FSLLaw(eta_ref=0.3, b_ref=4, weight="drop")
    L0, c1, s, c2, c3, c4, g = 0.1, 2.0, 0.4, 0.3, 0.5, 0.05, 0.6
    steps = np.array([50, 299, 1000, 2001, 2999])
    got = law.predict(np.array([L0, c1, s, c2, c2 * c3, c4, g]), lr, batch, steps)
    u = np.concatenate(([0.0], np.cumsum(lr / 0.3)))
    r = (lr / 0.3) * (4 / batch)
    dr = np.diff(np.concatenate(([0.0], r)))
    want = []
    for k in steps:
        i = np.arange(k + 1)
        want.append(L0 + c1 * (1 + u[k]) ** (-s) + c2 * np.sum(
            dr[i] * (c3 + (1 + u[i]) ** (-s)) * (1 - (1 + c4 * (u[k] - u[i])) ** (-g))))
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_fsl_law_is_batch_aware_and_mpl_is_not():
    lr = np.full(2001, 0.1)
    p_fsl = np.array([0.1, 1.0, 0.5, 0.2, 0.2, 0.1, 0.5])
    law = FSLLaw(eta_ref=0.1, b_ref=8)
    small, big = (law.predict(p_fsl, lr, np.full(2001, b), np.array([2000]))[0] for b in (8, 32))
    # noise floor c2·c3·r with r ∝ 1/b: quadrupling the batch lowers the loss
    assert big < small
    mpl = MPLLaw()
    p = np.array([3.0, 0.5, 0.5, 300.0, 2.0, 0.6, 0.6])
    a, b = (mpl.predict(p, lr, np.full(2001, bb), np.array([2000]))[0] for bb in (8, 32))
    assert a == b


def test_mpl_law_equals_its_formula_by_direct_summation():
    lr, _ = _schedule()
    p = np.array([3.0, 0.5, 0.5, 3.0, 2.0, 0.6, 0.6])
    steps = np.array([400, 1500, 2999])
    got = MPLLaw().predict(p, lr, np.ones(lr.size), steps)
    L0, A, al, B, C, be, ga = p
    W = warmup_length(lr)
    assert W == 299  # the rise ends at the peak, step 299
    T = np.concatenate(([0.0], np.cumsum(lr)))
    want = []
    for t in steps:
        ld = 0.0
        for k in range(W + 1, t + 1):
            S = T[t] - T[k]
            ld += (lr[k - 1] - lr[k]) * (1 - (C * lr[k] ** (-ga) * S + 1) ** (-be))
        want.append(L0 + A * T[t] ** (-al) - B * ld)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_task_law_is_the_exact_engine():
    lr, batch = _schedule(K=500, W=50)
    law = TaskLaw(modes=200)
    steps = np.array([0, 10, 499])
    got = law.predict(np.array([2.0, 0.5, 0.7, 1.3, 0.05]), lr, batch, steps)
    curve = exact_risk(PowerLawTask(2.0, 0.5, 0.7, 200), Schedule.from_arrays(lr[:499],
                                                                             batch[:499]))
    np.testing.assert_allclose(got, 0.05 + 1.3 * curve.risk[steps], rtol=1e-12)


def test_registry_and_round_trip():
    assert sorted(LAWS) == ["fsl", "mpl", "task"]
    law = FSLLaw(eta_ref=0.2, b_ref=16, kappa=0.5)
    back = law_from_dict(law.to_dict())
    assert isinstance(back, FSLLaw) and back.constants == law.constants
    with pytest.raises(ValueError, match="law must be one of"):
        get_law("nope")


@pytest.mark.parametrize("modname", [
    "fsltheory.io", "fsltheory.curves", "fsltheory.laws", "fsltheory.laws._memory",
    "fsltheory.laws.fsl", "fsltheory.laws.mpl", "fsltheory.laws.task",
    "fsltheory.fit", "fsltheory.predict", "fsltheory.plan", "fsltheory.export",
])
def test_docstring_examples(modname):
    import doctest
    import importlib

    mod = importlib.import_module(modname)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0, f"{modname} has no doctest"
    assert res.failed == 0


def test_public_names_resolve():
    import fsltheory

    for name in ("fit_curves", "load_curves", "plan_batches", "export_plan", "LAWS"):
        assert name in fsltheory.__all__ and getattr(fsltheory, name) is not None


def test_task_law_through_the_volterra_engine():
    """Same law through the continuum engine: the gap to the exact engine is the physical
    O(η) difference of docs/theory.md §3 (η λ_1 = 0.2 here; tests/test_volterra.py allows
    5% on whole curves, measured 1.6% at this schedule)."""
    lr, b = np.full(501, 0.2), np.full(501, 8)
    p = np.array([2.0, 0.5, 0.5, 1.0, 0.0])
    steps = np.array([0, 10, 100, 500])
    ex = TaskLaw(modes=200).predict(p, lr, b, steps)
    vo = TaskLaw(modes=200, engine="volterra").predict(p, lr, b, steps)
    assert vo[0] == pytest.approx(ex[0], rel=1e-12)  # both start at the initial risk
    np.testing.assert_allclose(vo, ex, rtol=0.05)
    with pytest.raises(ValueError, match="engine must be one of"):
        TaskLaw(engine="sgd")


def test_memory_sum_after_a_large_step_decrease_matches_direct_sum():
    # an LR drop at fixed batch (Seesaw, step decays) shortens the step: with a fast kernel
    # (a = 100) e^(−w·dt) underflows on the top nodes and must not turn into nan
    from fsltheory.laws._memory import memory_sum, memory_sum_direct

    dt = np.ones(4001)
    dt[1024:] = 0.5
    src = np.array([0, 1024])
    q = np.array([1.0, -0.5])
    obs = np.array([100, 2000, 4000])
    for a in (100.0, 1.0):
        fast = memory_sum(dt, src, q, a, 0.98, obs)
        ref = memory_sum_direct(dt, src, q, a, 0.98, obs)
        # the quadrature's documented accuracy: ≲ 1e-4 relative (module docstring)
        assert np.all(np.isfinite(fast))
        assert np.max(np.abs(fast - ref)) < 1e-4 * np.max(np.abs(ref)), a

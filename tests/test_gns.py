"""Gradient noise scale (theory §8): moment formula vs the two-batch estimator on SGD."""

from __future__ import annotations

import numpy as np
import pytest

from fsltheory import PowerLawTask, Schedule
from fsltheory.engines.exact import exact_moments, exact_risk
from fsltheory.errors import InvalidParameterError
from fsltheory.gns import gns_moments, two_batch_gns


def test_exact_moments_reproduce_the_risk():
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=40)
    sch = Schedule.constant(4, 4 * 300, lr=0.2, lr_schedule="cosine")
    ks = [300, 0, 17]
    d = exact_moments(task, sch, ks)
    risk = exact_risk(task, sch).risk
    assert np.allclose(0.5 * d @ task.lambdas, risk[ks], rtol=1e-12, atol=0)
    with pytest.raises(InvalidParameterError, match="steps"):
        exact_moments(task, sch, [301])


def test_gns_at_start_is_the_formula_at_theta_zero():
    # at θ₀ = 0 the moments are θ*² exactly: B_simple = 1 + (rᵀΛr + σ²)trΛ/|Λr|²
    task = PowerLawTask(2.0, 1.0, sigma=0.5, modes=30)
    g = gns_moments(task, Schedule.constant(2, 20, lr=0.1), [0])
    r = task.theta_star
    lam = task.lambdas
    exp = 1 + (r @ (lam * r) + 0.25) * lam.sum() / np.sum(lam**2 * r**2)
    assert g["B_simple"][0] == pytest.approx(exp, rel=1e-12)


def _compare(seeds, draws, ks):
    task = PowerLawTask(2.0, 1.0, sigma=0.5, modes=20)
    sch = Schedule.constant(4, 4 * 150, lr=0.3)
    m = gns_moments(task, sch, ks)
    e = two_batch_gns(task, sch, ks, seeds=seeds, b_small=2, b_big=32, draws=draws, seed=3)
    for name in ("B_simple", "B_noise"):
        z = (e[name] - m[name]) / e[name + "_se"]
        # 4 s.e.: with 2×len(ks) comparisons a false alarm has probability < 1e-3
        assert np.all(np.abs(z) < 4.0), (name, z, e[name], m[name], e[name + "_se"])
        assert np.all(e[name + "_se"] < 0.3 * m[name])   # the check has power
    return m, e


def test_two_batch_estimator_agrees_with_moments():
    _compare(seeds=64, draws=8, ks=[0, 150])


@pytest.mark.slow
def test_two_batch_estimator_agrees_with_moments_many_seeds():
    _compare(seeds=400, draws=32, ks=[0, 10, 40, 150])


def test_two_batch_bad_input():
    task = PowerLawTask(2.0, 1.0, sigma=0.5, modes=20)
    sch = Schedule.constant(4, 40, lr=0.3)
    with pytest.raises(InvalidParameterError, match="b_big"):
        two_batch_gns(task, sch, [0], b_small=4, b_big=4)

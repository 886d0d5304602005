"""Gradient noise scale along a trajectory (docs/theory.md §8): moments vs two-batch estimator.

For Gaussian features the per-example gradient at residual r = θ − θ* is
g = x(⟨x, r⟩ − σε) with mean G = Λr and covariance Σ = ΛrrᵀΛ + (rᵀΛr + σ²)Λ
(derived in :func:`fsltheory.symbolic.critical.gns_moment_derivation`).  In expectation
over the SGD trajectory (ratio of expectations, diagonal moments d_j of §2):

    B_noise  = tr(ΛΣ)/(GᵀΛG) = 1 + (Σλ_j d_j + σ²) Σλ_j² / Σλ_j³ d_j,
    B_simple = tr(Σ)/|G|²     = 1 + (Σλ_j d_j + σ²) Σλ_j  / Σλ_j² d_j.

:func:`gns_moments` evaluates these from the exact engine's moments
(:func:`~fsltheory.engines.exact.exact_moments`).  :func:`two_batch_gns` is the estimator
training code uses (McCandlish et al. 2018, App. A; GPT-NeoX): at each checkpoint of real
SGD runs (the update and random streams of :mod:`fsltheory.engines.sgd`) it draws a small
and a big batch, and from |G_B|² = |G|² + tr Σ/B gets the unbiased

    |G|²  ≈ (B_big |G_big|² − B_small |G_small|²)/(B_big − B_small),
    tr Σ  ≈ (|G_small|² − |G_big|²)/(1/B_small − 1/B_big),

(and the same in the Λ-norm for B_noise); B = mean(tr Σ)/mean(|G|²) over runs, with a
delta-method standard error.

Example
-------
>>> from fsltheory import PowerLawTask, Schedule
>>> from fsltheory.gns import gns_moments
>>> task = PowerLawTask(2.0, 1.0, sigma=0.5, modes=50)
>>> g = gns_moments(task, Schedule.constant(4, 800, lr=0.2), [0, 100, 200])
>>> bool(g["B_simple"][2] > g["B_simple"][0])   # noise dominates as the signal is learned
True
"""

from __future__ import annotations

import numpy as np

from .engines.exact import check_stability, exact_moments
from .engines.sgd import seed_generators
from .errors import InvalidParameterError, check_int_range
from .schedule import Schedule
from .task import PowerLawTask

__all__ = ["gns_from_moments", "gns_moments", "two_batch_gns"]


def gns_from_moments(task: PowerLawTask, d: np.ndarray) -> dict[str, np.ndarray]:
    """``{"B_noise", "B_simple", "G2", "trace_sigma"}`` from moments ``d`` (shape (..., M))
    by the formulas of the module docstring (the symbolic layer's twins)."""
    from .symbolic import derivation

    lam = task.lambdas
    d = np.asarray(d, dtype=float)
    tw = derivation("C-ES").numeric
    trLM = d @ lam
    trL2M = d @ lam**2
    trL3M = d @ lam**3
    kw = {"sigma": task.sigma, "trLM": trLM}
    bn = tw["B_noise"](trL2=float(np.sum(lam**2)), trL3M=trL3M, **kw)
    bs = tw["B_simple"](trL=task.trace, trL2M=trL2M, **kw)
    return {"B_noise": np.asarray(bn), "B_simple": np.asarray(bs), "G2": trL2M,
            "trace_sigma": trL2M + (trLM + task.sigma**2) * task.trace}


def gns_moments(task: PowerLawTask, schedule: Schedule, steps) -> dict[str, np.ndarray]:
    """B_noise(k), B_simple(k) at the given steps from the exact engine's moments (§8).

    Returns ``{"steps", "B_noise", "B_simple", "G2", "trace_sigma", "risk"}``: E|G|² and
    E tr Σ are the expectations over the SGD trajectory the two-batch estimator targets.
    """
    ks = np.asarray(steps, dtype=np.int64).ravel()
    d = exact_moments(task, schedule, ks)
    out = gns_from_moments(task, d)
    out["steps"] = ks
    out["risk"] = 0.5 * d @ task.lambdas
    return out


def _grad_sq(rng, sqrt_lam, lam, r, sigma, b, weights):
    """|mean of b per-example gradients|² in the ``weights`` norm (Σ w_j g_j²)."""
    Z = rng.standard_normal((b, lam.size + 1))
    X = Z[:, :-1] * sqrt_lam
    err = X @ r - sigma * Z[:, -1]
    g = (X.T @ err) / b
    return float(np.sum(weights * g * g))


def two_batch_gns(task: PowerLawTask, schedule: Schedule, steps, *, b_small: int = 1,
                  b_big: int = 64, seeds: int = 256, seed: int = 0,
                  draws: int = 4) -> dict[str, np.ndarray]:
    """Two-batch gradient-noise-scale estimator on simulated SGD runs (§8).

    Runs ``seeds`` SGD trajectories of ``schedule`` (update of §2, streams of
    :func:`~fsltheory.engines.sgd.seed_generators`, plain numpy — keep M and the schedule
    small); at each checkpoint draws ``draws`` independent (small, big) batch pairs and forms
    the unbiased |G|² and tr Σ estimates (module docstring), Euclidean (B_simple) and in the
    Λ-norm (B_noise).

    Returns
    -------
    dict
        ``steps``, ``B_simple``, ``B_simple_se``, ``B_noise``, ``B_noise_se`` (ratio of
        means over runs; delta-method standard errors over runs), and the per-checkpoint
        means ``G2``, ``trace_sigma``.
    """
    if not isinstance(task, PowerLawTask) or not isinstance(schedule, Schedule):
        raise InvalidParameterError("two_batch_gns needs a PowerLawTask and a Schedule")
    b_small = check_int_range("b_small", b_small, 1, None)
    b_big = check_int_range("b_big", b_big, b_small + 1, None)
    seeds = check_int_range("seeds", seeds, 2, None)
    draws = check_int_range("draws", draws, 1, None)
    check_stability(task, schedule)
    ks = np.unique(np.asarray(steps, dtype=np.int64))
    if ks.size == 0 or ks[0] < 0 or ks[-1] > schedule.n_steps:
        raise InvalidParameterError(f"steps must be in [0, {schedule.n_steps}], got {steps!r}")
    lam = task.lambdas
    sqrt_lam = np.sqrt(lam)
    sigma = task.sigma
    lrs, bs = schedule.lr, schedule.batch
    # per run, per checkpoint: (trΣ, |G|²) Euclidean and in the Λ-norm
    est = np.zeros((seeds, ks.size, 4))
    ones = np.ones_like(lam)
    for i, rng in enumerate(seed_generators(seed, seeds)):
        r = -task.theta_star.copy()
        c = 0
        for k in range(ks[-1] + 1):
            while c < ks.size and ks[c] == k:
                acc = np.zeros(4)
                for _ in range(draws):
                    for j, w in enumerate((ones, lam)):
                        gs = _grad_sq(rng, sqrt_lam, lam, r, sigma, b_small, w)
                        gb = _grad_sq(rng, sqrt_lam, lam, r, sigma, b_big, w)
                        acc[2 * j] += (gs - gb) / (1.0 / b_small - 1.0 / b_big)
                        acc[2 * j + 1] += (b_big * gb - b_small * gs) / (b_big - b_small)
                est[i, c] = acc / draws
                c += 1
            if k == ks[-1]:
                break
            b = int(bs[k])
            Z = rng.standard_normal((b, lam.size + 1))
            X = Z[:, :-1] * sqrt_lam
            err = X @ r - sigma * Z[:, -1]
            r -= (lrs[k] / b) * (X.T @ err)
    out: dict[str, np.ndarray] = {"steps": ks}
    n = seeds
    for name, (a_i, g_i) in (("B_simple", (0, 1)), ("B_noise", (2, 3))):
        a, g = est[:, :, a_i], est[:, :, g_i]
        am, gm = a.mean(axis=0), g.mean(axis=0)
        ratio = am / gm
        resid = a - ratio * g
        se = np.sqrt(resid.var(axis=0, ddof=1) / n) / np.abs(gm)
        out[name] = ratio
        out[name + "_se"] = se
        if name == "B_simple":
            out["trace_sigma"], out["G2"] = am, gm
    return out

"""The continuum (Volterra) engine: equation (V) of spec §3 solved in intrinsic time.

In intrinsic time ``t = Σ_{i<k} η_i`` with noise rate ``γ = η/B`` each mode obeys

    d_j' = −2λ_j d_j + γ(t) λ_j (2E(t) + σ²),     E = ½ Σ_j λ_j d_j,

which is equivalent to the linear Volterra equation

    E(t) = e(t) + ∫_0^t K(t − z) γ(z) [E(z) + σ²/2] dz                        (V)

(``noise="full"``) and to its σ²-dominated linearisation (``noise="additive"``)

    E(t) ≈ e(t) + (σ²/2) ∫_0^t K(t − z) γ(z) dz.

(V) is the O(η) continuum limit of the exact recursion of §2: it drops the η²λ_j² terms
of ``a_j`` — the ``(ηλ_j)²`` of ``(1 − ηλ_j)²`` and the ``η²λ_j²/B`` of the multiplicative
noise — and replaces the per-step map by the ODE.  **The difference between this engine
and :func:`~fsltheory.engines.exact.exact_risk` is therefore physical, of relative size
O(max η)**, not a numerical error.  Per unit of intrinsic time the first dropped term is
O(η) and the second O(η/B) = O(γ) (≤ O(η) since B ≥ 1): at fixed γ and fixed intrinsic
time the gap is affine in η, ``d(η) ≈ c(γ) + a·η``, with the offset ``c(γ) = O(γ)`` due to
the ``η²λ²/B`` term (at stationarity ``c(γ) = [q₀/(1−q₀)]/[x/(1−x)] − 1``,
``q₀ = Σγλ_j/(2 − γλ_j)``, ``x = γ tr(Λ)/2``).  Both statements, and the ≤ 3% agreement at
lr = 0.05, batch ≥ 4, are tested in tests/test_volterra.py.

Algorithm (why 10^8 steps × 10^6 modes take seconds)
----------------------------------------------------
1. **Signal exactly.**  ``E = e(t) + N(t)`` where ``e`` is the exact finite-M signal sum
   (:func:`~fsltheory.engines.spectral.signal_term`, relative error ≤ 1e-12) evaluated at
   the grid nodes, and ``N = ½ Σ_j λ_j n_j`` is the noise part with ``n_j(0) = 0``.
2. **Compressed spectrum for the noise part.**  Only ``N_j = ½λ_j n_j`` is integrated:
   ``N_j' = −2λ_j N_j + γ λ_j² F``, ``F = E + σ²/2`` (``F = σ²/2`` for "additive").
   Modes are grouped into bins of width ``ln 10 / bins_per_decade`` in ``log λ`` (modes
   are kept individually while a bin would hold one mode); a group carries weight
   ``W_g = Σ_{j∈g} λ_j²`` and the moment-matched rate ``μ_g = Σλ_j³ / Σλ_j²``.  This
   replaces ``K(u) = Σ_j λ_j² e^(−2λ_j u)`` by ``K̃(u) = Σ_g W_g e^(−2μ_g u)``, with
   ``K̃(0) = K(0)``, ``K̃'(0) = K'(0)`` and relative error ≈ ``(δ²/24) ⟨(2λu)²⟩`` ≲ 1e-4
   at the default 200 bins per decade (δ the bin width in ln λ; checked against the
   exact :func:`forgetting_kernel` in the tests).  ``bins_per_decade=None`` keeps every mode.
3. **Grid.**  The schedule arrives as segments (:meth:`Schedule.segments`): constant
   ``(η, B)`` stretches, and smooth stretches whose per-step LR ``η_peak·φ(P/D)`` comes
   from an LR profile (docs/theory.md §7).  It is cut into *grid segments* at every jump
   of γ larger than 1%; inside a grid segment of n steps the nodes are the step offsets
   ``round(geomspace(1, n, grid_per_decade·log10 n))`` (all steps while that spacing is
   < 1), i.e. log-spaced in the time since the last jump, so the post-switch transient and
   the long power-law decay are both resolved (plus nodes ≤ 0.02/λ_1 apart during the first
   5/λ_1 of each grid segment, for the fastest mode).  Wherever γ varies slowly (smooth
   profiles, small steps between segments) a node is added whenever the accumulated
   ``|Δ ln γ|`` grows by 1%.  Intrinsic time at the nodes comes from closed forms on
   constant segments and from exact sums (Euler–Maclaurin beyond 2^20 steps, relative error
   ~1e-13) on smooth ones (:mod:`fsltheory.segments`, :mod:`fsltheory.engines.grid`), so no
   per-step array is ever built.
4. **Exponential integrator, trapezoidal in γF.**  Over a cell of length h the source
   ``P = γF`` is taken linear in t between ``P₀ = γ_a F₀`` and ``P₁ = γ_b F₁`` (γ_a, γ_b
   the γ of the cell's first and last step — equal inside a run; F₁ at the cell end is
   solved for, a scalar linear equation), and each group is advanced exactly:
   ``N⁺ = e^(−a)N + W[P₀(φ₀ − φ₁) + P₁φ₁]``, ``a = 2μh``, ``φ₀ = (1 − e^(−a))/(2μ)``,
   ``φ₁ = h (a − 1 + e^(−a))/a²``.  Stiff modes (a ≫ 1) are exact and follow the
   current γ (a cell-averaged γ would make them lag by half a cell: a first-order error);
   the only discretisation error is the linear interpolation of P inside a cell, a
   second-order (trapezoid-rule) error: with the default 200 nodes per decade (cells
   ≤ 1.2% of the time since the segment start) it is ≲ 1e-4 relative (tested by grid
   refinement and against closed forms).
5. **Output.**  E at the schedule's steps is interpolated linearly in t between nodes
   (error of the same order, ≲ 1e-4).  ``points=None`` returns every step (arrays as long
   as the schedule); ``points=n`` returns at most n log-spaced steps (first and last
   kept) with their step/data/time axes, which is what you want for 10^8-step schedules;
   ``"auto"`` (default) is every step up to 2^23 steps and 2000 log-spaced ones beyond.

Cost: O(M) once (grouping), O(nodes × groups) for the integration and
O(nodes · t^(1/β)) for the signal sums — independent of the number of steps except for
the run-length encoding of the schedule.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..curve import LossCurve
from ..errors import (
    DivergenceError,
    InvalidParameterError,
    UnstableScheduleError,
    check_range,
)
from ..schedule import Schedule
from ..segments import axes_at
from ..task import PowerLawTask
from .exact import record_steps
from .grid import JUMP_TOL, cells, continuum_gamma_max, run_tables, volterra_grid
from .spectral import signal_term

__all__ = [
    "volterra_risk",
    "volterra_floor",
    "compressed_spectrum",
    "volterra_grid",
    "volterra_cells_numpy",
]

_NOISE_MODES = ("full", "additive")
_JUMP_TOL = JUMP_TOL  # relative γ change that starts a new segment / forces a node


# ---------------------------------------------------------------------------- spectrum
@njit(cache=True)
def _compress_kernel(beta, M, ratio, out_w, out_mu):
    """Group modes j = 1..M into bins ``[j_a, j_b)`` with ``j_b = max(j_a + 1, ⌊j_a·r⌋)``;
    returns the number of groups.  ``W = Σλ²``, ``μ = Σλ³/Σλ²``."""
    g = 0
    ja = 1
    while ja <= M:
        jb = max(ja + 1, int(math.floor(ja * ratio)))
        if jb > M + 1:
            jb = M + 1
        s2 = 0.0
        s3 = 0.0
        for j in range(jb - 1, ja - 1, -1):  # small terms first
            lam = float(j) ** (-beta)
            l2 = lam * lam
            s2 += l2
            s3 += l2 * lam
        out_w[g] = s2
        out_mu[g] = s3 / s2
        g += 1
        ja = jb
    return g


def compressed_spectrum(task: PowerLawTask, bins_per_decade: float | None = 200.0
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Groups ``(W_g, μ_g)`` with ``K̃(u) = Σ_g W_g e^(−2μ_g u) ≈ K(u)`` (module docstring,
    step 2).  ``bins_per_decade=None`` returns every mode (``W_j = λ_j²``, ``μ_j = λ_j``).
    Groups are ordered by decreasing rate."""
    if bins_per_decade is None:
        lam = task.lambdas
        return lam * lam, lam.copy()
    bpd = check_range("bins_per_decade", bins_per_decade, 10.0, None)
    ratio = math.exp(math.log(10.0) / (bpd * task.beta))  # bin width in ln j
    # upper bound on the number of groups: singletons up to 1/(r−1), then log bins
    j_single = 1.0 / (ratio - 1.0)
    cap = int(min(task.modes, j_single + 2)) + int(
        math.log(max(task.modes, 2)) / math.log(ratio)) + 4
    w = np.empty(cap)
    mu = np.empty(cap)
    n = _compress_kernel(float(task.beta), int(task.modes), ratio, w, mu)
    return w[:n].copy(), mu[:n].copy()


# ---------------------------------------------------------------------------- grid
# The grid and the segment tables live in .grid (they work on segment-stored schedules
# without per-step arrays); the old private names stay importable from here.
_run_tables = run_tables
_cells = cells


# ---------------------------------------------------------------------------- integrator
@njit(cache=True, inline="always")
def _phis(mu, h):
    """``(e^(−a), φ₀, φ₁)`` for ``a = 2μh`` (module docstring, step 4)."""
    a = 2.0 * mu * h
    if a < 1e-3:
        # series: φ₀/h = Σ (−a)^k/(k+1)!, φ₁/h = Σ (−a)^k/(k+2)!  (error < a^5/120 ≤ 1e-17)
        ea = math.exp(-a)
        p0 = h * (1.0 - a / 2.0 + a * a / 6.0 - a * a * a / 24.0 + a ** 4 / 120.0)
        p1 = h * (0.5 - a / 6.0 + a * a / 24.0 - a * a * a / 120.0 + a ** 4 / 720.0)
        return ea, p0, p1
    em1 = math.expm1(-a)  # e^(−a) − 1
    ea = em1 + 1.0
    p0 = -em1 / (2.0 * mu)
    p1 = h * (a + em1) / (a * a)
    return ea, p0, p1


@njit(cache=True)
def _volterra_kernel(mu, W, h, gam_a, gam_b, e_nodes, sigma2, full, out):
    """March the grouped noise states over the cells; ``out[n] = E`` at node n.  Cell n has
    length ``h[n]`` and γ = ``gam_a[n]`` at its start, ``gam_b[n]`` at its end; the source
    ``γF`` is taken linear across the cell."""
    G = mu.size
    N = np.zeros(G)
    tmp_ea = np.empty(G)
    tmp_p0 = np.empty(G)
    tmp_p1 = np.empty(G)
    half_s2 = 0.5 * sigma2
    E = e_nodes[0]
    out[0] = E
    for n in range(h.size):
        hn = h[n]
        ga = gam_a[n]
        gb = gam_b[n]
        P0 = ga * (E + half_s2 if full else half_s2)
        A = 0.0
        C = 0.0
        for g in range(G):
            ea, p0, p1 = _phis(mu[g], hn)
            tmp_ea[g] = ea
            tmp_p0[g] = p0
            tmp_p1[g] = p1
            A += ea * N[g] + W[g] * P0 * (p0 - p1)
            C += gb * W[g] * p1
        if full:
            F1 = (e_nodes[n + 1] + half_s2 + A) / (1.0 - C)
        else:
            F1 = half_s2
        P1 = gb * F1
        tot = 0.0
        for g in range(G):
            v = tmp_ea[g] * N[g] + W[g] * (P0 * (tmp_p0[g] - tmp_p1[g]) + P1 * tmp_p1[g])
            N[g] = v
            tot += v
        E = e_nodes[n + 1] + tot
        out[n + 1] = E
        if not math.isfinite(E):
            return n + 1
    return -1


def volterra_cells_numpy(mu: np.ndarray, W: np.ndarray, h: np.ndarray, gam_a: np.ndarray,
                         gam_b: np.ndarray, e_nodes: np.ndarray, sigma2: float,
                         full: bool) -> np.ndarray:
    """Plain-numpy version of the cell march (same algorithm: a Python loop over cells,
    numpy over groups); the reference for tests and the baseline of the benchmark."""
    N = np.zeros(mu.size)
    out = np.empty(h.size + 1)
    E = out[0] = e_nodes[0]
    half_s2 = 0.5 * sigma2
    for n in range(h.size):
        a = 2.0 * mu * h[n]
        em1 = np.expm1(-a)
        ea = em1 + 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            p0 = np.where(a < 1e-3, h[n] * (1 - a / 2 + a * a / 6 - a**3 / 24 + a**4 / 120),
                          -em1 / (2.0 * mu))
            p1 = np.where(a < 1e-3, h[n] * (0.5 - a / 6 + a * a / 24 - a**3 / 120 + a**4 / 720),
                          h[n] * (a + em1) / (a * a))
        P0 = gam_a[n] * (E + half_s2 if full else half_s2)
        A = np.sum(ea * N + W * P0 * (p0 - p1))
        C = gam_b[n] * np.sum(W * p1)
        F1 = (e_nodes[n + 1] + half_s2 + A) / (1.0 - C) if full else half_s2
        N = ea * N + W * (P0 * (p0 - p1) + gam_b[n] * F1 * p1)
        E = out[n + 1] = e_nodes[n + 1] + np.sum(N)
    return out


# ---------------------------------------------------------------------------- public API
def _continuum_check(task: PowerLawTask, tables) -> None:
    """(V) with constant γ is stable iff ``γ tr(Λ)/2 < 1`` (its kernel mass is
    ``γ∫K = γ tr(Λ)/2``).  A lone one-step segment (e.g. a final partial batch) is exempt;
    a smooth segment is checked at its largest γ (first or last step: φ is monotone)."""
    tr = task.trace
    gam = continuum_gamma_max(tables)
    bad = (gam * tr / 2.0 >= 1.0) & (tables.counts > 1)
    if np.any(bad):
        r = int(np.flatnonzero(bad)[0])
        b = int(tables.bs[r])
        lr = gam[r] * b
        raise UnstableScheduleError(
            f"lr={lr:g} with batch {b} is unstable for the continuum equation "
            f"(V) (spec §3/§5 C-FLOOR need lr/batch·tr(Λ)/2 < 1, i.e. lr < "
            f"{2.0 * b / tr:.6g} for batch {b})"
        )


def volterra_risk(
    task: PowerLawTask,
    schedule: Schedule,
    noise: str = "full",
    *,
    points: int | str | None = "auto",
    grid_per_decade: float = 200.0,
    bins_per_decade: float | None = 200.0,
) -> LossCurve:
    """Excess risk from the continuum equation (V) of spec §3 (or its σ²-dominated form).

    Parameters
    ----------
    task : PowerLawTask
    schedule : Schedule
        Every (lr, batch) run longer than one step must satisfy ``(lr/batch)·tr(Λ)/2 < 1``
        (stability of (V)); the discrete §2 stability condition is *not* required.
    noise : {"full", "additive"}
        ``"full"`` solves (V); ``"additive"`` its linearisation
        ``E ≈ e(t) + (σ²/2)∫K(t − z)γ(z)dz`` (spec §3).
    points : int, None or "auto"
        ``None``: the risk at every step 0..K (the same axes as :func:`exact_risk`).
        ``n ≥ 2``: only at ≤ n log-spaced steps (first and last kept), with the matching
        steps/data/time axes — use this for very long schedules.  ``"auto"`` (default):
        every step up to 2^23 steps, 2000 log-spaced steps beyond
        (:func:`~fsltheory.engines.exact.record_steps`).
    grid_per_decade : float
        Integration nodes per decade of time since the last γ jump (≥ 5; default 200).
    bins_per_decade : float or None
        Spectral bins per decade of λ for the noise part (≥ 10; default 200);
        ``None`` integrates every mode separately.

    Returns
    -------
    LossCurve
        ``engine="volterra"``; ``meta`` holds ``noise``, ``groups``, ``cells``.

    Notes
    -----
    Algorithm and error budget in the module docstring: discretisation and compression
    errors are ≲ 1e-4 relative at the defaults; the difference to the exact engine is the
    physical O(η) gap between §2 and §3.

    Examples
    --------
    >>> from fsltheory import PowerLawTask, Schedule
    >>> task = PowerLawTask(2.0, 1.0, sigma=1.0, modes=1000)
    >>> sch = Schedule.constant(4, 4 * 200_000, lr=0.05)
    >>> floor = volterra_floor(task, 0.05, 4)
    >>> bool(abs(volterra_risk(task, sch, points=50).final_risk / floor - 1) < 0.01)
    True
    """
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    if not isinstance(schedule, Schedule):
        raise InvalidParameterError(
            f"schedule must be a Schedule, got {type(schedule).__name__}")
    if noise not in _NOISE_MODES:
        raise InvalidParameterError(f"noise must be one of {list(_NOISE_MODES)}, got {noise!r}")
    rec = record_steps(schedule.n_steps, points)
    grid_per_decade = check_range("grid_per_decade", grid_per_decade, 5.0, None)

    tables = _run_tables(schedule)
    _continuum_check(task, tables)

    W, mu = compressed_spectrum(task, bins_per_decade)
    nodes = volterra_grid(schedule, grid_per_decade, float(task.lambdas[0]), _tables=tables)
    t_nodes, h, gam_a, gam_b = _cells(nodes, tables)
    e_nodes = signal_term(task, t_nodes)
    E_nodes = np.empty(nodes.size)
    bad = _volterra_kernel(mu, W, h, gam_a, gam_b, e_nodes, task.sigma**2, noise == "full",
                           E_nodes)
    if bad >= 0:
        raise DivergenceError(
            f"volterra engine on {schedule}: the risk overflowed at step {int(nodes[bad])}")

    if rec is None:
        time = schedule.intrinsic_time
        risk = np.interp(time, t_nodes, E_nodes)
        curve = LossCurve.from_schedule(risk, schedule, engine="volterra")
    else:
        data, t_out, _ = axes_at(schedule, rec)
        risk = np.interp(t_out, t_nodes, E_nodes)
        curve = LossCurve(risk=risk, steps=rec, data=data, time=t_out, engine="volterra")
    curve.meta.update(noise=noise, groups=int(mu.size), cells=int(h.size),
                      grid_per_decade=grid_per_decade, bins_per_decade=bins_per_decade)
    return curve


def volterra_floor(task: PowerLawTask, lr: float, batch: float) -> float:
    """Continuum stationary excess risk of constant ``(η, B)`` (spec §5, C-FLOOR):

        E_∞ = (γ σ² tr(Λ)/4) / (1 − γ tr(Λ)/2),     γ = η/B,

    with the finite-M trace ``tr(Λ) = Σ_{j≤M} j^(−β)`` (→ ζ(β)).  It is the fixed point of
    (V) with constant γ, since ``∫_0^∞ K = tr(Λ)/2``.
    """
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    batch = check_range("batch", batch, 1.0, None)
    x = (lr / batch) * task.trace / 2.0
    if x >= 1.0:
        raise UnstableScheduleError(
            f"lr={lr:g} is unstable for batch {batch:g} in the continuum (spec §5 C-FLOOR "
            f"needs lr/batch·tr(Λ)/2 < 1, i.e. lr < {2.0 * batch / task.trace:.6g})"
        )
    return 0.5 * task.sigma**2 * x / (1.0 - x)

"""Exact expected risk of one-pass minibatch SGD (docs/theory.md §2) — the toolkit's ground truth.

For Gaussian features the diagonal second moments ``d_j(k) = E[(θ_k − θ*)_j²]`` obey the
closed recursion

    d_j(k+1) = a_j d_j(k) + c_j (Σ_i λ_i d_i(k) + σ²),
    a_j = (1 − η_k λ_j)² + η_k² λ_j² / B_k,     c_j = η_k² λ_j / B_k,
    E_k = ½ Σ_j λ_j d_j(k),     d_j(0) = (θ*_j)².

The compiled kernel stores ``x_j = 1 − a_j = η λ_j (2 − η λ_j (1 + 1/B))`` rather than
``a_j``: for the tail modes ``η λ_j ≪ 1`` and ``a_j`` rounds to within ``1e-16`` of 1,
which would lose the decay rate; ``d ← d − x d + c S`` keeps it to full relative precision.
It advances two steps per pass over the modes (see ``_run_segment``), about 3.5 fused
multiply-adds and 1.5 loads per mode-step.

Stability (docs/theory.md §2, C-STABLE): with constant ``(η, B)`` the map is stable iff
``max_j a_j < 1`` and ``q = Σ_j (η/B) λ_j / (2 − η λ_j (1 + 1/B)) < 1``; then the
stationary excess risk is ``E_∞ = ½ σ² q / (1 − q)``.  Those questions live in
:mod:`fsltheory.engines.stability`; their names are re-exported here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numba
import numpy as np
from numba import njit, prange

from ..curve import LossCurve, log_spaced_indices
from ..errors import DivergenceError, InvalidParameterError, check_int_range
from ..lr import phi_step
from ..schedule import MAX_DENSE_BYTES, Schedule
from ..segments import axes_at
from ..task import PowerLawTask
from .guards import check_final_step
from .stability import (
    _check_task,
    check_stability,
    max_stable_lr,
    stability_q,
    stationary_risk,
)

__all__ = [
    "exact_risk",
    "exact_moments",
    "exact_risk_many",
    "exact_risk_numpy",
    "max_stable_lr",
    "stability_q",
    "stationary_risk",
    "check_stability",
]


# ---------------------------------------------------------------------------- kernels
@njit(cache=True, fastmath=True, inline="always")
def _record(k, val, rec, rec_pos, out, o0):
    """Store ``val`` (E after step k) at ``out[o0 + rec_pos]`` if step k is the next
    recorded step ``rec[rec_pos]``."""
    if rec_pos < rec.size and rec[rec_pos] == k:
        out[o0 + rec_pos] = val
        rec_pos += 1
    return rec_pos


@njit(cache=True, fastmath=True, inline="always")
def _run_segment(lam, d, x, cc, L2, E2, sigma2, n, k0, rec, rec_pos, out, o0):
    """Advance ``n`` steps with fixed ``(η, B)`` starting after step ``k0``; returns the new
    ``S = Σ λ_j d_j`` and record position.

    ``x_j = 1 − a_j`` and ``c_j = cc·λ_j`` with ``cc = η²/B``; ``L2 = Σ λ_j²``.

    Two steps per pass over the modes (this halves the memory traffic and is ~1.6× faster
    at 10^4 modes, see benchmarks/bench_exact.py).  The second step needs
    ``S_{k+1} = Σ λ_j d_j(k+1)`` before the pass; since
    ``d_j(k+1) = a_j d_j(k) + c_j (S_k + σ²)``,

        S_{k+1} = P_k + cc (S_k + σ²) L2,      P_k := Σ_j λ_j a_j d_j(k),

    and ``P`` for the next pass is accumulated alongside ``S`` in the current one.
    """
    M = lam.size
    i = 0
    if n >= 2:
        P = 0.0
        for j in range(M):
            P += lam[j] * (d[j] - x[j] * d[j])
        while i + 2 <= n:
            c0 = cc * (E2 + sigma2)
            E2a = P + c0 * L2  # S_{k+1}
            c1 = cc * (E2a + sigma2)
            acc = 0.0
            accp = 0.0
            for j in range(M):
                lj = lam[j]
                xj = x[j]
                u = d[j] - xj * d[j] + c0 * lj  # d_j(k+1)
                v = u - xj * u + c1 * lj  # d_j(k+2)
                d[j] = v
                acc += lj * v
                accp += lj * (v - xj * v)
            rec_pos = _record(k0 + i + 1, 0.5 * E2a, rec, rec_pos, out, o0)
            rec_pos = _record(k0 + i + 2, 0.5 * acc, rec, rec_pos, out, o0)
            E2 = acc
            P = accp
            i += 2
    if i < n:  # odd remainder: one plain step
        cs = cc * (E2 + sigma2)
        acc = 0.0
        for j in range(M):
            lj = lam[j]
            dj = d[j] - x[j] * d[j] + cs * lj
            d[j] = dj
            acc += lj * dj
        E2 = acc
        rec_pos = _record(k0 + n, 0.5 * E2, rec, rec_pos, out, o0)
    return E2, rec_pos


@njit(cache=True, fastmath=True)
def _run_smooth(lam, d, E2, sigma2, params, peak, D, P0, b, i0, n, k0, rec, rec_pos, out,
                o0):
    """Advance steps ``i0..i0+n−1`` of a smooth segment (batch ``b`` from ``P0`` samples):
    step i uses ``η = peak·φ(P0 + i·b)`` (:func:`fsltheory.lr.phi_step`), one pass a step."""
    M = lam.size
    inv_b = 1.0 / b
    kappa = 1.0 + inv_b
    for s in range(n):
        eta = peak * phi_step(params, P0 + (i0 + s) * b, b, D)
        cs = eta * eta * inv_b * (E2 + sigma2)
        acc = 0.0
        for j in range(M):
            lj = lam[j]
            el = eta * lj
            xj = el * (2.0 - el * kappa)
            dj = d[j] - xj * d[j] + cs * lj
            d[j] = dj
            acc += lj * dj
        E2 = acc
        rec_pos = _record(k0 + s + 1, 0.5 * E2, rec, rec_pos, out, o0)
    return E2, rec_pos


@njit(cache=True, fastmath=True)
def _advance(lam, d, x, L2, sigma2, seg_lr, seg_b, seg_n, seg_sm, seg_P0, params, peak, D,
             r, R, i, k, E2, k_stop, rec, rec_pos, out, o0):
    """Advance the state ``(segment r, offset i in it, step k, S = E2)`` to step ``k_stop``
    or the end of segment ``R − 1``, recording ``E`` at the sorted steps ``rec[rec_pos:]``
    into ``out[o0 + rec_pos]``.  Offsets rather than array slices: inside the parallel
    caller, slices are typed as non-contiguous and the mode loop would not vectorise as
    well.  Returns the new state."""
    M = lam.size
    while r < R and k < k_stop:
        n = seg_n[r]
        m = min(n - i, k_stop - k)
        if m < n - i:
            # stop a constant segment at an even offset only: the two-step passes of
            # _run_segment then pair the same steps however the run is chunked, so the
            # result does not depend on the chunk sizes (bit for bit)
            m -= m % 2
            if m == 0:
                m = min(2, n - i)
        b = seg_b[r]
        if seg_sm[r]:
            E2, rec_pos = _run_smooth(lam, d, E2, sigma2, params, peak, D, seg_P0[r], b, i, m,
                                      k, rec, rec_pos, out, o0)
        else:
            eta = seg_lr[r]
            inv_b = 1.0 / b
            kappa = 1.0 + inv_b
            for j in range(M):
                el = eta * lam[j]
                x[j] = el * (2.0 - el * kappa)
            E2, rec_pos = _run_segment(lam, d, x, eta * eta * inv_b, L2, E2, sigma2, m, k,
                                       rec, rec_pos, out, o0)
        k += m
        i += m
        if i == n:
            r += 1
            i = 0
    return r, i, k, E2, rec_pos


@njit(cache=True, fastmath=True, parallel=True)
def _exact_risk_many_kernel(lam, d0, seg_lr, seg_b, seg_n, seg_sm, seg_P0, params, peaks,
                            budgets, seg_off, out_off, sigma2, out):
    """Many schedules at once (one per thread), every step recorded; schedule i owns
    segments ``seg_off[i]:seg_off[i+1]``, output ``out_off[i]:out_off[i+1]`` and the LR
    profile ``params[i]``, ``peaks[i]``, ``budgets[i]``."""
    n_sched = seg_off.size - 1
    M = lam.size
    L2 = 0.0
    for j in range(M):
        L2 += lam[j] * lam[j]
    for q in prange(n_sched):
        d = d0.copy()
        x = np.empty(M)
        E2 = 0.0
        for j in range(M):
            E2 += lam[j] * d[j]
        o0 = out_off[q]
        K = out_off[q + 1] - o0 - 1
        rec = np.arange(K + 1)
        out[o0] = 0.5 * E2
        _advance(lam, d, x, L2, sigma2, seg_lr, seg_b, seg_n, seg_sm, seg_P0, params[q],
                 peaks[q], budgets[q], seg_off[q], seg_off[q + 1], 0, 0, E2, K, rec, 1, out,
                 o0)


def exact_risk_numpy(task: PowerLawTask, schedule: Schedule) -> np.ndarray:
    """Plain-numpy reference path of the §2 recursion, written exactly as in docs/theory.md
    (``a_j`` formed explicitly).  Slow; used by tests and benchmarks."""
    lam = task.lambdas
    d = task.theta_star**2
    sigma2 = task.sigma**2
    out = np.empty(schedule.n_steps + 1)
    out[0] = 0.5 * lam @ d
    for k, (eta, b) in enumerate(zip(schedule.lr, schedule.batch, strict=True)):
        a = (1.0 - eta * lam) ** 2 + eta**2 * lam**2 / b
        c = eta**2 * lam / b
        d = a * d + c * (lam @ d + sigma2)
        out[k + 1] = 0.5 * lam @ d
    return out


# ---------------------------------------------------------------------------- public API
def _validate(task, schedule) -> None:
    """Types, then every (lr, batch) pair (:func:`check_stability`), then the final
    partial batch that check exempts (:func:`~fsltheory.engines.guards.check_final_step`)."""
    _check_task(task)
    if not isinstance(schedule, Schedule):
        raise InvalidParameterError(
            f"schedule must be a Schedule, got {type(schedule).__name__}"
        )
    check_stability(task, schedule)
    check_final_step(task, schedule)


def _check_finite(risk: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(risk)
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        raise DivergenceError(f"{what}: the expected risk overflowed at step {k}")


#: ``points="auto"`` records every step up to this many steps, else :data:`AUTO_POINTS`.
AUTO_ALL_STEPS = 1 << 23
#: Log-spaced curve points recorded by ``points="auto"`` on longer schedules.
AUTO_POINTS = 2000
# First chunk of a run, in mode-steps; later chunks adapt so that one compiled call takes
# 0.05–0.2 s (the granularity of Ctrl-C).
_CHUNK_WORK = 1 << 24
_CHUNK_SECONDS = (0.05, 0.2)


def record_steps(n_steps: int, points: int | str | None) -> np.ndarray | None:
    """Steps at which an engine records the risk: ``None`` = every step 0..K;
    ``points=n`` = at most n log-spaced steps (first and last kept); ``"auto"`` = every
    step up to :data:`AUTO_ALL_STEPS` steps, else :data:`AUTO_POINTS` log-spaced ones."""
    if isinstance(points, str):
        if points != "auto":
            raise InvalidParameterError(
                f"points must be None (every step), 'auto' or an integer >= 2, got {points!r}")
        if n_steps <= AUTO_ALL_STEPS:
            return None
        points = AUTO_POINTS
    if points is None:
        if 32 * (n_steps + 1) > MAX_DENSE_BYTES:
            raise InvalidParameterError(
                f"points=None records all {n_steps + 1} steps ({32 * (n_steps + 1) / 1e9:.3g} "
                f"GB with the axes; limit fsltheory.schedule.MAX_DENSE_BYTES): pass points=N")
        return None
    points = check_int_range("points", points, 2, None)
    return log_spaced_indices(n_steps + 1, points).astype(np.int64)


def exact_risk(task: PowerLawTask, schedule: Schedule, *,
               points: int | str | None = "auto") -> LossCurve:
    """Exact expected excess risk ``E_k`` of minibatch SGD, k = 0..K (docs/theory.md §2).

    Parameters
    ----------
    task : PowerLawTask
    schedule : Schedule
        Every ``(lr, batch)`` pair must satisfy the stability condition of docs/theory.md §2.  Any
        LR profile (docs/theory.md §7): smooth stretches get their per-step LR
        ``η_peak·φ(P_k/D)`` inside the compiled loop.
    points : int, None or "auto"
        ``None``: the risk at every step 0..K.  ``n ≥ 2``: at ≤ n log-spaced steps (first
        and last kept).  ``"auto"`` (default): every step up to :data:`AUTO_ALL_STEPS`
        steps, :data:`AUTO_POINTS` log-spaced steps beyond.  Memory is O(M + points):
        it does not grow with the number of steps.

    Returns
    -------
    LossCurve
        ``risk[i] = E_k`` at the recorded steps ``k = steps[i]`` with their data/time axes.

    Notes
    -----
    Cost O(M) per step: a compiled (numba) loop, two steps per pass over the modes on
    constant-LR segments, ~8e9 mode-steps/s on one core at 10^4 modes
    (benchmarks/bench_exact.py).  The loop runs in compiled chunks of 0.05–0.2 s (sized
    adaptively), so Ctrl-C (KeyboardInterrupt) stops it within a fraction of a second
    (benchmarks/bench_budget.py).  The work (steps × modes) is not limited here;
    ``fsltheory simulate`` refuses more than 1e13 mode-steps (just under an hour).
    :func:`exact_risk_numpy` is the plain-numpy reference.

    Examples
    --------
    >>> from fsltheory import PowerLawTask, Schedule, exact_risk
    >>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=100)
    >>> curve = exact_risk(task, Schedule.constant(8, 800, lr=0.2))
    >>> len(curve)  # steps 0..100
    101
    >>> bool(abs(curve.risk[0] / task.initial_risk - 1) < 1e-12)  # E_0 = ½ Σ j^(−(1+sβ))
    True
    >>> bool(curve.final_risk < curve.risk[0])
    True
    >>> long = Schedule.constant(64, 10**8, lr=0.2, lr_schedule="cosine")
    >>> int(exact_risk(task, long, points=50).steps[-1]) == long.n_steps
    True
    """
    _validate(task, schedule)
    K = schedule.n_steps
    rec = record_steps(K, points)
    every = rec is None
    if every:
        rec = np.arange(K + 1, dtype=np.int64)
    out = np.empty(rec.size)
    seg = schedule.segments()
    lam = task.lambdas
    M = lam.size
    d = task.theta_star**2
    x = np.empty(M)
    L2 = float(np.sum(lam * lam))
    sigma2 = task.sigma**2
    E2 = float(np.sum(lam * d))
    out[0] = 0.5 * E2
    seg_b = seg.batch.astype(np.int64)
    params, peak, D = schedule.lr_params(), schedule.peak_lr, schedule.budget
    chunk = max(1, _CHUNK_WORK // M)
    r = i = k = 0
    rec_pos = 1
    R = seg.lr.size
    while k < K:
        t0 = time.perf_counter()
        r, i, k, E2, rec_pos = _advance(lam, d, x, L2, sigma2, seg.lr, seg_b, seg.count,
                                        seg.smooth, seg.start_samples, params, peak, D, r, R,
                                        i, k, E2, min(K, k + chunk), rec, rec_pos, out, 0)
        dt = time.perf_counter() - t0
        if dt < _CHUNK_SECONDS[0]:
            chunk *= 2
        elif dt > _CHUNK_SECONDS[1]:
            chunk = max(1, chunk // 2)
        if not np.isfinite(E2):
            bad = ~np.isfinite(out[:rec_pos])
            at = int(rec[np.flatnonzero(bad)[0]]) if bad.any() else k
            raise DivergenceError(
                f"exact engine on {schedule}: the expected risk overflowed at step {at}")
    if every:
        curve = LossCurve.from_schedule(out, schedule, engine="exact")
    else:
        data, t_axis, _ = axes_at(schedule, rec)
        curve = LossCurve(risk=out, steps=rec, data=data, time=t_axis, engine="exact")
    return curve


def exact_risk_many(task: PowerLawTask, schedules: Sequence[Schedule]) -> list[LossCurve]:
    """:func:`exact_risk` for many schedules at once, in parallel over all cores (every
    step recorded, any LR profile).

    Each schedule runs on one thread (numba ``prange``); schedules are handed out one at
    a time, longest first, so that unequal lengths still keep every core busy.  The
    curves are returned in the order of ``schedules``.

    Examples
    --------
    >>> from fsltheory import PowerLawTask, Schedule, exact_risk, exact_risk_many
    >>> task = PowerLawTask(2.0, 0.25, modes=100)
    >>> schs = [Schedule.constant(b, 1024, lr=0.2) for b in (4, 16, 64)]
    >>> [len(c) for c in exact_risk_many(task, schs)]
    [257, 65, 17]
    """
    _check_task(task)
    if isinstance(schedules, (Schedule, str)) or not hasattr(schedules, "__iter__"):
        raise InvalidParameterError(
            f"schedules must be a sequence of Schedule objects, got {type(schedules).__name__}")
    schedules = list(schedules)
    if not schedules:
        return []
    for sch in schedules:
        _validate(task, sch)
        record_steps(sch.n_steps, None)  # refuses schedules too long to record every step
    order = sorted(range(len(schedules)), key=lambda i: -schedules[i].n_steps)
    segs = [schedules[i].segments() for i in order]
    cat = lambda f, dt: np.concatenate([getattr(g, f) for g in segs]).astype(dt)  # noqa: E731
    seg_off = np.concatenate(([0], np.cumsum([g.lr.size for g in segs]))).astype(np.int64)
    params = np.array([schedules[i].lr_params() for i in order])
    peaks = np.array([schedules[i].peak_lr for i in order])
    budgets = np.array([schedules[i].budget for i in order], dtype=np.int64)
    sizes = [schedules[i].n_steps + 1 for i in order]
    out_off = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    out = np.empty(int(out_off[-1]))
    with numba.parallel_chunksize(1):  # dynamic hand-out, one schedule at a time
        _exact_risk_many_kernel(
            task.lambdas, task.theta_star**2, cat("lr", np.float64), cat("batch", np.int64),
            cat("count", np.int64), cat("smooth", np.bool_), cat("start_samples", np.int64),
            params, peaks, budgets, seg_off, out_off, task.sigma**2, out,
        )
    curves: list[LossCurve | None] = [None] * len(schedules)
    for slot, i in enumerate(order):
        risk = out[out_off[slot]:out_off[slot + 1]].copy()
        _check_finite(risk, f"exact engine on {schedules[i]}")
        curves[i] = LossCurve.from_schedule(risk, schedules[i], engine="exact")
    return curves  # type: ignore[return-value]


def exact_moments(task: PowerLawTask, schedule: Schedule, steps) -> np.ndarray:
    """The §2 second moments ``d_j(k) = E[(θ_k − θ*)_j²]`` at the given steps.

    Parameters
    ----------
    task : PowerLawTask
    schedule : Schedule
        Any schedule :func:`exact_risk` accepts (stability checked the same way).
    steps : array_like of int
        Checkpoints ``0 ≤ k ≤ K`` (sorted or not; duplicates allowed).

    Returns
    -------
    ndarray, shape (len(steps), M)
        Row i holds ``d_j`` after ``steps[i]`` steps; ``½ Σ_j λ_j d_j`` is ``exact_risk`` there.
        Used by the gradient-noise-scale formulas of docs/theory.md §8.

    Examples
    --------
    >>> from fsltheory import PowerLawTask, Schedule
    >>> task = PowerLawTask(2.0, 0.5, modes=20)
    >>> sch = Schedule.constant(4, 400, lr=0.2)
    >>> d = exact_moments(task, sch, [0, 100])
    >>> bool(abs(0.5 * task.lambdas @ d[1] / exact_risk(task, sch).final_risk - 1) < 1e-12)
    True
    """
    _validate(task, schedule)
    K = schedule.n_steps
    ks = np.asarray(steps, dtype=np.int64).ravel()
    if ks.size == 0 or ks.min() < 0 or ks.max() > K:
        raise InvalidParameterError(f"steps must be integers in [0, {K}], got {steps!r}")
    order = np.argsort(ks, kind="stable")
    out = np.empty((ks.size, task.modes))
    seg = schedule.segments()
    lam = task.lambdas
    d = task.theta_star**2
    x = np.empty(lam.size)
    L2 = float(np.sum(lam * lam))
    sigma2 = task.sigma**2
    E2 = float(np.sum(lam * d))
    seg_b = seg.batch.astype(np.int64)
    params, peak, D = schedule.lr_params(), schedule.peak_lr, schedule.budget
    rec = np.empty(0, dtype=np.int64)
    sink = np.empty(1)
    r = i = k = 0
    R = seg.lr.size
    for idx in order:
        target = int(ks[idx])
        while k < target:
            r, i, k, E2, _ = _advance(lam, d, x, L2, sigma2, seg.lr, seg_b, seg.count,
                                      seg.smooth, seg.start_samples, params, peak, D, r, R,
                                      i, k, E2, target, rec, 0, sink, 0)
        out[idx] = d
    return out

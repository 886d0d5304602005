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
stationary excess risk is ``E_∞ = ½ σ² q / (1 − q)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from numba import njit, prange

from ..curve import LossCurve
from ..errors import DivergenceError, InvalidParameterError, UnstableScheduleError, check_range
from ..schedule import Schedule
from ..task import PowerLawTask

__all__ = [
    "exact_risk",
    "exact_risk_many",
    "exact_risk_numpy",
    "max_stable_lr",
    "stability_q",
    "stationary_risk",
    "check_stability",
]


# ---------------------------------------------------------------------------- kernels
@njit(cache=True, fastmath=True, inline="always")
def _run_segment(lam, d, x, cc, L2, E2, sigma2, n, out, k0):
    """Advance ``n`` steps with fixed ``(η, B)``; returns the new ``S = Σ λ_j d_j``.

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
            out[k0 + i + 1] = 0.5 * E2a
            out[k0 + i + 2] = 0.5 * acc
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
        out[k0 + n] = 0.5 * E2
    return E2


@njit(cache=True, fastmath=True)
def _exact_risk_kernel(lam, d0, run_lr, run_b, run_n, r0, r1, sigma2, out, o0):
    """Write ``E_k`` for k = 0..K into ``out[o0:o0+K+1]``; the schedule is given as the
    runs ``r0:r1`` (lr, batch, count) of consecutive equal steps.

    Offsets rather than array slices: inside the parallel caller, slices are typed as
    non-contiguous and the mode loop would not vectorise as well.
    """
    M = lam.size
    d = d0.copy()
    x = np.empty(M)
    E2 = 0.0
    L2 = 0.0
    for j in range(M):
        E2 += lam[j] * d[j]
        L2 += lam[j] * lam[j]
    out[o0] = 0.5 * E2
    k = o0
    for r in range(r0, r1):
        eta = run_lr[r]
        inv_b = 1.0 / run_b[r]
        kappa = 1.0 + inv_b
        for j in range(M):
            el = eta * lam[j]
            x[j] = el * (2.0 - el * kappa)
        E2 = _run_segment(lam, d, x, eta * eta * inv_b, L2, E2, sigma2, run_n[r], out, k)
        k += run_n[r]


@njit(cache=True, fastmath=True, parallel=True)
def _exact_risk_many_kernel(lam, d0, run_lr, run_b, run_n, run_off, out_off, sigma2, out):
    """Many schedules at once (one per thread); schedule i owns runs
    ``run_off[i]:run_off[i+1]`` and output ``out_off[i]:out_off[i+1]``."""
    n_sched = run_off.size - 1
    for i in prange(n_sched):
        _exact_risk_kernel(lam, d0, run_lr, run_b, run_n, run_off[i], run_off[i + 1], sigma2,
                           out, out_off[i])


def exact_risk_numpy(task: PowerLawTask, schedule: Schedule) -> np.ndarray:
    """Plain-numpy reference path of the §2 recursion, written exactly as in docs/theory.md §2
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


# ---------------------------------------------------------------------------- stability
def stability_q(task: PowerLawTask, lr: float, batch: float) -> float:
    """``q(η, B) = Σ_j (η/B) λ_j / (2 − η λ_j (1 + 1/B))`` of docs/theory.md §2 (``inf`` once
    ``max_j a_j ≥ 1``)."""
    lam = task.lambdas
    denom = 2.0 - lr * lam * (1.0 + 1.0 / batch)
    if np.any(denom <= 0):
        return float("inf")
    return float(np.sum(((lr / batch) * lam / denom)[::-1]))


def max_stable_lr(task: PowerLawTask, batch: float) -> float:
    """Supremum of stable learning rates for batch size ``B`` (docs/theory.md §2, C-STABLE).

    ``q`` increases in ``η`` and diverges where ``a_1 = 1``, i.e. at
    ``η_a = 2 / (λ_1 (1 + 1/B))``; the answer is the root of ``q(η) = 1`` on
    ``(0, η_a)``, found by bisection to relative precision 1e-12.

    Examples
    --------
    One mode with ``λ_1 = 1`` and ``B = 1``: ``q = η / (2 − 2η) = 1`` at ``η = 2/3``.

    >>> from fsltheory import PowerLawTask, max_stable_lr
    >>> round(max_stable_lr(PowerLawTask(2.0, 0.5, modes=1), 1), 9)
    0.666666667
    """
    batch = check_range("batch", batch, 1.0, None)
    lo, hi = 0.0, 2.0 / (float(task.lambdas[0]) * (1.0 + 1.0 / batch))
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if stability_q(task, mid, batch) < 1.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return lo


def check_stability(task: PowerLawTask, schedule: Schedule) -> None:
    """Raise :class:`UnstableScheduleError` if any distinct ``(lr, batch)`` pair the
    schedule uses is unstable (docs/theory.md §2), naming the largest stable lr for that batch.

    One exemption: the schedule's very last step when it is a lone partial batch (a run of
    length one with a batch smaller than the schedule's largest), as the budget rule of
    :mod:`fsltheory.schedule` produces.  It is applied once, and one step of the linear map
    cannot make the risk diverge.
    """
    lrs, bs, counts = schedule.runs()
    last = counts.size - 1
    b_max = int(schedule.batch.max())
    checked: set[tuple[float, int]] = set()
    for r, (e, b, n) in enumerate(zip(lrs.tolist(), bs.tolist(), counts.tolist(), strict=True)):
        if r == last and r > 0 and n == 1 and b < b_max:
            continue
        if (e, b) in checked:
            continue
        checked.add((e, b))
        if stability_q(task, e, b) >= 1.0:
            raise UnstableScheduleError(
                f"lr={e:g} is unstable for batch {b} (docs/theory.md §2 needs q < 1): "
                f"the largest stable lr for batch {b} is {max_stable_lr(task, b):.6g}"
            )


def stationary_risk(task: PowerLawTask, lr: float, batch: float) -> float:
    """Stationary excess risk of constant ``(η, B)``: ``E_∞ = ½ σ² q / (1 − q)``
    (docs/theory.md §2).

    Examples
    --------
    One mode, ``η = ½``, ``B = 1``: ``q = η/(2 − 2η) = ½``, so ``E_∞ = ½ σ²``.

    >>> from fsltheory import PowerLawTask, stationary_risk
    >>> stationary_risk(PowerLawTask(2.0, 0.5, sigma=2.0, modes=1), 0.5, 1)
    2.0
    """
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    batch = check_range("batch", batch, 1.0, None)
    q = stability_q(task, lr, batch)
    if q >= 1.0:
        raise UnstableScheduleError(
            f"lr={lr:g} is unstable for batch {batch:g}: the largest stable lr is "
            f"{max_stable_lr(task, batch):.6g}"
        )
    return 0.5 * task.sigma**2 * q / (1.0 - q)


# ---------------------------------------------------------------------------- public API
def _validate(task, schedule) -> None:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    if not isinstance(schedule, Schedule):
        raise InvalidParameterError(
            f"schedule must be a Schedule, got {type(schedule).__name__}"
        )
    check_stability(task, schedule)


def _check_finite(risk: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(risk)
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        raise DivergenceError(f"{what}: the expected risk overflowed at step {k}")


def exact_risk(task: PowerLawTask, schedule: Schedule) -> LossCurve:
    """Exact expected excess risk ``E_k`` of minibatch SGD, k = 0..K (docs/theory.md §2).

    Parameters
    ----------
    task : PowerLawTask
    schedule : Schedule
        Every ``(lr, batch)`` pair must satisfy the stability condition of docs/theory.md §2.

    Returns
    -------
    LossCurve
        ``risk[k] = E_k`` with steps/data/time axes from the schedule.

    Notes
    -----
    Cost O(M) per step: a compiled (numba) loop, two steps per pass over the modes,
    ~8e9 mode-steps/s on one core at 10^4 modes (benchmarks/bench_exact.py).
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
    """
    _validate(task, schedule)
    lrs, bs, counts = schedule.runs()
    out = np.empty(schedule.n_steps + 1)
    _exact_risk_kernel(
        task.lambdas, task.theta_star**2, lrs, bs.astype(np.float64), counts, 0, lrs.size,
        task.sigma**2, out, 0,
    )
    _check_finite(out, f"exact engine on {schedule}")
    return LossCurve.from_schedule(out, schedule, engine="exact")


def exact_risk_many(task: PowerLawTask, schedules: Sequence[Schedule]) -> list[LossCurve]:
    """:func:`exact_risk` for many schedules at once, in parallel over all cores.

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
    schedules = list(schedules)
    if not schedules:
        return []
    for sch in schedules:
        _validate(task, sch)
    order = sorted(range(len(schedules)), key=lambda i: -schedules[i].n_steps)
    runs = [schedules[i].runs() for i in order]
    run_lr = np.concatenate([r[0] for r in runs])
    run_b = np.concatenate([r[1] for r in runs]).astype(np.float64)
    run_n = np.concatenate([r[2] for r in runs])
    run_off = np.concatenate(([0], np.cumsum([r[0].size for r in runs]))).astype(np.int64)
    sizes = [schedules[i].n_steps + 1 for i in order]
    out_off = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    out = np.empty(int(out_off[-1]))
    with numba.parallel_chunksize(1):  # dynamic hand-out, one schedule at a time
        _exact_risk_many_kernel(
            task.lambdas, task.theta_star**2, run_lr, run_b, run_n, run_off, out_off,
            task.sigma**2, out,
        )
    curves: list[LossCurve | None] = [None] * len(schedules)
    for slot, i in enumerate(order):
        risk = out[out_off[slot]:out_off[slot + 1]].copy()
        _check_finite(risk, f"exact engine on {schedules[i]}")
        curves[i] = LossCurve.from_schedule(risk, schedules[i], engine="exact")
    return curves  # type: ignore[return-value]

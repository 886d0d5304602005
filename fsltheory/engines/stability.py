"""Stability of the exact recursion at constant ``(η, B)`` (docs/theory.md §2, C-STABLE).

The map of :mod:`fsltheory.engines.exact` is stable iff ``max_j a_j < 1`` and
``q = Σ_j (η/B) λ_j / (2 − η λ_j (1 + 1/B)) < 1``; then the stationary excess risk is
``E_∞ = ½ σ² q / (1 − q)``.  This module holds ``q`` (:func:`stability_q`), the largest
stable learning rate (:func:`max_stable_lr`), the check every engine runs on a schedule
(:func:`check_stability`) and ``E_∞`` (:func:`stationary_risk`).  The names are re-exported
by :mod:`fsltheory.engines.exact`.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError, UnstableScheduleError, check_range
from ..schedule import Schedule
from ..task import PowerLawTask

__all__ = [
    "max_stable_lr",
    "stability_q",
    "stationary_risk",
    "check_stability",
]


def _check_task(task) -> None:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")


def stability_q(task: PowerLawTask, lr: float, batch: float) -> float:
    """``q(η, B) = Σ_j (η/B) λ_j / (2 − η λ_j (1 + 1/B))`` of docs/theory.md §2 (``inf`` once
    ``max_j a_j ≥ 1``)."""
    _check_task(task)
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
    _check_task(task)
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
    :mod:`fsltheory.schedule` produces.  It is applied once, so it cannot make the risk
    diverge, but an unstable one can still multiply it: the engines
    (:func:`~fsltheory.engines.exact.exact_risk`,
    :func:`~fsltheory.engines.exact.exact_risk_many`,
    :func:`~fsltheory.engines.exact.exact_moments`, the sgd engine) therefore also run
    :func:`fsltheory.engines.guards.check_final_step`, which refuses an unstable last step.

    A smooth segment (LR from a profile, docs/theory.md §7) is checked at its largest LR:
    ``q`` increases with ``η`` and the profile is monotone on every smooth segment.
    """
    seg = schedule.segments()
    lrs, bs, counts = schedule.segment_max_lr(), seg.batch, seg.count
    keep = np.ones(counts.size, dtype=bool)
    last = counts.size - 1
    if last > 0 and counts[last] == 1 and bs[last] < bs.max():
        keep[last] = False
    # q increases with η, so each batch size is stable iff its largest lr is: one q per
    # distinct batch instead of one per segment (a per-step LR table has one segment a step)
    for b in np.unique(bs[keep]).tolist():
        e = float(lrs[keep & (bs == b)].max())
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

"""Checks the engines' own stability test leaves out (docs/theory.md §2).

:func:`fsltheory.engines.stability.check_stability` exempts a schedule's last step when it is
a lone partial batch.  That step is applied only once, but one unstable step can still
multiply the risk many times over: at β = 2, s = 0.25, M = 1000, ``const:64`` with
``lr = 0.95 × max_stable_lr(64)`` ends 11.8× higher with a budget of ``64·200 + 1`` than
with ``64·200`` (the one extra sample is a batch of 1 at an lr three times its stable
limit), and a per-step lr array ending in ``1e100`` returns a risk of ``1e200``.
:func:`check_final_step` refuses such schedules with one line saying what to change.
"""

from __future__ import annotations

from ..errors import InvalidParameterError, UnstableScheduleError
from ..schedule import Schedule
from ..task import PowerLawTask
from .stability import max_stable_lr, stability_q

__all__ = ["check_final_step"]


def check_final_step(task: PowerLawTask, schedule: Schedule) -> None:
    """Raise :class:`UnstableScheduleError` if the schedule's last run — in particular a
    final partial batch — uses an ``(lr, batch)`` pair outside the stability region of
    docs/theory.md §2 (``q(η, B) < 1``).

    Examples
    --------
    >>> from fsltheory import PowerLawTask, Schedule, max_stable_lr
    >>> task = PowerLawTask(2.0, 0.25, modes=1000)
    >>> lr = 0.95 * max_stable_lr(task, 64)
    >>> check_final_step(task, Schedule.constant(64, 64 * 200, lr))  # whole batches: fine
    >>> check_final_step(task, Schedule.constant(64, 64 * 200 + 1, lr))
    Traceback (most recent call last):
    ...
    fsltheory.errors.UnstableScheduleError: the final partial batch (1 sample at lr=1.8421) ...
    """
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    if not isinstance(schedule, Schedule):
        raise InvalidParameterError(
            f"schedule must be a Schedule, got {type(schedule).__name__}")
    if hasattr(schedule, "segments"):  # run-length storage: no per-step arrays
        seg = schedule.segments()
        bs, counts = seg.batch, seg.count
        eta = float(schedule.lr_at([schedule.n_steps - 1])[0])
    else:  # pragma: no cover - per-step schedules
        _, bs, counts = schedule.runs()
        eta = float(schedule.lr[-1])
    b = int(bs[-1])
    if stability_q(task, eta, b) < 1.0:
        return
    partial = counts.size > 1 and int(counts[-1]) == 1 and b < int(bs.max())
    what = (f"the final partial batch ({b} sample{'s' if b > 1 else ''} at lr={eta:g})"
            if partial else f"the last step (batch {b} at lr={eta:g})")
    raise UnstableScheduleError(
        f"{what} is unstable (docs/theory.md §2 needs q < 1; the largest stable lr for "
        f"batch {b} is "
        f"{max_stable_lr(task, b):.6g}) and would inflate the final risk; use a budget "
        "that is a multiple of the last batch size, or a smaller lr"
    )

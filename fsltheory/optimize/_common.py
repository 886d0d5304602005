"""Shared validation and progress helpers of :mod:`fsltheory.optimize` (docs/theory.md §5)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import numpy as np

from ..engines.exact import max_stable_lr, stability_q
from ..errors import (
    InvalidParameterError,
    UnstableScheduleError,
    check_int_range,
    check_memory,
    check_range,
)
from ..task import PowerLawTask

MODELS = ("fsl", "volterra", "exact")


def _progress(total: int | None, desc: str, enabled: bool | None):
    """A tqdm bar on stderr; ``enabled=None`` means "only if stderr is a terminal"."""
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, desc=desc, file=sys.stderr, disable=not enabled, leave=False)


def _check_model(model: str) -> str:
    if model not in MODELS:
        raise InvalidParameterError(f"model must be one of {list(MODELS)}, got {model!r}")
    if model == "volterra":
        _volterra_engine()
    return model


def _volterra_engine() -> Callable:
    try:
        from ..engines.volterra import volterra_risk
    except ImportError:
        raise InvalidParameterError(
            "model 'volterra' needs the Volterra engine (fsltheory.engines.volterra), which "
            "is not available in this build; use model 'fsl' or 'exact'"
        ) from None
    return volterra_risk


def _check_task(task: PowerLawTask) -> PowerLawTask:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    if task.sigma <= 0:
        raise InvalidParameterError(
            f"task.sigma must be in (0, inf) for batch-size scheduling "
            f"(docs/theory.md §5 is about the "
            f"noise-dominated regime), got {task.sigma!r}"
        )
    return task


def _check_stable(task: PowerLawTask, lr: float, batch: int, name: str) -> None:
    if stability_q(task, lr, batch) >= 1.0:
        raise UnstableScheduleError(
            f"lr={lr:g} is unstable for {name}={batch} "
            f"(docs/theory.md §2 needs q < 1): lr must be in "
            f"(0, {max_stable_lr(task, batch):.6g}) for batch {batch}"
        )


def _validate_opt(task, budget, lr, b_min, b_max):
    """Validated ``(task, budget, lr, b_min, b_max)`` of the continuous problem."""
    task = _check_task(task)
    budget = check_int_range("budget", budget, 1, None)
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    b_min = check_int_range("b_min", b_min, 1, None)
    if b_max is not None:
        b_max = check_int_range("b_max", b_max, 1, None)
        if b_max < b_min:
            raise InvalidParameterError(
                f"b_max must be >= b_min={b_min} (batch bounds b_min <= b <= b_max), "
                f"got b_max={b_max}"
            )
        if budget < b_max:
            raise InvalidParameterError(
                f"budget must be >= b_max={b_max} (at least one full batch), got {budget}"
            )
    if budget < b_min:
        raise InvalidParameterError(
            f"budget must be >= b_min={b_min} (at least one full batch), got {budget}"
        )
    _check_stable(task, lr, b_min, "b_min")
    return task, budget, lr, b_min, b_max


def _validate_batches(task, budget, lr, batches):
    """Validated ``(task, budget, lr, batches)`` of a staged problem (increasing batches)."""
    task = _check_task(task)
    budget = check_int_range("budget", budget, 1, None)
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    batches = [check_int_range(f"b{i + 1}", b, 1, None) for i, b in enumerate(batches)]
    for i in range(1, len(batches)):
        if batches[i] <= batches[i - 1]:
            raise InvalidParameterError(
                f"b{i + 1} must be > b{i}={batches[i - 1]} (stages use increasing batch "
                f"sizes), got {batches[i]}"
            )
    if budget < batches[-1]:
        raise InvalidParameterError(
            f"budget must be >= the largest batch {batches[-1]} (at least one full batch), "
            f"got {budget}"
        )
    _check_stable(task, lr, batches[0], "b1")
    return task, budget, lr, batches


def _sorted_budgets(budgets: Sequence[int]) -> np.ndarray:
    """Validated budgets (distinct integers >= 1, at least two), sorted ascending, for a
    scaling fit (a repeated budget would count twice in the slope, or leave one point)."""
    if isinstance(budgets, (str, bytes)) or not hasattr(budgets, "__iter__"):
        raise InvalidParameterError(
            f"budgets must be a sequence of integers, got {type(budgets).__name__}")
    out = np.array(sorted(check_int_range("budget", b, 1, None) for b in budgets))
    if out.size < 2:
        raise InvalidParameterError(f"budgets needs at least 2 values, got {out.size}")
    dup = out[1:][out[1:] == out[:-1]]
    if dup.size:
        raise InvalidParameterError(
            f"budgets must be distinct for a scaling fit, got duplicate "
            f"{', '.join(str(int(d)) for d in np.unique(dup))}")
    return out


#: Bytes per step of the per-step schedules the optimisers build (lr and batch arrays,
#: the interpolation temporaries of the rounding, the run-length form; float64/int64).
STEP_BYTES = 128


def _check_steps(n_steps: float, budget: int, copies: int = 1) -> None:
    """Refuse, before allocating, per-step schedules of ``n_steps`` steps whose arrays
    exceed the memory limit (:func:`fsltheory.errors.check_memory`; the budget sets the
    number of steps)."""
    check_memory("budget", float(n_steps) * STEP_BYTES * copies, value=budget)


def _slope(x, y) -> float:
    """Least-squares slope of ``log y`` against ``log x``."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(lx, ly, 1)[0])

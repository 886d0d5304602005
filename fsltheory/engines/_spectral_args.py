"""Argument checks shared by the spectral modules (:mod:`fsltheory.engines.spectral`,
:mod:`~fsltheory.engines.spectral_mp`, :mod:`~fsltheory.engines.spectral_asymptotic`):
the task type and the evaluation points ``t, u ≥ 0`` (docs/theory.md §3)."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ..task import PowerLawTask


def _check_task(task) -> PowerLawTask:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    return task


def _points(name: str, x) -> np.ndarray:
    """Validate an array of evaluation points: finite and ≥ 0."""
    try:
        a = np.atleast_1d(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} must be real numbers in [0, inf), got {x!r}"
        ) from None
    bad = ~np.isfinite(a) | (a < 0)
    if np.any(bad):
        v = a[bad].flat[0]
        raise InvalidParameterError(f"{name} must be finite and in [0, inf), got {v!r}")
    return a

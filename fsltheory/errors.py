"""Exceptions raised by fsltheory.

Every validation error is a :class:`ValueError` subclass whose message names the
offending parameter and its allowed range, so the CLI can print it as one line.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "FSLError",
    "InvalidParameterError",
    "UnstableScheduleError",
    "DivergenceError",
    "check_finite",
    "check_range",
    "check_int_range",
]


class FSLError(Exception):
    """Base class of all errors raised deliberately by fsltheory."""


class InvalidParameterError(FSLError, ValueError):
    """A parameter is outside its allowed range (the message names both)."""


class UnstableScheduleError(FSLError, ValueError):
    """A (learning rate, batch) pair violates the stability condition of docs/theory.md §2."""


class DivergenceError(FSLError, RuntimeError):
    """A simulation diverged; the message says at which step and why."""


def _interval(low, high, low_open: bool, high_open: bool) -> str:
    lb = "(" if (low is None or low_open) else "["
    rb = ")" if (high is None or high_open) else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{lb}{lo}, {hi}{rb}"


def check_finite(name: str, value: float, allowed: str = "") -> float:
    """Return ``float(value)`` or raise if it is not a finite real number.

    ``allowed`` (e.g. ``" in (1, inf)"``) is appended to the message.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} must be a real number{allowed}, got {value!r}"
        ) from None
    if not math.isfinite(v):
        raise InvalidParameterError(f"{name} must be finite{allowed}, got {value!r}")
    return v


def check_range(
    name: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Validate ``low (<|<=) value (<|<=) high`` and return the value as a float.

    The error message states the allowed range in interval notation:

    >>> check_range("beta", 2, 1.0, None, low_open=True)
    2.0
    >>> check_range("beta", 0.5, 1.0, None, low_open=True)
    Traceback (most recent call last):
    ...
    fsltheory.errors.InvalidParameterError: beta must be in (1, inf), got 0.5
    >>> check_range("s", float("nan"), 0.0, None, low_open=True)
    Traceback (most recent call last):
    ...
    fsltheory.errors.InvalidParameterError: s must be finite and in (0, inf), got nan
    """
    interval = _interval(low, high, low_open, high_open)
    v = check_finite(name, value, f" and in {interval}")
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if not (lo_ok and hi_ok):
        raise InvalidParameterError(f"{name} must be in {interval}, got {value!r}")
    return v


def check_int_range(name: str, value: int, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer parameter ``low <= value <= high`` and return it as ``int``.

    >>> check_int_range("modes", 2.5, 1)
    Traceback (most recent call last):
    ...
    fsltheory.errors.InvalidParameterError: modes must be an integer in [1, inf], got 2.5
    """
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    err = InvalidParameterError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    if isinstance(value, bool):
        raise err
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise err from None
    if not math.isfinite(f) or f != int(f):
        raise err
    v = int(value) if isinstance(value, (int, np.integer)) else int(f)
    if (low is not None and v < low) or (high is not None and v > high):
        raise err
    return v

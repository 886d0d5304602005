"""Exceptions raised by fsltheory.

Every validation error is a :class:`ValueError` subclass whose message names the
offending parameter and its allowed range, so the CLI can print it as one line.
"""

from __future__ import annotations

import math

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
    """A (learning rate, batch) pair violates the stability condition of spec §2."""


class DivergenceError(FSLError, RuntimeError):
    """A simulation diverged; the message says at which step and why."""


def check_finite(name: str, value: float) -> float:
    """Return ``float(value)`` or raise if it is not a finite real number."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v):
        raise InvalidParameterError(f"{name} must be finite, got {value!r}")
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
    """
    v = check_finite(name, value)
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if not (lo_ok and hi_ok):
        lb = "(" if (low is None or low_open) else "["
        rb = ")" if (high is None or high_open) else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise InvalidParameterError(f"{name} must be in {lb}{lo}, {hi}{rb}, got {value!r}")
    return v


def check_int_range(name: str, value: int, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer parameter ``low <= value <= high`` and return it as ``int``."""
    if isinstance(value, bool):
        raise InvalidParameterError(f"{name} must be an integer, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be an integer, got {value!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise InvalidParameterError(f"{name} must be an integer, got {value!r}")
    v = int(f)
    if (low is not None and v < low) or (high is not None and v > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise InvalidParameterError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return v

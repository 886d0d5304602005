"""Exceptions raised by fsltheory.

Every validation error is a :class:`ValueError` subclass whose message names the
offending parameter and its allowed range, so the CLI can print it as one line.
"""

from __future__ import annotations

import math
import os

import numpy as np

__all__ = [
    "FSLError",
    "InvalidParameterError",
    "UnstableScheduleError",
    "DivergenceError",
    "check_finite",
    "check_range",
    "check_int_range",
    "check_memory",
    "memory_limit",
    "MEMORY_LIMIT_ENV",
]

#: Environment variable overriding the memory limit of :func:`check_memory` (bytes; the
#: suffixes K, M, G, T are accepted, e.g. ``FSLTHEORY_MEMORY_LIMIT=16G``).
MEMORY_LIMIT_ENV = "FSLTHEORY_MEMORY_LIMIT"


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
        if isinstance(value, str) and not value.isascii():
            raise ValueError(value)  # float() would accept non-ASCII digits such as '٣'
        v = float(value)
    except (TypeError, ValueError, OverflowError):
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
    if isinstance(value, bool) or (isinstance(value, str) and not value.isascii()):
        raise err
    if isinstance(value, (int, np.integer)):
        v = int(value)  # exact, however large (float() would overflow or round)
        if (low is not None and v < low) or (high is not None and v > high):
            raise err
        return v
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        raise err from None
    if not math.isfinite(f) or f != int(f):
        raise err
    v = int(value) if isinstance(value, (int, np.integer)) else int(f)
    if (low is not None and v < low) or (high is not None and v > high):
        raise err
    return v


def _parse_bytes(text: str) -> int:
    t = text.strip().upper().removesuffix("B")
    mult = 1
    if t and t[-1] in "KMGT":
        mult = 1024 ** ("KMGT".index(t[-1]) + 1)
        t = t[:-1]
    if not t.isascii():
        raise ValueError(text)
    v = float(t) * mult
    if not math.isfinite(v) or v <= 0:
        raise ValueError(text)
    return int(v)


def memory_limit() -> int:
    """Bytes one call may allocate: ``$FSLTHEORY_MEMORY_LIMIT`` if set, else half of the
    physical memory (at least 1 GiB; 8 GiB if the size cannot be read)."""
    env = os.environ.get(MEMORY_LIMIT_ENV)
    if env:
        try:
            return _parse_bytes(env)
        except ValueError:
            raise InvalidParameterError(
                f"{MEMORY_LIMIT_ENV} must be a positive size in bytes (suffix K/M/G/T "
                f"allowed), got {env!r}"
            ) from None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30
    return max(1 << 30, total // 2)


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if abs(n) < 1024 or unit == "EiB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.3g} EiB"  # pragma: no cover


def check_memory(name: str, nbytes: float, limit: int | None = None, *,
                 value: object = None) -> int:
    """Refuse, before allocating, a call whose memory estimate ``nbytes`` exceeds ``limit``
    (default :func:`memory_limit`).  ``name`` (and ``value``) name the parameter that sets
    the size; returns ``int(nbytes)``.

    >>> check_memory("modes", 8 * 10**3, limit=1 << 20)
    8000
    >>> check_memory("modes", 8 * 10**12, limit=1 << 30, value=10**12)
    Traceback (most recent call last):
    ...
    fsltheory.errors.InvalidParameterError: modes=1000000000000 needs about 7.28 TiB of \
memory, above the limit 1 GiB (set FSLTHEORY_MEMORY_LIMIT to change it)
    """
    lim = memory_limit() if limit is None else int(limit)
    try:
        n = float(nbytes)
    except (TypeError, ValueError):
        raise TypeError(f"nbytes must be a number of bytes, got {nbytes!r}") from None
    if not math.isfinite(n) or n > lim:
        what = name if value is None else f"{name}={value}"
        need = "more memory than can be addressed" if not math.isfinite(n) else \
            f"about {_fmt_bytes(n)} of memory"
        raise InvalidParameterError(
            f"{what} needs {need}, above the limit {_fmt_bytes(lim)} "
            f"(set {MEMORY_LIMIT_ENV} to change it)"
        )
    return int(n)

"""Argument helpers shared by the sub-commands.

Numbers on the command line are ASCII only: Python's ``int``/``float`` accept any Unicode
decimal digits (``'١٠٠'`` is 100), which a shell user cannot see is not ``100``; the
types below refuse them with one line naming the flag.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, check_memory
from ..lr import LR_GRAMMAR, LRProfile
from ..schedule import MAX_BUDGET as _SCHEDULE_MAX_BUDGET
from ..task import PowerLawTask

__all__ = [
    "DEFAULT_MODES",
    "BYTES_PER_STEP",
    "add_task_args",
    "task_from_args",
    "print_json",
    "jsonable",
    "int_arg",
    "float_arg",
    "parse_int",
    "check_steps_memory",
    "HelpFormatter",
    "parse_budget",
    "budget_arg",
    "lr_schedule_arg",
    "add_lr_schedule_arg",
    "MAX_BUDGET",
]

#: One default number of modes for every command (the docs/theory.md §5 example task).
DEFAULT_MODES = 4000

#: Memory per SGD step of a per-step schedule and its loss curve: lr, batch, the
#: step/data/time axes, the risk and the temporaries of ``Schedule.runs`` (float64/int64).
BYTES_PER_STEP = 128

_INT_RE = re.compile(r"[+-]?[0-9]+")
_SCI_RE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?[eE]\+?[0-9]+")
_POW_RE = re.compile(r"([0-9]+)\*\*([0-9]+)")


#: Largest data budget accepted on the command line: the library's own limit
#: (:data:`fsltheory.schedule.MAX_BUDGET` = 2**62; sample counts are int64).
MAX_BUDGET = _SCHEDULE_MAX_BUDGET


def parse_budget(text: str | int, name: str = "budget") -> int:
    """A positive integer sample count written as ``131072``, ``1_000_000``, ``1e12``,
    ``2.5e9`` or ``2**40`` (ASCII digits only; the value must be a whole number).

    >>> parse_budget("1e12"), parse_budget("2**40"), parse_budget("2.5e3")
    (1000000000000, 1099511627776, 2500)
    >>> parse_budget("1.5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fsltheory.errors.InvalidParameterError: budget must be an integer in [1, 2**62] ...
    """
    err = InvalidParameterError(
        f"{name} must be an integer in [1, 2**62] (e.g. 131072, 1e12, 2**40), got {text!r}")
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        v = int(text)
    elif isinstance(text, str):
        t = text.strip()
        if not t.isascii():
            raise err
        m = re.fullmatch(r"([0-9]+)\*\*([0-9]+)", t)
        if m:
            base, exp = int(m.group(1)), int(m.group(2))
            if base == 0 or (base > 1 and exp > 64):
                raise err
            v = base**exp
        elif re.fullmatch(r"[0-9]+(_[0-9]+)*", t):
            v = int(t)
        elif re.fullmatch(r"[0-9]+(\.[0-9]*)?[eE]\+?[0-9]+", t):
            try:
                d = Decimal(t)
            except InvalidOperation:  # pragma: no cover - the regex admits decimals only
                raise err from None
            if d.adjusted() > 19 or d != d.to_integral_value():
                raise err
            v = int(d)
        else:
            raise err
    else:
        raise err
    if not 1 <= v <= MAX_BUDGET:
        raise err
    return v


def budget_arg(text: str) -> int:
    """argparse ``type=`` for ``--budget`` (:func:`parse_budget`)."""
    try:
        return parse_budget(text)
    except InvalidParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def lr_schedule_arg(text: str) -> LRProfile:
    """argparse ``type=`` for ``--lr-schedule`` (:meth:`LRProfile.parse`)."""
    try:
        return LRProfile.parse(text)
    except InvalidParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_lr_schedule_arg(p: argparse.ArgumentParser, default: str = "const") -> None:
    """Add ``--lr-schedule SPEC`` (docs/theory.md §7); ``--lr`` stays the peak LR."""
    p.add_argument("--lr-schedule", type=lr_schedule_arg, default=default,
                   metavar="SPEC",
                   help=f"LR profile over the data fraction, --lr is its peak: {LR_GRAMMAR}")


def parse_int(text: str) -> int:
    """Parse an integer written in ASCII as ``123``, ``1e12`` (an exact integer) or
    ``2**40``; raises :class:`ValueError` for anything else (non-ASCII digits included).

    >>> parse_int("131072"), parse_int("1e12"), parse_int("2**40")
    (131072, 1000000000000, 1099511627776)
    >>> parse_int("1.5e0")
    Traceback (most recent call last):
    ...
    ValueError: not an integer: '1.5e0'
    """
    t = str(text).strip()
    if not t.isascii():
        raise ValueError(f"not an ASCII integer: {text!r}")
    if _INT_RE.fullmatch(t):
        return int(t)
    if _SCI_RE.fullmatch(t):
        mant, exp = re.split("[eE]", t)
        if int(exp) > 400:
            raise ValueError(f"exponent too large: {text!r}")
        from fractions import Fraction

        v = Fraction(mant) * 10 ** int(exp)
        if v.denominator == 1:
            return int(v)
        raise ValueError(f"not an integer: {text!r}")
    m = _POW_RE.fullmatch(t)
    if m:
        base, exp = int(m.group(1)), int(m.group(2))
        if exp * math.log2(max(base, 2)) > 1300:
            raise ValueError(f"too large: {text!r}")
        return base**exp
    raise ValueError(f"not an integer: {text!r}")


def int_arg(flag: str, forms: str = "an integer"):
    """argparse ``type=`` for an ASCII integer (``123``, ``1e6``, ``2**20``)."""

    def conv(text: str) -> int:
        try:
            return parse_int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{flag} must be {forms} written in ASCII digits (e.g. 1000, 1e6, 2**20), "
                f"got {text!r}"
            ) from None

    conv.__name__ = flag
    return conv


def float_arg(flag: str):
    """argparse ``type=`` for a real number written in ASCII (range checks come later,
    where the message can state the allowed interval)."""

    def conv(text: str) -> float:
        t = str(text).strip()
        try:
            if not t.isascii() or "_" in t:
                raise ValueError(t)
            return float(t)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{flag} must be a real number written in ASCII (e.g. 0.2, 1e-3), got {text!r}"
            ) from None

    conv.__name__ = flag
    return conv


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Appends ``(default: X)`` once: not for flags without a value (``None``/``False``),
    and not when the help text already states its default."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default is None or action.default is False or "default" in text:
            return text
        return super()._get_help_string(action)


def add_task_args(p: argparse.ArgumentParser, *, beta=2.0, s=0.25, sigma=1.0,
                  modes=DEFAULT_MODES):
    """Add ``--beta --s --sigma --modes`` (docs/theory.md §1)."""
    g = p.add_argument_group("task (docs/theory.md §1)")
    g.add_argument("--beta", type=float_arg("--beta"), default=beta,
                   help="capacity exponent β > 1")
    g.add_argument("--s", type=float_arg("--s"), default=s, help="source exponent s > 0")
    g.add_argument("--sigma", type=float_arg("--sigma"), default=sigma,
                   help="label noise 0 <= σ <= 1e100")
    g.add_argument("--modes", type=int_arg("--modes"), default=modes,
                   help="number of modes M >= 1")


def task_from_args(args: argparse.Namespace) -> PowerLawTask:
    return PowerLawTask(args.beta, args.s, sigma=args.sigma, modes=args.modes)


def check_steps_memory(budget: int, min_batch: int, copies: int = 1,
                       name: str = "budget") -> None:
    """Refuse up front a run whose per-step arrays (``≈ budget/min_batch`` steps, each
    :data:`BYTES_PER_STEP` bytes, ``copies`` schedules alive at once) do not fit."""
    steps = -(-int(budget) // max(1, int(min_batch))) + 1
    check_memory(name, float(steps) * BYTES_PER_STEP * copies, value=budget)


def jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays (recursively) to JSON types; non-finite floats -> None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


def print_json(obj: Any) -> None:
    """Print ``obj`` as one JSON object on one line (strict JSON: no NaN/Infinity)."""
    text = json.dumps(jsonable(obj), indent=None, allow_nan=False)
    sys.stdout.write(text + "\n")

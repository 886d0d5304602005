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
from typing import Any

import numpy as np

from ..errors import check_memory
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
]

#: One default number of modes for every command (the spec §5 example task).
DEFAULT_MODES = 4000

#: Memory per SGD step of a per-step schedule and its loss curve: lr, batch, the
#: step/data/time axes, the risk and the temporaries of ``Schedule.runs`` (float64/int64).
BYTES_PER_STEP = 128

_INT_RE = re.compile(r"[+-]?[0-9]+")
_SCI_RE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?[eE]\+?[0-9]+")
_POW_RE = re.compile(r"([0-9]+)\*\*([0-9]+)")


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
    """Add ``--beta --s --sigma --modes`` (spec §1)."""
    g = p.add_argument_group("task (spec §1)")
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

"""Argument helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..lr import LR_GRAMMAR, LRProfile
from ..task import PowerLawTask

__all__ = ["add_task_args", "task_from_args", "print_json", "jsonable", "parse_budget",
           "budget_arg", "lr_schedule_arg", "add_lr_schedule_arg", "MAX_BUDGET"]

#: Largest data budget accepted on the command line (sample counts are int64).
MAX_BUDGET = 2**62


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


def add_task_args(p: argparse.ArgumentParser, *, beta=2.0, s=0.25, sigma=1.0, modes=4000):
    """Add ``--beta --s --sigma --modes`` (docs/theory.md §1)."""
    g = p.add_argument_group("task (docs/theory.md §1)")
    g.add_argument("--beta", type=float, default=beta, help="capacity exponent β > 1")
    g.add_argument("--s", type=float, default=s, help="source exponent s > 0")
    g.add_argument("--sigma", type=float, default=sigma, help="label noise σ >= 0")
    g.add_argument("--modes", type=int, default=modes, help="number of modes M >= 1")


def task_from_args(args: argparse.Namespace) -> PowerLawTask:
    return PowerLawTask(args.beta, args.s, sigma=args.sigma, modes=args.modes)


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
    json.dump(jsonable(obj), sys.stdout, indent=None)
    sys.stdout.write("\n")

"""Argument helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np

from ..task import PowerLawTask

__all__ = ["add_task_args", "task_from_args", "print_json", "jsonable"]


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

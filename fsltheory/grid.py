"""Grid specifications of a sweep: TOML (or dict) → independent jobs.

A grid has sections (``[task]``, ``[run]``, …) of keys; a key whose value is a list is
swept, a scalar is fixed, and the jobs are the Cartesian product of the lists, in file
order (the first swept key varies slowest).  Key names are unique across sections: the
result table has one column per key, named by the key alone.

For the default job (one loss curve, :func:`simulate_job`) the known keys are

=========  ===============  ======================================================
section    key              meaning (default)
=========  ===============  ======================================================
task       beta, s          exponents of docs/theory.md §1 (required)
task       sigma, modes     label noise σ (1.0), number of modes M (1000)
run        budget           data budget D in samples (required)
run        schedule         batch schedule string, e.g. ``const:4``,
                            ``switch:4,64@0.9`` (required)
run        engine           ``exact`` | ``volterra`` | ``sgd`` (``exact``)
run        lr               peak learning rate (0.2)
run        lr_schedule      LR profile, e.g. ``cosine``, ``wsd:0.2`` (constant)
run        seeds            averaged runs of the ``sgd`` engine (64)
run        seed             replicate label (any integer ≥ 0)
=========  ===============  ======================================================

Example
-------
>>> g = Grid.from_dict({"task": {"beta": [2.0, 3.0], "s": 0.5},
...                     "run": {"budget": 1024, "schedule": ["const:4", "const:8"]}})
>>> g.keys, g.swept, len(g)
(('beta', 's', 'budget', 'schedule'), ('beta', 'schedule'), 4)
>>> g.jobs()[1]
{'beta': 2.0, 's': 0.5, 'budget': 1024, 'schedule': 'const:8'}
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidParameterError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

__all__ = ["Grid", "load_grid", "validate_simulate", "SIMULATE_KEYS", "REQUIRED", "PROVENANCE",
           "RESERVED"]

# Columns the sweep adds to every row (besides the grid keys and the job's results).
PROVENANCE = ("error", "seconds", "cpu_seconds", "job_seed", "grid_hash", "version", "host",
              "pid", "worker")
RESERVED = ("job", *PROVENANCE)

# Known keys of the default job: section -> key -> default (REQUIRED keys have none).
SIMULATE_KEYS: dict[str, dict[str, Any]] = {
    "task": {"beta": None, "s": None, "sigma": 1.0, "modes": 1000},
    "run": {"engine": "exact", "lr": 0.2, "budget": None, "schedule": None,
            "lr_schedule": None, "seeds": 64, "seed": 0},
}
REQUIRED = ("beta", "s", "budget", "schedule")

_SCALAR = (bool, int, float, str)


def _where(section: str, key: str) -> str:
    return f"grid key '{section}.{key}'" if section else f"grid key '{key}'"


@dataclass(frozen=True)
class Grid:
    """A parsed grid: ``sections`` maps section → key → scalar or non-empty list.

    Build with :meth:`from_dict` or :meth:`from_toml` (or :func:`load_grid`), which check
    the structure and name the offending key in any error.
    """

    sections: dict[str, dict[str, Any]]

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Grid:
        """Grid from nested ``{section: {key: value}}`` (top-level scalars or lists are
        keys of the unnamed section ``""``)."""
        if isinstance(spec, Grid):
            return spec
        if not isinstance(spec, Mapping):
            raise InvalidParameterError(
                f"grid must be a mapping of sections, a TOML path or a Grid, got {spec!r}"
            )
        sections: dict[str, dict[str, Any]] = {}
        seen: dict[str, str] = {}
        top = {k: v for k, v in spec.items() if not isinstance(v, Mapping)}
        parts = ([("", top)] if top else []) + [
            (str(k), v) for k, v in spec.items() if isinstance(v, Mapping)
        ]
        for section, body in parts:
            sec: dict[str, Any] = {}
            for key, value in body.items():
                key = str(key)
                where = _where(section, key)
                if isinstance(value, Mapping):
                    raise InvalidParameterError(
                        f"{where}: nested tables are not allowed (sections are one level)"
                    )
                if key in RESERVED:
                    raise InvalidParameterError(
                        f"{where}: the name is reserved for a result column "
                        f"({', '.join(RESERVED)})"
                    )
                if key in seen:
                    raise InvalidParameterError(
                        f"{where}: key also given in section '{seen[key]}' "
                        "(keys name the table's columns and must be unique)"
                    )
                seen[key] = section
                sec[key] = _check_value(where, value)
            sections[section] = sec
        if not seen:
            raise InvalidParameterError("grid has no keys (expected e.g. [task] and [run])")
        return cls(sections)

    @classmethod
    def from_toml(cls, path: str | Path) -> Grid:
        """Grid from a TOML file (errors name the file and the key)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidParameterError(
                f"grid file {str(path)!r} cannot be read ({exc.strerror})"
            ) from None
        try:
            spec = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidParameterError(f"grid file {str(path)!r} is not valid TOML: {exc}") \
                from None
        return cls.from_dict(spec)

    # ------------------------------------------------------------------ views
    def flat(self) -> dict[str, Any]:
        """All keys, sections dropped, in file order."""
        return {k: v for sec in self.sections.values() for k, v in sec.items()}

    @property
    def keys(self) -> tuple[str, ...]:
        """Column names of the grid keys, in file order."""
        return tuple(self.flat())

    @property
    def swept(self) -> tuple[str, ...]:
        """Keys whose value is a list."""
        return tuple(k for k, v in self.flat().items() if isinstance(v, list))

    def section_of(self, key: str) -> str:
        for name, sec in self.sections.items():
            if key in sec:
                return name
        raise KeyError(key)

    def __len__(self) -> int:
        return math.prod(len(v) for v in self.flat().values() if isinstance(v, list))

    def jobs(self) -> list[dict[str, Any]]:
        """The parameter dict of every job: the Cartesian product of the lists (first
        swept key slowest), scalars fixed."""
        flat = self.flat()
        names = list(flat)
        axes = [v if isinstance(v, list) else [v] for v in flat.values()]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]

    def canonical(self) -> str:
        """Canonical JSON of the grid (key order kept: it fixes the job order)."""
        return json.dumps(self.sections, separators=(",", ":"), allow_nan=True)

    def hash(self, fn_name: str = "") -> str:
        """16 hex digits of SHA-256 over the canonical grid and the job function's name."""
        h = hashlib.sha256((self.canonical() + "\n" + fn_name).encode("utf-8"))
        return h.hexdigest()[:16]


def _check_value(where: str, value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if not value:
            raise InvalidParameterError(f"{where}: a list must hold at least one value")
        for v in value:
            if not isinstance(v, _SCALAR) or isinstance(v, Mapping):
                raise InvalidParameterError(
                    f"{where}: list items must be numbers or strings, got {v!r}"
                )
        return [_plain(v) for v in value]
    if not isinstance(value, _SCALAR):
        # numpy scalars are accepted through their Python value
        item = getattr(value, "item", None)
        if item is None or not isinstance(item(), _SCALAR):
            raise InvalidParameterError(
                f"{where}: value must be a number, a string or a list of them, got {value!r}"
            )
        value = item()
    return _plain(value)


def _plain(v: Any) -> Any:
    item = getattr(v, "item", None)
    return item() if item is not None and not isinstance(v, _SCALAR) else v


def load_grid(grid: Grid | Mapping[str, Any] | str | Path) -> Grid:
    """A :class:`Grid` from a Grid, a dict or a TOML path."""
    if isinstance(grid, Grid):
        return grid
    if isinstance(grid, (str, Path)):
        return Grid.from_toml(grid)
    return Grid.from_dict(grid)


# ---------------------------------------------------------------------------- default job
def validate_simulate(grid: Grid) -> None:
    """Check a grid for the default job: known sections and keys, required keys present,
    every value valid (each error names its key and the allowed range)."""
    for section, body in grid.sections.items():
        if section == "":
            raise InvalidParameterError(
                f"{_where('', next(iter(body)))} must be inside a section: "
                + " or ".join(f"[{s}]" for s in SIMULATE_KEYS)
            )
        if section not in SIMULATE_KEYS:
            raise InvalidParameterError(
                f"grid section '[{section}]' is not known; expected one of "
                + ", ".join(f"[{s}]" for s in SIMULATE_KEYS)
            )
        for key in body:
            if key not in SIMULATE_KEYS[section]:
                raise InvalidParameterError(
                    f"{_where(section, key)} is not known; known [{section}] keys: "
                    + ", ".join(SIMULATE_KEYS[section])
                )
    flat = grid.flat()
    for section, known in SIMULATE_KEYS.items():
        for key in known:
            if key in REQUIRED and key not in flat:
                raise InvalidParameterError(f"{_where(section, key)} is required")
    for key, value in flat.items():
        where = _where(grid.section_of(key), key)
        for v in value if isinstance(value, list) else [value]:
            try:
                _VALIDATORS[key](v)
            except InvalidParameterError as exc:
                raise InvalidParameterError(f"{where}: {exc}") from None


def _no_bool(name: str, v: Any) -> Any:
    if isinstance(v, bool):
        raise InvalidParameterError(f"{name} must be a number, got {v!r}")
    return v


def _check_engine(v: Any) -> None:
    from .engines import get_engine

    if not isinstance(v, str):
        raise InvalidParameterError(f"engine must be a string, got {v!r}")
    get_engine(v)


def _check_schedule(v: Any) -> None:
    from .schedule import SCHEDULE_GRAMMAR, Schedule

    if not isinstance(v, str):
        raise InvalidParameterError(f"schedule must be a string: {SCHEDULE_GRAMMAR}")
    spec = v
    # A budget large enough for any batch size in the string (digits after '@' only make
    # it larger) but small enough to build quickly: this checks the grammar and ranges.
    ints = [int(x) for x in re.findall(r"\d+", spec)] or [1]
    budget = 4 * (1 + max(ints))
    if budget <= 2**24:
        Schedule.parse(spec, budget, 1.0)


def _check_lr_schedule(v: Any) -> None:
    from .lr import LR_GRAMMAR, LRProfile

    if not isinstance(v, str):
        raise InvalidParameterError(f"lr_schedule must be a string: {LR_GRAMMAR}")
    LRProfile.parse(v)


def _check_positive_float(name: str, low_open: bool = True):
    from .errors import check_range

    return lambda v: check_range(name, _no_bool(name, v), 0.0, None, low_open=low_open)


def _check_int(name: str, low: int):
    from .errors import check_int_range

    return lambda v: check_int_range(name, v, low, None)


def _check_beta(v: Any) -> None:
    from .errors import check_range

    check_range("beta", _no_bool("beta", v), 1.0, None, low_open=True)


_VALIDATORS = {
    "beta": _check_beta,
    "s": _check_positive_float("s"),
    "sigma": _check_positive_float("sigma", low_open=False),
    "modes": _check_int("modes", 1),
    "engine": _check_engine,
    "lr": _check_positive_float("lr"),
    "budget": _check_int("budget", 1),
    "schedule": _check_schedule,
    "lr_schedule": _check_lr_schedule,
    "seeds": _check_int("seeds", 2),
    "seed": _check_int("seed", 0),
}

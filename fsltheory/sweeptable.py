"""The tidy result table of a sweep, and its CSV / Parquet files.

One row per job; columns ``job``, the grid keys, the job's results (e.g. ``final_risk``,
``steps``), then ``error``, ``seconds``, ``cpu_seconds`` and the provenance ``job_seed``,
``grid_hash``, ``version``, ``host``, ``pid``, ``worker``.  Files are always rewritten atomically
(:func:`fsltheory.io.atomic_open`), so a file on disk is always a complete table of the
jobs finished so far — which is what lets an interrupted sweep resume.

CSV floats are written with ``repr`` (shortest round-trip form), so reading a CSV back
gives bit-identical numbers.  Parquet needs ``pyarrow`` (``pip install -e ".[parquet]"``).
"""

from __future__ import annotations

import csv
import os
import re
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidParameterError
from .grid import PROVENANCE
from .io import atomic_open

__all__ = ["SweepTable", "read_table", "write_table", "check_out_path"]

FORMATS = (".csv", ".parquet")


@dataclass
class SweepTable:
    """Result of :func:`fsltheory.sweep`: ``rows`` (dicts, sorted by ``job``) with the
    column order ``columns``; ``keys`` are the grid-key columns, ``results`` the job's
    result columns."""

    rows: list[dict[str, Any]]
    keys: tuple[str, ...]
    results: tuple[str, ...]
    grid_hash: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return ["job", *self.keys, *self.results, *PROVENANCE]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def column(self, name: str) -> np.ndarray:
        """One column as an array (float64 for numbers, NaN where missing; object else)."""
        if name not in self.columns:
            raise InvalidParameterError(
                f"column must be one of {', '.join(self.columns)}; got {name!r}"
            )
        vals = [r.get(name) for r in self.rows]
        if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
               for v in vals):
            return np.array([np.nan if v is None else v for v in vals], dtype=np.float64)
        return np.array(vals, dtype=object)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Rows whose job raised (their ``error`` column holds the message)."""
        return [r for r in self.rows if r.get("error")]

    def values(self, columns: Sequence[str] | None = None) -> list[tuple]:
        """Rows as tuples of ``columns`` (default: job, keys and results — the columns
        that must not depend on where or when a job ran)."""
        cols = list(columns) if columns is not None else ["job", *self.keys, *self.results]
        return [tuple(r.get(c) for c in cols) for r in self.rows]

    def write(self, path: str | Path) -> Path:
        """Write the table to ``path`` (``.csv`` or ``.parquet``), atomically."""
        return write_table(path, self.rows, self.columns)

    def to_pandas(self):
        """The table as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def summary(self) -> str:
        """Jobs done / failed, time per job and where the jobs ran."""
        secs = [float(r["seconds"]) for r in self.rows if r.get("seconds") is not None]
        lines = [f"{len(self.rows)} jobs, {len(self.failed)} failed"
                 + (f", {self.meta['resumed']} resumed from the output file"
                    if self.meta.get("resumed") else "")
                 + (f"; wall {self.meta['wall']:.1f} s" if "wall" in self.meta else "")]
        if secs:
            cpu = sum(float(r.get("cpu_seconds") or 0.0) for r in self.rows)
            lines.append(
                f"seconds per job: median {statistics.median(secs):.3g}, mean "
                f"{statistics.fmean(secs):.3g}, max {max(secs):.3g}, total {sum(secs):.1f} "
                f"(CPU {cpu:.1f} s = {cpu / max(sum(secs), 1e-12):.0%} of it)"
            )
        where: dict[str, list[float]] = {}
        for r in self.rows:
            where.setdefault(str(r.get("worker")), []).append(float(r.get("seconds") or 0.0))
        for w, s in sorted(where.items()):
            lines.append(f"  {w}: {len(s)} jobs, {sum(s):.1f} s")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- files
def check_out_path(path: str | Path) -> Path:
    """Validate an output path: ``.csv`` or ``.parquet`` (the latter needs pyarrow), in an
    existing directory."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidParameterError(
            f"--out must end in .csv or .parquet, got {str(path)!r}"
        )
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise InvalidParameterError(
                f"--out {str(path)!r}: Parquet output needs pyarrow "
                "(pip install -e \".[parquet]\"), or write a .csv"
            ) from None
    if not path.resolve().parent.is_dir():
        raise InvalidParameterError(
            f"--out must be a file path in an existing directory, got {str(path)!r}"
        )
    return path


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


_INT = re.compile(r"[-+]?\d+")
# provenance columns that are text even when they look like numbers (a hash of digits)
_TEXT = frozenset({"error", "grid_hash", "version", "host", "worker"})


def _parse_cell(text: str) -> Any:
    if text == "":
        return None
    if _INT.fullmatch(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def write_table(path: str | Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) \
        -> Path:
    """Write ``rows`` (dicts) with ``columns`` to a CSV or Parquet file, atomically."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        data = {c: [r.get(c) for r in rows] for c in columns}
        arrays = {}
        for c, vals in data.items():
            if all(v is None for v in vals):  # typed, so that later rewrites agree
                text = c in ("error", "host", "worker", "version", "grid_hash")
                arrays[c] = pa.array(vals, type=pa.string() if text else pa.float64())
                continue
            try:
                arrays[c] = pa.array(vals)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: store as text
                arrays[c] = pa.array([None if v is None else str(v) for v in vals])
        table = pa.table(arrays)
        with atomic_open(path, "wb") as fh:
            pq.write_table(table, fh)
        return path
    with atomic_open(path, "w") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in columns])
    return path


def read_table(path: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of a table file written by :func:`write_table` (CSV cells parsed
    back to int / float / str; empty → None)."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return list(table.column_names), table.to_pylist()
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return [], []
        rows = []
        for line in reader:
            if len(line) != len(header):  # a torn line cannot occur (atomic writes); skip
                continue
            rows.append({c: (v or None) if c in _TEXT else _parse_cell(v)
                         for c, v in zip(header, line, strict=True)})
    return header, rows


def file_exists(path: str | Path) -> bool:
    return os.path.exists(path) and os.path.getsize(path) > 0

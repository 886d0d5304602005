"""Observed loss curves: the CSV files ``fit`` and ``predict`` read (docs/theory.md §7).

File format
-----------
One CSV with a header containing the columns ``run, step, lr, batch, loss`` (any order,
other columns ignored); several runs per file, rows of one run in increasing ``step``.

* ``step`` — integer ≥ 0, the number of updates done; the loss on that row is the loss
  after ``step`` updates, and ``lr``/``batch`` are the values used by update ``step``.
* Steps may be **sparse**: between two listed steps of a run the learning rate is
  interpolated **linearly** and the batch is **held** (piecewise constant, the value of the
  earlier row).  Before the first listed step the first row's values hold.
* A row with an **empty** ``loss`` carries schedule only — e.g. a warmup that was not
  logged: ``run,0,3e-7,256,`` and ``run,2159,3e-4,256,`` describe a linear warmup.
* A ``loss`` of ``nan`` is skipped (warning with the count); a row's ``lr`` must be > 0,
  ``batch`` an integer ≥ 1, steps strictly increasing within a run.  Any violation raises
  :class:`~fsltheory.errors.InvalidParameterError` with one line naming file, row (1-based
  line number) and column.

Example
-------
>>> import tempfile, os
>>> text = "run,step,lr,batch,loss\\na,0,0.1,4,\\na,10,0.1,4,0.5\\na,20,0.05,8,0.4\\n"
>>> path = os.path.join(tempfile.mkdtemp(), "c.csv")
>>> _ = open(path, "w").write(text)
>>> cs = load_curves(path)
>>> r = cs["a"]
>>> r.n_steps, r.obs_steps.tolist(), r.obs_loss.tolist()
(21, [10, 20], [0.5, 0.4])
>>> round(float(r.lr[15]), 12), int(r.batch[15])   # lr linear between rows, batch held
(0.075, 4)
"""

from __future__ import annotations

import csv
import hashlib
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import InvalidParameterError
from .io import atomic_open

__all__ = ["CurveRun", "CurveSet", "load_curves", "write_curves", "example_curves", "CURVE_COLUMNS"]

CURVE_COLUMNS = ("run", "step", "lr", "batch", "loss")


@dataclass(frozen=True)
class CurveRun:
    """One training run: its per-step schedule and its observed losses.

    Attributes
    ----------
    name : str
    lr, batch : ndarray, shape (K+1,)
        Learning rate and batch of update ``k`` for k = 0..K (the last entry belongs to
        the last listed step and is used only if the schedule is extended).
    obs_steps : ndarray of int
        Steps with an observed loss (the loss after that many updates).
    obs_loss : ndarray
        Observed losses (> 0).
    """

    name: str
    lr: np.ndarray
    batch: np.ndarray
    obs_steps: np.ndarray
    obs_loss: np.ndarray
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def n_steps(self) -> int:
        """Number of step indices ``0..K`` covered by the schedule (``K+1``)."""
        return int(self.lr.size)

    @property
    def samples(self) -> np.ndarray:
        """Samples consumed before each step, ``Σ_{i<k} B_i`` (length K+1)."""
        return np.concatenate(([0], np.cumsum(self.batch[:-1]))).astype(np.float64)

    def with_observations(self, steps: np.ndarray, loss: np.ndarray) -> CurveRun:
        """The same schedule with other observations (used by the bootstrap)."""
        return CurveRun(self.name, self.lr, self.batch, np.asarray(steps, np.int64),
                        np.asarray(loss, np.float64), dict(self.meta))


@dataclass(frozen=True)
class CurveSet:
    """Runs read from one file, with the file's SHA-256 (provenance of a fit)."""

    runs: tuple[CurveRun, ...]
    source: str = ""
    sha256: str = ""
    skipped_nan: int = 0

    def __iter__(self) -> Iterator[CurveRun]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, name: str) -> CurveRun:
        for r in self.runs:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.runs]

    def subset(self, names: Sequence[str]) -> CurveSet:
        """Only the named runs (in the given order; a name may repeat)."""
        return CurveSet(tuple(self[n] for n in names), self.source, self.sha256, 0)


def _err(path, line: int, col: str, msg: str) -> InvalidParameterError:
    return InvalidParameterError(f"{path}: row {line}, column '{col}': {msg}")


def _build_run(name: str, rows: list[tuple[int, int, float, int, float | None]]) -> CurveRun:
    steps = np.array([r[1] for r in rows], dtype=np.int64)
    lrs = np.array([r[2] for r in rows], dtype=np.float64)
    bs = np.array([r[3] for r in rows], dtype=np.int64)
    K = int(steps[-1])
    k = np.arange(K + 1)
    lr = np.interp(k, steps, lrs)  # linear between listed steps, held before the first
    idx = np.clip(np.searchsorted(steps, k, side="right") - 1, 0, None)
    batch = bs[idx]
    obs = [(r[1], r[4]) for r in rows if r[4] is not None]
    os_ = np.array([o[0] for o in obs], dtype=np.int64)
    ol = np.array([o[1] for o in obs], dtype=np.float64)
    return CurveRun(name, lr, batch, os_, ol)


def load_curves(path: str | Path) -> CurveSet:
    """Read a curve file (format in the module docstring).

    Raises
    ------
    InvalidParameterError
        One line naming the file, the row (line number) and the column.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InvalidParameterError(f"{p}: cannot read curve file ({exc.strerror})") from None
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidParameterError(f"{p}: row 1: empty file, expected a header with "
                                    f"columns {', '.join(CURVE_COLUMNS)}") from None
    missing = [c for c in CURVE_COLUMNS if c not in header]
    if missing:
        raise _err(p, 1, missing[0], f"missing column (header needs {', '.join(CURVE_COLUMNS)})")
    col = {c: header.index(c) for c in CURVE_COLUMNS}
    per_run: dict[str, list] = {}
    nan_count = 0
    for line, row in enumerate(reader, start=2):
        if not row or all(not x.strip() for x in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        name = row[col["run"]].strip()
        if not name:
            raise _err(p, line, "run", "empty run name")
        try:
            step_f = float(row[col["step"]])
        except ValueError:
            raise _err(p, line, "step", f"not a number: {row[col['step']]!r}") from None
        if not math.isfinite(step_f) or step_f != int(step_f) or step_f < 0:
            raise _err(p, line, "step", f"must be an integer >= 0, got {row[col['step']]!r}")
        step = int(step_f)
        try:
            lr = float(row[col["lr"]])
        except ValueError:
            raise _err(p, line, "lr", f"not a number: {row[col['lr']]!r}") from None
        if not (math.isfinite(lr) and lr > 0):
            raise _err(p, line, "lr", f"must be in (0, inf), got {row[col['lr']]!r}")
        try:
            b_f = float(row[col["batch"]])
        except ValueError:
            raise _err(p, line, "batch", f"not a number: {row[col['batch']]!r}") from None
        if not math.isfinite(b_f) or b_f != int(b_f) or b_f < 1:
            raise _err(p, line, "batch", f"must be an integer >= 1, got {row[col['batch']]!r}")
        cell = row[col["loss"]].strip()
        loss: float | None
        if cell == "":
            loss = None
        else:
            try:
                loss = float(cell)
            except ValueError:
                raise _err(p, line, "loss", f"not a number: {cell!r}") from None
            if math.isnan(loss):
                nan_count += 1
                loss = None
            elif not (math.isfinite(loss) and loss > 0):
                raise _err(p, line, "loss", f"must be in (0, inf) or empty, got {cell!r}")
        rows = per_run.setdefault(name, [])
        if rows and step <= rows[-1][1]:
            raise _err(p, line, "step", f"steps of run {name!r} must increase strictly "
                                        f"(previous {rows[-1][1]}, got {step})")
        rows.append((line, step, lr, int(b_f), loss))
    if not per_run:
        raise _err(p, 2, "run", "no data rows")
    runs = []
    for name, rows in per_run.items():
        if not any(r[4] is not None for r in rows):
            raise _err(p, rows[0][0], "loss", f"run {name!r} has no observed loss")
        runs.append(_build_run(name, rows))
    if nan_count:
        warnings.warn(f"{p}: skipped {nan_count} row(s) with a NaN loss", stacklevel=2)
    return CurveSet(tuple(runs), str(p), hashlib.sha256(raw).hexdigest(), nan_count)


def write_curves(path: str | Path, runs: Sequence[CurveRun], *, every: int | None = None
                 ) -> Path:
    """Write runs as a curve file: one row per observed step and a schedule-only row at
    every change of batch and at the first and last step (so :func:`load_curves` rebuilds
    piecewise-constant schedules exactly).  ``every``: keep every n-th observation."""
    with atomic_open(path) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(CURVE_COLUMNS)
        for r in runs:
            obs = dict(zip(r.obs_steps.tolist(), r.obs_loss.tolist(), strict=True))
            if every:
                keep = set(r.obs_steps[::every].tolist()) | {int(r.obs_steps[-1])}
                obs = {k: v for k, v in obs.items() if k in keep}
            change = np.flatnonzero((np.diff(r.batch) != 0) | (np.diff(r.lr) != 0)) + 1
            sched = set(change.tolist()) | set((change - 1).tolist()) | {0, r.n_steps - 1}
            for k in sorted(sched | set(obs)):
                loss = obs.get(k)
                w.writerow([r.name, k, repr(float(r.lr[k])), int(r.batch[k]),
                            "" if loss is None else repr(float(loss))])
    return Path(path)


def example_curves(*, beta: float = 2.5, s: float = 0.3, sigma: float = 0.5,
                   modes: int = 1000, lr: float = 0.2, batches: Sequence[int] = (4, 16, 64),
                   steps: int = 2000, points: int = 60, noise: float = 0.01, seed: int = 0,
                   schedules: Sequence | None = None) -> CurveSet:
    """Loss curves of the power-law task (docs/theory.md §1) from the exact engine (§2),
    with multiplicative Gaussian observation noise of relative size ``noise``.

    By default three constant-batch runs (``const_B``) of ``steps`` updates each at learning
    rate ``lr``, observed at ``points`` log-spaced steps; ``schedules`` (a sequence of
    ``(name, Schedule)``) replaces them.  The hidden task is in the hard regime by default
    (``s = 0.3 < 1 − 1/β = 0.6``).

    >>> cs = example_curves(steps=200, points=20, modes=100)
    >>> cs.names
    ['const_4', 'const_16', 'const_64']
    """
    from .curve import log_spaced_indices
    from .engines.exact import exact_risk_many
    from .schedule import Schedule
    from .task import PowerLawTask

    task = PowerLawTask(beta, s, sigma=sigma, modes=modes)
    if schedules is None:
        schedules = [(f"const_{b}", Schedule.from_arrays(np.full(steps, lr), np.full(steps, b)))
                     for b in batches]
    names = [n for n, _ in schedules]
    curves = exact_risk_many(task, [sch for _, sch in schedules])
    rng = np.random.default_rng(seed)
    runs = []
    for name, (_, sch), c in zip(names, schedules, curves, strict=True):
        idx = log_spaced_indices(len(c), points)
        idx = idx[idx > 0]
        loss = c.risk[idx] * (1.0 + noise * rng.standard_normal(idx.size))
        lr_a = np.concatenate((sch.lr, sch.lr[-1:]))
        b_a = np.concatenate((sch.batch, sch.batch[-1:]))
        runs.append(CurveRun(name, lr_a, b_a, idx.astype(np.int64), loss,
                             {"task": [beta, s, sigma, modes]}))
    return CurveSet(tuple(runs), "example", "", 0)

"""Loss curves returned by every engine.

A :class:`LossCurve` holds the excess risk ``E_k`` (docs/theory.md §1) at steps ``k = 0..K``
together
with the three axes a theorist plots against: steps, data (cumulative samples) and
intrinsic time (cumulative learning rate, docs/theory.md §3).  Stochastic engines also fill
``stderr``, the standard error of the mean over seeds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidParameterError, check_int_range
from .io import atomic_open

__all__ = ["LossCurve", "log_spaced_indices"]


def log_spaced_indices(n: int, points: int) -> np.ndarray:
    """At most ``points`` distinct indices into ``range(n)``, log-spaced, always keeping
    the first (index 0) and the last.

    The indices are ``round(g) − 1`` for ``g`` geometrically spaced in ``[1, n]`` (so step
    ``k`` of a curve is kept where ``k + 1`` is log-spaced); duplicates at small ``k`` are
    dropped, hence "at most".

    >>> log_spaced_indices(1000, 4).tolist()
    [0, 9, 99, 999]
    >>> log_spaced_indices(3, 200).tolist()
    [0, 1, 2]
    """
    n = check_int_range("n", n, 0, None)
    points = check_int_range("points", points, 1, None)
    if n <= points:
        return np.arange(n)
    if points < 2:
        return np.array([n - 1])
    # geomspace(1, n, points) already starts at 1 and ends at n, i.e. indices 0 and n − 1.
    return np.unique(np.round(np.geomspace(1, n, points)).astype(np.int64) - 1)


@dataclass(frozen=True)
class LossCurve:
    """Excess risk along a schedule, including step 0.

    Attributes
    ----------
    risk : ndarray, shape (K+1,)
        Excess risk ``E_k`` (mean over seeds for stochastic engines).
    steps, data, time : ndarray, shape (K+1,)
        Step index, cumulative samples, intrinsic time ``Σ_{i<k} η_i``.
    stderr : ndarray or None
        Standard error of ``risk`` (stochastic engines only).
    engine : str
        Which engine produced the curve.
    """

    risk: np.ndarray
    steps: np.ndarray
    data: np.ndarray
    time: np.ndarray
    stderr: np.ndarray | None = None
    engine: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_schedule(cls, risk: np.ndarray, schedule, **kw) -> LossCurve:
        """Attach the axes of ``schedule`` to a risk array of length ``K+1``."""
        return cls(
            risk=np.asarray(risk, dtype=np.float64),
            steps=schedule.steps,
            data=schedule.data,
            time=schedule.intrinsic_time,
            **kw,
        )

    @property
    def final_risk(self) -> float:
        """Excess risk after the last step."""
        return float(self.risk[-1])

    def __len__(self) -> int:
        return int(self.risk.size)

    def subsample(self, points: int = 200) -> LossCurve:
        """The curve at at most ``points`` log-spaced steps (first and last kept)."""
        points = check_int_range("points", points, 2, None)
        idx = log_spaced_indices(len(self), points)
        return LossCurve(
            risk=self.risk[idx],
            steps=self.steps[idx],
            data=self.data[idx],
            time=self.time[idx],
            stderr=None if self.stderr is None else self.stderr[idx],
            engine=self.engine,
            meta=dict(self.meta),
        )

    def at_data(self, samples: np.ndarray | float) -> np.ndarray:
        """Risk interpolated (log-linear in risk) at given cumulative sample counts."""
        try:
            samples = np.asarray(samples, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"samples must be real numbers (cumulative sample counts), got {samples!r}"
            ) from None
        return np.exp(np.interp(samples, self.data, np.log(np.maximum(self.risk, 1e-300))))

    def to_dict(self) -> dict[str, list]:
        """Columns as plain lists (JSON-ready)."""
        out = {
            "steps": self.steps.tolist(),
            "data": self.data.tolist(),
            "time": self.time.tolist(),
            "risk": self.risk.tolist(),
        }
        if self.stderr is not None:
            out["stderr"] = self.stderr.tolist()
        return out

    def to_csv(self, path: str | Path) -> None:
        """Write the full curve as CSV with columns step, data, time, risk[, stderr].

        The file is written atomically (:func:`fsltheory.io.atomic_open`): an error or
        Ctrl-C part-way leaves no partial file and the previous file intact."""
        if not isinstance(path, (str, Path)):
            raise TypeError(f"path must be a str or Path, got {type(path).__name__}")
        cols = ["step", "data", "time", "risk"] + (["stderr"] if self.stderr is not None else [])
        with atomic_open(path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for k in range(len(self)):
                row = [int(self.steps[k]), int(self.data[k]), repr(float(self.time[k])),
                       repr(float(self.risk[k]))]
                if self.stderr is not None:
                    row.append(repr(float(self.stderr[k])))
                w.writerow(row)

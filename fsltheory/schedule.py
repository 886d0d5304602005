"""Learning-rate and batch-size schedules (docs/theory.md §2, §5).

A :class:`Schedule` is two per-step arrays — learning rates ``lr[k] = η_k > 0`` and
integer batch sizes ``batch[k] = B_k ≥ 1`` — plus the axes derived from them:

* ``steps``           ``0, 1, …, K``
* ``data``            cumulative samples ``Σ_{i<k} B_i`` (starts at 0, ends at ``budget``)
* ``intrinsic_time``  cumulative learning rate ``t_k = Σ_{i<k} η_i`` (docs/theory.md §3)

Budget rule
-----------
Builders take a data budget ``D`` (samples) and realise it **exactly**: every stage but
the last takes whole batches — stage ``i`` ends at the point ``P_{i−1} + n·b_i`` (``n ≥ 0``
whole batches after the previous boundary ``P_{i−1}``, never past ``D``) nearest to
``F_i·D`` — and the last stage's final step takes the remaining samples as a *partial
batch* (``1 ≤ B_K ≤ b_last``).  The realised switch points ``P_i`` are
``schedule.switch_samples``; ``sum(batch) == budget`` always.

String form (command line)
--------------------------
``const:B``  ·  ``switch:B1->B2@F``  ·  ``stages:B1,B2,…,Bk@F1,…,F(k−1)``, where the
fractions ``0 ≤ F1 < … < F(k−1) ≤ 1`` are shares of the data budget consumed before each
switch.

Example
-------
>>> from fsltheory import Schedule
>>> sch = Schedule.parse("switch:4->64@0.75", budget=1024, lr=0.1)
>>> sch.budget, sch.n_steps, sch.switch_samples
(1024, 196, (768,))
>>> str(sch)
'switch:4->64@0.75'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .errors import InvalidParameterError, check_int_range, check_range

__all__ = ["Schedule", "SCHEDULE_GRAMMAR"]

SCHEDULE_GRAMMAR = (
    "const:B | switch:B1->B2@F | stages:B1,B2,...,Bk@F1,...,F(k-1)  "
    "(B integers >= 1; 0 <= F1 < ... <= 1 are fractions of the data budget), "
    "e.g. const:64, switch:16->256@0.8, stages:16,32,64@0.5,0.8"
)


# A non-negative decimal number (no sign), as a *non-capturing* group so that it can be
# embedded in larger patterns (its alternation must not split them).
_NUM = r"(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"


def _fmt_frac(f: float) -> str:
    """Shortest string that parses back to exactly ``f`` (so parse/format round-trips)."""
    return repr(float(f))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


class Schedule:
    """Per-step learning rates and batch sizes with their step/data/time axes.

    Use the builders (:meth:`constant`, :meth:`two_stage`, :meth:`stages`,
    :meth:`from_arrays`, :meth:`parse`) rather than the constructor.
    """

    __slots__ = ("_lr", "_batch", "_spec", "_switch_samples", "__dict__")

    def __init__(
        self,
        lr: np.ndarray,
        batch: np.ndarray,
        *,
        spec: str | None = None,
        switch_samples: tuple[int, ...] = (),
    ) -> None:
        lr = np.asarray(lr, dtype=np.float64)
        b = np.asarray(batch)
        if lr.ndim != 1 or b.ndim != 1:
            raise InvalidParameterError("lr and batch must be 1-D per-step arrays")
        if lr.size == 0:
            raise InvalidParameterError("a schedule needs at least one step (got 0 steps)")
        if lr.size != b.size:
            raise InvalidParameterError(
                f"lr and batch must have the same length, got {lr.size} and {b.size}"
            )
        if not np.all(np.isfinite(lr)) or np.any(lr <= 0):
            k = int(np.flatnonzero(~(np.isfinite(lr) & (lr > 0)))[0])
            raise InvalidParameterError(
                f"lr must be finite and in (0, inf) at every step, got lr[{k}]={float(lr[k])!r}"
            )
        if b.dtype.kind == "f":
            bad = ~np.isfinite(b) | (b != np.round(b))
            if np.any(bad):
                k = int(np.flatnonzero(bad)[0])
                raise InvalidParameterError(
                    f"batch must hold integers >= 1, got batch[{k}]={float(b[k])!r}"
                )
        elif b.dtype.kind not in "iu":
            raise InvalidParameterError(f"batch must hold integers >= 1, got dtype {b.dtype}")
        b = b.astype(np.int64)
        if np.any(b < 1):
            k = int(np.flatnonzero(b < 1)[0])
            raise InvalidParameterError(
                f"batch must be integers >= 1 at every step, got batch[{k}]={int(b[k])}"
            )
        self._lr = _frozen(lr)
        self._batch = _frozen(b)
        self._spec = spec
        self._switch_samples = tuple(int(x) for x in switch_samples)

    # ------------------------------------------------------------------ arrays & axes
    @property
    def lr(self) -> np.ndarray:
        """Learning rate ``η_k`` of each step (read-only)."""
        return self._lr

    @property
    def batch(self) -> np.ndarray:
        """Batch size ``B_k`` of each step, int64 ≥ 1 (read-only)."""
        return self._batch

    @property
    def n_steps(self) -> int:
        """Number of SGD steps ``K``."""
        return int(self._lr.size)

    @property
    def steps(self) -> np.ndarray:
        """Step axis ``0..K`` (length K+1, matching a loss curve including step 0)."""
        return np.arange(self.n_steps + 1, dtype=np.int64)

    @property
    def data(self) -> np.ndarray:
        """Cumulative samples before step k, ``Σ_{i<k} B_i`` (length K+1, starts at 0)."""
        return np.concatenate(([0], np.cumsum(self._batch)))

    @property
    def intrinsic_time(self) -> np.ndarray:
        """Intrinsic time ``t_k = Σ_{i<k} η_i`` (docs/theory.md §3; length K+1, starts at 0)."""
        return np.concatenate(([0.0], np.cumsum(self._lr)))

    @property
    def budget(self) -> int:
        """Total samples ``D = Σ_k B_k``."""
        return int(self._batch.sum())

    @property
    def switch_samples(self) -> tuple[int, ...]:
        """Realised samples consumed before each switch (empty if not a staged schedule)."""
        return self._switch_samples

    @property
    def spec(self) -> str | None:
        """The string form this schedule was built from (``None`` for raw arrays)."""
        return self._spec

    def runs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run-length encoding ``(lr_values, batch_values, counts)`` of consecutive equal steps."""
        change = np.flatnonzero((np.diff(self._lr) != 0) | (np.diff(self._batch) != 0)) + 1
        starts = np.concatenate(([0], change))
        counts = np.diff(np.concatenate((starts, [self.n_steps])))
        return self._lr[starts].copy(), self._batch[starts].copy(), counts.astype(np.int64)

    def distinct_pairs(self) -> list[tuple[float, int]]:
        """Distinct ``(lr, batch)`` pairs used by the schedule, in order of appearance."""
        lrs, bs, _ = self.runs()
        seen: dict[tuple[float, int], None] = {}
        for e, b in zip(lrs.tolist(), bs.tolist(), strict=True):
            seen.setdefault((float(e), int(b)), None)
        return list(seen)

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_arrays(cls, lr: Sequence[float] | np.ndarray | float, batch) -> Schedule:
        """Schedule from per-step arrays; a scalar ``lr`` or ``batch`` is broadcast."""
        lr_a = np.asarray(lr, dtype=np.float64)
        b_a = np.asarray(batch)
        if lr_a.ndim == 0 and b_a.ndim == 0:
            raise InvalidParameterError("from_arrays needs at least one per-step array")
        if lr_a.ndim == 0:
            lr_a = np.full(b_a.shape, float(lr_a))
        if b_a.ndim == 0:
            b_a = np.full(lr_a.shape, b_a)
        return cls(lr_a, b_a)

    @classmethod
    def constant(cls, batch: int, budget: int, lr: float) -> Schedule:
        """Constant batch ``B`` and learning rate ``η`` until ``budget`` samples are used.

        ``⌈D/B⌉`` steps; the last one is partial when ``B`` does not divide ``D``.
        """
        return cls.stages([batch], [], budget, lr)

    @classmethod
    def two_stage(cls, b1: int, b2: int, switch: float, budget: int, lr: float) -> Schedule:
        """Batch ``b1`` for the first ``switch·D`` samples (rounded to whole ``b1`` batches),
        then ``b2`` until the budget is spent (docs/theory.md §5, C-SWITCH)."""
        return cls.stages([b1, b2], [switch], budget, lr)

    @classmethod
    def stages(
        cls, batches: Sequence[int], switches: Sequence[float], budget: int, lr: float
    ) -> Schedule:
        """k-stage batch schedule: ``batches[i]`` is used between data fractions
        ``switches[i−1]`` and ``switches[i]`` (with 0 and 1 at the ends).

        Every stage but the last takes whole batches — it ends at the point ``P_{i−1} +
        n·b_i`` (whole batches after the previous boundary, never past the budget) nearest
        to ``switches[i]·budget`` — and the last step of the last stage may be a partial
        batch, so the realised budget is exactly ``budget``.  A two-stage schedule formats
        as ``switch:``; fractions are formatted by ``repr`` so that ``parse(str(sch))``
        rebuilds the identical schedule.
        """
        batches = [check_int_range("batch", b, 1, None) for b in batches]
        if not batches:
            raise InvalidParameterError("stages needs at least one batch size")
        switches = [check_range("switch", f, 0.0, 1.0) for f in switches]
        if len(switches) != len(batches) - 1:
            raise InvalidParameterError(
                f"stages with {len(batches)} batch sizes need {len(batches) - 1} switch "
                f"fractions, got {len(switches)}"
            )
        if any(b <= a for a, b in zip(switches, switches[1:], strict=False)):
            raise InvalidParameterError(f"switch fractions must increase strictly, got {switches}")
        budget = check_int_range("budget", budget, 1, None)
        lr = check_range("lr", lr, 0.0, None, low_open=True)
        if budget < max(batches):
            raise InvalidParameterError(
                f"budget must be >= the largest batch size {max(batches)} "
                f"(the schedule does not fit its data budget), got {budget}"
            )
        counts: list[int] = []
        ends: list[int] = []
        used = 0
        for b, f in zip(batches[:-1], switches, strict=True):
            n = int(round((f * budget - used) / b))
            n = max(0, min(n, (budget - used) // b))
            counts.append(n)
            used += n * b
            ends.append(used)
        rest = budget - used
        b_last = batches[-1]
        n_last = -(-rest // b_last)  # ceil
        batch = np.repeat(np.array(batches, dtype=np.int64), counts + [n_last])
        if n_last > 0 and rest % b_last:
            batch[-1] = rest % b_last
        if batch.size == 0:  # pragma: no cover - budget >= 1 guarantees a step
            raise InvalidParameterError("schedule has no steps")
        if len(batches) == 1:
            spec = f"const:{batches[0]}"
        elif len(batches) == 2:
            spec = f"switch:{batches[0]}->{batches[1]}@{_fmt_frac(switches[0])}"
        else:
            spec = (
                "stages:" + ",".join(map(str, batches)) + "@"
                + ",".join(_fmt_frac(f) for f in switches)
            )
        return cls(np.full(batch.size, lr), batch, spec=spec, switch_samples=tuple(ends))

    @classmethod
    def parse(cls, spec: str, budget: int, lr: float) -> Schedule:
        """Build a schedule from its string form (see :data:`SCHEDULE_GRAMMAR`)."""
        if not isinstance(spec, str):
            raise InvalidParameterError(f"schedule must be a string: {SCHEDULE_GRAMMAR}")
        text = spec.strip().replace(" ", "")
        m = re.fullmatch(r"const:(\d+)", text)
        if m:
            return cls.constant(int(m.group(1)), budget, lr)
        m = re.fullmatch(r"switch:(\d+)->(\d+)@(" + _NUM + ")", text)
        if m:
            return cls.two_stage(int(m.group(1)), int(m.group(2)), float(m.group(3)), budget, lr)
        m = re.fullmatch(r"stages:(\d+(?:,\d+)+)@(" + _NUM + "(?:," + _NUM + ")*)", text)
        if m:
            batches = [int(x) for x in m.group(1).split(",")]
            fracs = [float(x) for x in m.group(2).split(",")]
            return cls.stages(batches, fracs, budget, lr)
        raise InvalidParameterError(f"cannot parse schedule {spec!r}; expected {SCHEDULE_GRAMMAR}")

    def format(self) -> str:
        """The string form (inverse of :meth:`parse`); raises for array-built schedules."""
        if self._spec is None:
            raise InvalidParameterError(
                "this schedule was built from arrays and has no string form"
            )
        return self._spec

    # ------------------------------------------------------------------ dunder
    def __len__(self) -> int:
        return self.n_steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return np.array_equal(self._lr, other._lr) and np.array_equal(self._batch, other._batch)

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        if self._spec is not None:
            return self._spec
        return f"arrays[{self.n_steps} steps]"

    def __repr__(self) -> str:
        lr = f"{self._lr[0]:g}" if np.all(self._lr == self._lr[0]) else "varying"
        return (
            f"Schedule({str(self)!r}, steps={self.n_steps}, budget={self.budget}, lr={lr}, "
            f"batch {int(self._batch.min())}..{int(self._batch.max())})"
        )

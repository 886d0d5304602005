"""Schedules: an LR profile and a batch schedule realised on a data budget (docs/theory.md
§2, §5, §7).

A :class:`Schedule` gives every SGD step ``k`` a learning rate ``η_k > 0`` and an integer
batch ``B_k ≥ 1``, with the axes derived from them:

* ``steps``           ``0, 1, …, K``
* ``data``            cumulative samples ``P_k = Σ_{i<k} B_i`` (starts at 0, ends at ``budget``)
* ``intrinsic_time``  cumulative learning rate ``t_k = Σ_{i<k} η_i`` (§3)

The LR is ``η_k = η_peak · φ(P_k/D)`` with ``φ`` an :class:`~fsltheory.lr.LRProfile`
(``lr_schedule=``; constant by default, see :mod:`fsltheory.lr` for the shapes) and ``lr``
the peak.

Storage: segments, not steps
----------------------------
A schedule is stored as **segments** ``(lr, batch, count, smooth)`` (run-length): a
constant-LR, constant-batch stretch of any length is one row, so a ``const:64`` schedule on
a budget of 10^12 samples is a few integers.  Where the LR profile varies per step
(warmup ramps, cosine, linear, the WSD decay) the row is *smooth*: its per-step LR
``η_peak · φ(P/D)`` with ``P = P_0 + i·b`` is generated inside the compiled engines from
:attr:`LRProfile.params`, never stored.  Per-step arrays (``lr``, ``batch``, ``data``,
``intrinsic_time``, ``runs()`` of a smooth schedule) are materialised on demand and refused
with a clear error above :data:`MAX_DENSE_BYTES`.  Engines use :meth:`Schedule.segments`.

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
``const:B``  ·  ``switch:B1,B2@F``  ·  ``stages:B1,B2,…,Bk@F1,…,F(k−1)``, where the
fractions ``0 ≤ F1 < … < F(k−1) ≤ 1`` are shares of the data budget consumed before each
switch.  All three can be pasted into a shell unquoted; the older ``switch:B1->B2@F`` is
still accepted (quote it: ``>`` is a shell redirection).

Example
-------
>>> from fsltheory import Schedule
>>> sch = Schedule.parse("switch:4,64@0.75", budget=1024, lr=0.1)
>>> sch.budget, sch.n_steps, sch.switch_samples
(1024, 196, (768,))
>>> str(sch)
'switch:4,64@0.75'
>>> cos = Schedule.parse("const:64", budget=2**40, lr=0.1, lr_schedule="cosine")
>>> cos.n_steps, len(cos.segments().count), round(float(cos.lr_at([0, 2**33])[1]), 6)
(17179869184, 2, 0.05)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .errors import InvalidParameterError, check_int_range, check_range
from .lr import LRProfile, as_lr_profile, phi_steps
from .segments import merge_segments as _merge
from .segments import profile_segments, runs_from_arrays

__all__ = ["Schedule", "ScheduleSegments", "SCHEDULE_GRAMMAR", "MAX_DENSE_BYTES", "MAX_BUDGET"]

SCHEDULE_GRAMMAR = (
    "const:B | switch:B1,B2@F | stages:B1,B2,...,Bk@F1,...,F(k-1)  "
    "(B integers >= 1; 0 <= F1 < ... <= 1 are fractions of the data budget; the quoted "
    "form 'switch:B1->B2@F' is also accepted), "
    "e.g. const:64, switch:16,256@0.8, stages:16,32,64@0.5,0.8"
)

#: Largest per-step array (bytes) a schedule materialises on request (``lr``, ``batch``,
#: ``data``, ``intrinsic_time``, ``runs()`` of a smooth schedule); beyond it those raise.
MAX_DENSE_BYTES = 1 << 30
#: Largest data budget a schedule may have (samples): sample counts are int64, and every
#: cumulative count ``P_k ≤ D`` must stay clear of the int64 limit ``2^63 − 1``.
MAX_BUDGET = 1 << 62

# A non-negative decimal number (no sign, ASCII digits only), as a *non-capturing* group
# so that it can be embedded in larger patterns (its alternation must not split them).
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?)"
_INT = r"[0-9]+"


class ScheduleSegments(NamedTuple):
    """Run-length form of a schedule (:meth:`Schedule.segments`).

    ``lr[r]`` is the LR of every step of segment ``r`` when ``smooth[r]`` is False, else
    the peak LR (the steps then use ``peak · φ(P/D)``, ``P = start_samples[r] + i·batch[r]``).
    """

    lr: np.ndarray
    batch: np.ndarray
    count: np.ndarray
    smooth: np.ndarray
    start_step: np.ndarray
    start_samples: np.ndarray


def _fmt_frac(f: float) -> str:
    """Shortest string that parses back to exactly ``f`` (so parse/format round-trips)."""
    return repr(float(f))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _dense_check(what: str, n: int, arrays: int = 1) -> None:
    need = 8 * n * arrays
    if need > MAX_DENSE_BYTES:
        raise InvalidParameterError(
            f"schedule.{what} would need {need / 1e9:.3g} GB for {n} steps (limit "
            f"{MAX_DENSE_BYTES / 1e9:.3g} GB, fsltheory.schedule.MAX_DENSE_BYTES): use "
            f"schedule.segments() or an engine with points=N")


class Schedule:
    """Learning rates and batch sizes of every step, stored as segments (module docstring).

    Use the builders (:meth:`constant`, :meth:`two_stage`, :meth:`stages`,
    :meth:`from_arrays`, :meth:`parse`) rather than the constructor.  ``lr=`` of the
    builders is the *peak* LR and ``lr_schedule=`` the profile (docs/theory.md §7).
    """

    __slots__ = ("_slr", "_sb", "_sn", "_ssm", "_profile", "_peak", "_spec",
                 "_switch_samples", "_budget", "__dict__")

    def __init__(
        self,
        lr: np.ndarray,
        batch: np.ndarray,
        *,
        spec: str | None = None,
        switch_samples: tuple[int, ...] = (),
    ) -> None:
        lr, b, starts, counts = runs_from_arrays(lr, batch)
        self._set(lr[starts], b[starts], counts, np.zeros(starts.size, dtype=bool),
                  profile=None, peak=float(lr.max()), spec=spec, switch_samples=switch_samples)

    def _set(self, lr, b, n, sm, *, profile, peak, spec, switch_samples) -> None:
        lr, b, n, sm = _merge(np.asarray(lr, dtype=np.float64), np.asarray(b, dtype=np.int64),
                              np.asarray(n, dtype=np.int64), np.asarray(sm, dtype=bool))
        self._slr, self._sb, self._sn, self._ssm = (_frozen(lr), _frozen(b), _frozen(n),
                                                    _frozen(sm))
        self._profile = profile
        self._peak = float(peak)
        self._spec = spec
        self._switch_samples = tuple(int(x) for x in switch_samples)
        # the float estimate first: an int64 sum above 2^63 would wrap negative silently
        if float(np.dot(b.astype(np.float64), n.astype(np.float64))) > 1.01 * MAX_BUDGET or \
                int(np.sum(b * n)) > MAX_BUDGET:
            total = sum(int(x) * int(y) for x, y in zip(b.tolist(), n.tolist(), strict=True))
            raise InvalidParameterError(
                f"budget (the sum of the batch sizes) must be <= 2**62 = {MAX_BUDGET} "
                f"(fsltheory.schedule.MAX_BUDGET), got {total}")
        self._budget = int(np.sum(b * n))

    @classmethod
    def _from_segments(cls, lr, b, n, sm, **kw) -> Schedule:
        obj = cls.__new__(cls)
        obj._set(lr, b, n, sm, **kw)
        return obj

    # ------------------------------------------------------------------ segments
    def segments(self) -> ScheduleSegments:
        """The run-length form ``(lr, batch, count, smooth, start_step, start_samples)``
        (read-only arrays, one row per segment; see :class:`ScheduleSegments`)."""
        seg = self.__dict__.get("_segments")
        if seg is None:
            k0 = np.concatenate(([0], np.cumsum(self._sn)[:-1])).astype(np.int64)
            P0 = np.concatenate(([0], np.cumsum(self._sb * self._sn)[:-1])).astype(np.int64)
            seg = ScheduleSegments(self._slr, self._sb, self._sn, self._ssm, _frozen(k0),
                                   _frozen(P0))
            self.__dict__["_segments"] = seg
        return seg

    @property
    def is_smooth(self) -> bool:
        """True if some segment's LR varies per step (generated from the profile)."""
        return bool(self._ssm.any())

    @property
    def lr_profile(self) -> LRProfile:
        """The LR profile ``φ`` (for array-built schedules: a per-step table)."""
        if self._profile is None:
            seg = self.segments()
            if np.all(self._slr == self._slr[0]):
                self._profile = LRProfile()
            else:
                self._profile = LRProfile("table", table_x=tuple(seg.start_step.tolist()),
                                          table_y=tuple((self._slr / self._peak).tolist()),
                                          table_unit="step")
        return self._profile

    @property
    def peak_lr(self) -> float:
        """Peak learning rate ``η_peak`` (the builders' ``lr``)."""
        return self._peak

    def lr_params(self) -> np.ndarray:
        """Kernel parameter vector of the smooth profile (:attr:`LRProfile.params`)."""
        if not self.is_smooth:
            return np.zeros(5)
        return self._profile.params

    def lr_at(self, steps) -> np.ndarray:
        """Learning rate ``η_k`` at the given step indices (0 ≤ k < K), without
        materialising the per-step array."""
        k = np.asarray(steps, dtype=np.int64)
        if np.any((k < 0) | (k >= self.n_steps)):
            raise InvalidParameterError(f"step indices must be in [0, {self.n_steps - 1}]")
        seg = self.segments()
        r = np.searchsorted(seg.start_step, k, side="right") - 1
        out = seg.lr[r].astype(np.float64)
        sm = seg.smooth[r]
        if np.any(sm):
            P = seg.start_samples[r[sm]] + (k[sm] - seg.start_step[r[sm]]) * seg.batch[r[sm]]
            out[sm] = self._peak * phi_steps(self._profile.params, P, seg.batch[r[sm]],
                                             self._budget)
        return out

    def data_at(self, steps) -> np.ndarray:
        """Cumulative samples ``P_k`` before step k (0 ≤ k ≤ K), exact integers."""
        k = np.asarray(steps, dtype=np.int64)
        seg = self.segments()
        r = np.clip(np.searchsorted(seg.start_step, k, side="right") - 1, 0, None)
        return seg.start_samples[r] + (k - seg.start_step[r]) * seg.batch[r]

    # ------------------------------------------------------------------ arrays & axes
    @property
    def lr(self) -> np.ndarray:
        """Learning rate ``η_k`` of each step (read-only; materialised on first use)."""
        a = self.__dict__.get("_lr_dense")
        if a is None:
            _dense_check("lr", self.n_steps)
            seg = self.segments()
            a = np.repeat(seg.lr, seg.count)
            for r in np.flatnonzero(seg.smooth):
                k0, n, b = int(seg.start_step[r]), int(seg.count[r]), int(seg.batch[r])
                P = seg.start_samples[r] + b * np.arange(n, dtype=np.int64)
                a[k0:k0 + n] = self._peak * phi_steps(self._profile.params, P, b,
                                                      self._budget)
            a = _frozen(a)
            self.__dict__["_lr_dense"] = a
        return a

    @property
    def batch(self) -> np.ndarray:
        """Batch size ``B_k`` of each step, int64 ≥ 1 (read-only; materialised on use)."""
        a = self.__dict__.get("_b_dense")
        if a is None:
            _dense_check("batch", self.n_steps)
            a = _frozen(np.repeat(self._sb, self._sn))
            self.__dict__["_b_dense"] = a
        return a

    @property
    def n_steps(self) -> int:
        """Number of SGD steps ``K``."""
        return int(self._sn.sum())

    @property
    def steps(self) -> np.ndarray:
        """Step axis ``0..K`` (length K+1, matching a loss curve including step 0)."""
        _dense_check("steps", self.n_steps + 1)
        return np.arange(self.n_steps + 1, dtype=np.int64)

    @property
    def data(self) -> np.ndarray:
        """Cumulative samples before step k, ``Σ_{i<k} B_i`` (length K+1, starts at 0)."""
        _dense_check("data", self.n_steps + 1)
        return np.concatenate(([0], np.cumsum(self.batch)))

    @property
    def intrinsic_time(self) -> np.ndarray:
        """Intrinsic time ``t_k = Σ_{i<k} η_i`` (§3; length K+1, starts at 0)."""
        _dense_check("intrinsic_time", self.n_steps + 1)
        return np.concatenate(([0.0], np.cumsum(self.lr)))

    @property
    def budget(self) -> int:
        """Total samples ``D = Σ_k B_k``."""
        return self._budget

    @property
    def switch_samples(self) -> tuple[int, ...]:
        """Realised samples consumed before each switch (empty if not a staged schedule)."""
        return self._switch_samples

    @property
    def spec(self) -> str | None:
        """The batch string form this schedule was built from (``None`` for raw arrays)."""
        return self._spec

    def runs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run-length encoding ``(lr_values, batch_values, counts)`` of consecutive equal
        steps.  Compact for piecewise-constant schedules; a smooth LR profile has one run per
        step in its smooth stretches (refused above :data:`MAX_DENSE_BYTES`)."""
        seg = self.segments()
        if not self.is_smooth:
            return seg.lr.copy(), seg.batch.copy(), seg.count.copy()
        n_sm = int(seg.count[seg.smooth].sum())
        _dense_check("runs()", n_sm, 3)
        lrs, bs, ns = [], [], []
        for r in range(seg.lr.size):
            b, n = int(seg.batch[r]), int(seg.count[r])
            if seg.smooth[r]:
                P = seg.start_samples[r] + b * np.arange(n, dtype=np.int64)
                lrs.append(self._peak * phi_steps(self._profile.params, P, b, self._budget))
                bs.append(np.full(n, b, dtype=np.int64))
                ns.append(np.ones(n, dtype=np.int64))
            else:
                lrs.append(seg.lr[r:r + 1])
                bs.append(seg.batch[r:r + 1])
                ns.append(seg.count[r:r + 1])
        lr, b, n, _ = _merge(np.concatenate(lrs), np.concatenate(bs), np.concatenate(ns),
                             np.zeros(sum(x.size for x in lrs), dtype=bool))
        return lr.copy(), b.copy(), n.copy()

    def distinct_pairs(self) -> list[tuple[float, int]]:
        """Distinct ``(lr, batch)`` pairs used by the schedule, in order of appearance."""
        lrs, bs, _ = self.runs()
        seen: dict[tuple[float, int], None] = {}
        for e, b in zip(lrs.tolist(), bs.tolist(), strict=True):
            seen.setdefault((float(e), int(b)), None)
        return list(seen)

    def segment_max_lr(self) -> np.ndarray:
        """Largest LR of each segment (for a smooth segment: at its first or last step,
        since the profile is monotone on every smooth stretch)."""
        seg = self.segments()
        out = seg.lr.astype(np.float64).copy()
        sm = np.flatnonzero(seg.smooth)
        if sm.size:
            first = self.lr_at(seg.start_step[sm])
            last = self.lr_at(seg.start_step[sm] + seg.count[sm] - 1)
            out[sm] = np.maximum(first, last)
        return out

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
    def constant(cls, batch: int, budget: int, lr: float,
                 lr_schedule: str | LRProfile | None = None) -> Schedule:
        """Constant batch ``B`` until ``budget`` samples are used; peak LR ``lr`` with the
        profile ``lr_schedule`` (constant by default).

        ``⌈D/B⌉`` steps; the last one is partial when ``B`` does not divide ``D``.
        """
        return cls.stages([batch], [], budget, lr, lr_schedule=lr_schedule)

    @classmethod
    def two_stage(cls, b1: int, b2: int, switch: float, budget: int, lr: float,
                  lr_schedule: str | LRProfile | None = None) -> Schedule:
        """Batch ``b1`` for the first ``switch·D`` samples (rounded to whole ``b1`` batches),
        then ``b2`` until the budget is spent (§5, C-SWITCH); LR profile ``lr_schedule``."""
        return cls.stages([b1, b2], [switch], budget, lr, lr_schedule=lr_schedule)

    @classmethod
    def stages(
        cls, batches: Sequence[int], switches: Sequence[float], budget: int, lr: float,
        lr_schedule: str | LRProfile | None = None,
    ) -> Schedule:
        """k-stage batch schedule: ``batches[i]`` is used between data fractions
        ``switches[i−1]`` and ``switches[i]`` (with 0 and 1 at the ends); the LR is
        ``lr · φ(P_k/D)`` with ``φ`` the profile ``lr_schedule`` (docs/theory.md §7).

        Every stage but the last takes whole batches — it ends at the point ``P_{i−1} +
        n·b_i`` (whole batches after the previous boundary, never past the budget) nearest
        to ``switches[i]·budget`` — and the last step of the last stage may be a partial
        batch, so the realised budget is exactly ``budget``.  A two-stage schedule formats
        as ``switch:``; fractions are formatted by ``repr`` so that ``parse(str(sch))``
        rebuilds the identical schedule.
        """
        for name, v in (("batches", batches), ("switches", switches)):
            if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
                raise InvalidParameterError(
                    f"{name} must be a sequence of numbers, got {type(v).__name__}")
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
        budget = check_int_range("budget", budget, 1, MAX_BUDGET)
        lr = check_range("lr", lr, 0.0, None, low_open=True)
        profile = as_lr_profile(lr_schedule)
        if budget < max(batches):
            raise InvalidParameterError(
                f"budget must be >= the largest batch size {max(batches)} "
                f"(the schedule does not fit its data budget), got {budget}"
            )
        seg_b: list[int] = []
        seg_n: list[int] = []
        ends: list[int] = []
        used = 0
        for b, f in zip(batches[:-1], switches, strict=True):
            n = int(round((f * budget - used) / b))
            n = max(0, min(n, (budget - used) // b))
            seg_b.append(b)
            seg_n.append(n)
            used += n * b
            ends.append(used)
        rest = budget - used
        b_last = batches[-1]
        seg_b.append(b_last)
        seg_n.append(rest // b_last)
        if rest % b_last:
            seg_b.append(rest % b_last)
            seg_n.append(1)
        if len(batches) == 1:
            spec = f"const:{batches[0]}"
        elif len(batches) == 2:
            spec = f"switch:{batches[0]},{batches[1]}@{_fmt_frac(switches[0])}"
        else:
            spec = (
                "stages:" + ",".join(map(str, batches)) + "@"
                + ",".join(_fmt_frac(f) for f in switches)
            )
        return cls._realise(np.array(seg_b, dtype=np.int64), np.array(seg_n, dtype=np.int64),
                            budget, lr, profile, spec=spec, switch_samples=tuple(ends))

    @classmethod
    def from_batches(cls, batch, lr: float, lr_schedule: str | LRProfile | None = None,
                     counts=None) -> Schedule:
        """Schedule from per-step batch sizes (or run-length ``batch``/``counts``) with a
        peak LR and an LR profile over the data fraction (the budget is ``Σ B_k``)."""
        b = np.asarray(batch)
        n = np.ones(b.size, dtype=np.int64) if counts is None else np.asarray(counts)
        if b.ndim != 1 or b.size == 0 or n.shape != b.shape:
            raise InvalidParameterError("batch (and counts) must be non-empty 1-D arrays")
        if b.dtype.kind not in "iuf" or not np.all(np.isfinite(b)) or np.any(b != np.round(b)) \
                or np.any(b < 1):
            raise InvalidParameterError("batch must hold integers >= 1")
        if n.dtype.kind not in "iu" or np.any(n < 0) or n.sum() == 0:
            raise InvalidParameterError("counts must hold integers >= 0, not all 0")
        lr = check_range("lr", lr, 0.0, None, low_open=True)
        b = b.astype(np.int64)
        n = n.astype(np.int64)
        return cls._realise(b, n, int(np.sum(b * n)), lr, as_lr_profile(lr_schedule),
                            spec=None, switch_samples=())

    @classmethod
    def _realise(cls, seg_b, seg_n, budget, peak, profile: LRProfile, *, spec,
                 switch_samples) -> Schedule:
        """Cut batch segments where the LR profile changes character (module docstring)."""
        keep = seg_n > 0
        seg_b, seg_n = seg_b[keep], seg_n[keep]
        kw = dict(profile=profile, peak=peak, spec=spec, switch_samples=switch_samples)
        return cls._from_segments(*profile_segments(seg_b, seg_n, budget, peak, profile),
                                  **kw)

    @classmethod
    def parse(cls, spec: str, budget: int, lr: float,
              lr_schedule: str | LRProfile | None = None) -> Schedule:
        """Build a schedule from its batch string form (see :data:`SCHEDULE_GRAMMAR`), peak
        LR ``lr`` and LR profile ``lr_schedule`` (:data:`fsltheory.lr.LR_GRAMMAR`)."""
        if not isinstance(spec, str):
            raise InvalidParameterError(f"schedule must be a string: {SCHEDULE_GRAMMAR}")
        text = spec.strip().replace(" ", "")
        m = re.fullmatch(r"const:(" + _INT + ")", text)
        if m:
            return cls.constant(int(m.group(1)), budget, lr, lr_schedule=lr_schedule)
        m = re.fullmatch(r"switch:(" + _INT + r")(?:,|->)(" + _INT + ")@(" + _NUM + ")", text)
        if m:
            return cls.two_stage(int(m.group(1)), int(m.group(2)), float(m.group(3)), budget,
                                 lr, lr_schedule=lr_schedule)
        m = re.fullmatch(r"stages:(" + _INT + "(?:," + _INT + ")+)@(" + _NUM + "(?:," + _NUM
                         + ")*)", text)
        if m:
            batches = [int(x) for x in m.group(1).split(",")]
            fracs = [float(x) for x in m.group(2).split(",")]
            return cls.stages(batches, fracs, budget, lr, lr_schedule=lr_schedule)
        raise InvalidParameterError(f"cannot parse schedule {spec!r}; expected {SCHEDULE_GRAMMAR}")

    def format(self) -> str:
        """The batch string form (inverse of :meth:`parse` given the same budget, lr and
        lr_schedule); raises for array-built schedules."""
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
        if self.n_steps != other.n_steps or self.budget != other.budget:
            return False
        if not (self.is_smooth or other.is_smooth):
            return (np.array_equal(self._slr, other._slr) and np.array_equal(self._sb, other._sb)
                    and np.array_equal(self._sn, other._sn))
        if self.is_smooth and other.is_smooth and (
                self._profile == other._profile and self._peak == other._peak):
            return (np.array_equal(self._sb, other._sb) and np.array_equal(self._sn, other._sn)
                    and np.array_equal(self._ssm, other._ssm))
        if 8 * self.n_steps <= MAX_DENSE_BYTES:
            return (np.array_equal(self.lr, other.lr)
                    and np.array_equal(self.batch, other.batch))
        return False

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        if self._spec is not None:
            return self._spec
        return f"arrays[{self.n_steps} steps]"

    def __repr__(self) -> str:
        if self._profile is not None and not self._profile.is_constant:
            lr = f"{self._peak:g}·{self._profile}"
        else:
            lr = f"{self._slr[0]:g}" if np.all(self._slr == self._slr[0]) else "varying"
        return (
            f"Schedule({str(self)!r}, steps={self.n_steps}, budget={self.budget}, lr={lr}, "
            f"batch {int(self._sb.min())}..{int(self._sb.max())})"
        )

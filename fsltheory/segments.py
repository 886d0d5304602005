"""Axes of segment-stored schedules without per-step arrays (docs/theory.md §3, §7).

A :class:`~fsltheory.schedule.Schedule` is a list of segments ``(lr, batch, count,
smooth)``.  The intrinsic time ``t_k = Σ_{i<k} η_i`` and the noise integral
``G_k = Σ_{i<k} η_i²/B_i`` (``∫γ dt``) are closed forms on constant segments and running
sums on smooth ones, whose per-step LR ``η_peak·φ(P/D)`` is generated in compiled loops,
:data:`CHUNK_STEPS` steps per call so that a long sum stays interruptible (Ctrl-C is
honoured between calls).

Example
-------
>>> from fsltheory import Schedule
>>> from fsltheory.segments import axes_at
>>> sch = Schedule.constant(4, 4000, 0.1, lr_schedule="linear")
>>> data, time, _ = axes_at(sch, [0, 500, 1000])
>>> data.tolist(), bool(abs(time[-1] - sch.intrinsic_time[-1]) < 1e-12)
([0, 2000, 4000], True)
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .lr import phi_step

__all__ = ["axes_at", "segment_sums", "CHUNK_STEPS"]

#: Steps summed per compiled call (≈ 0.05 s): the granularity of Ctrl-C in long sums.
CHUNK_STEPS = 1 << 22


@njit(cache=True)
def _walk(params, peak, D, P0, b, i0, i1, offsets, pos, out_t, out_g, t, g):
    """Add steps ``i0 ≤ i < i1`` of a smooth segment to the running sums ``(t, g)``;
    before step ``i`` is added, record the sums for every ``offsets[pos] == i``."""
    inv_b = 1.0 / b
    n_off = offsets.size
    for i in range(i0, i1):
        while pos < n_off and offsets[pos] == i:
            out_t[pos] = t
            out_g[pos] = g
            pos += 1
        eta = peak * phi_step(params, P0 + i * b, b, D)
        t += eta
        g += eta * eta * inv_b
    return t, g, pos


def _smooth_sums(sch, r: int, offsets: np.ndarray, stop: int | None = None):
    """Running sums at the sorted in-segment ``offsets`` (0..count) of smooth segment r
    and the sums over its first ``stop`` steps (default: all, the segment totals)."""
    seg = sch.segments()
    params, peak, D = sch.lr_params(), sch.peak_lr, sch.budget
    P0, b, n = int(seg.start_samples[r]), int(seg.batch[r]), int(seg.count[r])
    if stop is not None:
        n = min(n, stop)
    out_t = np.empty(offsets.size)
    out_g = np.empty(offsets.size)
    t = g = 0.0
    pos = 0
    for a in range(0, n, CHUNK_STEPS):
        t, g, pos = _walk(params, peak, D, P0, b, a, min(n, a + CHUNK_STEPS), offsets, pos,
                          out_t, out_g, t, g)
    out_t[pos:] = t
    out_g[pos:] = g
    return out_t, out_g, t, g


def segment_sums(sch) -> tuple[np.ndarray, np.ndarray]:
    """``(t0, g0)``: intrinsic time and ``Σ η²/B`` before each segment, plus the totals
    as a last entry (length ``segments + 1``).  Cached on the schedule."""
    cached = sch.__dict__.get("_segment_sums")
    if cached is not None:
        return cached
    seg = sch.segments()
    dt = seg.lr * seg.count
    dg = seg.lr * seg.lr / seg.batch * seg.count
    for r in np.flatnonzero(seg.smooth):
        _, _, dt[r], dg[r] = _smooth_sums(sch, int(r), np.empty(0, dtype=np.int64))
    t0 = np.concatenate(([0.0], np.cumsum(dt)))
    g0 = np.concatenate(([0.0], np.cumsum(dg)))
    sch.__dict__["_segment_sums"] = (t0, g0)
    return t0, g0


def axes_at(sch, steps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(P_k, t_k, G_k)`` at step indices ``0 ≤ k ≤ K``: samples before step k (exact
    integers), intrinsic time ``Σ_{i<k} η_i`` and ``Σ_{i<k} η_i²/B_i``."""
    k = np.asarray(steps, dtype=np.int64)
    seg = sch.segments()
    t0, g0 = segment_sums(sch)
    r = np.clip(np.searchsorted(seg.start_step, k, side="right") - 1, 0, None)
    m = k - seg.start_step[r]
    data = seg.start_samples[r] + m * seg.batch[r]
    time = t0[r] + m * seg.lr[r]
    G = g0[r] + m * (seg.lr[r] * seg.lr[r] / seg.batch[r])
    sm = seg.smooth[r] & (m > 0)
    for rr in np.unique(r[sm]):
        sel = np.flatnonzero(sm & (r == rr))
        order = np.argsort(m[sel], kind="stable")
        mm = m[sel][order]
        ts, gs, _, _ = _smooth_sums(sch, int(rr), mm, stop=int(mm[-1]))
        time[sel[order]] = t0[rr] + ts
        G[sel[order]] = g0[rr] + gs
    return data, time, G

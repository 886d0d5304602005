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

from .errors import InvalidParameterError
from .lr import LRProfile, phi_positions, phi_step

__all__ = ["axes_at", "segment_sums", "profile_segments", "merge_segments",
           "runs_from_arrays", "CHUNK_STEPS"]

#: Steps summed per compiled call (≈ 0.05 s): the granularity of Ctrl-C in long sums.
CHUNK_STEPS = 1 << 22
#: Smooth segments up to 4× this many steps are summed step by step; longer ones exactly
#: over their first ``DIRECT_STEPS`` and by Euler–Maclaurin beyond (see :func:`_em_sums`).
DIRECT_STEPS = 1 << 20
_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)


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


def _em_sums(sch, r: int, a: int, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Σ_{i=a}^{m−1} f(i)`` for ``f = η_i`` and ``f = η_i²/B`` at the sorted ends
    ``m ≥ a`` of smooth segment r, by Euler–Maclaurin:

        Σ_{i=a}^{m−1} f(i) = ∫_a^m f dx + (f(a) − f(m))/2 + (f′(m) − f′(a))/12 − …

    The integral is composite 16-point Gauss–Legendre on cells ``[a·2^j, a·2^(j+1))`` cut
    at the ends (each cell at most as long as its distance from the segment start, where
    the only singular profile, the ``sqrt`` decay ``1 − √u``, has its branch point), and
    ``f′`` one-sided second-order differences of unit step.  With ``a ≥ 2^20`` steps the
    next term, ``(f⁽³⁾(m) − f⁽³⁾(a))/720 ~ f/(720 a³)``, is below 1e-19 relative."""
    seg = sch.segments()
    params, peak, D = sch.lr_params(), sch.peak_lr, sch.budget
    b = int(seg.batch[r])
    R0 = D - int(seg.start_samples[r])
    n = int(seg.count[r])
    geo = a * 2.0 ** np.arange(0, 64)
    brk = np.unique(np.concatenate(([float(a)], geo[geo < n], ends.astype(np.float64))))
    lo, hi = brk[:-1], brk[1:]
    half = 0.5 * (hi - lo)
    xs = (0.5 * (hi + lo))[:, None] + half[:, None] * _GL_X[None, :]
    f = peak * phi_positions(params, R0, xs, b, D)
    w = half[:, None] * _GL_W[None, :]
    I1 = np.concatenate(([0.0], np.cumsum((w * f).sum(axis=1))))
    I2 = np.concatenate(([0.0], np.cumsum((w * f * f).sum(axis=1)))) / b
    pos = np.searchsorted(brk, ends.astype(np.float64))

    def end_terms(x, sign):
        # f(x) and a one-sided derivative from points inside [a, m]
        pts = x[:, None] + sign * np.arange(3)[None, :]
        v = peak * phi_positions(params, R0, pts, b, D)
        v2 = v * v / b
        d1 = sign * (-3 * v[:, 0] + 4 * v[:, 1] - v[:, 2]) / 2
        d2 = sign * (-3 * v2[:, 0] + 4 * v2[:, 1] - v2[:, 2]) / 2
        return v[:, 0], d1, v2[:, 0], d2

    fa, da, fa2, da2 = (t[0] for t in end_terms(np.array([float(a)]), 1.0))
    fm, dm, fm2, dm2 = end_terms(ends.astype(np.float64), -1.0)
    s1 = I1[pos] + (fa - fm) / 2 + (dm - da) / 12
    s2 = I2[pos] + (fa2 - fm2) / 2 + (dm2 - da2) / 12
    same = ends == a
    s1[same] = 0.0
    s2[same] = 0.0
    return s1, s2


def _smooth_sums(sch, r: int, offsets: np.ndarray, stop: int | None = None):
    """Running sums at the sorted in-segment ``offsets`` (0..count) of smooth segment r
    and the sums over its first ``stop`` steps (default: all, the segment totals)."""
    seg = sch.segments()
    n_all = int(seg.count[r])
    n_stop = n_all if stop is None else min(n_all, stop)
    if n_stop > 4 * DIRECT_STEPS:
        head = offsets[offsets <= DIRECT_STEPS]
        th, gh, t_a, g_a = _smooth_sums(sch, r, head, stop=DIRECT_STEPS)
        tail = np.concatenate((offsets[offsets > DIRECT_STEPS], [n_stop])).astype(np.int64)
        s1, s2 = _em_sums(sch, r, DIRECT_STEPS, tail)
        return (np.concatenate((th, t_a + s1[:-1])), np.concatenate((gh, g_a + s2[:-1])),
                t_a + float(s1[-1]), g_a + float(s2[-1]))
    params, peak, D = sch.lr_params(), sch.peak_lr, sch.budget
    P0, b, n = int(seg.start_samples[r]), int(seg.batch[r]), n_stop
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


# ---------------------------------------------------------------------------- building
def _first_true(pred, n: int) -> int:
    """Smallest ``i ∈ [0, n]`` with ``pred(i)`` for a predicate monotone in i (n if none)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def merge_segments(lr, b, n, sm):
    """Merge adjacent segments with equal (lr, batch, smooth); drop empty ones."""
    keep = n > 0
    lr, b, n, sm = lr[keep], b[keep], n[keep], sm[keep]
    if lr.size <= 1:
        return lr, b, n, sm
    same = (lr[1:] == lr[:-1]) & (b[1:] == b[:-1]) & (sm[1:] == sm[:-1])
    starts = np.concatenate(([0], np.flatnonzero(~same) + 1))
    n2 = np.add.reduceat(n, starts)
    return lr[starts], b[starts], n2, sm[starts]


def profile_segments(seg_b: np.ndarray, seg_n: np.ndarray, budget: int, peak: float,
                     profile: LRProfile):
    """Segments ``(lr, batch, count, smooth)`` of batch runs ``(seg_b, seg_n)`` under an LR
    profile with peak ``peak`` on budget ``D``: a batch run is cut where the profile changes
    character — warmup ramp (smooth), stable part (constant, φ = 1), decay (smooth) — using
    the same floating-point tests as :func:`fsltheory.lr.phi_step`; table profiles give
    constant segments cut at their breakpoints."""
    P0 = np.concatenate(([0], np.cumsum(seg_b * seg_n)[:-1])).astype(np.int64)
    if profile.is_table:
        return _table_segments(profile, seg_b, seg_n, P0, peak)
    if profile.is_constant:
        lr = np.full(seg_b.size, peak)
        return lr, seg_b, seg_n, np.zeros(seg_b.size, bool)
    D = int(budget)
    W = profile.warmup
    shape = profile.shape
    F = profile.decay

    def ramp_lt1(P, b):  # same float operations as lr.phi_step
        return W > 0.0 and float(min(P + b, D)) / float(D) < W

    def shape_lt1(P):
        rem = float(D - P) / float(D)
        if shape == "const":
            return False
        if shape == "wsd":
            return rem < F
        v = rem / (1.0 - W) if W > 0.0 else rem
        return v < 1.0

    out_lr, out_b, out_n, out_s = [], [], [], []
    for P, b, n in zip(P0.tolist(), seg_b.tolist(), seg_n.tolist(), strict=True):
        i_w = _first_true(lambda i, P=P, b=b: not ramp_lt1(P + i * b, b), n)
        i_d = _first_true(lambda i, P=P, b=b: shape_lt1(P + i * b), n)
        pieces = ([(0, i_w, True), (i_w, i_d, False), (i_d, n, True)] if i_w < i_d
                  else [(0, n, True)])
        for a, e, sm in pieces:
            if e > a:
                out_lr.append(peak)
                out_b.append(b)
                out_n.append(e - a)
                out_s.append(sm)
    return (np.array(out_lr), np.array(out_b, dtype=np.int64),
            np.array(out_n, dtype=np.int64), np.array(out_s, bool))


def _table_segments(profile: LRProfile, seg_b, seg_n, P0, peak):
    """Segments of a piecewise-constant table profile (by samples or by steps)."""
    x = np.asarray(profile.table_x, dtype=np.int64)
    y = np.asarray(profile.table_y, dtype=np.float64) * peak
    by_step = profile.table_unit == "step"
    k0 = np.concatenate(([0], np.cumsum(seg_n)[:-1])).astype(np.int64)
    K = int(seg_n.sum())
    if by_step and profile.source is not None and profile.source.startswith("steps:") \
            and x.size < K:
        raise InvalidParameterError(
            f"the per-step LR table has {x.size} values but the schedule has {K} steps")
    out_lr, out_b, out_n = [], [], []
    for b, n, P, k in zip(seg_b.tolist(), seg_n.tolist(), P0.tolist(), k0.tolist(),
                          strict=True):
        # position of step i in the table's unit: u(i) = origin + i·scale
        origin, scale = (k, 1) if by_step else (P, b)
        last = origin + (n - 1) * scale
        inner = x[(x > origin) & (x <= last)]
        cuts = np.unique(np.concatenate(([0], -(-(inner - origin) // scale), [n])))
        starts = cuts[:-1]
        idx = np.searchsorted(x, origin + starts * scale, side="right") - 1
        out_lr.append(y[idx])
        out_b.append(np.full(starts.size, b, dtype=np.int64))
        out_n.append(np.diff(cuts))
    lr = np.concatenate(out_lr)
    return (lr, np.concatenate(out_b), np.concatenate(out_n), np.zeros(lr.size, bool))


def runs_from_arrays(lr, batch):
    """Validate per-step ``lr`` (finite, > 0) and ``batch`` (integers ≥ 1) arrays and
    return ``(lr, batch, run_starts, run_counts)`` of their run-length encoding."""
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
    change = np.flatnonzero((np.diff(lr) != 0) | (np.diff(b) != 0)) + 1
    starts = np.concatenate(([0], change))
    counts = np.diff(np.concatenate((starts, [lr.size]))).astype(np.int64)
    return lr, b, starts, counts

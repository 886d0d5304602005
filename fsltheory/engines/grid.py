"""Integration grid of the Volterra engine on segment-stored schedules (docs/theory.md §3, §7).

The schedule arrives as segments (:meth:`fsltheory.schedule.Schedule.segments`): constant
``(η, B)`` stretches of any length, and *smooth* stretches whose per-step LR is
``η_peak·φ(P/D)``.  Nothing here allocates per-step arrays: node placement, the noise rate
γ = η/B at cell ends and the axes ``t_k``, ``Σ η²/B`` at the nodes are computed from the
segments (:mod:`fsltheory.segments` sums smooth stretches in compiled chunks).

Grid rule (the Volterra module docstring, step 3): a *grid segment* starts at step 0 and
wherever γ jumps by more than 1% between consecutive steps (a batch switch, an LR drop);
inside it the node offsets are log-spaced in the steps since its start
(``grid_per_decade`` per decade), plus nodes ≤ 0.02/λ₁ apart in intrinsic time during
its first 5/λ₁; wherever γ changes slowly (smooth profiles, small steps between
segments) a node is added each time the accumulated ``|Δ ln γ|`` grows by 1%.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..errors import check_range
from ..lr import phi_steps
from ..schedule import Schedule
from ..segments import axes_at, segment_sums

__all__ = ["RunTables", "run_tables", "cells", "volterra_grid", "gamma_at", "JUMP_TOL"]

JUMP_TOL = 0.01  # relative γ change that starts a new grid segment / forces a node


class RunTables(NamedTuple):
    """Per-segment tables: start step, LR (peak for smooth rows), γ at the first and last
    step, count, batch, start samples, smooth flag, and the schedule itself."""

    schedule: Schedule
    starts: np.ndarray
    lrs: np.ndarray
    gam_first: np.ndarray
    gam_last: np.ndarray
    counts: np.ndarray
    bs: np.ndarray
    d0: np.ndarray
    smooth: np.ndarray


def run_tables(schedule: Schedule) -> RunTables:
    """Segment tables of ``schedule`` (O(segments) memory)."""
    seg = schedule.segments()
    bsf = seg.batch.astype(np.float64)
    g_first = seg.lr / bsf
    g_last = g_first.copy()
    sm = np.flatnonzero(seg.smooth)
    if sm.size:
        g_first[sm] = schedule.lr_at(seg.start_step[sm]) / bsf[sm]
        g_last[sm] = schedule.lr_at(seg.start_step[sm] + seg.count[sm] - 1) / bsf[sm]
    return RunTables(schedule, seg.start_step, seg.lr, g_first, g_last, seg.count, seg.batch,
                     seg.start_samples, seg.smooth)


def gamma_at(k: np.ndarray, tables: RunTables) -> np.ndarray:
    """Noise rate ``γ_k = η_k/B_k`` of steps ``0 ≤ k < K``."""
    k = np.asarray(k, dtype=np.int64)
    r = np.searchsorted(tables.starts, k, side="right") - 1
    out = tables.gam_first[r].copy()
    sm = tables.smooth[r]
    if np.any(sm):
        sch = tables.schedule
        out[sm] = sch.lr_at(k[sm]) / tables.bs[r[sm]]
    return out


def cells(nodes: np.ndarray, tables: RunTables):
    """Node times, cell lengths, and γ of the first and of the last step of each cell."""
    _, t_nodes, _ = axes_at(tables.schedule, nodes)
    return t_nodes, np.diff(t_nodes), gamma_at(nodes[:-1], tables), gamma_at(nodes[1:] - 1,
                                                                             tables)


def _level_nodes(sch: Schedule, r: int, c0: float, tables: RunTables) -> tuple[np.ndarray, float]:
    """Steps inside smooth segment ``r`` where the accumulated ``|Δ ln γ|`` (``c0`` at its
    first step) crosses a multiple of :data:`JUMP_TOL`; γ is monotone on the segment, so
    each crossing is found by a vectorised bisection on the step offset."""
    n = int(tables.counts[r])
    l0 = math.log(tables.gam_first[r])
    l1 = math.log(tables.gam_last[r])
    span = abs(l1 - l0)
    c1 = c0 + span
    levels = np.arange(math.floor(c0 / JUMP_TOL) + 1, math.floor(c1 / JUMP_TOL) + 1) * JUMP_TOL
    if levels.size == 0 or n < 2:
        return np.empty(0, dtype=np.int64), c1
    need = levels - c0  # |ln γ(i) − l0| must reach this
    lo = np.zeros(need.size, dtype=np.int64)  # |…| < need at lo (offset 0 has 0 < need)
    hi = np.full(need.size, n - 1, dtype=np.int64)  # ≥ need at hi (up to rounding)
    params, peak, D = sch.lr_params(), sch.peak_lr, sch.budget
    P0, b = int(tables.d0[r]), int(tables.bs[r])
    while True:
        open_ = hi - lo > 1
        if not open_.any():
            break
        mid = (lo + hi) // 2
        val = np.abs(np.log(peak * phi_steps(params, P0 + mid * b, b, D) / b) - l0)
        up = open_ & (val >= need)
        hi = np.where(up, mid, hi)
        lo = np.where(open_ & ~up, mid, lo)
    return np.unique(int(tables.starts[r]) + hi), c1


def volterra_grid(schedule: Schedule, grid_per_decade: float = 200.0,
                  rate_max: float = 1.0, _tables: RunTables | None = None) -> np.ndarray:
    """Node step indices of the integration grid (module docstring): sorted, unique,
    starting at 0 and ending at ``n_steps``.

    Besides the log-spaced offsets, each grid segment gets nodes at most ``0.02/rate_max``
    apart in intrinsic time during its first ``5/rate_max`` (``rate_max = λ_1``): the
    fastest modes' transient ``e^(−2λ_1(t − t_0))`` is then resolved to ≲ 1e-4 by the
    linear interpolation of the output, even when it is carried by a single mode."""
    gpd = check_range("grid_per_decade", grid_per_decade, 5.0, None)
    tab = run_tables(schedule) if _tables is None else _tables
    K = schedule.n_steps
    # jumps of ln γ between consecutive segments (last step of r−1 → first step of r)
    jump = np.abs(np.log(tab.gam_first[1:]) - np.log(tab.gam_last[:-1]))
    seg_rows = np.concatenate(([0], np.flatnonzero(jump > JUMP_TOL) + 1))
    seg_start = tab.starts[seg_rows]
    seg_end = np.concatenate((seg_start[1:], [K]))
    seg_lr = schedule.lr_at(seg_start)
    pieces = [np.array([0, K], dtype=np.int64), seg_start]
    cache: dict[tuple[int, float], np.ndarray] = {}
    for a, b, eta in zip(seg_start.tolist(), seg_end.tolist(), seg_lr.tolist(), strict=True):
        n = b - a
        key = (n, eta)
        offs = cache.get(key)
        if offs is None:
            num = max(2, int(math.ceil(gpd * math.log10(max(n, 2)))) + 1)
            logo = np.round(np.geomspace(1, n, num)).astype(np.int64)
            step = max(1, int(0.02 / (rate_max * eta)))
            stop = min(n, int(math.ceil(5.0 / (rate_max * eta))))
            offs = np.unique(np.concatenate((logo, np.arange(step, stop + 1, step))))
            cache[key] = offs
        pieces.append(a + offs)
    # slow γ variations: a node each time Σ|Δ ln γ| grows by JUMP_TOL (small jumps between
    # segments, and the variation inside smooth segments)
    small = np.where(jump > JUMP_TOL, 0.0, jump)
    inc_b = np.concatenate(([0.0], small))
    inside = np.where(tab.smooth, np.abs(np.log(tab.gam_last) - np.log(tab.gam_first)), 0.0)
    c_start = np.cumsum(inc_b) + np.concatenate(([0.0], np.cumsum(inside)[:-1]))
    crossed = np.floor(c_start / JUMP_TOL) > np.floor((c_start - inc_b) / JUMP_TOL)
    pieces.append(tab.starts[crossed & (inc_b > 0)])
    for r in np.flatnonzero(tab.smooth):
        pieces.append(_level_nodes(schedule, int(r), float(c_start[r]), tab)[0])
    nodes = np.unique(np.concatenate(pieces))
    return nodes[(nodes >= 0) & (nodes <= K)]


def continuum_gamma_max(tables: RunTables) -> np.ndarray:
    """Largest γ of each segment (smooth segments are monotone: first or last step)."""
    return np.maximum(tables.gam_first, tables.gam_last)


__all__ += ["continuum_gamma_max", "segment_sums"]

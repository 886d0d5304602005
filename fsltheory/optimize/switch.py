"""Two-stage and k-stage batch schedules: the best switch points (docs/theory.md §5, C-SWITCH;
``docs/theory.md §5``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, check_int_range, check_range
from ..schedule import Schedule
from ..task import PowerLawTask
from ._common import _check_model, _progress, _validate_batches
from .lrprofile import _as_profile, _profile_name, fsl_stages_risk
from .objective import _constant, _model_risks, _stages, _two_stage, fsl_two_stage
from .search import minimize_integer

__all__ = ["SwitchResult", "StagesResult", "optimal_switch", "optimal_stages"]


@dataclass(frozen=True)
class SwitchResult:
    """Result of :func:`optimal_switch` (docs/theory.md §5, C-SWITCH).

    Attributes
    ----------
    samples : int
        Optimal switch point ``P*`` (samples at ``b1``; a multiple of ``b1``).
    fraction : float
        ``P*/D``.
    final_risk : float
        Loss of the optimal two-stage schedule on ``model``.
    curve_samples, curve_risk : ndarray
        Every switch point evaluated by the search and its loss (sorted by samples).
    model : str
    budget, lr, b1, b2 : the problem (``lr`` the peak learning rate).
    lr_schedule : str
        The fixed LR profile (``"const"`` or its spec, ``docs/theory.md §7``).

    The :attr:`schedule` is built on demand (per-step arrays can be large for huge D).
    """

    samples: int
    fraction: float
    final_risk: float
    curve_samples: np.ndarray
    curve_risk: np.ndarray
    model: str
    budget: int
    lr: float
    b1: int
    b2: int
    lr_schedule: str = "const"

    @property
    def schedule(self) -> Schedule:
        return _two_stage(self.b1, self.b2, self.samples, self.budget, self.lr,
                          _as_profile(self.lr_schedule))

    @property
    def steps(self) -> int:
        rest = self.budget - self.samples
        return self.samples // self.b1 + -(-rest // self.b2)

    def summary(self) -> dict[str, Any]:
        return {"samples": self.samples, "fraction": self.fraction,
                "final_risk": self.final_risk, "b1": self.b1, "b2": self.b2,
                "steps": self.steps, "model": self.model, "lr_schedule": self.lr_schedule}



def optimal_switch(
    task: PowerLawTask,
    budget: int,
    lr: float,
    b1: int,
    b2: int,
    model: str = "fsl",
    *,
    lr_schedule=None,
    grid_points: int = 40,
    remaining: tuple[float, float] | None = None,
    rtol: float = 0.0,
    progress: bool | None = None,
) -> SwitchResult:
    """Best two-stage schedule ``b1 → b2`` after ``P`` samples (docs/theory.md §5, C-SWITCH),
    under a
    fixed LR profile (``docs/theory.md §7``).

    Parameters
    ----------
    task : PowerLawTask
    budget : int
        Data budget ``D``.
    lr : float
        Peak learning rate.
    b1, b2 : int
        Batch before and after the switch, ``b1 < b2``.
    model : {"fsl", "volterra", "exact"}
    lr_schedule : str, LRProfile or None
        The LR profile ``φ`` (``None``/``"const"``: constant LR).  The LR at step ``k`` is
        ``lr · φ(P_k/D)``; only the batch schedule is optimised.
    grid_points : int
        Bracketing grid of ``D − P``.
    remaining : (lo, hi), optional
        Search only ``lo ≤ D − P ≤ hi`` samples (e.g. around a cheaper model's answer).
    rtol : float
        0 (default): zoom down to one lattice step.  ``> 0``: after the bracketing grid,
        a bounded Brent search (:func:`scipy.optimize.minimize_scalar`) in ``log(D − P)``
        to an absolute tolerance ``rtol`` (i.e. ``D − P`` to relative precision ``rtol``)
        — fewer evaluations for costly engines.
    progress : bool or None

    Returns
    -------
    SwitchResult

    Examples
    --------
    >>> from fsltheory import PowerLawTask
    >>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
    >>> optimal_switch(task, 2**14, 0.2, 4, 64, progress=False).fraction > 0.5
    True

    Notes
    -----
    ``P`` is a multiple of ``b1`` (stage 1 takes whole batches); the search runs over the
    lattice of such ``P`` whose stage 2 ends on a full ``b2`` batch (or the largest
    possible partial one, :func:`_switch_lattice`; spacing ``lcm(b1, b2)``, i.e. one
    ``b2`` step when ``b1 | b2``), plus the two ends ``P = 0`` and ``P = b1⌊D/b1⌋``.
    Search: a log grid of ``D − P`` (``grid_points`` values from ``b2`` to ``D``, so late
    switches are resolved to a relative precision of the remaining data), then batched
    zooming between the best point's neighbours down to single lattice steps
    (:func:`minimize_integer`).  Every batch of candidates is evaluated at once
    (:func:`~fsltheory.engines.exact.exact_risk_many` in parallel for ``model="exact"``).
    Under the FSL the interior optimum solves ``−e'(S) = (σ²η/2)[K(S)/B1 + K(R)/B2]``
    (S, R intrinsic times of the whole run and of stage 2).  Under a decaying LR profile
    the FSL model is the data-continuum objective :func:`fsl_stages_risk`; the loss as a
    function of ``P`` may then have two local minima (an interior switch and "never
    switch"), which the bracketing grid separates.
    """
    task, budget, lr, (b1, b2) = _validate_batches(task, budget, lr, [b1, b2])
    model = _check_model(model)
    prof = _as_profile(lr_schedule)
    grid_points = check_int_range("grid_points", grid_points, 3, None)
    rtol = check_range("rtol", rtol, 0.0, 1.0)
    D = budget
    # Lattice of switch points P = P0 + m·L (see _switch_lattice): stage 1 whole b1
    # batches and stage 2 ending on a full b2 batch whenever possible.
    P0, L = _switch_lattice(0, b1, D, b2)
    m_max = (D - P0) // L
    m_lo, m_hi = 0, m_max
    if remaining is not None:
        r_lo, r_hi = (check_range("remaining", float(x), 0.0, float(D)) for x in remaining)
        if r_hi <= r_lo:
            raise InvalidParameterError(
                f"remaining must be (lo, hi) with lo < hi <= budget, got {remaining!r}")
        m_lo = int(max(0, np.floor((D - P0 - r_hi) / L)))
        m_hi = int(min(m_max, np.ceil((D - P0 - r_lo) / L)))
        R = np.geomspace(max(r_lo, 1.0), r_hi, grid_points)
    else:
        R = np.geomspace(min(b2, D), D, grid_points)
    grid = np.round((D - P0 - R) / L)

    def risks(Ps):
        Ps = np.asarray(Ps, dtype=np.int64)
        if model == "fsl":
            if prof is None:
                return fsl_two_stage(task, D, lr, b1, b2, Ps)
            return fsl_stages_risk(task, D, lr, [b1, b2], Ps[:, None], prof)
        return _model_risks(task, [_two_stage(b1, b2, int(p), D, lr, prof) for p in Ps],
                            model)

    def f_many(ms):
        return risks(P0 + np.asarray(ms, dtype=np.int64) * L)

    with _progress(None, f"optimal switch ({model})", progress) as bar:
        m, val, seen = minimize_integer(f_many, m_lo, m_hi, grid=grid, progress=bar,
                                        stop=(lambda a, b: True) if rtol > 0 else None)
    if rtol > 0:  # Brent in log(D − P) between the bracket's neighbours, on the lattice
        m, val = _refine_log_remaining(f_many, seen, m, D - P0, L, m_lo, m_hi, rtol)
    P_best = P0 + m * L
    curve = {int(P0 + mm * L): v for mm, v in seen.items()}
    # the two ends (all-b2 and all-b1 up to one partial b2 batch) compete as well, even
    # when they are off the full-batch lattice
    ends = [p for p in {0, (D // b1) * b1} if p not in curve] if remaining is None else []
    if ends:
        vals = risks(np.array(ends))
        for p, v in zip(ends, vals, strict=True):
            curve[int(p)] = float(v)
            if v < val:
                P_best, val = int(p), float(v)
    Ps = np.array(sorted(curve), dtype=np.int64)
    return SwitchResult(
        samples=int(P_best),
        fraction=float(P_best / D),
        final_risk=float(val),
        curve_samples=Ps,
        curve_risk=np.array([curve[int(x)] for x in Ps]),
        model=model,
        budget=D,
        lr=lr,
        b1=b1,
        b2=b2,
        lr_schedule=_profile_name(prof),
    )


def _refine_log_remaining(f_many, seen: dict, m: int, span: int, L: int, m_lo: int,
                          m_hi: int, rtol: float) -> tuple[int, float]:
    """Refine a bracketed switch index ``m`` (``D − P = span − m·L``) by
    :func:`scipy.optimize.minimize_scalar` (bounded) over ``log(D − P)`` to ``rtol``,
    evaluating the nearest lattice point (memoised in ``seen``)."""
    from scipy.optimize import minimize_scalar as _brent

    keys = sorted(seen)
    i = keys.index(m)
    a, b = keys[max(i - 1, 0)], keys[min(i + 1, len(keys) - 1)]

    def g(lr_: float) -> float:
        mm = int(np.clip(round((span - math.exp(lr_)) / L), m_lo, m_hi))
        if mm not in seen:
            seen[mm] = float(np.asarray(f_many(np.array([mm])))[0])
        return seen[mm]

    r_hi, r_lo = max(span - a * L, 1), max(span - b * L, 1)
    if r_hi > r_lo:
        _brent(g, bounds=(math.log(r_lo), math.log(r_hi)), method="bounded",
               options={"xatol": rtol})
    k_best = min(seen, key=seen.get)
    return k_best, seen[k_best]


@dataclass(frozen=True)
class StagesResult:
    """Result of :func:`optimal_stages`: switch points (samples), fractions, loss."""

    samples: tuple[int, ...]
    fractions: tuple[float, ...]
    final_risk: float
    schedule: Schedule
    batches: tuple[int, ...]
    model: str
    sweeps: int
    lr_schedule: str = "const"


def optimal_stages(
    task: PowerLawTask,
    budget: int,
    lr: float,
    batches: Sequence[int],
    model: str = "fsl",
    *,
    lr_schedule=None,
    max_sweeps: int = 12,
    progress: bool | None = None,
) -> StagesResult:
    """Best k-stage schedule with given increasing batch sizes (docs/theory.md §5), under a fixed LR
    profile ``lr_schedule`` (``docs/theory.md §7``; ``None``: constant LR).

    Coordinate descent over the k−1 switch points (samples before each switch, each a
    whole number of its stage's batches): each sweep re-optimises one switch at a time by
    the batched integer search of :func:`minimize_integer` with the others fixed, until a
    sweep changes nothing.  Starts from the optimal two-stage switch ``b_1 → b_k`` with the
    intermediate stages spread geometrically over its remaining data.  Under a decaying
    LR profile the FSL model is the data-continuum objective :func:`fsl_stages_risk`; when
    "never switch" (all data at ``b_1``) is best, every switch point is reported at the
    end of the data.

    Examples
    --------
    >>> from fsltheory import PowerLawTask
    >>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
    >>> r = optimal_stages(task, 2**12, 0.2, [4, 16, 64], progress=False)
    >>> len(r.samples)
    2
    """
    task, budget, lr, batches = _validate_batches(task, budget, lr, list(batches))
    model = _check_model(model)
    prof = _as_profile(lr_schedule)
    name = _profile_name(prof)
    D, k = budget, len(batches)
    if k == 1:
        s = _constant(batches[0], D, lr, prof)
        val = (fsl_stages_risk(task, D, lr, batches, [[]], prof)[0]
               if prof is not None and model == "fsl" else _model_risks(task, [s], model)[0])
        return StagesResult((), (), float(val), s, tuple(batches), model, 0, name)
    if k == 2:
        r = optimal_switch(task, D, lr, batches[0], batches[1], model, lr_schedule=prof,
                           progress=progress)
        return StagesResult((r.samples,), (r.fraction,), r.final_risk, r.schedule,
                            tuple(batches), model, 1, name)
    two = optimal_switch(task, D, lr, batches[0], batches[-1], model, lr_schedule=prof,
                         progress=progress)
    # cumulative data before switch i: P_1 = P*, then geometric split of the remainder;
    # a P* at (or next to) the end ("never switch", e.g. under a decaying LR) is moved back
    # so that every later stage starts with room for a few of its batches
    rem = max(D - two.samples, batches[-1] * 2 ** (k - 1))
    P = [max(0, min(two.samples, D - rem))]
    for i in range(1, k - 1):
        P.append(int(D - rem * 0.5**i))
    P = _snap_switches(P, batches, D)

    def build(P):
        fr = [p / D for p in P]
        if any(b <= a for a, b in zip(fr, fr[1:], strict=False)):
            return None
        return _stages(batches, fr, D, lr, prof)

    def value(P) -> float:
        s = build(P)
        if s is None:
            return np.inf
        if prof is not None and model == "fsl":
            return float(fsl_stages_risk(task, D, lr, batches, [s.switch_samples], prof)[0])
        return float(_model_risks(task, [s], model)[0])

    best = value(P)
    sweeps = 0
    with _progress(max_sweeps, f"optimal stages ({model})", progress) as bar:
        while sweeps < max_sweeps:
            sweeps += 1
            changed = False
            for i in range(k - 1):
                lo = P[i - 1] if i > 0 else 0
                hi = P[i + 1] if i < k - 2 else D
                b = batches[i]  # stage i+1 ... switch i ends stage i (batch batches[i])
                # switch i sits at lo + n·b (stage i takes whole batches)

                if i == k - 2:  # last switch: keep the final stage on full batches
                    off, L = _switch_lattice(lo, b, D, batches[-1])
                else:
                    off, L = lo, b
                n_max = max((hi - off) // L, 0)

                def f_many(ns, i=i, off=off, L=L, P=P):
                    out = []
                    for n in ns:
                        Q = list(P)
                        Q[i] = off + int(n) * L
                        out.append(value(_snap_switches(Q, batches, D)))
                    return np.array(out)

                R = np.geomspace(1, max(hi - off, 2), 16)
                n, v, _ = minimize_integer(f_many, 0, n_max, grid=np.round((hi - off - R) / L))
                if v < best - 1e-15 * abs(best):
                    Q = list(P)
                    Q[i] = off + int(n) * L
                    P, best, changed = _snap_switches(Q, batches, D), v, True
            bar.update(1)
            if not changed:
                break
    if two.samples >= (D // batches[0]) * batches[0] and two.final_risk < best:
        # "never switch" (all data at b_1) beats every k-stage schedule: report it with
        # all switch points at the end (the later stages are empty)
        return StagesResult(tuple([two.samples] * (k - 1)), tuple([two.fraction] * (k - 1)),
                            two.final_risk, two.schedule, tuple(batches), model, sweeps, name)
    s = build(P)
    if s is None:
        raise InvalidParameterError(
            f"budget must leave room for {k} stages of batches {batches}, got {D}")
    return StagesResult(tuple(s.switch_samples), tuple(x / D for x in s.switch_samples),
                        best, s, tuple(batches), model, sweeps, name)


def _switch_lattice(base: int, step: int, D: int, b_last: int) -> tuple[int, int]:
    """Switch points ``P = base + n·step`` (the stage before the switch takes whole
    batches) whose final stage ends on a full ``b_last`` batch, or, when no such ``P``
    exists, on the largest possible partial batch.  Returns ``(P0, L)``: the lattice
    ``P0 + m·L``, ``L = lcm(step, b_last)``.

    Why: a final partial batch of ``r`` samples adds ``(σ²η/2)(Kt(0) − Kt(η))(1/r − 1/b)``
    to the FSL (docs/theory.md §5) — an artefact of the budget rule of :class:`Schedule` that would
    make the loss a saw-tooth in ``P`` with period ``b_last``; the switch searches compare
    switch points on equal footing instead.  Resolution: one step of the last stage.
    """
    g = math.gcd(step, b_last)
    L = step * b_last // g
    best_n, best_last = 0, -1
    for n in range(b_last // g):
        r = (D - base - n * step) % b_last
        last = b_last if r == 0 else r
        if last > best_last:
            best_n, best_last = n, last
    return base + best_n * step, L


def _snap_switches(P, batches, D):
    """Snap cumulative switch points so that each stage takes whole batches (as
    :meth:`Schedule.stages` realises them)."""
    out, used = [], 0
    for p, b in zip(P, batches[:-1], strict=False):
        n = max(0, min(int(round((p - used) / b)), (D - used) // b))
        used += n * b
        out.append(used)
    # strictly increasing fractions are needed by Schedule.stages; equal points mean an
    # empty stage, which we keep as an infinitesimal gap by skipping in build()
    return out


"""Shared settings and helpers of the figure data: the experiment constants (β, s, σ, lr,
batches of docs/theory.md §5), :class:`FigData`, :func:`loglog_slope`, curve sampling and the
predicted exponents, each taken from the symbolic layer (:mod:`fsltheory.symbolic`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..curve import LossCurve, log_spaced_indices
from ..errors import InvalidParameterError

__all__ = [
    "BETA", "S_HARD", "S_EASY", "SIGMA", "LR", "B_SMALL", "B_LARGE",
    "FigData",
    "loglog_slope",
    "predicted_signal_exponent",
    "predicted_kernel_exponent",
    "predicted_catchup_exponent",
    "predicted_switch_exponent",
    "predicted_profile_exponent",
    "predicted_duality_lr_exponent",
    "regime_boundary",
]

# Shared experiment settings (docs/theory.md §5 uses σ > 0 and a constant learning rate).
BETA = 2.0
S_HARD = 0.25  # hard: s < 1 − 1/β = 0.5
S_EASY = 1.5  # easy
SIGMA = 1.0
LR = 0.2
B_SMALL = 4
B_LARGE = 64


@dataclass
class FigData:
    """Everything a plot builder needs: ``panels`` maps a panel key to a dict of plain
    arrays/scalars; ``fits`` holds fitted-vs-predicted numbers (also used by tests);
    ``meta`` records the settings (task, budget, …) shown in captions."""

    name: str
    panels: dict[str, dict[str, Any]] = field(default_factory=dict)
    fits: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------- helpers
def loglog_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares fit ``log y = a + p log x``; returns ``(p, exp(a))``.

    Points with a non-positive or non-finite coordinate are skipped; the remaining ``x``
    must be distinct (a repeated ``x`` adds no independent information)."""
    try:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError("loglog_slope needs real arrays x and y") from None
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidParameterError(
            f"loglog_slope needs 1-D x and y of equal length, got shapes {x.shape}, {y.shape}")
    ok = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        raise InvalidParameterError("loglog_slope needs at least two positive points")
    if np.unique(x[ok]).size != int(ok.sum()):
        raise InvalidParameterError("loglog_slope needs distinct x values, got duplicates")
    p, a = np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)
    return float(p), float(np.exp(a))


def _curve_points(curve: LossCurve, points: int = 400,
                  extra: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """A curve as plain log-spaced arrays (steps ≥ 1 so log axes work), plus every step
    in ``extra`` (e.g. a post-switch segment at full resolution)."""
    idx = log_spaced_indices(len(curve), points)
    if extra is not None:
        idx = np.union1d(idx, np.clip(np.asarray(extra, dtype=np.int64), 0, len(curve) - 1))
    idx = idx[idx >= 1]
    out = {
        "steps": curve.steps[idx].astype(np.float64),
        "data": curve.data[idx].astype(np.float64),
        "time": curve.time[idx],
        "risk": curve.risk[idx],
    }
    if curve.stderr is not None:
        out["stderr"] = curve.stderr[idx]
    return out


def _exponent(name: str, beta: float, s: float | None = None) -> float:
    """Numeric value of the derived exponent ``name`` of :data:`fsltheory.symbolic.EXPONENTS`
    (import deferred: deriving is done once, on first use)."""
    from ..symbolic import exponent_value

    return float(exponent_value(name, beta, s))


def _twin(claim: str, key: str):
    """Numeric twin of the derived result ``key`` of ``claim`` (docs/theory.md §4)."""
    from ..symbolic import derivation

    return derivation(claim).numeric[key]


# Predicted exponents, each from its one symbolic source (docs/theory.md §4–§5).
def predicted_signal_exponent(beta: float, s: float) -> float:
    """p in e(t) ∝ t^p, i.e. −s (docs/theory.md §4, C-SIGNAL)."""
    return _exponent("signal", beta, s)


def predicted_kernel_exponent(beta: float) -> float:
    """p in K(u) ∝ u^p, i.e. −(2 − 1/β) (docs/theory.md §4, C-KERNEL)."""
    return _exponent("kernel", beta)


def predicted_catchup_exponent(beta: float) -> float:
    """p in Δ ∝ (t − t_s)^p, i.e. −(1 − 1/β) (docs/theory.md §5, C-CATCHUP)."""
    return _exponent("catchup_gap", beta)


def predicted_switch_exponent(beta: float, s: float) -> float:
    """p in D − P* ∝ D^p, i.e. (1+s)/(2−1/β) (docs/theory.md §5, C-SWITCH, hard regime)."""
    return _exponent("switch", beta, s)


def predicted_profile_exponent(beta: float) -> float:
    """p in b*(t) ∝ (T − t + 1)^p, i.e. 1/(2β) − 1 (docs/theory.md §5, C-OPT-EASY)."""
    return _exponent("batch_growth", beta)


def predicted_duality_lr_exponent(beta: float) -> float:
    """p in η*(z) ∝ (1 − z/N)^p, i.e. 2β − 1 (docs/theory.md §5, C-DUALITY)."""
    return _exponent("lr_decay_power", beta)


def regime_boundary(beta: np.ndarray) -> np.ndarray:
    """The easy/hard boundary s = 1 − 1/β (docs/theory.md §1, C-REGIME), from the symbolic layer."""
    b = np.asarray(beta, dtype=np.float64)
    return np.array([_exponent("regime_boundary", float(x)) for x in b])

"""Predicting loss curves from a fitted law, with the bootstrap band (docs/theory.md §7).

The band at a point is the 5%–95% range of the predictions of the bootstrap refits
(:class:`~fsltheory.fit.FitResult`), i.e. the parameter uncertainty propagated through the
law; it does not include observation noise.

Example
-------
>>> from fsltheory.curves import example_curves
>>> from fsltheory.fit import fit_curves
>>> cs = example_curves(steps=300, points=30, modes=100)
>>> fit = fit_curves(cs, "task", starts=1, bootstrap=0, law_options={"modes": 100})
>>> out = predict_curves(fit, cs)
>>> sorted(out["runs"]) == sorted(cs.names) and out["worst_rel_error"] < 0.05
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .curves import CurveSet
from .errors import FSLError, InvalidParameterError
from .fit import FitResult

__all__ = ["predict_schedule", "predict_curves"]


def predict_schedule(fit: FitResult, lr: np.ndarray, batch: np.ndarray, steps: np.ndarray,
                     *, band: bool = True, level: float = 0.9
                     ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Predicted loss after ``steps`` updates of the per-step schedule ``(lr, batch)``.

    Returns ``(predicted, low, high)``; ``low``/``high`` are the bootstrap band (``None``
    without bootstrap samples or with ``band=False``).
    """
    lr = np.asarray(lr, dtype=np.float64)
    batch = np.asarray(batch)
    steps = np.asarray(steps, dtype=np.int64)
    if steps.size and (steps.min() < 0 or steps.max() >= lr.size):
        raise InvalidParameterError(
            f"steps must lie in [0, {lr.size - 1}] (the schedule's length), "
            f"got {int(steps.min())}..{int(steps.max())}")
    pred = fit.law.predict(fit.params, lr, batch, steps)
    if not band or fit.boot.size == 0:
        return pred, None, None
    rows = []
    for p in fit.boot:
        try:
            rows.append(fit.law.predict(p, lr, batch, steps))
        except FSLError:
            continue
    if not rows:
        return pred, None, None
    arr = np.asarray(rows)
    q = (1.0 - level) / 2.0
    return pred, np.nanquantile(arr, q, axis=0), np.nanquantile(arr, 1.0 - q, axis=0)


def predict_curves(fit: FitResult, curves: CurveSet, *, band: bool = True) -> dict[str, Any]:
    """Predict every observed row of ``curves`` from its own schedule.

    Returns the ``predict --json`` object: ``runs: {run: {step, observed, predicted, low,
    high}}``, ``mean_rel_error``, ``worst_rel_error`` (``|predicted/observed − 1|`` over all
    rows) and per-run errors.
    """
    runs: dict[str, Any] = {}
    rel_all = []
    for r in curves:
        pred, lo, hi = predict_schedule(fit, r.lr, r.batch, r.obs_steps, band=band)
        rel = np.abs(pred / r.obs_loss - 1.0)
        rel_all.append(rel)
        runs[r.name] = {
            "step": r.obs_steps.tolist(), "observed": r.obs_loss.tolist(),
            "predicted": pred.tolist(),
            "low": None if lo is None else lo.tolist(),
            "high": None if hi is None else hi.tolist(),
            "mean_rel_error": float(rel.mean()), "worst_rel_error": float(rel.max()),
        }
    rel = np.concatenate(rel_all)
    return {"law": fit.law.name, "runs": runs, "mean_rel_error": float(rel.mean()),
            "worst_rel_error": float(rel.max()), "n_points": int(rel.size)}

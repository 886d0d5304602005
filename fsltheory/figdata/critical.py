"""Data of the ``critical-batch`` figure (docs/theory.md §8): E vs S on the engines.

Panel ``es``: the Volterra engine's E(S) = B·S(B; ℓ) at constant LR for several targets ℓ
on an easy task, with B_min (the asymptote E = B_min'S), B_opt (the point (S_opt, E_min))
and the three fitted forms of :mod:`fsltheory.esfit` (FSL, McCandlish, piecewise).
Panel ``wsd``: constant LR vs WSD on the exact engine at one target, and their crossing.
"""

from __future__ import annotations

import numpy as np

from ..critical import critical_batch, critical_task, es_curve
from ..esfit import fit_es_forms, fsl_es, mccandlish_es, piecewise_es, wsd_vs_constant
from .common import FigData

__all__ = ["data_critical_batch"]

BETA, S_EASY, SIGMA, LR = 2.0, 1.0, 10.0, 0.5


def data_critical_batch(quick: bool = False) -> FigData:
    """FigData of the ``critical-batch`` figure (module docstring)."""
    targets = [1e-2, 1e-3] if quick else [1e-2, 1e-3, 1e-4]
    # batches spaced evenly in log S: y = S/S_min ∈ [1.003, 60], x = B_min'/B = 1 − y^(−s)
    y = np.geomspace(1.003, 60.0, 14 if quick else 26)
    mults = 1.0 / (1.0 - y ** (-S_EASY))
    fd = FigData("critical-batch", meta={"beta": BETA, "s": S_EASY, "sigma": SIGMA, "lr": LR})
    rows = []
    fits_out = {}
    for ell in targets:
        task = critical_task(BETA, S_EASY, SIGMA, LR, ell)
        cb = critical_batch(task, LR, ell, engine="volterra")
        fin0 = ell / (ell + cb.predicted["c_M"])
        S, E = es_curve(task, LR, ell, cb.B_min * fin0 * mults, engine="volterra")
        ok = np.isfinite(S)
        S, E = S[ok], E[ok]
        fits = fit_es_forms(S, E)
        grid = np.geomspace(S.min(), S.max(), 200)
        pf, pm, pp = (fits[k]["params"] for k in ("fsl", "mccandlish", "piecewise"))
        fin = ell / (ell + cb.predicted["c_M"])
        rows.append({
            "target": ell, "modes": task.modes, "S": S, "E": E, "grid": grid,
            "B_min": cb.B_min, "B_min_eff": cb.B_min * fin, "B_opt": cb.B_opt,
            "S_opt": cb.S_opt, "E_min": cb.E_min, "S_min": cb.S_min,
            "B_opt_ratio": cb.B_opt / cb.B_min,
            "B_opt_ratio_pred": cb.predicted["B_opt_ratio"],
            "fsl": fsl_es(grid, pf["B_min"], pf["S_min"], pf["s"]),
            "mccandlish": mccandlish_es(grid, pm["S_min"], pm["E_min"]),
            "piecewise": piecewise_es(grid, pp["S0"], pp["S1"], pp["S_opt"], pp["S2"],
                                      pp["E_min"], pp["C"]),
            "rms": {k: v["rms_log_residual"] for k, v in fits.items()},
        })
        fits_out[f"l={ell:g}"] = {
            "B_opt/B_min": cb.B_opt / cb.B_min,
            "B_opt/B_min predicted": cb.predicted["B_opt_ratio"],
            **{f"rms {k}": v["rms_log_residual"] for k, v in fits.items()},
            **{f"B_min estimate {k} / B_min": v["B_min_estimate"] / cb.B_min
               for k, v in fits.items()},
        }
    fd.panels["es"] = {"rows": rows}
    ell = 1e-3
    task = critical_task(BETA, S_EASY, SIGMA, LR, ell)
    cb = critical_batch(task, LR, ell, engine="exact")
    w = wsd_vs_constant(task, LR, ell, cb.B_min * np.geomspace(0.3, 100.0, 10 if quick else 18),
                        lr_schedule="wsd:0.2")
    fd.panels["wsd"] = {**w, "target": ell, "B_min": cb.B_min, "modes": task.modes}
    fits_out["wsd crossings (S)"] = w["crossings"]
    fd.fits = fits_out
    return fd

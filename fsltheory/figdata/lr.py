"""The numbers behind the figure ``switch-under-lr`` (C-SWITCH-LR, ``docs/theory.md §7``):
the optimal two-stage switch under constant, WSD (F = 0.2) and cosine LR profiles, on the
Volterra engine and the FSL, for a hard and an easy task — the same study as the claim
check (:func:`fsltheory.claims.checks_lr.switch_lr_study`, cached), at the claim's quick or
full scale.  No matplotlib here."""

from __future__ import annotations

import numpy as np

from .common import FigData, loglog_slope

__all__ = ["data_switch_under_lr"]


def data_switch_under_lr(quick: bool = False) -> FigData:
    """Panels keyed ``"β=…, s=…"``, each ``{profile: {budgets, rem_engine, rem_fsl,
    gain, gain_fsl, interior, fitted, predicted}}``; ``fits`` holds the fitted vs derived
    exponents of D − P* where an interior switch exists at every budget."""
    from ..claims.checks_core import num
    from ..claims.checks_lr import DECAY_POWER, switch_lr_study
    from ..claims.params import PARAMS

    p = PARAMS["C-SWITCH-LR"]["quick" if quick else "full"]
    law = num("C-SWITCH-LR", "switch_exponent_lr")
    fd = FigData("switch-under-lr", meta={k: p[k] for k in ("lr", "b1", "b2", "engine")})
    for beta, s in p["pairs"]:
        key = f"β={beta:g}, s={s:g}"
        panel = {}
        for prof in p["profiles"]:
            st = switch_lr_study(beta, s, prof, p["d_lo"], p["d_hi"], p["points"], p["lr"],
                                 p["b1"], p["b2"], p["engine"], p["rtol"], tuple(p["probes"]))
            D = st["budgets"].astype(np.float64)
            rem_e = D - st["P_engine"]
            entry = {"budgets": D, "rem_engine": rem_e, "rem_fsl": D - st["P_fsl"],
                     "gain": st["gain"], "gain_fsl": st["gain_fsl"],
                     "interior": st["interior"], "modes": st["modes"],
                     "fitted": None, "predicted": None}
            if s < 1 - 1 / beta and np.all(st["interior"]):
                slope, c = loglog_slope(D, rem_e)
                pred = float(law(beta=beta, s=s, nu=DECAY_POWER[prof]))
                entry.update(fitted=slope, fit_const=c, predicted=pred)
                fd.fits[f"{key}, {prof}"] = {"fitted": slope, "predicted": pred}
            panel[prof] = entry
        fd.panels[key] = panel
    return fd

"""The peers' E(S) forms fitted to the toolkit's own data (docs/theory.md §8).

Three forms of the data E needed to reach a target loss in S steps, each fitted by scipy
least squares on log E:

* **FSL** (ours, §8): E = B_min S/(1 − (S_min/S)^s) — parameters B_min, S_min, s.
* **McCandlish** et al. (2018): (S/S_min − 1)(E/E_min − 1) = 1, i.e.
  E = E_min S/(S − S_min) — parameters S_min, E_min (B_crit = E_min/S_min).
* **Piecewise** (2601.05034's revised law for WSD training): inverse-linear near S_min,
  quadratic around the minimum, linear at large S, joined with matching value and slope
  (C¹) at S₁ < S_opt < S₂ — parameters S₀ (pole), S₁, S_opt, S₂, E_min, C; the linear
  phase's slope is the law's B_min estimate.

:func:`fit_es_forms` fits all three and returns their parameters and residuals side by
side; :func:`wsd_vs_constant` measures the E(S) curves of a WSD and a constant LR on the
exact engine and reports where they cross.

Example
-------
>>> import numpy as np
>>> from fsltheory.esfit import fsl_es, fit_es_forms
>>> S = np.geomspace(1.05, 30, 25) * 100.0
>>> E = fsl_es(S, 50.0, 100.0, 0.5)
>>> fits = fit_es_forms(S, E)
>>> round(fits["fsl"]["params"]["s"], 6), fits["fsl"]["rms_log_residual"] < 1e-8
(0.5, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from .errors import InvalidParameterError

__all__ = [
    "fsl_es",
    "mccandlish_es",
    "piecewise_es",
    "fit_es_forms",
    "wsd_vs_constant",
]


def fsl_es(S, b_min: float, s_min: float, s: float) -> np.ndarray:
    """E(S) = B_min S/(1 − (S_min/S)^s) (§8; ``inf`` for S ≤ S_min)."""
    S = np.asarray(S, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = b_min * S / (1.0 - (s_min / S) ** s)
    return np.where(S > s_min, out, np.inf)


def mccandlish_es(S, s_min: float, e_min: float) -> np.ndarray:
    """McCandlish et al.'s E(S) = E_min S/(S − S_min), i.e. (S/S_min − 1)(E/E_min − 1) = 1."""
    S = np.asarray(S, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = e_min * S / (S - s_min)
    return np.where(S > s_min, out, np.inf)


def _piecewise_coeffs(s0, s1, s_opt, s2, e_min, c):
    b = 2.0 * c * (s2 - s_opt)
    d = e_min + c * (s2 - s_opt) ** 2 - b * s2
    A = -2.0 * c * (s1 - s_opt) * (s1 - s0) ** 2
    k = e_min + c * (s1 - s_opt) ** 2 - A / (s1 - s0)
    return A, k, b, d


def piecewise_es(S, s0: float, s1: float, s_opt: float, s2: float, e_min: float,
                 c: float) -> np.ndarray:
    """The three-phase law: A/(S − S₀) + k (S < S₁), E_min + C(S − S_opt)² (S₁ ≤ S ≤ S₂),
    b S + d (S > S₂), with A, k, b, d fixed by C¹ continuity at S₁ and S₂."""
    S = np.asarray(S, dtype=float)
    A, k, b, d = _piecewise_coeffs(s0, s1, s_opt, s2, e_min, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = A / (S - s0) + k
    quad = e_min + c * (S - s_opt) ** 2
    lin = b * S + d
    return np.where(S < s1, np.where(S > s0, inv, np.inf), np.where(S <= s2, quad, lin))


def _fit(fun, x0, lo, hi, S, E):
    logE = np.log(E)

    def resid(x):
        v = fun(S, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.log(np.where(v > 0, v, np.nan)) - logE
        return np.where(np.isfinite(r), r, 10.0)

    res = least_squares(resid, x0, bounds=(lo, hi), x_scale="jac", max_nfev=20000,
                        xtol=1e-14, ftol=1e-14, gtol=1e-14)
    r = resid(res.x)
    return res.x, r


def fit_es_forms(S, E) -> dict[str, dict[str, Any]]:
    """Fit the FSL, McCandlish and piecewise E(S) forms to data (S, E) (§8).

    Returns ``{form: {"params": {...}, "residuals": ndarray (log E), "rms_log_residual",
    "max_abs_log_residual", "B_min_estimate"}}``; the B_min estimates are B_min (FSL),
    B_crit = E_min/S_min (McCandlish: its only batch scale) and the slope of the linear
    phase (piecewise).
    """
    S = np.asarray(S, dtype=float)
    E = np.asarray(E, dtype=float)
    ok = np.isfinite(S) & np.isfinite(E) & (S > 0) & (E > 0)
    S, E = S[ok], E[ok]
    if S.size < 7:
        raise InvalidParameterError(f"fit_es_forms needs >= 7 finite points, got {S.size}")
    order = np.argsort(S)
    S, E = S[order], E[order]
    out: dict[str, dict[str, Any]] = {}
    smin0 = S[0] * 0.95
    # FSL
    x0 = [math.log(E[-1] / S[-1]), math.log(smin0), 0.0]
    x, r = _fit(lambda s, p: fsl_es(s, math.exp(p[0]), math.exp(p[1]), math.exp(p[2])),
                x0, [-np.inf, -np.inf, math.log(0.02)], [np.inf, math.log(S[0]), math.log(20)],
                S, E)
    pf = {"B_min": math.exp(x[0]), "S_min": math.exp(x[1]), "s": math.exp(x[2])}
    out["fsl"] = {"params": pf, "residuals": r, "B_min_estimate": pf["B_min"]}
    # McCandlish
    x0 = [math.log(smin0), math.log(E.min())]
    x, r = _fit(lambda s, p: mccandlish_es(s, math.exp(p[0]), math.exp(p[1])), x0,
                [-np.inf, -np.inf], [math.log(S[0]), np.inf], S, E)
    pm = {"S_min": math.exp(x[0]), "E_min": math.exp(x[1])}
    pm["B_crit"] = pm["E_min"] / pm["S_min"]
    out["mccandlish"] = {"params": pm, "residuals": r, "B_min_estimate": pm["B_crit"]}
    # piecewise: parametrise S0 < S1 < S_opt < S2 by positive increments (log scale)
    i = int(np.argmin(E))
    s_opt0 = S[i]
    curv = max(1e-300, (E[min(i + 2, S.size - 1)] - E[i]) / max(
        (S[min(i + 2, S.size - 1)] - s_opt0) ** 2, 1e-300))

    def pw(s, p):
        s0 = math.exp(p[0])
        s1 = s0 + math.exp(p[1])
        so = s1 + math.exp(p[2])
        s2 = so + math.exp(p[3])
        return piecewise_es(s, s0, s1, so, s2, math.exp(p[4]), math.exp(p[5]))

    x0 = [math.log(smin0), math.log(max(s_opt0 * 0.5 - smin0, 1e-6 * s_opt0)),
          math.log(s_opt0 * 0.5), math.log(s_opt0), math.log(E[i]), math.log(curv)]
    ls = math.log(S[-1])
    lo = [ls - 40.0] * 4 + [math.log(E.min()) - 10.0, -700.0]
    hi = [math.log(S[0]), ls + 5.0, ls + 5.0, ls + 5.0, math.log(E.max()) + 1.0, 700.0]
    x0 = list(np.clip(x0, np.array(lo) + 1e-9, np.array(hi) - 1e-9))
    x, r = _fit(pw, x0, lo, hi, S, E)
    s0 = math.exp(x[0])
    s1 = s0 + math.exp(x[1])
    so = s1 + math.exp(x[2])
    s2 = so + math.exp(x[3])
    pp = {"S0": s0, "S1": s1, "S_opt": so, "S2": s2, "E_min": math.exp(x[4]),
          "C": math.exp(x[5])}
    pp["slope"] = 2.0 * pp["C"] * (s2 - so)
    out["piecewise"] = {"params": pp, "residuals": r, "B_min_estimate": pp["slope"]}
    for v in out.values():
        v["rms_log_residual"] = float(np.sqrt(np.mean(v["residuals"] ** 2)))
        v["max_abs_log_residual"] = float(np.max(np.abs(v["residuals"])))
    return out


def wsd_vs_constant(task, lr: float, target: float, batches, *,
                    lr_schedule: str = "wsd:0.2", engine: str = "exact") -> dict[str, Any]:
    """E(S) for constant batches under a constant LR and under ``lr_schedule`` (exact engine,
    integer batches), and where the two curves cross in the (S, E) plane.

    Returns ``{"batches", "S_const", "E_const", "S_wsd", "E_wsd", "crossings"}``; crossings
    are the S at which E_wsd − E_const changes sign (log-interpolated on the common range).
    """
    from .critical import first_passage

    b = np.unique(np.round(np.asarray(batches, dtype=float)).astype(np.int64))
    S_c = np.array([first_passage(task, lr, float(x), target, engine=engine) for x in b])
    S_w = np.array([first_passage(task, lr, float(x), target, engine=engine,
                                  lr_schedule=lr_schedule) for x in b])
    E_c, E_w = b * S_c, b * S_w
    crossings: list[float] = []
    fc, fw = np.isfinite(S_c), np.isfinite(S_w)
    if fc.sum() >= 2 and fw.sum() >= 2:
        lo = max(S_c[fc].min(), S_w[fw].min())
        hi = min(S_c[fc].max(), S_w[fw].max())
        if hi > lo:
            grid = np.geomspace(lo, hi, 400)
            oc, ow = np.argsort(S_c[fc]), np.argsort(S_w[fw])
            ec = np.exp(np.interp(np.log(grid), np.log(S_c[fc][oc]), np.log(E_c[fc][oc])))
            ew = np.exp(np.interp(np.log(grid), np.log(S_w[fw][ow]), np.log(E_w[fw][ow])))
            dif = np.sign(ew - ec)
            for k in np.flatnonzero(dif[1:] * dif[:-1] < 0):
                crossings.append(float(math.sqrt(grid[k] * grid[k + 1])))
    return {"batches": b.astype(float), "S_const": S_c, "E_const": E_c, "S_wsd": S_w,
            "E_wsd": E_w, "crossings": crossings, "lr_schedule": lr_schedule}

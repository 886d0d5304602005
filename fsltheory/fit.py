"""Fitting a loss law to observed curves, with bootstrap intervals (docs/theory.md §7).

Objective
---------
Residuals are log-ratios ``ln L̂(k) − ln L(k)`` at every observed step of every run, and
their Huber loss is minimised with :func:`scipy.optimize.least_squares` (trust-region reflective,
bounds; scale parameters are searched on a log scale) from ``starts`` points: the law's
data-driven start plus uniform draws in the (log-)box.  The best optimum is kept.  The
Huber threshold ``huber_delta`` is by default ``"auto"``: the fit starts at 1e-3 (the
Multi-Power Law paper's choice for LLM curves) and, if the residuals' robust scale says
otherwise by more than a factor 2, refits with ``δ = 1.345 σ̂`` (σ̂ = 1.4826 × the median
absolute log-residual; 1.345 is Huber's constant for 95% efficiency under Gaussian noise).
A δ far below the noise makes the fit an L1 regression: unbiased in theory but noisier
and, with a bounded offset, visibly biased in s on 1%-noise engine curves.  Laws linear
in some parameters (``fsl``, ``mpl``) are fitted by variable projection: the search runs
over the exponents and the linear parameters are solved for at every trial.

Uncertainty
-----------
``bootstrap`` replicates resample the **runs** with replacement (a run drawn twice counts
twice) and, within each drawn run, flip the sign of each log-residual of the best fit at
random (wild bootstrap), then refit from the best fit.  Each parameter's 90% interval is
the basic bootstrap interval from the refits' 5% and 95% quantiles (see
:meth:`FitResult.interval`); the regime (easy iff ``s ≥ 1 − 1/β``, docs/theory.md §1)
of each replicate gives the regime's confidence (share of replicates that agree).

Identifiability (what the data cannot pin)
------------------------------------------
* A single constant-LR, constant-batch run pins the signal exponent and the level of the
  noise floor, not how the loss *responds* to a change of η/b: for ``fsl`` only
  ``L0 + c2c3·r``, ``c1 + c2·r`` and ``s``; for ``mpl`` only ``L0, A, α``.  LR decays,
  batch switches or runs at several batch sizes are needed for the rest.
* With ≤ 3 runs the run bootstrap is coarse: a replicate may repeat one run, which then
  carries no information on the other runs' batches — intervals widen accordingly
  (they are conservative rather than optimistic).
* ``task``: ``scale`` vs ``σ`` is separated only by several noise floors (batches).

Example
-------
>>> from fsltheory.fit import fit_curves
>>> from fsltheory.curves import example_curves
>>> cs = example_curves(seed=0, steps=400, batches=(4, 16, 64), modes=200)
>>> res = fit_curves(cs, "task", starts=2, bootstrap=0, seed=0, law_options={"modes": 200})
>>> res.regime
'hard'
"""

from __future__ import annotations

import datetime as _dt
import platform
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import least_squares, lsq_linear

from .curves import CurveRun, CurveSet
from .errors import FSLError, InvalidParameterError, check_int_range, check_range
from .laws import Law, get_law, law_from_dict
from .laws.base import reference_lr_batch

__all__ = ["FitResult", "fit_curves", "fit_law", "relative_errors"]

_BAD = 5.0  # log-residual assigned where a trial parameter set gives no finite loss


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("fsltheory")
    except Exception:  # pragma: no cover - not installed
        return "unknown"


@dataclass
class FitResult:
    """A fitted law with its bootstrap replicates and provenance.

    Attributes
    ----------
    law : Law
    params : ndarray
        Best-fit parameters (natural units, order of ``law.param_names``).
    boot : ndarray, shape (n_boot, n_params)
        Bootstrap refits (empty when ``bootstrap=0``).
    cost : float
        Huber cost of the best fit.
    starts_cost : list of float
        Cost reached from every start (fit-to-fit spread).
    info : dict
        Options, provenance, residual summary.
    """

    law: Law
    params: np.ndarray
    boot: np.ndarray
    cost: float
    starts_cost: list[float] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def regime(self) -> str | None:
        return self.law.regime(self.params)

    @property
    def regime_confidence(self) -> float | None:
        if self.boot.size == 0 or self.regime is None:
            return None
        return float(np.mean([self.law.regime(b) == self.regime for b in self.boot]))

    def interval(self, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap interval of every parameter at ``level`` (the point value when no
        bootstrap was run).

        The *basic* bootstrap interval ``(2θ̂ − q_hi, 2θ̂ − q_lo)``, ``q`` the bootstrap
        quantiles — on a log scale for the law's log-scale parameters, clipped to the
        fit's bounds: unlike the percentile interval ``(q_lo, q_hi)`` it does not double a
        bias of the estimator (the refits repeat the bias of the fit they start from).
        """
        p = self.params
        if self.boot.size == 0:
            return p.copy(), p.copy()
        q = (1.0 - level) / 2.0
        is_log = np.array([n in self.law.log_params for n in self.law.param_names])
        with np.errstate(all="ignore"):
            t = np.where(is_log, np.log(np.maximum(self.boot, 1e-300)), self.boot)
            c = np.where(is_log, np.log(np.maximum(p, 1e-300)), p)
        qlo, qhi = np.quantile(t, q, axis=0), np.quantile(t, 1.0 - q, axis=0)
        lo, hi = 2 * c - qhi, 2 * c - qlo
        lo, hi = np.where(is_log, np.exp(lo), lo), np.where(is_log, np.exp(hi), hi)
        b = self.info.get("bounds")
        if b is not None:
            lo = np.clip(lo, b[0], b[1])
            hi = np.clip(hi, b[0], b[1])
        return lo, hi

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.interval()
        ex = self.law.exponents(self.params)
        return {
            "law": self.law.name,
            "params": {n: {"value": float(v), "low": float(a), "high": float(b)}
                       for n, v, a, b in zip(self.law.param_names, self.params, lo, hi,
                                             strict=True)},
            "regime": self.regime,
            "regime_confidence": self.regime_confidence,
            "exponents": ex,
            "constants": self.law.to_dict()["constants"],
            "reference": self.info.get("reference", {}),
            "bounds": self.info.get("bounds"),
            "identifiability": self.law.identifiability,
            "fit": {"cost": self.cost, "starts_cost": self.starts_cost,
                    **self.info.get("residuals", {})},
            "bootstrap": {"n": int(self.boot.shape[0]), "level": 0.9,
                          "samples": self.boot.tolist()},
            "provenance": self.info.get("provenance", {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FitResult:
        missing = [k for k in ("law", "params", "constants") if k not in d]
        if missing:
            raise InvalidParameterError(f"not a fit file (FIT.json): no {missing[0]!r} entry")
        try:
            law = law_from_dict({"name": d["law"], "constants": d.get("constants", {})})
            params = law.vector({k: v["value"] for k, v in d["params"].items()})
            boot = np.asarray(d.get("bootstrap", {}).get("samples", []), dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidParameterError(f"not a fit file (FIT.json): {exc}") from None
        boot = boot.reshape(-1, params.size) if boot.size else np.empty((0, params.size))
        fit = d.get("fit", {})
        return cls(law, params, boot, float(fit.get("cost", np.nan)),
                   list(fit.get("starts_cost", [])),
                   {"provenance": d.get("provenance", {}),
                    "reference": d.get("reference", {}), "bounds": d.get("bounds")})


# --------------------------------------------------------------------------- objective
class _Objective:
    def __init__(self, law: Law, runs: list[CurveRun], weights: np.ndarray) -> None:
        self.law = law
        self.runs = runs
        self.sw = [np.full(r.obs_loss.size, np.sqrt(w)) for r, w in zip(runs, weights,
                                                                          strict=True)]
        self.logobs = [np.log(r.obs_loss) for r in runs]
        self.is_log = np.array([n in law.log_params for n in law.param_names])

    def to_params(self, z: np.ndarray) -> np.ndarray:
        return np.where(self.is_log, np.exp(z), z)

    def to_z(self, p: np.ndarray) -> np.ndarray:
        return np.where(self.is_log, np.log(np.maximum(p, 1e-300)), p)

    def residuals(self, z: np.ndarray) -> np.ndarray:
        p = self.to_params(z)
        try:
            preds = self.law.predict_runs(p, self.runs)
        except (FSLError, FloatingPointError, ZeroDivisionError):
            return np.concatenate([np.full(o.size, _BAD) * w
                                   for o, w in zip(self.logobs, self.sw, strict=True)])
        out = []
        for pr, lo, w in zip(preds, self.logobs, self.sw, strict=True):
            with np.errstate(all="ignore"):
                r = np.log(pr) - lo
            r = np.where(np.isfinite(r), r, _BAD)
            out.append(r * w)
        return np.concatenate(out)


class _VarPro:
    """Variable projection: the outer search runs over the nonlinear parameters only; for
    each trial the linear ones (``law.linear_params``) are the bounded linear least-squares
    solution on relative residuals, reweighted once with the Huber weights of the
    log-residuals (log-residual = relative residual to first order)."""

    def __init__(self, law: Law, runs: list[CurveRun], weights: np.ndarray,
                 plo: np.ndarray, phi: np.ndarray, delta: float) -> None:
        names = law.param_names
        self.law, self.runs, self.delta = law, runs, delta
        self.lin = np.array([names.index(n) for n in law.linear_params])
        self.nl = np.array([i for i in range(len(names)) if i not in set(self.lin)])
        self.is_log = np.array([names[i] in law.log_params for i in self.nl])
        self.y = np.concatenate([r.obs_loss for r in runs])
        self.sw = np.concatenate([np.full(r.obs_loss.size, np.sqrt(w))
                                  for r, w in zip(runs, weights, strict=True)])
        self.lin_bounds = (plo[self.lin], phi[self.lin])
        self.template = law.initial(runs).astype(np.float64)
        self.coef: dict[bytes, np.ndarray] = {}

    def to_z(self, p_nl):
        return np.where(self.is_log, np.log(np.maximum(p_nl, 1e-300)), p_nl)

    def full(self, z: np.ndarray) -> np.ndarray:
        p = self.template.copy()
        p[self.nl] = np.where(self.is_log, np.exp(z), z)
        c = self.coef.get(z.tobytes())
        if c is None:
            self.residuals(z)
            c = self.coef.get(z.tobytes(), p[self.lin])
        p[self.lin] = c
        return p

    def residuals(self, z: np.ndarray) -> np.ndarray:
        p = self.template.copy()
        p[self.nl] = np.where(self.is_log, np.exp(z), z)
        try:
            X = np.vstack([self.law.basis(p, r.lr, r.batch, r.obs_steps) for r in self.runs])
        except (FSLError, FloatingPointError, ZeroDivisionError):
            return np.full(self.y.size, _BAD) * self.sw
        if not np.all(np.isfinite(X)):
            return np.full(self.y.size, _BAD) * self.sw
        A = X / self.y[:, None]
        w = self.sw.copy()
        for _ in range(2):
            c = lsq_linear(A * w[:, None], w, bounds=self.lin_bounds, method="bvls").x
            with np.errstate(all="ignore"):
                r = np.log(X @ c) - np.log(self.y)
            r = np.where(np.isfinite(r), r, _BAD)
            w = self.sw * np.sqrt(np.minimum(1.0, self.delta / np.maximum(np.abs(r), 1e-300)))
        self.coef[z.tobytes()] = c
        if len(self.coef) > 4096:
            self.coef.clear()
            self.coef[z.tobytes()] = c
        return r * self.sw


def _solve(obj, z0, lo, hi, delta: float, max_nfev: int):
    z0 = np.clip(z0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return least_squares(obj.residuals, z0, bounds=(lo, hi), loss="huber", f_scale=delta,
                             x_scale="jac", max_nfev=max_nfev, method="trf")


def relative_errors(law: Law, params: np.ndarray, runs) -> dict[str, float]:
    """Mean and worst ``|L̂/L − 1|`` over all observed points of ``runs``."""
    preds = law.predict_runs(params, list(runs))
    rel = np.concatenate([np.abs(p / r.obs_loss - 1.0) for p, r in zip(preds, runs,
                                                                         strict=True)])
    return {"mean_rel_error": float(np.mean(rel)), "worst_rel_error": float(np.max(rel)),
            "n_points": int(rel.size)}


def fit_law(law: Law, runs, *, starts: int = 8, seed: int = 0, bootstrap: int = 100,
            huber_delta: float | str = "auto", max_nfev: int = 400,
            progress: bool | None = None,
            x0: np.ndarray | None = None) -> FitResult:
    """Fit an already-constructed law to runs (see :func:`fit_curves`)."""
    runs = list(runs)
    if not runs:
        raise InvalidParameterError("runs must hold at least one run with observed losses")
    starts = check_int_range("starts", starts, 1, None)
    bootstrap = check_int_range("bootstrap", bootstrap, 0, None)
    auto = isinstance(huber_delta, str)
    if auto and huber_delta != "auto":
        raise InvalidParameterError(f"huber_delta must be a number > 0 or 'auto', "
                                    f"got {huber_delta!r}")
    delta = 1e-3 if auto else check_range("huber_delta", huber_delta, 0.0, None,
                                          low_open=True)
    rng = np.random.default_rng(seed)
    plo, phi = law.bounds(runs)
    p_init = law.initial(runs) if x0 is None else np.asarray(x0, dtype=np.float64)
    obj = _make_objective(law, runs, np.ones(len(runs)), plo, phi, delta)
    lo, hi = _zbounds(obj, plo, phi)
    inits = [_z_of(obj, p_init)]
    for _ in range(starts - 1):
        inits.append(lo + rng.uniform(size=lo.size) * (hi - lo))
    best, costs = None, []
    for z0 in inits:
        sol = _solve(obj, z0, lo, hi, delta, max_nfev)
        costs.append(float(sol.cost))
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    p_best = _params_of(obj, best.x)
    if auto:
        r = np.concatenate([np.log(p / r.obs_loss) for p, r in
                            zip(law.predict_runs(p_best, runs), runs, strict=True)])
        d_new = 1.345 * 1.4826 * float(np.median(np.abs(r)))
        if d_new > 0 and not 0.5 <= d_new / delta <= 2.0:
            delta = d_new
            obj = _make_objective(law, runs, np.ones(len(runs)), plo, phi, delta)
            best = _solve(obj, best.x, lo, hi, delta, max_nfev)
            p_best = _params_of(obj, best.x)
    boot = _bootstrap(law, runs, p_best, plo, phi, delta, max_nfev, bootstrap, rng,
                      progress)
    peak, b_ref = reference_lr_batch(runs)
    info = {"residuals": relative_errors(law, p_best, runs),
            "reference": {"peak_lr": peak, "batch": b_ref}, "huber_delta_used": delta,
            "bounds": [plo.tolist(), phi.tolist()]}
    return FitResult(law, p_best, boot, float(best.cost), costs, info)


def _make_objective(law, runs, weights, plo, phi, delta):
    if law.linear_params:
        return _VarPro(law, runs, weights, plo, phi, delta)
    return _Objective(law, runs, weights)


def _zbounds(obj, plo, phi):
    if isinstance(obj, _VarPro):
        lo = obj.to_z(np.where(obj.is_log, np.maximum(plo[obj.nl], 1e-300), plo[obj.nl]))
        return lo, obj.to_z(phi[obj.nl])
    return obj.to_z(np.maximum(plo, 1e-300 * obj.is_log)), obj.to_z(phi)


def _z_of(obj, p):
    return obj.to_z(p[obj.nl]) if isinstance(obj, _VarPro) else obj.to_z(p)


def _params_of(obj, z):
    return obj.full(z) if isinstance(obj, _VarPro) else obj.to_params(z)


def _bootstrap(law, runs, p_best, plo, phi, delta, max_nfev, n, rng, progress):
    if n == 0:
        return np.empty((0, p_best.size))
    import sys

    from tqdm.auto import tqdm

    show = sys.stderr.isatty() if progress is None else bool(progress)
    base = law.predict_runs(p_best, runs)
    resid = [np.log(r.obs_loss) - np.log(p) for r, p in zip(runs, base, strict=True)]
    out = []
    for _ in tqdm(range(n), desc="bootstrap", disable=not show, leave=False):
        pick = rng.integers(0, len(runs), size=len(runs))
        counts = np.bincount(pick, minlength=len(runs))
        new_runs, weights = [], []
        for i in np.flatnonzero(counts):
            signs = rng.choice((-1.0, 1.0), size=resid[i].size)
            loss = base[i] * np.exp(signs * resid[i])
            new_runs.append(runs[i].with_observations(runs[i].obs_steps, loss))
            weights.append(float(counts[i]))
        bobj = _make_objective(law, new_runs, np.asarray(weights), plo, phi, delta)
        lo, hi = _zbounds(bobj, plo, phi)
        sol = _solve(bobj, _z_of(bobj, p_best), lo, hi, delta, max_nfev)
        out.append(_params_of(bobj, sol.x))
    return np.asarray(out)


def fit_curves(curves: CurveSet, law: str = "fsl", *, starts: int = 8, seed: int = 0,
               bootstrap: int = 100, huber_delta: float | str = "auto", max_nfev: int = 400,
               law_options: dict | None = None, progress: bool | None = None) -> FitResult:
    """Fit a law (``"fsl"``, ``"mpl"`` or ``"task"``) to a curve file's runs.

    Parameters
    ----------
    curves : CurveSet
        From :func:`fsltheory.curves.load_curves`.
    law : str
        Law name (:data:`fsltheory.laws.LAWS`).
    starts : int
        Multistart count (≥ 1).
    seed : int
        Seed of the random starts and of the bootstrap.
    bootstrap : int
        Number of bootstrap refits (0: no intervals).
    huber_delta : float or "auto"
        Huber threshold on log-residuals ("auto": see the module docstring).
    law_options : dict
        Passed to the law's ``from_data`` (``task``: ``modes``, ``engine``; ``fsl``:
        ``kappa``).

    Returns
    -------
    FitResult
        ``info["provenance"]`` holds the input hash, options, seed and versions.
    """
    law_obj = get_law(law).from_data(list(curves), **(law_options or {}))
    res = fit_law(law_obj, list(curves), starts=starts, seed=seed, bootstrap=bootstrap,
                  huber_delta=huber_delta, max_nfev=max_nfev, progress=progress)
    res.info["provenance"] = {
        "input": curves.source, "input_sha256": curves.sha256,
        "runs": curves.names, "skipped_nan_rows": curves.skipped_nan,
        "options": {"law": law, "starts": starts, "bootstrap": bootstrap,
                    "huber_delta": huber_delta,
                    "huber_delta_used": res.info.get("huber_delta_used"), "max_nfev": max_nfev,
                    "law_options": dict(law_options or {})},
        "seed": seed, "fsltheory_version": _version(),
        "numpy": np.__version__, "python": platform.python_version(),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return res

"""The critical batch size on the engines: S(B; ℓ), E(B) = B·S, B_min, B_opt (docs/theory.md §8).

For a target excess risk ℓ and constant batch B (constant or profiled learning rate),
:func:`first_passage` measures the steps S(B; ℓ) an engine needs to reach ℓ; E(B) = B·S
is the data.  :func:`critical_batch` measures B_min (the smallest batch that reaches ℓ:
the B at which the §2 stationary floor equals ℓ, by bisection on the engine's relaxed
risk), B_opt (1-D minimisation of E(B), scipy), S_min (B → ∞), S_opt, E_min and
B_crit = E_min/S_min, and puts the closed forms of docs/theory.md §8 next to them
(:func:`predicted_critical`, from :mod:`fsltheory.symbolic.critical`).

Batches are real numbers here: the §2 recursion and (V) are formulas in B (the exact
engine's compiled step loop is called with a real B; for an integer B it is the same
computation as :func:`~fsltheory.engines.exact.exact_risk`).  With an LR profile the
learning rate depends on the data fraction, so S(B; ℓ) is the smallest number of steps
whose *final* risk is ≤ ℓ (a run of N steps uses the profile over its own N·B samples);
there the batch is rounded to an integer and the public engines are used.

Example
-------
>>> from fsltheory.critical import critical_task, critical_batch
>>> task = critical_task(2.0, 1.0, sigma=10.0, lr=0.5, target=1e-3)
>>> cb = critical_batch(task, lr=0.5, target=1e-3)
>>> round(cb.B_opt / cb.B_min, 2), round(cb.predicted["B_opt_ratio"], 2)
(1.97, 1.96)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from .engines.exact import _run_segment, stability_q, stationary_risk
from .engines.spectral import kernel_tail, signal_term
from .engines.volterra import _volterra_kernel, compressed_spectrum, volterra_floor
from .errors import InvalidParameterError, check_range
from .task import PowerLawTask

__all__ = [
    "ENGINES",
    "CriticalBatch",
    "critical_task",
    "first_passage",
    "risk_curve",
    "b_min_floor",
    "b_min_engine",
    "b_opt_engine",
    "es_curve",
    "critical_batch",
    "predicted_critical",
    "model_optimum",
    "signal_constant",
    "finite_m_tail",
]

#: engines that :func:`first_passage` runs
ENGINES = ("exact", "volterra")
_NODES_PER_DECADE = 400


def _twin(claim: str, key: str):
    from .symbolic import derivation

    return derivation(claim).numeric[key]


def signal_constant(beta: float, s: float) -> float:
    """A_e in e(t) ≈ A_e t^(−s): Γ(s)/(2β)·2^(−s) (C-SIGNAL, derived)."""
    return float(_twin("C-SIGNAL", "signal_constant")(beta=beta, s=s)) * 2.0 ** (-s)


def finite_m_tail(task: PowerLawTask) -> float:
    """c_M = ½Σ_{j>M} j^(−(1+sβ)) ≈ M^(−sβ)/(2sβ), the signal a finite-M task lacks
    (C-SIGNAL ``finite_M_correction``, derived; docs/theory.md §4)."""
    return -float(_twin("C-SIGNAL", "finite_M_correction")(beta=task.beta, s=task.s,
                                                           M=task.modes))


def _check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise InvalidParameterError(f"engine must be one of {list(ENGINES)}, got {engine!r}")
    return engine


def _check_task(task) -> PowerLawTask:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    return task


def critical_task(beta: float, s: float, sigma: float, lr: float, target: float,
                  margin: float = 300.0, modes: int | None = None) -> PowerLawTask:
    """A task whose M keeps t_opt ≪ M^β for this target: M^β = margin·t_opt, t_opt from the
    leading-order prediction (t_opt = (1+s)^(1/s) (A_e/ℓ)^(1/s)); at least 50 modes.
    ``modes`` overrides."""
    beta = check_range("beta", beta, 1.0, None, low_open=True)
    s = check_range("s", s, 0.0, None, low_open=True)
    target = check_range("target", target, 0.0, None, low_open=True)
    check_range("lr", lr, 0.0, None, low_open=True)
    if modes is None:
        t_opt = (1.0 + s) ** (1.0 / s) * (signal_constant(beta, s) / target) ** (1.0 / s)
        modes = max(50, int(math.ceil((margin * t_opt) ** (1.0 / beta))))
    return PowerLawTask(beta, s, sigma=sigma, modes=int(modes))


# ---------------------------------------------------------------- engine curves
class _ExactState:
    """The §2 moments d_j advanced in place with the exact engine's compiled step loop."""

    def __init__(self, task: PowerLawTask):
        self.lam = task.lambdas
        self.d = task.theta_star ** 2
        self.L2 = float(np.sum(self.lam ** 2))
        self.sigma2 = task.sigma ** 2
        self.E2 = float(np.sum(self.lam * self.d))

    def advance(self, lr: float, batch: float, n: int) -> np.ndarray:
        """n steps at (lr, batch) (batch = inf: no gradient noise); risk after each step."""
        inv_b = 0.0 if math.isinf(batch) else 1.0 / batch
        el = lr * self.lam
        x = el * (2.0 - el * (1.0 + inv_b))
        out = np.empty(n)
        rec = np.arange(1, n + 1, dtype=np.int64)
        self.E2, _ = _run_segment(self.lam, self.d, x, lr * lr * inv_b, self.L2, self.E2,
                                  self.sigma2, n, 0, rec, 0, out, 0)
        return out


@lru_cache(maxsize=32)
def _volterra_setup(task: PowerLawTask, t_max: float):
    """Log grid in intrinsic time (linear over the first 5/λ₁), exact signal at the nodes,
    compressed spectrum (the Volterra engine's own ingredients)."""
    lin = np.linspace(0.0, 5.0, 251)
    dec = max(1.0, math.log10(t_max / 5.0))
    logg = np.geomspace(5.0, max(t_max, 10.0), int(dec * _NODES_PER_DECADE) + 1)[1:]
    t = np.concatenate((lin, logg))
    e = signal_term(task, t)
    W, mu = compressed_spectrum(task, 200.0)
    return t, e, W, mu


def _volterra_curve(task: PowerLawTask, gamma: float, t_max: float):
    t, e, W, mu = _volterra_setup(task, float(t_max))
    if gamma == 0.0:
        return t, e.copy()
    if gamma * task.trace / 2.0 >= 1.0:
        raise InvalidParameterError(
            f"noise rate lr/batch = {gamma:g} is unstable for (V) (needs lr/batch·tr(Λ)/2 < 1)")
    h = np.diff(t)
    g = np.full(h.size, gamma)
    out = np.empty(t.size)
    _volterra_kernel(mu, W, h, g, g, e, task.sigma ** 2, True, out)
    return t, out


def _crossing(x: np.ndarray, logr: np.ndarray, k: int, level: float) -> float:
    """x where the local cubic through 4 points around the first crossing (index k, the
    first point ≤ level) meets ``level``."""
    lo = max(0, min(k - 2, x.size - 4))
    xs, ys = x[lo:lo + 4], logr[lo:lo + 4]
    if xs.size < 4:
        a, b = logr[k - 1], logr[k]
        return float(x[k - 1] + (x[k] - x[k - 1]) * (a - level) / (a - b))
    c = np.polyfit(xs - xs[0], ys, 3)
    f = lambda z: np.polyval(c, z - xs[0]) - level  # noqa: E731
    a, b = x[k - 1], x[k]
    if f(a) * f(b) > 0:
        ya, yb = logr[k - 1], logr[k]
        return float(a + (b - a) * (ya - level) / (ya - yb))
    return float(brentq(f, a, b, xtol=1e-12 * max(1.0, abs(b))))


def risk_curve(task: PowerLawTask, lr: float, batch: float, steps: int,
               engine: str = "exact") -> tuple[np.ndarray, np.ndarray]:
    """``(steps, risk)`` of constant (lr, batch) (real batch; ``inf`` = noise-free) on an
    engine; Volterra values are at its log grid in t, converted to steps t/lr."""
    _check_engine(engine)
    if engine == "exact":
        st = _ExactState(task)
        r = st.advance(lr, batch, int(steps))
        return np.arange(0, steps + 1, dtype=float), np.concatenate(([task.initial_risk], r))
    t, E = _volterra_curve(task, 0.0 if math.isinf(batch) else lr / batch, lr * steps)
    return t / lr, E


def _volterra_horizon(task: PowerLawTask, target: float) -> float:
    """One fixed grid per (task, target), so S(B) is smooth in B: up to 200 × the predicted
    t_min (the B_opt search never needs more than ~5 t_min) and at least 10⁴."""
    A = signal_constant(task.beta, task.s)
    t_min = (A / (target + finite_m_tail(task))) ** (1.0 / task.s)
    return float(max(1e4, 200.0 * t_min))


def _first_passage_const(task, lr, batch, target, engine, max_steps) -> float:
    if engine == "exact" and not math.isinf(batch) and stability_q(task, lr, batch) >= 1.0:
        raise InvalidParameterError(
            f"lr={lr:g} is unstable for batch {batch:g} (docs/theory.md §2)")
    if engine == "volterra":
        gamma = 0.0 if math.isinf(batch) else lr / batch
        t, r = _volterra_curve(task, gamma, _volterra_horizon(task, target))
        hit = np.flatnonzero(r <= target)
        if not hit.size:
            return math.inf
        k = int(hit[0])
        if k == 0:
            return 0.0
        if k < 252:  # linear part of the grid
            return _crossing(t, np.log(r), k, math.log(target)) / lr
        lt = np.log(np.maximum(t, 1e-300))
        return math.exp(_crossing(lt, np.log(r), k, math.log(target))) / lr
    n = 64
    while True:
        st = _ExactState(task)
        r = np.concatenate(([task.initial_risk], st.advance(lr, batch, n)))
        x = np.arange(r.size, dtype=float)
        hit = np.flatnonzero(r <= target)
        if hit.size:
            k = int(hit[0])
            if k == 0:
                return 0.0
            return _crossing(x, np.log(r), k, math.log(target))
        if n >= max_steps:
            return math.inf
        n = min(int(max_steps), n * 4)


def _final_risk_profile(task, lr, batch: int, n: int, profile, engine) -> float:
    from .engines.exact import exact_risk
    from .engines.volterra import volterra_risk
    from .schedule import Schedule

    sch = Schedule.constant(batch, batch * n, lr, lr_schedule=profile)
    if engine == "exact":
        return exact_risk(task, sch, points=2).final_risk
    return volterra_risk(task, sch, points=2).final_risk


def _first_passage_profile(task, lr, batch, target, engine, profile, max_steps) -> float:
    b = max(1, int(round(batch)))
    f = lambda n: _final_risk_profile(task, lr, b, n, profile, engine)  # noqa: E731
    lo, hi = 1, 8
    while f(hi) > target:
        lo = hi
        if hi >= max_steps:
            return math.inf
        hi = min(int(max_steps), hi * 2)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
    a, c = f(lo), f(hi)
    if a <= target:
        return float(lo)
    return lo + (math.log(a) - math.log(target)) / (math.log(a) - math.log(c))


def first_passage(task: PowerLawTask, lr: float, batch: float, target: float, *,
                  engine: str = "exact", lr_schedule=None,
                  max_steps: int = 50_000_000) -> float:
    """Steps S(B; ℓ) for constant batch ``batch`` to reach excess risk ``target`` (§8).

    Constant LR: the first step at which the engine's risk is ≤ ℓ, refined by a local cubic
    in log risk (so S is a smooth function of B; ``inf`` if not reached within
    ``max_steps``; Volterra: steps = t/lr).  ``batch=math.inf`` gives S_min.  With an LR
    profile (``lr_schedule``, docs/theory.md §7): the smallest N whose run of N steps over
    N·B samples ends at ≤ ℓ (integer B, bisection on N, log-interpolated between N − 1
    and N).

    Examples
    --------
    >>> from fsltheory import PowerLawTask
    >>> task = PowerLawTask(2.0, 1.0, sigma=1.0, modes=200)
    >>> S = first_passage(task, 0.5, 1000.0, 0.01)
    >>> 15 < S < 40
    True
    """
    _check_task(task)
    _check_engine(engine)
    lr = check_range("lr", lr, 0.0, None, low_open=True)
    target = check_range("target", target, 0.0, None, low_open=True)
    if not math.isinf(batch):
        batch = check_range("batch", batch, 1.0, None)
    from .lr import as_lr_profile

    prof = as_lr_profile(lr_schedule)
    if prof.is_constant:
        return _first_passage_const(task, lr, batch, target, engine, max_steps)
    if math.isinf(batch):
        raise InvalidParameterError("batch must be finite with an LR profile")
    return _first_passage_profile(task, lr, batch, target, engine, prof, max_steps)


# ---------------------------------------------------------------- B_min, B_opt
def _floor(task, lr, batch, engine) -> float:
    if engine == "exact":
        return stationary_risk(task, lr, batch)
    return volterra_floor(task, lr, batch)


def b_min_floor(task: PowerLawTask, lr: float, target: float, engine: str = "exact") -> float:
    """B_min: the real batch at which the stationary floor equals ℓ (closed form, §2:
    ½σ²q/(1 − q) for ``engine="exact"``; the continuum floor of (V) for "volterra")."""
    _check_task(task)
    _check_engine(engine)
    target = check_range("target", target, 0.0, None, low_open=True)

    def g(lb: float) -> float:
        try:
            return math.log(_floor(task, lr, math.exp(lb), engine) / target)
        except ValueError:  # unstable: infinite floor
            return 50.0

    hi = 0.0
    while g(hi) > 0:
        hi += math.log(2.0)
    if hi == 0.0:
        raise InvalidParameterError(
            f"target must exceed the stationary floor at batch 1 "
            f"({_floor(task, lr, 1.0, engine):.6g}), got {target:g}")
    return math.exp(brentq(g, hi - math.log(2.0), hi, xtol=1e-13))


def b_min_engine(task: PowerLawTask, lr: float, target: float, engine: str = "exact",
                 relax: float = 12.0, rtol: float = 1e-4) -> float:
    """B_min by bisection on the engine: the smallest batch whose risk after relaxation
    (intrinsic time relax/(2λ_M), every mode relaxed to e^(−relax)) is ≤ ℓ.  A second
    method for :func:`b_min_floor` (cost: the exact engine runs relax·M^β/(2 lr) steps)."""
    _check_task(task)
    _check_engine(engine)
    t_rel = relax / (2.0 * float(task.lambdas[-1]))
    n = int(math.ceil(t_rel / lr))

    def relaxed(b: float) -> float:
        if engine == "exact":
            return float(_ExactState(task).advance(lr, b, n)[-1])
        return float(_volterra_curve(task, lr / b, t_rel)[1][-1])

    guess = b_min_floor(task, lr, target, engine)
    lo, hi = guess * 0.9, guess * 1.1
    while relaxed(lo) <= target:
        lo *= 0.8
    while relaxed(hi) > target:
        hi *= 1.25
    while hi / lo - 1.0 > rtol:
        mid = math.sqrt(lo * hi)
        if relaxed(mid) > target:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def b_opt_engine(task: PowerLawTask, lr: float, target: float, *, engine: str = "exact",
                 lr_schedule=None, b_min: float | None = None,
                 xtol: float = 1e-5) -> tuple[float, float, float]:
    """``(B_opt, S_opt, E_min)``: the batch minimising E(B) = B·S(B; ℓ) (scipy Brent on
    log B, bracketed around (1 + 1/s)·B_min)."""
    if b_min is None:
        b_min = b_min_floor(task, lr, target, engine)
    prof_const = lr_schedule is None or str(lr_schedule) == "const"

    def logE(lb: float) -> float:
        S = first_passage(task, lr, math.exp(lb), target, engine=engine,
                          lr_schedule=lr_schedule)
        return lb + math.log(S) if math.isfinite(S) and S > 0 else 1e6 - lb

    # search x = B_min/B in [x₀/5, min(0.95, 1.6 x₀)], x₀ = s/(1+s) (leading order);
    # with an LR profile the decay phase lets batches below the floor B_min reach ℓ
    x0 = task.s / (1.0 + task.s)
    hi = math.log(b_min * 5.0 / x0)
    lo = math.log(b_min / min(0.95, 1.6 * x0)) if prof_const else math.log(
        max(1.0, 0.02 * b_min))
    res = minimize_scalar(logE, bounds=(lo, hi), method="bounded", options={"xatol": xtol})
    B = math.exp(res.x)
    S = first_passage(task, lr, B, target, engine=engine, lr_schedule=lr_schedule)
    return B, S, B * S


def es_curve(task: PowerLawTask, lr: float, target: float, batches, *,
             engine: str = "exact", lr_schedule=None) -> tuple[np.ndarray, np.ndarray]:
    """``(S, E)`` at the given batches: the engine's data–steps trade-off curve (§8)."""
    b = np.asarray(batches, dtype=float)
    S = np.array([first_passage(task, lr, float(x), target, engine=engine,
                                lr_schedule=lr_schedule) for x in b])
    return S, b * S


# ---------------------------------------------------------------- predictions
def predicted_critical(task: PowerLawTask, lr: float, target: float,
                       engine: str = "exact") -> dict[str, float]:
    """Closed forms of docs/theory.md §8 for this task (from the symbolic layer):
    B_min (exact floor), S_min = (A_e/(ℓ + c_M))^(1/s)/η, S_opt = (1+s)^(1/s) S_min,
    B_opt = (1 + 1/s) B_min (``B_opt_leading``) and with the derived corrections
    (finite-M factor ℓ/(ℓ + c_M) and the noise transient −(1 − (1−1/β)/(1+s))·τ(t_opt),
    τ the exact finite-M tail fraction ∫_t^∞K/∫_0^∞K; S_opt likewise carries
    −((1−1/β)/(1+s))·τ(t_opt)), E_min = B_opt·S_opt,
    B_crit = E_min/S_min."""
    _check_task(task)
    beta, s = task.beta, task.s
    bmin = b_min_floor(task, lr, target, engine)
    A = signal_constant(beta, s)
    cM = finite_m_tail(task)
    smin = (A / (target + cM)) ** (1.0 / s) / lr
    sopt0 = float(_twin("C-ES", "S_opt_ratio")(s=s)) * smin
    t_opt = lr * sopt0
    tau = float(kernel_tail(task, t_opt)[0] / kernel_tail(task, 0.0)[0])
    cs = float(_twin("C-BOPT", "S_opt_correction_coefficient")(beta=beta, s=s))
    sopt = sopt0 * (1.0 + cs * tau)
    lead = float(_twin("C-ES", "B_opt_ratio")(s=s))
    ratio = float(_twin("C-BOPT", "B_opt_ratio_corrected")(
        beta=beta, s=s, ell=target, c_M=cM, tau_opt=tau))
    bopt = ratio * bmin
    emin = bopt * sopt
    return {
        "B_min": bmin, "B_opt": bopt, "B_crit": emin / smin, "S_min": smin,
        "S_opt": sopt, "E_min": emin, "B_opt_ratio": ratio, "S_opt_ratio": sopt / smin,
        "S_opt_leading": sopt0,
        "B_opt_ratio_leading": lead, "B_opt_leading": lead * bmin,
        "tau_opt": tau, "c_M": cM,
        "correction": ratio / lead - 1.0,
    }


def model_optimum(task: PowerLawTask, target: float) -> dict[str, float]:
    """B_opt/B_min and S_opt/S_min of the §8 model solved *without* expansion: for
    x = B_min/B, t solves A_e t^(−s) − c_M + xℓ(1 − τ(t)) = ℓ (τ the exact finite-M tail
    fraction), and E ∝ t/x is minimised over x (scipy); S_min is the model's
    (A_e/(ℓ + c_M))^(1/s)/η.  Its difference to the first-order formulas measures the
    neglected O(τ²) terms (used to set check tolerances)."""
    _check_task(task)
    A = signal_constant(task.beta, task.s)
    cM = finite_m_tail(task)
    s = task.s
    k0 = float(kernel_tail(task, 0.0)[0])
    t_min = (A / (target + cM)) ** (1.0 / s)

    def t_of_x(x: float) -> float:
        f = lambda lt: (A * math.exp(-s * lt) - cM  # noqa: E731
                        + x * target * (1.0 - kernel_tail(task, math.exp(lt))[0] / k0)
                        - target)
        t0 = (A / (target * (1.0 - x) + cM)) ** (1.0 / s)
        return math.exp(brentq(f, math.log(t0) - 3.0, math.log(t0) + 3.0, xtol=1e-13))

    x0 = s / (1.0 + s)
    res = minimize_scalar(lambda x: math.log(t_of_x(x)) - math.log(x),
                          bounds=(0.5 * x0, min(0.99, 1.5 * x0)), method="bounded",
                          options={"xatol": 1e-9})
    x = float(res.x)
    return {"B_opt_ratio": 1.0 / x, "S_opt_ratio": t_of_x(x) / t_min}


@dataclass
class CriticalBatch:
    """Engine-measured critical-batch quantities and their closed-form predictions (§8)."""

    B_min: float
    B_opt: float
    B_crit: float
    S_min: float
    S_opt: float
    E_min: float
    predicted: dict[str, float]
    engine: str
    lr_schedule: str = "const"
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"B_min": self.B_min, "B_opt": self.B_opt, "B_crit": self.B_crit,
                "S_min": self.S_min, "S_opt": self.S_opt, "E_min": self.E_min,
                "predicted": dict(self.predicted), "engine": self.engine,
                "lr_schedule": self.lr_schedule, **self.extra}


def critical_batch(task: PowerLawTask, lr: float, target: float, *, engine: str = "exact",
                   lr_schedule=None, bisect_b_min: bool = False) -> CriticalBatch:
    """Measure B_min, B_opt, B_crit, S_min, S_opt, E_min on an engine (docs/theory.md §8).

    B_min is the floor root (closed form of §2) — or, with ``bisect_b_min``, the bisection
    on the engine's relaxed risk (:func:`b_min_engine`); S_min the first passage at
    B = ∞ (with an LR profile: at the largest stable batch tried, 10⁴·B_min); B_opt, S_opt,
    E_min from :func:`b_opt_engine`; B_crit = E_min/S_min.  ``predicted`` holds
    :func:`predicted_critical`.
    """
    _check_task(task)
    from .lr import as_lr_profile

    prof = as_lr_profile(lr_schedule)
    pred = predicted_critical(task, lr, target, engine)
    bmin = (b_min_engine(task, lr, target, engine) if bisect_b_min
            else b_min_floor(task, lr, target, engine))
    ls = None if prof.is_constant else prof
    smin = first_passage(task, lr, math.inf if ls is None else 1e4 * bmin, target,
                         engine=engine, lr_schedule=ls)
    bopt, sopt, emin = b_opt_engine(task, lr, target, engine=engine, lr_schedule=ls,
                                    b_min=bmin)
    return CriticalBatch(bmin, bopt, emin / smin, smin, sopt, emin, pred, engine,
                         prof.format())

"""fsltheory — functional scaling laws of SGD and batch-size scheduling.

The mathematics is specified in docs/theory.md (§1 model, §2 exact SGD risk,
§3 Volterra form, §4 kernels, §5 batch-size scheduling claims).  Data flows one way:
a :class:`PowerLawTask` and a :class:`Schedule` go into an engine, which returns a
:class:`LossCurve`.

>>> from fsltheory import PowerLawTask, Schedule, exact_risk
>>> task = PowerLawTask(beta=2.0, s=0.25, sigma=1.0, modes=1000)
>>> sch = Schedule.parse("switch:4,64@0.95", budget=131072, lr=0.2)
>>> curve = exact_risk(task, sch)
>>> curve.final_risk < exact_risk(task, Schedule.constant(64, 131072, 0.2)).final_risk
True
"""

from __future__ import annotations

import importlib
from typing import Any

from . import _sigint  # first: Ctrl-C while the command line is still importing
from .claims import REGISTRY, Claim, Evidence, get_claim, run_claims
from .critical import CriticalBatch, critical_batch, first_passage, predicted_critical
from .curve import LossCurve
from .engines import ENGINES, get_engine
from .engines.exact import (
    check_stability,
    exact_moments,
    exact_risk,
    exact_risk_many,
    exact_risk_numpy,
    max_stable_lr,
    stationary_risk,
)
from .engines.sgd import sgd_risk, sgd_runs
from .engines.spectral import (
    asymptotic_window,
    forgetting_kernel,
    forgetting_kernel_asymptotic,
    forgetting_kernel_mp,
    kernel_tail,
    kernel_tail_asymptotic,
    kernel_tail_mp,
    signal_term,
    signal_term_asymptotic,
    signal_term_mp,
)
from .engines.volterra import compressed_spectrum, volterra_floor, volterra_risk
from .errors import DivergenceError, FSLError, InvalidParameterError, UnstableScheduleError
from .grid import Grid, load_grid
from .lr import LR_GRAMMAR, LRProfile, as_lr_profile
from .optimize import (
    BaselineRow,
    ContinuousOptimum,
    ScalingResult,
    StagesResult,
    SwitchResult,
    compare_baselines,
    continuous_scaling,
    fsl_risk,
    fsl_risk_many,
    optimal_schedule,
    optimal_stages,
    optimal_switch,
    predicted_exponents,
    switch_scaling,
)
from .schedule import SCHEDULE_GRAMMAR, Schedule

# The attribute ``fsltheory.sweep`` is the function (imported after its module loaded, so it
# wins); ``from fsltheory.sweep import ...`` still reaches the module through sys.modules.
from .sweep import dask_executor, local_executor, simulate_job, sweep
from .sweeptable import SweepTable
from .task import PowerLawTask

__version__ = "0.1.0"

# The symbolic layer imports sympy (~0.5 s): its names load on first access.
_LAZY = {
    name: "fsltheory.symbolic"
    for name in ("CLAIM_IDS", "EXPONENTS", "derivation", "derivations", "exponent",
                 "exponent_value")
}
# Fitting observed curves, plans and export (docs/theory.md §7; scipy): loaded on access.
_LAZY.update({
    **{n: "fsltheory.curves" for n in ("CurveRun", "CurveSet", "load_curves", "write_curves",
                                       "example_curves")},
    **{n: "fsltheory.laws" for n in ("LAWS", "get_law")},
    **{n: "fsltheory.fit" for n in ("FitResult", "fit_curves")},
    **{n: "fsltheory.predict" for n in ("predict_curves", "predict_schedule")},
    "plan_batches": "fsltheory.plan",
    **{n: "fsltheory.export" for n in ("export_plan", "parse_export")},
})

__all__ = [
    # model (docs/theory.md §1) and schedules
    "PowerLawTask",
    "Schedule",
    "SCHEDULE_GRAMMAR",
    "LRProfile",
    "LR_GRAMMAR",
    "as_lr_profile",
    "LossCurve",
    # engines (§2, §3): exact recursion, Volterra continuum, stochastic SGD
    "ENGINES",
    "get_engine",
    "exact_risk",
    "exact_risk_many",
    "exact_risk_numpy",
    "check_stability",
    "max_stable_lr",
    "stationary_risk",
    "volterra_risk",
    "volterra_floor",
    "compressed_spectrum",
    "sgd_risk",
    "sgd_runs",
    # spectral kernels (§3, §4): exact sums, mpmath references, closed forms
    "signal_term",
    "forgetting_kernel",
    "kernel_tail",
    "signal_term_mp",
    "forgetting_kernel_mp",
    "kernel_tail_mp",
    "signal_term_asymptotic",
    "forgetting_kernel_asymptotic",
    "kernel_tail_asymptotic",
    "asymptotic_window",
    # optimal schedules under a data budget (§5)
    "optimal_schedule",
    "optimal_switch",
    "optimal_stages",
    "compare_baselines",
    "switch_scaling",
    "continuous_scaling",
    "predicted_exponents",
    "fsl_risk",
    "fsl_risk_many",
    "ContinuousOptimum",
    "SwitchResult",
    "StagesResult",
    "BaselineRow",
    "ScalingResult",
    # critical batch size and the data–steps trade-off (§8)
    "critical_batch",
    "first_passage",
    "predicted_critical",
    "CriticalBatch",
    "exact_moments",
    # symbolic derivations (§4, §5) and curve fitting, plans, export (§7); loaded lazily
    *_LAZY,
    # claims: statement + derivation + numeric evidence (§6)
    "REGISTRY",
    "Claim",
    "Evidence",
    "get_claim",
    "run_claims",
    # sweeps over grids of jobs, locally or on a dask cluster
    "sweep",
    "Grid",
    "load_grid",
    "SweepTable",
    "simulate_job",
    "local_executor",
    "dask_executor",
    # errors
    "FSLError",
    "InvalidParameterError",
    "UnstableScheduleError",
    "DivergenceError",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fsltheory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

if not _sigint.for_command_line():
    _sigint.restore()  # (a no-op: installed only for the command, which restores it in main)

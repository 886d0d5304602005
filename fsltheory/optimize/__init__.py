"""Optimal batch-size schedules under a data budget (docs/theory.md §5, ``docs/theory.md §5``).

User guide
----------
The final excess risk of constant-learning-rate SGD with batch schedule ``b(t)`` in
intrinsic time ``t`` (docs/theory.md §3) is, in the σ²-dominated FSL of docs/theory.md §5,

    J[b] = e(T) + (σ²η/2) ∫_0^T K(T − t) / b(t) dt,        ∫_0^T b(t) dt = η D,

with the exact finite-M spectral sums ``e`` and ``K`` of docs/theory.md §3.  This module answers
"which schedule minimises the final loss?" in three flavours:

* :func:`optimal_schedule` — the continuous optimum.  For a fixed horizon ``T`` the
  problem is convex in ``1/b`` and the KKT conditions give the clipped water-filling law
  ``b*(t) = clip(c √K(T − t), b_min, b_max)`` (C-OPT-EASY / C-OPT-HARD) with ``c`` set by
  the budget; ``T`` is then optimised in 1-D.  The result is rounded to an integer-batch
  :class:`~fsltheory.schedule.Schedule` (exact budget) and, for ``model="exact"`` or
  ``"volterra"``, refined on that engine by a parallel compass search over a
  low-dimensional parametrisation.
* :func:`optimal_switch` / :func:`optimal_stages` — the best two-stage / k-stage switch
  points for given batch sizes (C-SWITCH).
* :func:`compare_baselines` — the usual schedules on the same task and budget.
* :func:`switch_scaling`, :func:`continuous_scaling` — fitted exponents of ``D − P*``,
  ``T*`` and ``J*`` against ``D`` next to the predicted ones.

Every solver takes ``lr_schedule=`` (an LR profile over the data fraction,
``docs/theory.md §7``; ``lr`` is its peak): the LR profile is given, the batch optimised.

Modules (one per question): :mod:`.objective` (the FSL objective and model risks),
:mod:`.lrprofile` (the FSL objective under an LR profile, in data coordinates),
:mod:`.continuous` (continuous optimum; water-filling in :mod:`.waterfill`; under an LR
profile :mod:`.continuous_lr`), :mod:`.switch` (switch points), :mod:`.baselines`,
:mod:`.scaling` (scaling studies), :mod:`.search` (1-D searches on scipy, batched integer
and compass searches).

Discretisation of the continuous problem
----------------------------------------
Remaining time ``u = T − t`` is cut into cells on a grid that is log-spaced in ``u`` (so
the end of training, where the batch grows fastest, is resolved down to ``η/16``).  On each
cell the batch is constant and the FSL is integrated **exactly** through the kernel tail
``Kt(u) = ∫_u^∞ K = ½ Σ_j λ_j e^(−2 λ_j u)``.  Hence the grid optimum is the exact FSL
value of an admissible schedule, i.e. an *upper bound* on the continuous optimum, and
refining the grid (nested) can only lower it; the reported ``discretisation_error`` is
the drop when every cell is halved in log-width.

Example
-------
>>> from fsltheory import PowerLawTask
>>> from fsltheory.optimize import optimal_switch
>>> task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=1000)
>>> res = optimal_switch(task, 2**14, 0.2, 4, 64, progress=False)
>>> res.fraction > 0.5
True
"""


from __future__ import annotations

from ..engines.spectral import kernel_tail
from ._common import MODELS
from .baselines import BaselineRow, compare_baselines
from .continuous import ContinuousOptimum, optimal_schedule
from .lrprofile import fsl_stages_risk
from .objective import fsl_risk, fsl_risk_many, fsl_two_stage
from .scaling import ScalingResult, continuous_scaling, predicted_exponents, switch_scaling
from .search import compass_search, minimize_integer, minimize_scalar
from .switch import StagesResult, SwitchResult, optimal_stages, optimal_switch
from .waterfill import _waterfill as _waterfill  # tests import it

__all__ = [
    # results
    "ContinuousOptimum",
    "SwitchResult",
    "StagesResult",
    "BaselineRow",
    "ScalingResult",
    # solvers
    "optimal_schedule",
    "optimal_switch",
    "optimal_stages",
    "compare_baselines",
    # scaling studies
    "switch_scaling",
    "continuous_scaling",
    "predicted_exponents",
    # FSL model evaluation
    "fsl_risk",
    "fsl_risk_many",
    "fsl_two_stage",
    "fsl_stages_risk",
    "kernel_tail",
    # generic searches
    "minimize_scalar",
    "minimize_integer",
    "compass_search",
    "MODELS",
]

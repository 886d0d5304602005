"""The numbers behind every figure (no plotting here; :mod:`fsltheory.plots` draws them).

Each ``data_<name>(quick=False)`` function runs the engines, the optimiser and the symbolic
layer and returns a plain :class:`FigData` (a title, a dict of arrays/scalars per panel and a
dict of fitted-vs-predicted numbers).  Nothing here imports matplotlib, so the data can be
tested and reused without a display.  Predicted exponents always come from the symbolic
layer (:mod:`fsltheory.symbolic`), the single source of truth; they are never retyped here.

Figures (file stems in ``figures/``) and the docs/theory.md section each illustrates:

================  ==========================================================================
three-engines     exact (§2), Volterra (§3) and SGD (mean ± 2 s.e.) curves on one task
kernels           e(t), K(u) exact sums vs their closed forms (§4)
catch-up          the fast catch-up effect after a batch switch (§5 C-CATCHUP, C-SWITCH)
catch-up-gap      gap to the large-batch curve ∝ (t − t_s)^(−(1−1/β)) (§5 C-CATCHUP)
optimal-schedules optimal continuous batch schedules, easy vs hard (§5 C-OPT-EASY/HARD)
switch-vs-loss    final loss vs switch point for several budgets (§5 C-SWITCH)
switch-scaling    D − P* vs D, fitted vs predicted (1+s)/(2−1/β) (§5 C-SWITCH)
phase-diagram     (β, s) plane, large-batch data share at fixed D, boundary s = 1 − 1/β
duality           LR schedule at fixed batch vs batch schedule at fixed LR (§5 C-DUALITY)
switch-under-lr   optimal switch and its gain under const/WSD/cosine LR (§7 C-SWITCH-LR)
critical-batch    E vs S curves with B_min, B_opt and the three fitted forms (§8)
fit-band          the default law fitted to the example curves, with its 90% band (§7)
================  ==========================================================================

Modules (one per question): :mod:`.common` (shared settings, :class:`FigData`,
:func:`loglog_slope`, predicted exponents), :mod:`.engines` (three-engines, kernels),
:mod:`.catchup` (catch-up, catch-up-gap), :mod:`.schedules` (optimal-schedules,
switch-vs-loss, switch-scaling, phase-diagram), :mod:`.duality`, :mod:`.lr`
(switch-under-lr), :mod:`.critical` (critical-batch), :mod:`.fit` (fit-band).
"""

from __future__ import annotations

from collections.abc import Callable

# the names marked F401 are not in __all__ but were public in the former single module
# fsltheory/figdata.py: still importable from here
from ..errors import InvalidParameterError
from .catchup import data_catch_up, data_catch_up_gap
from .common import (
    B_LARGE,  # noqa: F401
    B_SMALL,  # noqa: F401
    BETA,  # noqa: F401
    LR,  # noqa: F401
    S_EASY,  # noqa: F401
    S_HARD,  # noqa: F401
    SIGMA,  # noqa: F401
    FigData,
    loglog_slope,
    predicted_catchup_exponent,  # noqa: F401
    predicted_duality_lr_exponent,  # noqa: F401
    predicted_kernel_exponent,  # noqa: F401
    predicted_profile_exponent,  # noqa: F401
    predicted_signal_exponent,  # noqa: F401
    predicted_switch_exponent,  # noqa: F401
    regime_boundary,  # noqa: F401
)
from .critical import data_critical_batch
from .duality import data_duality
from .engines import data_kernels, data_three_engines
from .fit import data_fit_band
from .lr import data_switch_under_lr
from .schedules import (
    _phase_settings,  # noqa: F401  (tests import it)
    data_optimal_schedules,
    data_phase_diagram,
    data_switch_scaling,
    data_switch_vs_loss,
)

__all__ = [
    "FigData",
    "FIGURE_NAMES",
    "FIGURE_DATA",
    "figure_data",
    "loglog_slope",
    "data_three_engines",
    "data_kernels",
    "data_catch_up",
    "data_catch_up_gap",
    "data_optimal_schedules",
    "data_switch_vs_loss",
    "data_switch_scaling",
    "data_phase_diagram",
    "data_duality",
    "data_critical_batch",
    "data_switch_under_lr",
    "data_fit_band",
]

FIGURE_DATA: dict[str, Callable[..., FigData]] = {
    "three-engines": data_three_engines,
    "kernels": data_kernels,
    "catch-up": data_catch_up,
    "catch-up-gap": data_catch_up_gap,
    "optimal-schedules": data_optimal_schedules,
    "switch-vs-loss": data_switch_vs_loss,
    "switch-scaling": data_switch_scaling,
    "phase-diagram": data_phase_diagram,
    "duality": data_duality,
    "critical-batch": data_critical_batch,
    "switch-under-lr": data_switch_under_lr,
    "fit-band": data_fit_band,
}
FIGURE_NAMES: tuple[str, ...] = tuple(FIGURE_DATA)


def figure_data(name: str, quick: bool = False) -> FigData:
    """The data behind figure ``name`` (one of :data:`FIGURE_NAMES`)."""
    if not isinstance(name, str) or name not in FIGURE_DATA:
        raise InvalidParameterError(
            f"figure must be one of {', '.join(FIGURE_NAMES)}; got {name!r}"
        )
    return FIGURE_DATA[name](quick=quick)

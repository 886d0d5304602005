"""Matplotlib figure builders — the only package of fsltheory that imports matplotlib.

Every builder takes the precomputed :class:`~fsltheory.figdata.FigData` of one figure and
returns a :class:`matplotlib.figure.Figure`; no engine is called here.  :func:`save_figure`
writes the vector PDF and a 200-dpi PNG.  One consistent style: the Okabe–Ito
colour-blind-safe palette, 9-pt fonts, log axes wherever power laws live, and fitted vs
predicted slopes in the legends.

Modules (one per group of figures, as in :mod:`fsltheory.figdata`): :mod:`.common` (palette,
:data:`STYLE`, :func:`style`, label helpers), :mod:`.engines` (three-engines, kernels),
:mod:`.catchup` (catch-up, catch-up-gap), :mod:`.schedules` (optimal-schedules,
switch-vs-loss, switch-scaling, phase-diagram), :mod:`.duality`, :mod:`.lr`
(switch-under-lr), :mod:`.critical` (critical-batch), :mod:`.fit` (fit band, plan frontier).
This module holds the dispatch (:data:`BUILDERS`, :func:`build_figure`) and the writers
(:func:`save_figure`, :func:`save_figure_to`).

>>> from fsltheory.figdata import figure_data          # doctest: +SKIP
>>> from fsltheory.plots import build_figure, save_figure
>>> fig = build_figure(figure_data("catch-up", quick=True))   # doctest: +SKIP
>>> save_figure(fig, "figures", "catch-up")                   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..errors import InvalidParameterError
from ..figdata import FigData
from .catchup import plot_catch_up, plot_catch_up_gap
from .common import CYCLE, OKABE_ITO, STYLE, style  # noqa: F401  (CYCLE: public before)
from .critical import plot_critical_batch
from .duality import plot_duality
from .engines import plot_kernels, plot_three_engines
from .fit import plot_fit_band, plot_plan_frontier
from .lr import plot_switch_under_lr
from .schedules import (
    plot_optimal_schedules,
    plot_phase_diagram,
    plot_switch_scaling,
    plot_switch_vs_loss,
)

__all__ = ["OKABE_ITO", "STYLE", "BUILDERS", "build_figure", "save_figure", "style",
           "plot_fit_band", "plot_plan_frontier", "save_figure_to"]


def save_figure(fig: Figure, out_dir: str | Path, name: str, dpi: int = 200) -> list[Path]:
    """Write ``<out_dir>/<name>.pdf`` (vector) and ``<name>.png`` (``dpi``); closes ``fig``.
    Metadata dates are dropped so that re-running gives identical PDFs.

    Each file is drawn to a temporary file in ``out_dir`` and renamed into place
    (:func:`fsltheory.io.temp_path`), so an error, a full disk or Ctrl-C never leaves a
    truncated figure where a good one was."""
    from ..io import temp_path

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(name, str) or not name or "/" in name:
        raise InvalidParameterError(f"name must be a file name without '/', got {name!r}")
    if not isinstance(out_dir, (str, Path)):
        raise TypeError(f"out_dir must be a str or Path, got {type(out_dir).__name__}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pdf, png = out / f"{name}.pdf", out / f"{name}.png"
    try:
        with temp_path(pdf) as tmp:
            fig.savefig(tmp, format="pdf",
                        metadata={"CreationDate": None, "Creator": "fsltheory"})
        with temp_path(png) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": "fsltheory"})
    finally:
        plt.close(fig)
    return [pdf, png]


BUILDERS: dict[str, Callable[[FigData], Figure]] = {
    "three-engines": plot_three_engines,
    "kernels": plot_kernels,
    "catch-up": plot_catch_up,
    "catch-up-gap": plot_catch_up_gap,
    "optimal-schedules": plot_optimal_schedules,
    "switch-vs-loss": plot_switch_vs_loss,
    "switch-scaling": plot_switch_scaling,
    "phase-diagram": plot_phase_diagram,
    "duality": plot_duality,
    "critical-batch": plot_critical_batch,
    "switch-under-lr": plot_switch_under_lr,
    "fit-band": lambda fd: plot_fit_band(fd.panels["fit"]),
}


def build_figure(fd: FigData) -> Figure:
    """The figure for ``fd`` (dispatch on ``fd.name``), drawn in :data:`STYLE`."""
    if not isinstance(fd, FigData) or fd.name not in BUILDERS:
        raise InvalidParameterError(
            f"fd must be the FigData of one of {', '.join(BUILDERS)} (from "
            f"fsltheory.figdata.figure_data), got {type(fd).__name__}")
    with style():
        return BUILDERS[fd.name](fd)


def save_figure_to(fig: Figure, path: str | Path, dpi: int = 200) -> Path:
    """Write ``fig`` to exactly ``path`` (format from the suffix, PNG without one)
    atomically (:func:`fsltheory.io.temp_path`); closes it."""
    from ..io import temp_path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fmt = target.suffix.lower().lstrip(".") or "png"
    try:
        with temp_path(target) as tmp:
            fig.savefig(tmp, dpi=dpi, format=fmt, metadata={"Software": "fsltheory"}
                        if fmt == "png" else {"Creator": "fsltheory", "CreationDate": None})
    finally:
        plt.close(fig)
    return target

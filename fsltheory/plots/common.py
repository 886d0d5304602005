"""Shared style of every figure: the Okabe–Ito colour-blind-safe palette, 9-pt fonts
(:data:`STYLE`, applied by :func:`style`) and the label helpers the builders share."""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["OKABE_ITO", "CYCLE", "STYLE", "style"]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "skyblue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "vermillion", "green", "orange", "purple", "skyblue",
                                "black")]

STYLE = {
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "lines.linewidth": 1.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.5,
    "legend.frameon": False,
    "legend.handlelength": 2.2,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "pdf.fonttype": 42,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "figure.constrained_layout.use": True,
}


@contextmanager
def style():
    """Context manager applying :data:`STYLE`."""
    with plt.rc_context(STYLE):
        yield


def _slope_label(fitted: float, predicted: float) -> str:
    return f"slope {fitted:+.3f} (pred. {predicted:+.3f})"


def _pow2(x: float) -> str:
    k = np.log2(x)
    return f"$2^{{{int(round(k))}}}$" if abs(k - round(k)) < 1e-9 else f"{x:.3g}"


def _task_str(task) -> str:
    return f"β={task.beta:g}, s={task.s:g} ({task.regime})"

"""Builder of the switch-under-lr figure: the optimal batch switch and its gain under
const/WSD/cosine LR profiles (docs/theory.md §7 C-SWITCH-LR)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..figdata import FigData
from .common import CYCLE, _slope_label

__all__ = ["plot_switch_under_lr"]


def plot_switch_under_lr(fd: FigData) -> Figure:
    """C-SWITCH-LR: left, D − P* vs D (engine dots, FSL open markers, fitted line) per LR
    profile for the hard task; right, the engine's gain over the best constant batch."""
    m = fd.meta
    hard = [k for k in fd.panels if any(e["predicted"] is not None
                                        for e in fd.panels[k].values())]
    key = hard[0] if hard else next(iter(fd.panels))
    fig, (ax, ag) = plt.subplots(1, 2, figsize=(8.4, 3.5))
    # right panel: colour = LR profile, line style = task (one legend entry each)
    tasks = [key, *[k for k in fd.panels if k != key]]
    task_styles = ["-", "--", ":", "-."][:len(tasks)]
    profile_handles = []
    for (prof, e), col in zip(fd.panels[key].items(), CYCLE, strict=False):
        D = e["budgets"]
        if e["predicted"] is not None:
            ax.plot(D, e["rem_engine"], "o", color=col, ms=4,
                    label=f"{prof}: {_slope_label(e['fitted'], e['predicted'])}")
            ax.plot(D, e["fit_const"] * D ** e["fitted"], "-", color=col, lw=0.9)
            ax.plot(D, e["rem_fsl"], "s", mfc="none", mec=col, ms=6, mew=0.8)
        else:
            ax.plot([], [], "x", color=col, label=f"{prof}: no interior switch (never switch)")
        for k2, ls in zip(tasks, task_styles, strict=False):
            g = fd.panels[k2][prof]["gain"]
            ag.plot(fd.panels[k2][prof]["budgets"], 100 * np.asarray(g), ls=ls, marker="o",
                    ms=3, color=col)
        profile_handles.append(Line2D([], [], color=col, lw=1.5, label=prof))
    ax.set(xscale="log", yscale="log", xlabel="data budget D", ylabel="large-batch data D − P*",
           title=f"{key}: optimal switch {m['b1']}→{m['b2']} ({m['engine']}; □ FSL)")
    ax.legend(loc="upper left", fontsize=6.8)
    ag.set(xscale="log", yscale="symlog", xlabel="data budget D",
           ylabel="gain over best constant batch (%)",
           title="Gain of the optimal switch (engine)")
    ag.set_yscale("symlog", linthresh=0.01)
    ag.set_ylim(-0.005, 200)
    task_handles = [Line2D([], [], color="0.3", ls=ls, lw=1.2, label=k)
                    for k, ls in zip(tasks, task_styles, strict=False)]
    # legends in the empty band between the constant-LR and the cosine curves
    first = ag.legend(handles=profile_handles, loc="upper left", bbox_to_anchor=(0.02, 0.47),
                      fontsize=6.4, title="LR profile", title_fontsize=6.4)
    ag.add_artist(first)
    ag.legend(handles=task_handles, loc="upper left", bbox_to_anchor=(0.3, 0.47), fontsize=6.4,
              title="task", title_fontsize=6.4)
    return fig

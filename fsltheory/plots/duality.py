"""Builder of the duality figure: LR schedule at fixed batch vs batch schedule at fixed LR
(docs/theory.md §5 C-DUALITY)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..figdata import FigData
from .common import OKABE_ITO, _task_str

__all__ = ["plot_duality"]


def plot_duality(fd: FigData) -> Figure:
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.2))
    b, lr = fd.panels["batch"], fd.panels["lr"]
    m = fd.meta
    a0, a1, a2 = axes
    a0.plot(lr["z"], lr["lr"], color=OKABE_ITO["vermillion"], lw=1.8,
            label=f"LR schedule at B={m['b0']}")
    a0.plot(lr["z"], lr["power_decay"], ":", color=OKABE_ITO["black"], lw=1.2,
            label=f"η$_{{peak}}$(1 − z/N)$^{{{lr['exponent']:g}}}$ (2β−1 = "
                  f"{lr['exponent']:g}), η$_{{peak}}$ = {lr['peak']:.4g}")
    a0.set(xlabel="fraction of steps z/N", ylabel="learning rate",
           title="dual LR schedule")
    a0.legend(loc="upper right", fontsize=7)
    cb, cl = b["curve"], lr["curve"]
    a1.plot(cb["data"], cb["risk"], color=OKABE_ITO["blue"], lw=2.6, alpha=0.8,
            label=f"batch schedule, lr={m['lr']:g}")
    a1.plot(cl["data"], cl["risk"], "--", color=OKABE_ITO["vermillion"], lw=1.4,
            label=f"LR schedule, B={m['b0']}")
    a1.set(xscale="log", yscale="log", xlabel="samples", ylabel="excess risk",
           title=f"vs data: coincide (final loss differs by {fd.fits['final_rel_diff']:+.1%})")
    a1.legend(loc="lower left", fontsize=7)
    a2.plot(cb["steps"], cb["risk"], color=OKABE_ITO["blue"], lw=2.0,
            label=f"batch schedule: {b['steps']} steps")
    a2.plot(cl["steps"], cl["risk"], "--", color=OKABE_ITO["vermillion"], lw=1.4,
            label=f"LR schedule: {lr['steps']} steps")
    a2.set(xscale="log", yscale="log", xlabel="steps", ylabel="excess risk",
           title="vs steps: the batch schedule is shorter")
    a2.legend(loc="lower left", fontsize=7)
    fig.suptitle(f"LR/batch duality (exact engine, {_task_str(m['task'])}, "
                 f"D={m['budget']:,} samples)", fontsize=9.5)
    return fig

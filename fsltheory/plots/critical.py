"""Builder of the critical-batch figure: E vs S curves with B_min, B_opt and the fitted forms
(docs/theory.md §8)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..figdata import FigData
from .common import CYCLE

__all__ = ["plot_critical_batch"]


def plot_critical_batch(fd: FigData) -> Figure:
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.7))
    ax = axes[0]
    for r, col in zip(fd.panels["es"]["rows"], CYCLE, strict=False):
        ax.plot(r["S"], r["E"], "o", color=col, ms=3.2,
                label=f"ℓ={r['target']:g}: B_opt/B_min={r['B_opt_ratio']:.3f} "
                      f"(pred. {r['B_opt_ratio_pred']:.3f})")
        ax.plot(r["grid"], r["fsl"], "-", color=col, lw=1.1)
        ax.plot(r["grid"], r["mccandlish"], ":", color=col, lw=1.1)
        ax.plot(r["grid"], r["piecewise"], "-.", color=col, lw=0.9)
        ax.plot(r["grid"], r["B_min_eff"] * r["grid"], "--", color="grey", lw=0.6)
        ax.plot(r["S_opt"], r["E_min"], "*", color=col, ms=11, mec="black", mew=0.5)
    for ls, name in (("-", "FSL fit"), (":", "McCandlish fit"), ("-.", "piecewise fit"),
                     ("--", "E = B_min·S")):
        ax.plot([], [], ls, color="grey", label=name)
    ax.plot([], [], "*", color="grey", ms=9, label="B_opt: (S_opt, E_min)")
    ax.set(xscale="log", yscale="log", xlabel="steps S", ylabel="data E = B·S",
           title=f"β={fd.meta['beta']:g}, s={fd.meta['s']:g}, σ={fd.meta['sigma']:g}, "
                 f"lr={fd.meta['lr']:g} (Volterra)")
    ax.legend(fontsize=6.0, loc="upper left", ncol=1, framealpha=0.85)
    ax.set_ylim(top=ax.get_ylim()[1] * 30)
    ax = axes[1]
    w = fd.panels["wsd"]
    ax.plot(w["S_const"], w["E_const"], "o-", color=CYCLE[0], ms=3, lw=1.2, label="constant LR")
    ax.plot(w["S_wsd"], w["E_wsd"], "s-", color=CYCLE[1], ms=3, lw=1.2,
            label=f"{w['lr_schedule']}")
    for c in w["crossings"]:
        ax.axvline(c, color="grey", lw=0.7, ls="--")
    if w["crossings"]:
        ax.plot([], [], "--", color="grey", lw=0.7, label="curves cross")
    ax.set(xscale="log", yscale="log", xlabel="steps S (at the end of the run)",
           ylabel="data E = B·S", title=f"ℓ={w['target']:g}, exact engine, M={w['modes']}")
    ax.legend(fontsize=7)
    fig.suptitle("Data–steps trade-off E(S) and the critical batch size (theory §8)",
                 fontsize=9)
    return fig

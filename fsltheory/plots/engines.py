"""Builders of the engine figures: three-engines (docs/theory.md §2–§3) and kernels (§4)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..figdata import FigData
from .common import CYCLE, OKABE_ITO, _pow2, _slope_label, _task_str

__all__ = ["plot_three_engines", "plot_kernels"]


def plot_three_engines(fd: FigData) -> Figure:
    specs = list(fd.panels)
    fig, axes = plt.subplots(2, len(specs), figsize=(3.4 * len(specs), 4.6), sharex="col",
                             height_ratios=[2.2, 1])
    axes = np.atleast_2d(axes)
    for j, spec in enumerate(specs):
        p = fd.panels[spec]
        ax, axr = axes[0, j], axes[1, j]
        ex = p["exact"]
        ax.plot(ex["data"], ex["risk"], color=OKABE_ITO["black"], lw=1.2, label="exact (§2)")
        axr.axhline(0.0, color=OKABE_ITO["black"], lw=1.0)
        if "volterra" in p:
            v = p["volterra"]
            ax.plot(v["data"], v["risk"], "--", color=OKABE_ITO["orange"], lw=1.6,
                    label="Volterra (§3)")
            axr.plot(v["data"], v["risk"] / np.interp(v["data"], ex["data"], ex["risk"]) - 1,
                     "--", color=OKABE_ITO["orange"], label="Volterra")
        if "sgd" in p:
            g = p["sgd"]
            ax.errorbar(g["data"], g["risk"], yerr=2 * g["stderr"], fmt="o", ms=3,
                        color=OKABE_ITO["blue"], elinewidth=0.9, capsize=0,
                        label=f"SGD, mean ± 2 s.e. ({fd.meta['seeds']} seeds)")
            axr.errorbar(g["data"], g["risk"] / g["exact"] - 1, yerr=2 * g["stderr"] / g["exact"],
                         fmt="o", ms=2.5, color=OKABE_ITO["blue"], elinewidth=0.8, capsize=0,
                         label="SGD ± 2 s.e.")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"schedule {spec}")
        ax.set_ylabel("excess risk")
        axr.set_xscale("log")
        axr.set_xlabel("samples")
        axr.set_ylabel("rel. diff. to exact")
        if j == 0:
            ax.legend(loc="lower left")
    missing = fd.meta.get("missing") or []
    note = f" (not yet available: {', '.join(missing)})" if missing else ""
    task = fd.meta["task"]
    fig.suptitle(f"Three engines, one task: {_task_str(task)}, M={task.modes}, "
                 f"lr={fd.meta['lr']:g}, D={_pow2(fd.meta['budget'])}{note}", fontsize=9.5)
    return fig


def plot_kernels(fd: FigData) -> Figure:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    for (lab, p), col in zip(fd.panels["signal"].items(), CYCLE, strict=False):
        a1.plot(p["t"], p["exact"], color=col, lw=1.8,
                label=f"{lab}: {_slope_label(p['fitted'], p['predicted'])}")
        a1.plot(p["t"], p["closed"], ":", color=OKABE_ITO["black"], lw=1.0)
    a1.plot([], [], ":", color=OKABE_ITO["black"], lw=1.0,
            label="closed form Γ(s)/(2β)(2t)$^{-s}$ − M$^{-sβ}$/(2sβ)")
    a1.set(xscale="log", yscale="log", xlabel="intrinsic time t", ylabel="e(t)",
           title=f"signal term e(t), M = {fd.meta['modes']:.0e}".replace("e+0", "e"))
    a1.legend(loc="lower left", fontsize=6.8)
    lo = min(np.min(p["exact"][p["t"] < 1e6]) for p in fd.panels["signal"].values())
    lo = min(lo, 1e-9 * max(np.max(p["exact"]) for p in fd.panels["signal"].values()))
    a1.set_ylim(max(lo / 3, 1e-16), None)
    a1.set_xlim(1e-2, 1e6)
    for (lab, p), col in zip(fd.panels["kernel"].items(), CYCLE, strict=False):
        a2.plot(p["u"], p["exact"], color=col, lw=1.8,
                label=f"{lab}: {_slope_label(p['fitted'], p['predicted'])}")
        a2.plot(p["u"], p["closed"], ":", color=OKABE_ITO["black"], lw=1.0)
    a2.plot([], [], ":", color=OKABE_ITO["black"], lw=1.0,
            label="closed form Γ(2−1/β)/β (2u)$^{-(2-1/β)}$")
    a2.set(xscale="log", yscale="log", xlabel="lag u", ylabel="K(u)",
           title="noise-forgetting kernel K(u)")
    a2.set_xlim(1e-2, 1e6)
    k_lo = min(np.min(p["exact"][p["u"] <= 1e6]) for p in fd.panels["kernel"].values())
    a2.set_ylim(max(k_lo / 3, 1e-30), None)
    a2.legend(loc="lower left", fontsize=6.8)
    fig.suptitle("Exact spectral sums (solid) vs the closed forms of docs/theory.md §4 "
                 "(dotted); slopes fitted in each curve's asymptotic window", fontsize=9)
    return fig

"""Builders of the schedule figures: optimal-schedules, switch-vs-loss, switch-scaling and
phase-diagram (docs/theory.md §5 C-OPT-EASY/HARD, C-SWITCH)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ..figdata import FigData
from .common import CYCLE, OKABE_ITO, _pow2, _slope_label, _task_str

__all__ = ["plot_optimal_schedules", "plot_switch_vs_loss", "plot_switch_scaling",
           "plot_phase_diagram"]


def plot_optimal_schedules(fd: FigData) -> Figure:
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.4))
    for ax, label in zip(axes, ("easy", "hard"), strict=True):
        p = fd.panels[label]
        for r, col in zip(p["rows"], CYCLE, strict=False):
            fit = "" if r["fitted"] is None else f", slope {r['fitted']:+.2f}"
            ax.plot(r["remaining"], r["batch"], color=col, lw=1.6,
                    label=f"D={_pow2(r['budget'])}: {r['steps']} steps{fit}")
            if r["floor_end"] > 0:
                ax.axvline(r["horizon"] - r["floor_end"], color=col, lw=0.7, ls="--")
        ax.set(xscale="log", yscale="log", xlabel="intrinsic time left T* − t  (time runs →)",
               ylabel="optimal batch size b*(t)", title=f"{_task_str(p['task'])}")
        ax.invert_xaxis()
        ax.axhline(fd.meta["b_min"], color="grey", lw=0.7, ls=":")
        ax.plot([], [], " ", label=f"predicted slope 1/(2β) − 1 = {p['predicted']:+.2f}")
        if label == "hard":
            ax.plot([], [], "--", color="grey", lw=0.7, label="T₁*: floor stops binding")
        ax.legend(loc="upper left", fontsize=6.8)
    fig.suptitle(f"Optimal batch schedules (FSL model, M={fd.meta['modes']:.0e}, "
                 f"lr={fd.meta['lr']:g}, B$_{{min}}$={fd.meta['b_min']}): easy grows throughout;"
                 "\nhard stays at B$_{min}$, then grows".replace("e+0", "e"), fontsize=9)
    return fig


def _grouped_shares(rows) -> str:
    """Optimal shares per budget, each distinct value said once: runs of budgets with the
    same (3-digit) share are merged, e.g. "0.938 (2¹²); 1 (2¹⁴–2²⁰)"."""
    groups: list[list] = []
    for r in rows:
        v = f"{r['best_share']:.3g}"
        if groups and groups[-1][0] == v:
            groups[-1][2] = r["budget"]
        else:
            groups.append([v, r["budget"], r["budget"]])
    out = []
    for v, a, b in groups:
        rng = _pow2(a) if a == b else f"{_pow2(a)}–{_pow2(b)}"
        out.append(f"{v} ({rng})")
    return "; ".join(out)


def plot_switch_vs_loss(fd: FigData) -> Figure:
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.4))
    m = fd.meta
    for ax, label in zip(axes, ("hard", "easy"), strict=True):
        p = fd.panels[label]
        distinct = len({f"{r['best_share']:.3g}" for r in p["rows"]}) == len(p["rows"])
        for r, col in zip(p["rows"], CYCLE, strict=False):
            rel = r["loss"] / r["best_loss"]
            lab = f"D={_pow2(r['budget'])}"
            if distinct:  # every optimum differs: say it on its curve
                lab += f": (D−P*)/D={r['best_share']:.3g}"
            ax.plot(r["share"], rel, "-", color=col, lw=1.5, label=lab)
            ax.plot(r["best_share"], r["best_loss"] / r["best_loss"], "o", color=col, ms=5,
                    mec="white", mew=0.6)
        ax.set(xscale="log", yscale="log", xlabel="large-batch share of data (D − P)/D",
               ylabel="final loss / best final loss",
               title=f"{_task_str(p['task'])}")
        # repeated optima are said once, in the legend title
        ax.legend(loc="upper center" if label == "hard" else "upper right", fontsize=6.8,
                  title=None if distinct else "optimum (D−P*)/D: " + _grouped_shares(p["rows"]),
                  title_fontsize=6.4)
    fig.suptitle(f"Two-stage schedule {m['b_small']}→{m['b_large']} switching after P samples "
                 f"(exact engine, M={m['modes']}, lr={m['lr']:g}); dots: optimum",
                 fontsize=9)
    return fig


def plot_switch_scaling(fd: FigData) -> Figure:
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    for (lab, p), col in zip(fd.panels.items(), CYCLE, strict=False):
        ax.plot(p["budgets"], p["gap"], "o", color=col, ms=4,
                label=f"{lab}: {_slope_label(p['fitted'], p['predicted'])}")
        ax.plot(p["budgets"], p["fit_const"] * p["budgets"] ** p["fitted"], "-", color=col,
                lw=0.9)
    ex = fd.meta.get("exact")
    if ex:
        ax.plot(ex["budgets"], ex["gap"], "s", mfc="none", mec=OKABE_ITO["black"], ms=7,
                mew=1.0, label=f"{ex['key']}, exact engine (M={ex['modes']}): "
                               f"slope {ex['fitted']:+.3f}")
    ax.set(xscale="log", yscale="log", xlabel="data budget D",
           ylabel="large-batch data D − P*",
           title="Switch point law D − P* ∝ D$^{(1+s)/(2-1/β)}$ (dots: FSL model)")
    ax.legend(loc="upper left", fontsize=6.8)
    return fig


def plot_phase_diagram(fd: FigData) -> Figure:
    m = fd.meta
    keys = list(fd.panels)
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys) + 0.8, 3.7), sharey=True)
    axes = np.atleast_1d(axes)
    vmin = max(min(float(np.min(fd.panels[k]["share"])) for k in keys), 1e-3)
    norm = LogNorm(vmin=vmin, vmax=1.0)
    for ax, key in zip(axes, keys, strict=True):
        p = fd.panels[key]
        share = np.clip(p["share"], vmin, 1.0)
        mesh = ax.pcolormesh(p["betas"], p["ss"], share, shading="nearest", cmap="cividis",
                             norm=norm)
        ax.plot(p["boundary_beta"], p["boundary_s"], color=OKABE_ITO["vermillion"], lw=2.0,
                label="s = 1 − 1/β")
        for txt, y in (("easy", 1.3), ("hard", 0.3)):
            ax.text(3.5, y, txt, color="black", ha="center", fontsize=9,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.7})
        engine = "exact engine" if p["model"] == "exact" else "FSL model"
        ax.set(xlabel="capacity exponent β",
               title=f"{engine}, D={_pow2(p['budget'])}, M={p['modes']:.0e}".replace("e+0", "e"))
        ax.grid(False)
        ax.legend(loc="upper left", frameon=True, framealpha=0.8, edgecolor="none")
    blur = fd.fits.get("blur")
    if blur:  # explain the finite-D blur above the line at large β with numbers
        seq = " → ".join(f"{v:.2f}" for v in blur["share"])
        axes[-1].text(2.65, 0.98, f"finite D: at β={blur['beta']:g}, s={blur['s']:g} the share\n"
                      f"is {seq}\nfor D = {_pow2(blur['budgets'][0])} … "
                      f"{_pow2(blur['budgets'][-1])}: easy cells\nreach 1 only as D grows",
                      fontsize=6.2, ha="center", va="center",
                      bbox={"fc": "white", "ec": "none", "alpha": 0.8})
    axes[0].set_ylabel("source exponent s")
    cb = fig.colorbar(mesh, ax=list(axes))
    cb.set_label("optimal large-batch share (D − P*)/D")
    fig.suptitle(f"Two-stage schedule {m['b_small']}→{m['b_large']} (lr={m['lr']:g}): where "
                 "switching late pays; the transition sharpens to s = 1 − 1/β as D grows",
                 fontsize=9)
    return fig

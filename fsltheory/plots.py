"""Matplotlib figure builders — the only module of fsltheory that imports matplotlib.

Every builder takes the precomputed :class:`~fsltheory.figdata.FigData` of one figure and
returns a :class:`matplotlib.figure.Figure`; no engine is called here.  :func:`save_figure`
writes the vector PDF and a 200-dpi PNG.  One consistent style: the Okabe–Ito
colour-blind-safe palette, 9-pt fonts, log axes wherever power laws live, and fitted vs
predicted slopes in the legends.

>>> from fsltheory.figdata import figure_data          # doctest: +SKIP
>>> from fsltheory.plots import build_figure, save_figure
>>> fig = build_figure(figure_data("catch-up", quick=True))   # doctest: +SKIP
>>> save_figure(fig, "figures", "catch-up")                   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from .errors import InvalidParameterError
from .figdata import FigData

__all__ = ["OKABE_ITO", "STYLE", "BUILDERS", "build_figure", "save_figure", "style",
           "plot_fit_band", "plot_plan_frontier", "save_figure_to"]

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


def save_figure(fig: Figure, out_dir: str | Path, name: str, dpi: int = 200) -> list[Path]:
    """Write ``<out_dir>/<name>.pdf`` (vector) and ``<name>.png`` (``dpi``); closes ``fig``.
    Metadata dates are dropped so that re-running gives identical PDFs.

    Each file is drawn to a temporary file in ``out_dir`` and renamed into place
    (:func:`fsltheory.io.temp_path`), so an error, a full disk or Ctrl-C never leaves a
    truncated figure where a good one was."""
    from .io import temp_path

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


def _slope_label(fitted: float, predicted: float) -> str:
    return f"slope {fitted:+.3f} (pred. {predicted:+.3f})"


def _pow2(x: float) -> str:
    k = np.log2(x)
    return f"$2^{{{int(round(k))}}}$" if abs(k - round(k)) < 1e-9 else f"{x:.3g}"


def _task_str(task) -> str:
    return f"β={task.beta:g}, s={task.s:g} ({task.regime})"


# ---------------------------------------------------------------------------- builders
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


def plot_catch_up(fd: FigData) -> Figure:
    fig, axes = plt.subplots(2, 2, figsize=(7.6, 6.0))
    m = fd.meta
    budget = m["budget"]
    cols = [OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["purple"]]
    for i, label in enumerate(("hard", "easy")):
        p = fd.panels[label]
        a_st, a_d = axes[i]
        sm, lg = p["small"], p["large"]
        # loss vs steps (= intrinsic time / lr), zoomed on the switches
        a_st.plot(sm["steps"], sm["risk"], color=OKABE_ITO["black"], lw=1.3,
                  label=f"constant B={m['b_small']}")
        a_st.plot(lg["steps"], lg["risk"], color=OKABE_ITO["skyblue"], lw=2.8, alpha=0.9,
                  label=f"constant B={m['b_large']}")
        for sw, col in zip(p["switch"], cols, strict=False):
            a_st.plot(sw["steps"], sw["risk"], "--", color=col, lw=1.3,
                      label=f"switch {m['b_small']}→{m['b_large']} at {sw['fraction']:.0%} of D")
            a_st.axvline(sw["switch_step"], color=col, lw=0.6, alpha=0.5)
        x0 = 0.4 * min(sw["switch_step"] for sw in p["switch"])
        a_st.set_xlim(x0, 1.02 * sm["steps"][-1])
        vis = [c["risk"][c["steps"] >= x0] for c in (sm, lg, *p["switch"])]
        a_st.set_ylim(0.85 * min(v.min() for v in vis), 1.15 * max(v.max() for v in vis))
        a_st.set(xscale="log", yscale="log", xlabel="steps (runs continued past D samples)",
                 ylabel="excess risk", title=f"{_task_str(p['task'])}: loss vs steps")
        ticks = [x for e in range(0, 9) for x in (10**e, 2 * 10**e, 5 * 10**e)
                 if x0 <= x <= sm["steps"][-1]]
        a_st.set_xticks(ticks, [f"{x:,}" for x in ticks])
        a_st.xaxis.set_minor_formatter(NullFormatter())
        a_st.legend(loc="lower left" if label == "hard" else "center left", fontsize=6.8)
        # loss vs data, up to the budget D
        def upto(c):
            keep = c["data"] <= budget
            return c["data"][keep], c["risk"][keep]

        a_d.plot(*upto(sm), color=OKABE_ITO["black"], lw=1.3,
                 label=f"const {m['b_small']}: {p['finals']['const small']:.4g}")
        a_d.plot(*upto(lg), color=OKABE_ITO["skyblue"], lw=2.8, alpha=0.9,
                 label=f"const {m['b_large']}: {p['finals']['const large']:.4g}")
        for sw, col in zip(p["switch"], cols, strict=False):
            fin = p["finals"][f"switch {sw['fraction']:g}"]
            a_d.plot(*upto(sw), "--", color=col, lw=1.3,
                     label=f"switch {sw['fraction']:.0%}: {fin:.4g}")
        # linear data axis over the last 60 % of the budget: every switch (50 %, 80 %,
        # 95 % of D) and its drop are resolved (all post-switch steps are drawn)
        a_d.set(xscale="linear", yscale="log", xlabel="samples", ylabel="excess risk",
                title=f"{p['task'].regime} task: loss vs data, budget D={_pow2(budget)}")
        x_lo = 0.4 * budget
        a_d.set_xlim(x_lo, budget * 1.01)
        a_d.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
        finals = list(p["finals"].values())
        d_sm, r_sm = upto(sm)
        a_d.set_ylim(min(finals) * 0.85, max(np.max(r_sm[d_sm >= x_lo]), max(finals)) * 1.2)
        a_d.legend(loc="lower left", fontsize=6.8,
                   title="final excess risk at D", title_fontsize=7)
    fig.suptitle(f"Fast catch-up after a batch switch (exact engine, M={m['modes']}, "
                 f"lr={m['lr']:g})", fontsize=9.5)
    return fig


def plot_catch_up_gap(fd: FigData) -> Figure:
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    for (lab, p), col in zip(fd.panels.items(), [OKABE_ITO["blue"], OKABE_ITO["vermillion"]],
                             strict=False):
        ax.plot(p["tau"], p["gap"], color=col, lw=2.0,
                label=f"{lab}: exact gap, {_slope_label(p['fitted'], p['predicted'])}")
        ax.plot(p["tau"], p["predicted_gap"], ":", color=OKABE_ITO["black"], lw=1.1)
        lo, hi = p["window"]
        x = np.geomspace(lo, hi, 10)
        ax.plot(x, 1.6 * p["fit_const"] * x ** p["predicted"], "-", color=col, lw=0.8,
                alpha=0.6)
    ax.plot([], [], ":", color=OKABE_ITO["black"], lw=1.1,
            label="(σ²/2)(γ₁−γ₂)∫$_τ^{t}$ K (spectral sum)")
    ax.plot([], [], "-", color="grey", lw=0.8, label="predicted slope −(1−1/β) (offset)")
    m = fd.meta
    ax.set(xscale="log", yscale="log", xlabel="intrinsic time since switch τ = t − t$_s$",
           ylabel="E$_{switch}$(t) − E$_{large}$(t)")
    ax.set_title(f"Catch-up gap: B {m['b_small']}→{m['b_large']} at t$_s$={m['t_switch']:.0e}, "
                 f"s={m['s']:g}, lr={m['lr']:g}".replace("e+0", "e"), fontsize=8.5)
    ax.legend(loc="lower left", fontsize=6.6)
    return fig


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


# ----------------------------------------------------------------------------- fitted laws
def save_figure_to(fig: Figure, path: str | Path, dpi: int = 200) -> Path:
    """Write ``fig`` to exactly ``path`` (format from the suffix, PNG without one)
    atomically (:func:`fsltheory.io.temp_path`); closes it."""
    from .io import temp_path

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


def plot_fit_band(pred: dict, title: str = "") -> Figure:
    """Observed loss (points), fitted/predicted law (line) and its 90% bootstrap band
    (shaded) per run, on log–log axes; ``pred`` is the object of
    :func:`fsltheory.predict.predict_curves` (docs/theory.md §7)."""
    with style():
        fig, (ax, axr) = plt.subplots(2, 1, figsize=(5.2, 4.6), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1.2]})
        for i, (name, r) in enumerate(pred["runs"].items()):
            c = CYCLE[i % len(CYCLE)]
            k = np.maximum(np.asarray(r["step"], float), 1.0)
            obs, p = np.asarray(r["observed"]), np.asarray(r["predicted"])
            ax.plot(k, obs, "o", ms=2.2, color=c, alpha=0.6)
            ax.plot(k, p, "-", color=c, lw=1.2, label=f"{name} (mean err "
                    f"{100 * r['mean_rel_error']:.2f}%)")
            if r.get("low") is not None:
                ax.fill_between(k, r["low"], r["high"], color=c, alpha=0.25, lw=0)
            axr.plot(k, 100 * (p / obs - 1), "-", color=c, lw=1.0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylabel("loss")
        ax.set_title(title or f"law {pred.get('law', '?')}: observed (dots), predicted "
                              "(line), 90% bootstrap band")
        ax.legend()
        axr.axhline(0, color="k", lw=0.6)
        axr.set_ylabel("pred/obs − 1 (%)")
        axr.set_xlabel("step")
    return fig


def plot_plan_frontier(plan: dict) -> Figure:
    """Loss–steps frontier of the two-stage family of a plan (docs/theory.md §5), with the
    recommended plan, the continuous optimum and the best constant batch marked."""
    with style():
        fig, ax = plt.subplots(figsize=(4.8, 3.4))
        fr = plan["frontier"]
        ax.plot([f["steps"] for f in fr], [f["final_loss"] for f in fr], "-o", ms=2.5,
                label=f"switch {plan['bmin']}→{plan['bmax']} (all switch points)")
        t = plan["two_stage"]
        ax.plot([t["steps"]], [t["final_loss"]], "*", ms=11, color=OKABE_ITO["vermillion"],
                label=f"plan: switch at {100 * t['switch_fraction']:.1f}% of data")
        c = plan["best_constant"]
        ax.plot([c["steps"]], [c["final_loss"]], "s", ms=6, color=OKABE_ITO["black"],
                label=f"best constant batch {c['batch']}")
        if plan.get("continuous"):
            k = plan["continuous"]
            ax.plot([k["steps"]], [k["final_loss"]], "D", ms=5, color=OKABE_ITO["green"],
                    label="continuous optimum")
        ax.set_xscale("log")
        ax.set_xlabel("optimizer steps")
        ax.set_ylabel(f"predicted final loss ({plan['law']})")
        ax.set_title(f"budget {plan['budget']:,} samples, LR {plan['lr_schedule']}")
        ax.legend()
    return fig

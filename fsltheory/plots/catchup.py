"""Builders of the catch-up figures: catch-up and catch-up-gap (docs/theory.md §5 C-CATCHUP,
C-SWITCH)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from ..figdata import FigData
from .common import OKABE_ITO, _pow2, _slope_label, _task_str

__all__ = ["plot_catch_up", "plot_catch_up_gap"]


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

"""Builders for fitted laws and plans: the fit band of predicted curves (docs/theory.md §7;
the fit-band figure and ``fsltheory fit/predict --plot``) and a plan's loss–steps frontier
(§5, ``fsltheory plan --plot``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .common import CYCLE, OKABE_ITO, style

__all__ = ["plot_fit_band", "plot_plan_frontier"]


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

"""``fsltheory plan``: a batch plan on a fitted law (docs/theory.md §5, §7)."""

from __future__ import annotations

import argparse
import json
import sys

from ..io import atomic_write
from ..lr import LR_GRAMMAR
from .common import HelpFormatter, jsonable, print_json
from .predict import load_fit

NOISE_SCALINGS = ("sgd", "sqrt")  # = fsltheory.plan.NOISE_SCALINGS (checked in the tests)


def register(sub) -> None:
    p = sub.add_parser(
        "plan", help="recommended batch plan (switch point, continuous optimum) from a fit",
        description=(
            "For a data budget, batch bounds and an LR profile: the recommended two-stage "
            "switch bmin->bmax, the continuous optimum and the savings versus the best "
            "constant batch, all predicted by the fitted law. Objectives: minimum final loss "
            "(default), minimum steps within --max-loss-increase of it, or minimum loss "
            "within --max-steps. Noise scaling: 'sgd' (noise ~ lr/batch, LR kept) or 'sqrt' "
            "(Adam-family trainers that rescale the LR by sqrt(batch ratio))."),
        formatter_class=HelpFormatter)
    p.add_argument("fit", metavar="FIT.json")
    p.add_argument("--budget", type=int, required=True, help="data budget D (samples)")
    p.add_argument("--bmin", type=int, required=True, help="smallest global batch")
    p.add_argument("--bmax", type=int, required=True, help="largest global batch")
    p.add_argument("--lr-schedule", default=None, metavar="SPEC",
                   help="LR profile over the data fraction (default: constant): "
                        + LR_GRAMMAR.replace("%", "%%"))
    p.add_argument("--peak-lr", type=float, default=None,
                   help="peak LR (default: the peak LR of the fitted curves)")
    p.add_argument("--noise-scaling", choices=list(NOISE_SCALINGS), default="sgd",
                   help="how gradient noise scales with batch")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--max-loss-increase", metavar="X",
                   help="minimise steps with loss <= (1+X) x the optimum, e.g. 0.5%%")
    g.add_argument("--max-steps", type=int, metavar="N", help="minimise loss with <= N steps")
    p.add_argument("--out", required=True, metavar="PLAN.json")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--plot", metavar="PATH", help="draw the loss-steps frontier")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..plan import plan_batches

    fit = load_fit(args.fit)
    plan = plan_batches(fit, args.budget, args.bmin, args.bmax, lr_schedule=args.lr_schedule,
                        peak_lr=args.peak_lr, noise_scaling=args.noise_scaling,
                        max_loss_increase=args.max_loss_increase, max_steps=args.max_steps)
    atomic_write(args.out, json.dumps(jsonable(plan), indent=1) + "\n")
    if args.plot:
        from ..plots import plot_plan_frontier, save_figure_to

        save_figure_to(plot_plan_frontier(plan), args.plot)
    if args.json:
        print_json(plan)
        return 0
    w = sys.stdout.write
    t, c, sv = plan["two_stage"], plan["best_constant"], plan["savings"]
    w(f"law {plan['law']}, budget {plan['budget']} samples, batch in [{plan['bmin']}, "
      f"{plan['bmax']}], LR {plan['lr_schedule']} (peak {plan['peak_lr']:g}), noise scaling "
      f"{plan['noise_scaling']}, objective {plan['objective']['kind']}\n\n")
    w("loss-steps frontier of the two-stage family (switch after a fraction of the data):\n")
    w(f"  {'switch at':>9} {'steps':>9} {'final loss':>12}\n")
    for f in plan["frontier"]:
        w(f"  {100 * f['switch_fraction']:8.1f}% {f['steps']:9d} {f['final_loss']:12.6g}\n")
    w("\n")
    if t["never_switch"]:
        w(f"recommended: never switch (stay at batch {t['b1']}): the LR profile already "
          "drains the noise a late switch would remove\n")
    else:
        w(f"recommended: batch {t['b1']} -> {t['b2']} after {t['switch_samples']} samples "
          f"({100 * t['switch_fraction']:.2f}% of the data)\n")
    band = t.get("final_loss_band")
    w(f"  predicted final loss {t['final_loss']:.6g}"
      + (f" (90% band {band[0]:.6g}..{band[1]:.6g})" if band else "") + f", {t['steps']} steps\n")
    if plan["continuous"]:
        k = plan["continuous"]
        w(f"continuous optimum: batches {k['batches']} from data fractions "
          f"{[round(f, 4) for f in k['fractions']]}, final loss {k['final_loss']:.6g}, "
          f"{k['steps']} steps\n")
    w(f"best constant batch {c['batch']}: final loss {c['final_loss']:.6g}, {c['steps']} steps\n")
    for r in plan.get("baselines", []):
        loss = (f"final loss {r['final_loss']:.6g} ({100 * r['loss_vs_recommended']:+.2f}% vs "
                "recommended)" if r["final_loss"] is not None else f"({r['note']})")
        w(f"baseline {r['name']}: batch {r['batch_first']} -> {r['batch_last']}, {loss}, "
          f"{r['steps']} steps\n")
    ds = sv["data_saved"]
    w(f"saved vs best constant: {sv['steps_saved']} steps "
      f"({100 * sv['steps_saved_fraction']:.1f}%), data "
      + ("n/a" if ds is None else f"{ds:.0f} samples ({100 * sv['data_saved_fraction']:.1f}%)")
      + f", loss change {100 * sv['loss_change_fraction']:+.2f}%\n")
    w("stages (samples threshold, global batch, LR multiplier):\n")
    for s in plan["stages"]:
        w(f"  {s['samples']:>12d} {s['batch']:>8d} {s['lr_multiplier']:8.4g}\n")
    w(f"wrote {args.out}" + (f" and {args.plot}" if args.plot else "") + "\n")
    return 0

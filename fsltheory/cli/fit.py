"""``fsltheory fit``: fit a loss law to observed curves (docs/theory.md §7)."""

from __future__ import annotations

import argparse
import json
import sys

from ..curves import load_curves
from ..errors import InvalidParameterError
from ..io import atomic_write
from .common import HelpFormatter, jsonable, print_json

#: The law names of :data:`fsltheory.laws.LAWS` (spelled out so that building the parser
#: does not import scipy and numba; a test checks they agree).
LAW_NAMES = ("fsl", "mpl", "task")


def register(sub) -> None:
    p = sub.add_parser(
        "fit", help="fit a loss law (fsl, mpl, task) to loss curves",
        description=("Fit a loss law to a curve file (columns run, step, lr, batch, loss) by "
                     "Huber regression on log-residuals with multistart, and bootstrap over "
                     "runs for 90%% intervals. Writes FIT.json."),
        formatter_class=HelpFormatter)
    p.add_argument("curves", metavar="CURVES.csv", help="curve file")
    p.add_argument("--out", required=True, metavar="FIT.json", help="output fit file")
    p.add_argument("--law", choices=list(LAW_NAMES), default="fsl", help="law to fit")
    p.add_argument("--starts", type=int, default=8, help="multistart count")
    p.add_argument("--bootstrap", type=int, default=100, help="bootstrap refits, 0 for none")
    p.add_argument("--seed", type=int, default=0, help="seed of starts and bootstrap")
    p.add_argument("--huber-delta", default="auto",
                   help="Huber threshold on log-residuals: a number > 0, or 'auto' (start at "
                        "1e-3, refit at 1.345 x the robust residual scale if it differs by "
                        "more than 2x)")
    p.add_argument("--modes", type=int, default=1000,
                   help="task law: number of modes M (smaller than the other commands' 4000 "
                        "because every least-squares evaluation re-runs the engine)")
    p.add_argument("--engine", choices=["exact", "volterra"], default="exact",
                   help="task law: engine")
    p.add_argument("--json", action="store_true", help="print the fit as one JSON object")
    p.add_argument("--plot", metavar="PATH", help="also draw the fit with its band")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..fit import fit_curves

    curves = load_curves(args.curves)
    delta = args.huber_delta
    if delta != "auto":
        try:
            delta = float(delta)
        except ValueError:
            raise InvalidParameterError(
                f"--huber-delta must be a number > 0 or 'auto', got {delta!r}") from None
    opts = {"modes": args.modes, "engine": args.engine} if args.law == "task" else {}
    res = fit_curves(curves, args.law, starts=args.starts, seed=args.seed,
                     bootstrap=args.bootstrap, huber_delta=delta,
                     law_options=opts, progress=False if args.no_progress else None)
    d = res.to_dict()
    atomic_write(args.out, json.dumps(jsonable(d), indent=1) + "\n")
    if args.plot:
        from ..plots import plot_fit_band, save_figure_to
        from ..predict import predict_curves

        save_figure_to(plot_fit_band(predict_curves(res, curves)), args.plot)
    if args.json:
        out = {k: v for k, v in d.items() if k != "bootstrap"}
        out["bootstrap"] = {"n": d["bootstrap"]["n"], "level": d["bootstrap"]["level"]}
        print_json(out)
        return 0
    w = sys.stdout.write
    w(f"law {d['law']} fitted to {len(curves)} run(s), {d['fit']['n_points']} points "
      f"({args.curves})\n")
    w(f"{'param':<8} {'value':>12} {'90% low':>12} {'90% high':>12}\n")
    for n, v in d["params"].items():
        w(f"{n:<8} {v['value']:12.6g} {v['low']:12.6g} {v['high']:12.6g}\n")
    conf = d["regime_confidence"]
    w(f"regime   {d['regime']}" + (f" (confidence {100 * conf:.0f}% of bootstrap refits)"
                                   if conf is not None else "") + "\n")
    w(f"fit      mean rel. error {100 * d['fit']['mean_rel_error']:.3f}%, worst "
      f"{100 * d['fit']['worst_rel_error']:.3f}%\n")
    w(f"not pinned by a single constant-LR run: {d['identifiability']}\n")
    w(f"wrote {args.out}" + (f" and {args.plot}" if args.plot else "") + "\n")
    return 0

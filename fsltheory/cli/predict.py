"""``fsltheory predict``: predict observed curves from a fit (docs/theory.md §7)."""

from __future__ import annotations

import argparse
import json
import sys

from ..curves import load_curves
from ..errors import InvalidParameterError
from .common import HelpFormatter, print_json


def load_fit(path: str):
    """Read FIT.json (one-line errors for a missing or malformed file)."""
    from ..fit import FitResult

    try:
        with open(path, encoding="utf-8") as fh:
            d = json.load(fh)
    except OSError as exc:
        raise InvalidParameterError(f"{path}: cannot read fit file ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(d, dict):
        raise InvalidParameterError(f"{path}: not a fit file (FIT.json)")
    return FitResult.from_dict(d)


def register(sub) -> None:
    p = sub.add_parser(
        "predict", help="predict every observed row of a curve file from a fit",
        description="Predict the loss at every row of CURVES.csv that has one, from that "
                    "file's schedules, with the 90%% bootstrap band of the fit.",
        formatter_class=HelpFormatter)
    p.add_argument("fit", metavar="FIT.json")
    p.add_argument("curves", metavar="CURVES.csv")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--plot", metavar="PATH", help="draw observed vs predicted with the band")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..predict import predict_curves

    fit = load_fit(args.fit)
    curves = load_curves(args.curves)
    out = predict_curves(fit, curves)
    if args.plot:
        from ..plots import plot_fit_band, save_figure_to

        save_figure_to(plot_fit_band(out), args.plot)
    if args.json:
        print_json(out)
        return 0
    w = sys.stdout.write
    w(f"law {out['law']} from {args.fit} on {args.curves}\n")
    w(f"{'run':<24} {'points':>6} {'mean rel err':>13} {'worst':>9} {'final obs':>11} "
      f"{'final pred':>11} {'90% band':>23}\n")
    for name, r in out["runs"].items():
        band = "" if r["low"] is None else f"[{r['low'][-1]:.5g}, {r['high'][-1]:.5g}]"
        w(f"{name:<24} {len(r['step']):6d} {100 * r['mean_rel_error']:12.3f}% "
          f"{100 * r['worst_rel_error']:8.3f}% {r['observed'][-1]:11.5g} "
          f"{r['predicted'][-1]:11.5g} {band:>23}\n")
    w(f"all runs: mean rel. error {100 * out['mean_rel_error']:.3f}%, worst "
      f"{100 * out['worst_rel_error']:.3f}% over {out['n_points']} points\n")
    return 0

"""``fsltheory example-curves``: an example curve file from the exact engine."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .common import HelpFormatter


def register(sub) -> None:
    p = sub.add_parser(
        "example-curves", help="write example loss curves of the power-law task",
        description=(
            "Write DIR/curves.csv (three constant-batch runs of the power-law task, exact "
            "engine, 1%% observation noise) and DIR/holdout.csv (a two-stage batch run and a "
            "cosine-LR run of the same task, for predict)."),
        formatter_class=HelpFormatter)
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--beta", type=float, default=2.5, help="hidden capacity exponent")
    p.add_argument("--s", type=float, default=0.3, help="hidden source exponent")
    p.add_argument("--sigma", type=float, default=0.5, help="hidden label noise")
    p.add_argument("--modes", type=int, default=1000,
                   help="modes M of the hidden task (smaller than the other commands' 4000 "
                        "because `fit --law task` re-runs the engine at every evaluation)")
    p.add_argument("--lr", type=float, default=0.2)
    p.add_argument("--steps", type=int, default=2000, help="steps per training run")
    p.add_argument("--noise", type=float, default=0.01, help="relative observation noise")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..curves import example_curves, write_curves
    from ..errors import check_int_range, check_range
    from ..schedule import Schedule

    check_int_range("steps", args.steps, 10, None)
    check_range("noise", args.noise, 0.0, 0.5)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    kw = dict(beta=args.beta, s=args.s, sigma=args.sigma, modes=args.modes, lr=args.lr,
              steps=args.steps, noise=args.noise)
    train = example_curves(seed=args.seed, **kw)
    budget = 16 * args.steps
    k = np.arange(args.steps)
    held = [("switch_4_64", Schedule.two_stage(4, 64, 0.75, budget, args.lr)),
            ("cosine_16", Schedule.from_arrays(
                args.lr * (0.1 + 0.9 * (1 + np.cos(np.pi * k / args.steps)) / 2), 16))]
    hold = example_curves(seed=args.seed + 1, schedules=held, **kw)
    write_curves(out / "curves.csv", train.runs)
    write_curves(out / "holdout.csv", hold.runs)
    print(f"wrote {out / 'curves.csv'} ({', '.join(train.names)}) and {out / 'holdout.csv'} "
          f"({', '.join(hold.names)}); hidden task beta={args.beta:g}, s={args.s:g}, "
          f"sigma={args.sigma:g}, M={args.modes}")
    return 0

"""``fsltheory critical-batch``: B_min, B_opt, B_crit, S_min, S_opt, E_min for a target loss.

Measured on an engine (docs/theory.md §8, :func:`fsltheory.critical.critical_batch`):
first-passage steps S(B; ℓ) at constant batch, B_min from the §2 stationary floor (or by
bisection on the engine with ``--bisect``), B_opt by 1-D minimisation of E(B) = B·S,
S_min at B = ∞, B_crit = E_min/S_min.  ``predicted`` holds the closed forms (with the
derived finite-M and noise-transient corrections; for a non-constant ``--lr-schedule``
they are the constant-LR forms, for comparison).  ``--modes`` defaults to the smallest
M with t_opt ≪ M^β.
"""

from __future__ import annotations

import argparse
import math

from ..critical import ENGINES, critical_batch, critical_task
from ..errors import InvalidParameterError
from .common import HelpFormatter, add_lr_schedule_arg, print_json

KEYS = ("B_min", "B_opt", "B_crit", "S_min", "S_opt", "E_min")


def register(sub) -> None:
    p = sub.add_parser(
        "critical-batch",
        help="critical batch sizes B_min, B_opt, B_crit for a target loss",
        description="Measure B_min, B_opt, B_crit, S_min, S_opt, E_min on an engine for a "
        "target excess risk and print them next to their closed-form predictions "
        "(docs/theory.md §8).",
        formatter_class=HelpFormatter,
    )
    g = p.add_argument_group("task (docs/theory.md §1)")
    g.add_argument("--beta", type=float, default=2.0, help="capacity exponent β > 1")
    g.add_argument("--s", type=float, default=1.0, help="source exponent s > 0")
    g.add_argument("--sigma", type=float, default=10.0, help="label noise σ > 0")
    g.add_argument("--modes", type=int, default=None,
                   help="number of modes M (default: M^β = 300·t_opt)")
    p.add_argument("--lr", type=float, default=0.5, help="(peak) learning rate")
    add_lr_schedule_arg(p)
    p.add_argument("--target", type=float, default=1e-3, help="target excess risk ℓ > 0")
    p.add_argument("--engine", default="exact", choices=ENGINES, help="engine")
    p.add_argument("--bisect", action="store_true",
                   help="B_min by bisection on the engine's relaxed risk (slower)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (math.isfinite(args.sigma) and args.sigma > 0):
        raise InvalidParameterError(
            f"sigma must be in (0, inf) (B_min is where the noise floor meets the target), "
            f"got {args.sigma!r}")
    task = critical_task(args.beta, args.s, args.sigma, args.lr, args.target,
                         modes=args.modes)
    cb = critical_batch(task, args.lr, args.target, engine=args.engine,
                        lr_schedule=args.lr_schedule, bisect_b_min=args.bisect)
    pred = {k: cb.predicted[k] for k in KEYS}
    pred.update({k: cb.predicted[k] for k in ("B_opt_ratio", "B_opt_ratio_leading",
                                              "B_opt_leading", "tau_opt", "c_M",
                                              "correction")})
    out = {k: getattr(cb, k) for k in KEYS}
    out.update({"predicted": pred, "B_opt_ratio": cb.B_opt / cb.B_min, "engine": cb.engine,
                "lr_schedule": cb.lr_schedule, "target": args.target, "lr": args.lr,
                "task": {"beta": task.beta, "s": task.s, "sigma": task.sigma,
                         "modes": task.modes, "regime": task.regime}})
    if args.json:
        print_json(out)
        return 0
    print(f"{task!r}, lr={args.lr:g} ({cb.lr_schedule}), target ℓ={args.target:g}, "
          f"engine={cb.engine}")
    print(f"{'':8}{'measured':>14}{'predicted':>14}{'ratio':>9}")
    for k in KEYS:
        m, p = out[k], pred[k]
        print(f"{k:<8}{m:>14.6g}{p:>14.6g}{m / p:>9.4f}")
    print(f"B_opt/B_min = {out['B_opt_ratio']:.5f}; predicted {pred['B_opt_ratio']:.5f} "
          f"(1 + 1/s = {pred['B_opt_ratio_leading']:.5f}, derived correction "
          f"{pred['correction']:+.2%}, τ(t_opt) = {pred['tau_opt']:.3g})")
    if cb.lr_schedule != "const":
        print("note: B_min is the constant-LR floor root; with a decaying LR smaller batches "
              "also reach ℓ, and the predictions are the constant-LR closed forms")
    return 0

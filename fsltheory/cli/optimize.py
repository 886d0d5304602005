"""``fsltheory optimize``: the optimal batch schedule under a data budget (docs/theory.md §5) and a
comparison with the usual schedules."""

from __future__ import annotations

import argparse
import inspect
import sys

from ..errors import InvalidParameterError, check_int_range
from ..optimize import MODELS, compare_baselines, optimal_schedule, optimal_switch
from .common import (
    HelpFormatter,
    add_lr_schedule_arg,
    add_task_args,
    budget_arg,
    check_steps_memory,
    float_arg,
    int_arg,
    parse_int,
    print_json,
    task_from_args,
)


def _bmax(text: str) -> int | None:
    """``none``/``inf`` (no cap) or an ASCII integer >= 1.  ``0`` is refused: it used to
    mean "no cap" silently."""
    if text.strip().lower() in ("none", "inf"):
        return None
    try:
        v = parse_int(text)
    except ValueError:
        v = 0
    if v < 1:
        raise argparse.ArgumentTypeError(
            f"--bmax must be an integer >= --bmin (>= 1), or 'none' for no cap, got {text!r}"
        )
    return v


def _pair(text: str) -> tuple[int, int]:
    try:
        a, b = (parse_int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--two-stage must be two integers B1,B2 with 1 <= B1 < B2, got {text!r}"
        ) from None
    return a, b


def register(sub) -> None:
    p = sub.add_parser(
        "optimize",
        help="optimal batch-size schedule under a data budget",
        description=(
            "Optimal batch schedule for a data budget (docs/theory.md §5): "
            "the continuous optimum of "
            "the FSL (clipped water-filling b*(t) = clip(c sqrt K(T-t), bmin, bmax)), "
            "rounded to integer batches and optionally refined on an engine, compared with "
            "constant, switch, doubling and ramp baselines and the critical-batch "
            "baselines (B_opt-tracking, GNS-adaptive, Seesaw; docs/theory.md §8)."
        ),
        formatter_class=HelpFormatter,
    )
    add_task_args(p)
    p.add_argument("--lr", type=float_arg("--lr"), default=0.2, help="(peak) learning rate")
    add_lr_schedule_arg(p)
    p.add_argument("--budget", type=budget_arg, default="65536",
                   help="data budget D (samples; integers such as 65536, 1e9, 2**30)")
    p.add_argument("--bmin", type=int_arg("--bmin"), default=4, help="smallest batch size")
    p.add_argument("--bmax", type=_bmax, default=64, help="largest batch size ('none': no cap)")
    p.add_argument("--two-stage", type=_pair, metavar="B1,B2",
                   help="also find the optimal switch point from B1 to B2")
    p.add_argument("--model", choices=list(MODELS), default="fsl",
                   help="objective the schedules are optimised and compared on")
    p.add_argument("--no-adaptive", action="store_true",
                   help="leave out the critical-batch baselines (B_opt-tracking, "
                        "GNS-adaptive, Seesaw)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=run)


def _lr_kw(args: argparse.Namespace, *funcs) -> dict:
    """``lr_schedule=`` for the optimisers when the profile is not constant (they must
    accept it; docs/theory.md §7)."""
    prof = args.lr_schedule
    if prof.is_constant:
        return {}
    for f in funcs:
        if "lr_schedule" not in inspect.signature(f).parameters:
            raise InvalidParameterError(
                f"--lr-schedule {prof} is not supported by optimize here: only const")
    return {"lr_schedule": prof}


def run(args: argparse.Namespace) -> int:
    task = task_from_args(args)
    budget = check_int_range("budget", args.budget, 1, None)
    bmin = check_int_range("bmin", args.bmin, 1, None)
    # The optimum and each baseline are per-step schedules (about 11 alive at once):
    # refuse sizes that cannot fit before allocating them.
    check_steps_memory(budget, bmin, copies=11)
    lr_kw = _lr_kw(args, optimal_schedule, optimal_switch, compare_baselines)
    progress = False if args.no_progress else None  # None: only on a terminal
    opt = optimal_schedule(task, args.budget, args.lr, args.bmin, args.bmax, args.model,
                           progress=progress, **lr_kw)
    switch = None
    if args.two_stage is not None:
        b1, b2 = args.two_stage
        if b1 >= b2:
            raise InvalidParameterError(
                f"--two-stage B1,B2 needs 1 <= B1 < B2, got {b1},{b2}"
            )
        switch = optimal_switch(task, args.budget, args.lr, b1, b2, args.model,
                                progress=progress, **lr_kw)
    rows = compare_baselines(task, args.budget, args.lr, args.bmin, args.bmax, args.model,
                             optimum=opt, progress=progress,
                             adaptive=not args.no_adaptive, **lr_kw)
    if args.json:
        cont = opt.summary()
        out = {
            "task": {"beta": task.beta, "s": task.s, "sigma": task.sigma, "modes": task.modes},
            "regime": task.regime,
            "model": args.model,
            "lr": args.lr,
            "lr_schedule": str(args.lr_schedule),
            "budget": args.budget,
            "bmin": args.bmin,
            "bmax": args.bmax,
            "continuous": cont,
            "baselines": [r.as_dict() for r in rows],
        }
        if switch is not None:
            out["switch"] = switch.summary()
        print_json(out)
        return 0
    w = sys.stdout.write
    w(f"task     {task!r}\n")
    w(f"budget   D={args.budget} samples, lr={args.lr:g}, batch in [{args.bmin}, "
      f"{args.bmax if args.bmax is not None else 'inf'}], model {args.model}\n\n")
    s = opt.summary()
    w("continuous optimum (docs/theory.md §5: b*(t) = clip(c sqrt K(T-t), bmin, bmax))\n")
    w(f"  horizon T* = {opt.horizon:.6g} (intrinsic time), floor binds until "
      f"T1* = {opt.floor_end:.6g}\n")
    w(f"  predicted FSL risk J* = {opt.predicted_risk:.6g}  (grid discretisation error "
      f"{opt.discretisation_error:.2g})\n")
    w(f"  integer schedule: {s['steps']} steps, batch {s['batch_first']} -> {s['batch_last']}"
      f", FSL rounding loss {opt.rounding_loss:.2g}\n")
    w(f"  final risk on {args.model}: {opt.final_risk:.6g}\n")
    w(f"  binding constraints: {', '.join(opt.binding) or 'none'}  (steps at bmin "
      f"{100 * opt.floor_step_fraction:.1f}%, finite-M signal tail "
      f"{100 * opt.signal_tail_fraction:.1f}%)\n")
    if switch is not None:
        w(f"\noptimal switch {switch.b1} -> {switch.b2}: after P* = {switch.samples} samples "
          f"({100 * switch.fraction:.2f}% of D), final risk {switch.final_risk:.6g}\n")
    w(f"\n{'schedule':<30} {'final risk':>12} {'steps':>8} {'data':>9} "
      f"{'vs bmax':>9} {'vs bmin':>9}\n")
    for r in rows:
        w(f"{r.name:<30} {r.final_risk:12.6g} {r.steps:8d} {r.data:9d} "
          f"{100 * r.improvement_vs_bmax:8.2f}% {100 * r.improvement_vs_bmin:8.2f}%\n")
    w("(vs bmax / vs bmin: relative improvement 1 - risk/risk(const batch))\n")
    return 0

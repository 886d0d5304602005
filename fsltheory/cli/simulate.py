"""``fsltheory simulate``: one loss curve of one schedule on one task.

Defaults are the late-switching example of docs/theory.md §5 (β=2, s=0.25, σ=1, 4000 modes, lr 0.2,
budget 131072, ``switch:4,64@0.95``, constant LR) on the exact engine of docs/theory.md §2.
``--lr`` is the peak LR and ``--lr-schedule`` its profile over the data (§7).  ``--json``
prints one object with ``final_risk``, ``steps``, ``budget``, ``regime``, the realised
``lr`` and ``batch`` summaries (peak, first, final, number of segments) and the curve at at
most ``--points`` log-spaced steps; ``--csv PATH`` writes the full curve.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engines import ENGINES, get_engine
from ..engines.exact import check_stability
from ..engines.guards import check_final_step
from ..errors import InvalidParameterError, check_int_range
from ..schedule import SCHEDULE_GRAMMAR, Schedule
from .common import (
    HelpFormatter,
    add_lr_schedule_arg,
    add_task_args,
    budget_arg,
    float_arg,
    int_arg,
    print_json,
    task_from_args,
)

DEFAULT_SCHEDULE = "switch:4,64@0.95"
#: Most exact-engine work ``simulate`` accepts, in mode-steps (steps × modes): under an
#: hour at :data:`EXACT_MODE_STEPS_PER_S`.  Larger budgets are legal but would run for
#: hours; the Python API (:func:`fsltheory.exact_risk`) is not limited and stays
#: interruptible (it runs in compiled chunks of a fraction of a second).
MAX_EXACT_MODE_STEPS = 1e13
#: Exact-engine speed on one core, mode-steps per second, for the time estimate: the slower
#: of the two rates `python benchmarks/run.py exact` measured on the 2-core machine
#: (5.1e9 at 10^4 modes, 3.1e9 at 10^5 modes, where the state no longer fits in cache).
EXACT_MODE_STEPS_PER_S = 3e9


def register(sub) -> None:
    p = sub.add_parser(
        "simulate",
        help="loss curve of a batch-size schedule",
        description="Run one schedule through an engine and summarise its excess-risk curve.",
        formatter_class=HelpFormatter,
    )
    add_task_args(p)
    p.add_argument("--lr", type=float_arg("--lr"), default=0.2, help="(peak) learning rate")
    add_lr_schedule_arg(p)
    p.add_argument("--budget", type=budget_arg, default="131072",
                   help="data budget D (samples; integers such as 131072, 1e12, 2**40)")
    p.add_argument("--schedule", default=DEFAULT_SCHEDULE, help=SCHEDULE_GRAMMAR)
    p.add_argument("--engine", default="exact", help=f"one of {sorted(ENGINES)}")
    p.add_argument("--seeds", type=int_arg("--seeds"), default=64,
                   help="number of runs >= 2 (sgd engine)")
    p.add_argument("--seed", type=int_arg("--seed"), default=0,
                   help="base seed >= 0 (sgd engine)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (nothing on stdout on error)")
    p.add_argument("--points", type=int_arg("--points"), default=200,
                   help="max curve points in --json (>= 2)")
    p.add_argument("--csv", metavar="PATH",
                   help="write the full curve as CSV (atomically: no partial file)")
    p.set_defaults(func=run)


def lr_summary(schedule: Schedule) -> dict:
    """Realised LR: profile, peak, first and final step LR, number of distinct segments
    (constant-LR runs; a smooth stretch of the profile counts as one: docs/theory.md §7)."""
    seg = schedule.segments()
    first, final = schedule.lr_at([0, schedule.n_steps - 1]).tolist()
    change = (seg.lr[1:] != seg.lr[:-1]) | (seg.smooth[1:] != seg.smooth[:-1])
    return {"schedule": str(schedule.lr_profile), "peak": schedule.peak_lr, "first": first,
            "final": final, "segments": int(1 + change.sum()),
            "smooth_steps": int(seg.count[seg.smooth].sum())}


def batch_summary(schedule: Schedule) -> dict:
    """Realised batch sizes: peak, first, final, number of constant-batch segments."""
    seg = schedule.segments()
    b, n = seg.batch, seg.count
    runs = int(1 + (b[1:] != b[:-1]).sum())
    return {"schedule": str(schedule), "peak": int(b.max()), "first": int(b[0]),
            "final": int(b[-1]), "segments": runs, "steps": int(n.sum())}


def check_exact_work(n_steps: int, modes: int) -> None:
    """Refuse an exact-engine run of more than :data:`MAX_EXACT_MODE_STEPS` mode-steps
    (cost O(modes) per step, docs/theory.md §2), naming ``--budget``, the estimate in
    mode-steps and minutes, and the alternatives."""
    work = float(n_steps) * float(modes)
    if work > MAX_EXACT_MODE_STEPS:
        minutes = work / EXACT_MODE_STEPS_PER_S / 60
        raise InvalidParameterError(
            f"--budget gives {n_steps} steps x {modes} modes = {work:.2g} mode-steps of "
            f"exact-engine work (about {minutes:.3g} min at {EXACT_MODE_STEPS_PER_S:.0e} "
            f"mode-steps/s), above the limit {MAX_EXACT_MODE_STEPS:.0e} "
            f"(~{MAX_EXACT_MODE_STEPS / EXACT_MODE_STEPS_PER_S / 60:.0f} min): lower --budget "
            "or --modes, use larger batches, or use --engine volterra")


def run(args: argparse.Namespace) -> int:
    task = task_from_args(args)
    points = check_int_range("points", args.points, 2, None)
    budget = check_int_range("budget", args.budget, 1, None)
    get_engine(args.engine)  # unknown engine: fail before any work
    if args.engine == "sgd":
        check_int_range("seeds", args.seeds, 2, None)
        check_int_range("seed", args.seed, 0, None)
    schedule = Schedule.parse(args.schedule, budget, args.lr,
                              lr_schedule=args.lr_schedule)
    check_stability(task, schedule)  # every (lr, batch) pair first (docs/theory.md §2) ...
    check_final_step(task, schedule)  # ... then the final partial batch it exempts
    if args.engine == "exact":
        check_exact_work(schedule.n_steps, task.modes)
    if args.csv and not Path(args.csv).resolve().parent.is_dir():
        raise InvalidParameterError(
            f"--csv must be a file path in an existing directory, got {args.csv!r}"
        )
    engine = get_engine(args.engine)
    opts: dict = {}
    if args.engine in ("exact", "volterra"):
        # only the recorded steps are kept: every step for --csv, else <= --points
        # log-spaced ones (memory independent of the number of steps)
        opts["points"] = None if args.csv else points
    if args.engine == "sgd":
        opts = {"seeds": check_int_range("seeds", args.seeds, 2, None), "seed": args.seed,
                "progress": sys.stderr.isatty()}
    curve = engine(task, schedule, **opts)
    if args.csv:
        try:
            curve.to_csv(args.csv)
        except OSError as exc:  # unwritable path: one line, exit 2 (not a traceback)
            raise InvalidParameterError(
                f"--csv must be a writable file path, got {args.csv!r} ({exc.strerror})"
            ) from None
    if args.json:
        out = {
            "engine": args.engine,
            "task": {"beta": task.beta, "s": task.s, "sigma": task.sigma, "modes": task.modes},
            "regime": task.regime,
            "schedule": str(schedule),
            "lr": lr_summary(schedule),
            "batch": batch_summary(schedule),
            "budget": schedule.budget,
            "steps": schedule.n_steps,
            "switch_samples": list(schedule.switch_samples),
            "initial_risk": float(curve.risk[0]),
            "final_risk": curve.final_risk,
            "curve": curve.subsample(points).to_dict(),
        }
        if curve.stderr is not None:
            out["final_stderr"] = float(curve.stderr[-1])
        print_json(out)
        return 0
    print(f"task      {task!r}")
    print(f"schedule  {schedule!r}")
    if not schedule.lr_profile.is_constant:
        lo = lr_summary(schedule)
        print(f"lr        {lo['schedule']}: peak {lo['peak']:g}, first step {lo['first']:.6g}, "
              f"final step {lo['final']:.6g}")
    if schedule.switch_samples:
        print(f"switches  after {list(schedule.switch_samples)} samples")
    print(f"engine    {args.engine}")
    print(f"excess risk  start {curve.risk[0]:.6g}   final {curve.final_risk:.6g}", end="")
    if curve.stderr is not None:
        print(f" ± {curve.stderr[-1]:.2g} (s.e.)", end="")
    print(f"   after {schedule.n_steps} steps, {schedule.budget} samples")
    if args.csv:
        print(f"curve written to {args.csv}")
    return 0

"""``fsltheory sweep GRID.toml --out RESULTS.csv``: run a grid of jobs, one row per job.

The grid file has sections of keys (``[task]``: beta, s, sigma, modes; ``[run]``: engine,
lr, budget, schedule, lr_schedule, seeds, seed); a list is swept (Cartesian product), a
scalar is fixed.  Jobs run on a local process pool (``--workers``, default all cores, one
numba thread per job), or on dask.distributed with ``--dask tcp://HOST:PORT`` or
``--dask local[:N]``.  Rows are written atomically as jobs finish; rerunning the same
command resumes (jobs already in ``--out`` are skipped, failed ones rerun).  Exit status:
0 when every job succeeded, 1 when some failed (their ``error`` column says why), 2 for a
bad grid or bad options.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import check_int_range

EXAMPLE = """\
example grid (lists are swept, scalars fixed):
  [task]
  beta = [2.0, 3.0]
  s = [0.25, 1.5]
  sigma = 1.0
  modes = 1000
  [run]
  engine = "exact"
  lr = 0.2
  budget = [16384, 65536]
  schedule = ["const:4", "switch:4,64@0.9"]
"""


def register(sub) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a grid of tasks/budgets/schedules (local pool or dask cluster)",
        description="Expand a TOML grid into independent jobs and run them; one row per job "
        "(grid keys, final_risk, steps, seconds, provenance) in a CSV or Parquet table.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("grid", metavar="GRID.toml", help="grid file")
    p.add_argument("--out", required=True, metavar="RESULTS",
                   help="output table: .csv, or .parquet (needs pyarrow); resumed if present")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None,
                       help="local worker processes (default: all cores; 1 = in this process)")
    where.add_argument("--dask", metavar="ADDRESS",
                       help="dask.distributed scheduler (tcp://HOST:PORT) or local[:N] "
                       "for a LocalCluster of N single-threaded worker processes")
    p.add_argument("--threads", type=int, default=1,
                   help="numba threads inside each job (default 1: no oversubscription)")
    p.add_argument("--no-retry-failed", dest="retry_failed", action="store_false",
                   help="on resume, keep failed rows instead of rerunning them")
    p.add_argument("--dry-run", action="store_true",
                   help="check the grid, print the number of jobs and the columns, and exit")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..grid import load_grid, validate_simulate
    from ..sweep import _fn_name, dask_executor, simulate_job, sweep
    from ..sweeptable import check_out_path

    grid = load_grid(args.grid)
    validate_simulate(grid)
    check_out_path(args.out)
    threads = check_int_range("--threads", args.threads, 1, None)
    if args.workers is not None:
        check_int_range("--workers", args.workers, 1, None)
    if args.dry_run:
        print(f"{len(grid)} jobs, grid hash {grid.hash(_fn_name(simulate_job))}")
        print("swept: " + (", ".join(grid.swept) or "(nothing)"))
        print("columns: job, " + ", ".join(grid.keys) + ", final_risk, initial_risk, steps, "
              "error, seconds, cpu_seconds, job_seed, grid_hash, version, host, pid, worker")
        return 0
    kw = dict(out=args.out, threads=threads, progress=args.progress,
              retry_failed=args.retry_failed)
    if args.dask:
        with dask_executor(args.dask) as ex:
            table = sweep(grid, executor=ex, **kw)
    else:
        table = sweep(grid, workers=args.workers, **kw)
    print(table.summary())
    print(f"table written to {args.out}")
    for r in table.failed[:5]:
        print(f"job {r['job']} failed: {r['error']}", file=sys.stderr)
    return 1 if table.failed else 0

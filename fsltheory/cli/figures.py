"""``fsltheory figures``: regenerate the paper figures (PNG + PDF) into ``figures/``.

Each figure's data comes from :mod:`fsltheory.figdata` (engines, optimiser, symbolic
layer) and is drawn by :mod:`fsltheory.plots`.  ``--quick`` uses smaller tasks, budgets
and grids (same code paths) so that the whole set takes about a minute on 2 cores.

Quick figures never replace the committed full-scale ones: without ``--out`` they go to
``figures/quick/`` (full scale: ``figures/``); the command prints every file it wrote.
Each file is written atomically (temporary file + rename).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import InvalidParameterError, check_int_range
from ..figdata import FIGURE_NAMES, figure_data
from .common import int_arg

DEFAULT_OUT = "figures"
#: Where ``--quick`` writes without ``--out`` (next to, not over, the full-scale figures).
DEFAULT_QUICK_OUT = "figures/quick"


def default_out(quick: bool) -> str:
    """Default output directory: ``figures/quick`` for quick figures, else ``figures``."""
    return DEFAULT_QUICK_OUT if quick else DEFAULT_OUT


def register(sub) -> None:
    p = sub.add_parser(
        "figures",
        help="regenerate the paper figures (PNG + PDF)",
        description="Regenerate the paper figures as vector PDF and 200-dpi PNG. "
        f"Figures: {', '.join(FIGURE_NAMES)}.",
    )
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="figures to make (default: all)")
    p.add_argument("--quick", action="store_true",
                   help="smaller tasks and grids (same code paths; about a minute)")
    p.add_argument("--out", default=None,
                   help=f"output directory (default: {DEFAULT_OUT}/, or {DEFAULT_QUICK_OUT}/ "
                        "with --quick)")
    p.add_argument("--jobs", type=int_arg("--jobs"), default=None, metavar="N",
                   help="make the figures on N >= 1 worker processes, longest first "
                        "(default: the machine's cores, at most 4)")
    p.add_argument("--list", action="store_true",
                   help="list the figure names and exit (takes no NAME)")
    p.set_defaults(func=run)


def check_names(names: list[str]) -> list[str]:
    """Validate figure names (all figures if empty); unknown names raise
    :class:`InvalidParameterError` listing the valid ones."""
    if isinstance(names, str):
        names = [names]
    if not names:
        return list(FIGURE_NAMES)
    bad = [n for n in names if n not in FIGURE_NAMES]
    if bad:
        raise InvalidParameterError(
            f"unknown figure name(s) {', '.join(map(repr, bad))}; "
            f"choose from: {', '.join(FIGURE_NAMES)}"
        )
    return list(dict.fromkeys(names))


#: Seconds each figure took on a quiet 2-core machine, quick and full scale (``fsltheory
#: figures [--quick] --jobs 1`` prints them); a scheduling hint only (parallel runs start
#: the longest figures first).  Never a result.
COST_HINT: dict[str, dict[str, float]] = {
    "three-engines": {"quick": 2.5, "full": 23.1}, "kernels": {"quick": 3.3, "full": 3.9},
    "catch-up": {"quick": 1.9, "full": 2.5}, "catch-up-gap": {"quick": 2.0, "full": 14.9},
    "optimal-schedules": {"quick": 2.6, "full": 3.2},
    "switch-vs-loss": {"quick": 1.4, "full": 31.8},
    "switch-scaling": {"quick": 3.7, "full": 18.8},
    "phase-diagram": {"quick": 3.2, "full": 22.5}, "duality": {"quick": 2.1, "full": 3.0},
    "critical-batch": {"quick": 20.5, "full": 39.3},
    "switch-under-lr": {"quick": 6.9, "full": 23.8}, "fit-band": {"quick": 2.0, "full": 6.0},
}


def figure_record(name: str, out: str, quick: bool = False) -> dict[str, Any]:
    """Compute and save one figure into ``out``; ``{name, files, seconds, fits}``
    (module level, so that a :class:`fsltheory.jobs.JobPool` worker can run it)."""
    from ..plots import build_figure, save_figure

    t0 = time.perf_counter()
    fd = figure_data(name, quick=quick)
    files = save_figure(build_figure(fd), Path(out), name)
    return {"name": name, "files": [str(f) for f in files],
            "seconds": time.perf_counter() - t0, "fits": fd.fits}


def figure_jobs(names: list[str], out: str | Path, quick: bool = False) -> list[Any]:
    """One :class:`fsltheory.jobs.Job` per figure (key ``"figure:<name>"``)."""
    from ..jobs import Job

    return [Job(f"figure:{n}", figure_record, (n, str(out), bool(quick)),
                COST_HINT.get(n, {}).get("quick" if quick else "full", 10.0))
            for n in check_names(names)]


def records_from_results(results: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The figure records of a :class:`fsltheory.jobs.JobPool` outcome, and one line per
    figure that failed (``"<name>: <error>"``)."""
    from ..jobs import results_under

    records, failed = results_under(results, "figure")
    return list(records.values()), [f"{name}: {r}" for name, r in failed.items()]


def output_dir(out: str) -> str:
    """Create the figure directory ``out`` (and its parents); a one-line
    :class:`InvalidParameterError` naming ``--out`` if it cannot be created."""
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(
            f"--out must be a directory that can be created, got {out!r} ({exc.strerror})"
        ) from None
    return out


def make_figures(names: list[str], out: str | Path, quick: bool = False,
                 progress: bool = True, jobs: int = 1) -> list[dict[str, Any]]:
    """Compute and save the named figures; returns one record per figure with the files
    written, the seconds taken and the fitted-vs-predicted numbers of its data.

    ``jobs > 1``: the figures are made on that many spawned worker processes, longest
    first (:class:`fsltheory.jobs.JobPool`); a figure that fails there raises
    :class:`fsltheory.errors.FSLError` naming it, after the others are written."""
    from tqdm import tqdm

    from ..errors import FSLError

    names = check_names(names)
    jobs = check_int_range("jobs", jobs, 1, None)
    if jobs > 1 and len(names) > 1:
        from ..jobs import JobPool

        with JobPool(jobs) as pool:
            pool.submit(figure_jobs(names, out, quick))
            records, failed = records_from_results(
                pool.results(progress=progress, desc="figures"))
        if failed:
            raise FSLError("figure(s) failed: " + "; ".join(failed))
        return records
    records = []
    bar = tqdm(names, desc="figures", unit="fig", file=sys.stderr, disable=not progress)
    for name in bar:
        bar.set_postfix_str(name)
        records.append(figure_record(name, str(out), quick))
    bar.close()
    return records


def print_records(records: list[dict[str, Any]], out: str, quick: bool) -> None:
    """The lines ``fsltheory figures`` prints: one per figure, then where they went."""
    for r in records:
        print(f"{r['name']:<18} {r['seconds']:6.1f}s  " + "  ".join(r["files"]))
    print(f"{len(records)} figure(s) written to {out}/" + (" (quick)" if quick else ""))


def run(args: argparse.Namespace) -> int:
    if args.list:
        if args.names:
            raise InvalidParameterError(
                f"--list takes no figure names (it lists all of them), got "
                f"{' '.join(args.names)}; drop --list to make these figures")
        for name in FIGURE_NAMES:
            print(name)
        return 0
    names = check_names(args.names)
    out = output_dir(args.out if args.out is not None else default_out(args.quick))
    from ..jobs import jobs_from_flag

    jobs = jobs_from_flag(args.jobs)
    records = make_figures(names, out, quick=args.quick, progress=sys.stderr.isatty(),
                           jobs=jobs)
    print_records(records, out, args.quick)
    return 0

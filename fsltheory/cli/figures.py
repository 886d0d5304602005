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

from ..errors import InvalidParameterError
from ..figdata import FIGURE_NAMES, figure_data

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


def make_figures(names: list[str], out: str | Path, quick: bool = False,
                 progress: bool = True) -> list[dict[str, Any]]:
    """Compute and save the named figures; returns one record per figure with the files
    written, the seconds taken and the fitted-vs-predicted numbers of its data."""
    from tqdm import tqdm

    from ..plots import build_figure, save_figure

    names = check_names(names)
    out = Path(out)
    records = []
    bar = tqdm(names, desc="figures", unit="fig", file=sys.stderr, disable=not progress)
    for name in bar:
        bar.set_postfix_str(name)
        t0 = time.perf_counter()
        fd = figure_data(name, quick=quick)
        files = save_figure(build_figure(fd), out, name)
        records.append({"name": name, "files": [str(f) for f in files],
                        "seconds": time.perf_counter() - t0, "fits": fd.fits})
    bar.close()
    return records


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
    out = args.out if args.out is not None else default_out(args.quick)
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(
            f"--out must be a directory that can be created, got {out!r} ({exc.strerror})"
        ) from None
    records = make_figures(names, out, quick=args.quick, progress=sys.stderr.isatty())
    for r in records:
        print(f"{r['name']:<18} {r['seconds']:6.1f}s  " + "  ".join(r["files"]))
    print(f"{len(records)} figure(s) written to {out}/" + (" (quick)" if args.quick else ""))
    return 0

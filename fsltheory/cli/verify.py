"""``fsltheory verify [CLAIM…] [--quick] [--json]``: run the numeric checks of the claims
(docs/theory.md §6), print a table (or one JSON object), write the markdown report, and exit 1 if
any claim fails.

Where the report goes (unless ``--report PATH`` says otherwise; ``--report -`` skips it):
only a full-scale run of every claim writes the committed ``proofs/REPORT.md``.  Quick,
partial or perturbed runs write next to it, never over it —
``proofs/REPORT.quick.md`` (``--quick``), ``proofs/REPORT.partial.md`` (some claims at
full scale), ``proofs/REPORT.perturbed.md`` (``--perturb``) — and the command says where
it wrote on stderr.  The report is written atomically (temporary file + rename).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import float_arg, int_arg, print_json

__all__ = ["register", "run", "default_report_path", "claim_ids", "claim_workers", "report_path",
           "finish"]


def default_report_path(quick: bool = False, partial: bool = False,
                        perturbed: bool = False) -> Path:
    """``proofs/REPORT.md`` of the source tree when it exists next to the package, else
    ``./proofs/REPORT.md`` — for a full run of every claim.  A perturbed run gets
    ``REPORT.perturbed.md``, a quick run ``REPORT.quick.md``, a run of some claims at full
    scale ``REPORT.partial.md`` (next to, never over, the full-scale report)."""
    here = Path(__file__).resolve().parents[2] / "proofs"
    name = ("REPORT.perturbed.md" if perturbed else "REPORT.quick.md" if quick
            else "REPORT.partial.md" if partial else "REPORT.md")
    return (here if here.is_dir() else Path.cwd() / "proofs") / name


def register(sub) -> None:
    p = sub.add_parser(
        "verify",
        help="check every claim numerically and write proofs/REPORT.md",
        description="Run the numeric checks of the claims of docs/theory.md §4–§5 (measured vs "
                    "predicted, with tolerances), print a table, write the report, and exit "
                    "1 if any claim fails.",
    )
    p.add_argument("claims", nargs="*", metavar="CLAIM",
                   help="claim IDs (default: all), e.g. C-CATCHUP C-FLOOR")
    p.add_argument("--quick", action="store_true",
                   help="small sizes (about 25 s for all claims on 2 cores) instead of the "
                        "full scale (about 2½ min)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object {claims: [{id, verdict, predicted, measured, "
                        "tolerance, rows, …}], passed}")
    p.add_argument("--seed", type=int_arg("--seed"), default=0,
                   help="base random seed >= 0 (0)")
    p.add_argument("--report", type=Path, default=None,
                   help="where to write the markdown report; '-' to skip (default: "
                        "proofs/REPORT.md for a full run of every claim, "
                        "proofs/REPORT.quick.md / REPORT.partial.md / REPORT.perturbed.md "
                        "for quick / some-claims / --perturb runs)")
    p.add_argument("--perturb", type=float_arg("--perturb"), default=0.0,
                   help="shift every prediction (exponents by +X, values by a factor 1+X) "
                        "to see the checks fail (0)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--jobs", type=int_arg("--jobs"), default=None, metavar="N",
                   help="check the claims on N >= 1 worker processes, longest first (default: "
                        "the machine's cores, at most 4; 1 with --workers/--dask); same "
                        "numbers as --jobs 1")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int_arg("--workers"), default=None, metavar="N",
                       help="run the per-budget scaling studies (C-OPT-EASY, C-REGIME, "
                            "C-OPT-HARD, C-SWITCH) as sweep jobs on a local pool of N >= 1 "
                            "worker processes (default: in this process); same numbers")
    where.add_argument("--dask", metavar="ADDRESS",
                       help="run those sweep jobs on dask.distributed: a scheduler "
                            "tcp://HOST:PORT, or local[:N] for a LocalCluster of N "
                            "single-threaded worker processes (needs the 'distributed' "
                            "extra); not with --workers")
    p.set_defaults(func=run)


@contextlib.contextmanager
def _executor(workers: int | None, dask: str | None) -> Iterator[Any]:
    """None (in this process), a local process pool of ``workers``, or a dask executor."""
    from ..sweep import dask_executor, local_executor

    if dask:
        with dask_executor(dask) as ex:
            yield ex
    elif workers is not None:
        ex = local_executor(workers)
        try:
            yield ex
        finally:
            ex.shutdown(wait=True, cancel_futures=True)
    else:
        yield None


def claim_ids(args: argparse.Namespace) -> list[str]:
    """The claim IDs asked for (all by default), with ``--seed``/``--perturb`` checked."""
    from ..claims import REGISTRY, get_claim
    from ..errors import InvalidParameterError, check_range

    ids = [get_claim(c).id for c in args.claims] if args.claims else list(REGISTRY)
    if args.seed < 0:
        raise InvalidParameterError(f"seed must be an integer >= 0, got {args.seed}")
    check_range("perturb", args.perturb, -1.0, None, low_open=True)
    return ids


def run(args: argparse.Namespace) -> int:
    from ..claims import run_claims
    from ..errors import check_int_range

    ids = claim_ids(args)
    scale = "quick" if args.quick else "full"
    path = report_path(args, ids)
    workers = getattr(args, "workers", None)
    if workers is not None:
        check_int_range("--workers", workers, 1, None)
    jobs = claim_workers(args)
    with _executor(workers, getattr(args, "dask", None)) as executor:
        evidence = run_claims(ids, scale=scale, seed=args.seed, perturb=args.perturb,
                              progress=not args.no_progress, executor=executor, jobs=jobs)
    return finish(args, evidence, path)


def claim_workers(args: argparse.Namespace) -> int:
    """``--jobs`` checked (>= 1; 1 when the sweeps run on --workers/--dask, where a
    larger --jobs is an error), defaulting to :func:`fsltheory.jobs.default_jobs`."""
    from ..errors import InvalidParameterError
    from ..jobs import jobs_from_flag

    jobs = getattr(args, "jobs", None)
    sweeps = getattr(args, "workers", None) is not None or getattr(args, "dask", None)
    if jobs is None and sweeps:
        return 1
    jobs = jobs_from_flag(jobs)
    if jobs > 1 and sweeps:
        raise InvalidParameterError(
            f"--jobs {jobs} runs whole claims on worker processes; with --workers/--dask "
            "(sweeps on a pool) use --jobs 1")
    return jobs


def report_path(args: argparse.Namespace, ids: list[str]) -> Path | None:
    """Where the report goes (None for ``--report -``), checked like :func:`run` does."""
    from ..claims import REGISTRY
    from ..errors import InvalidParameterError

    if str(args.report) == "-":
        return None
    partial = set(ids) != set(REGISTRY)
    path = args.report or default_report_path(args.quick, partial, bool(args.perturb))
    if not path.parent.exists() and args.report is not None:
        raise InvalidParameterError(
            f"--report must be a file path in an existing directory, got {str(path)!r}")
    return path


def finish(args: argparse.Namespace, evidence: list, path: Path | None) -> int:
    """Write the report to ``path`` (unless None), print the table (or the JSON object)
    and return the exit status: 0 iff every claim passes."""
    from ..claims import REGISTRY, render_report, render_table, summary
    from ..errors import InvalidParameterError
    from ..io import atomic_write

    cmd = "fsltheory verify" + (" " + " ".join(args.claims) if args.claims else "") + \
        (" --quick" if args.quick else "") + (f" --seed {args.seed}" if args.seed else "") + \
        (f" --perturb {args.perturb:g}" if args.perturb else "")
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, render_report(evidence, dict(REGISTRY), cmd) + "\n")
        except OSError as exc:
            raise InvalidParameterError(f"cannot write report to {path}: {exc}") from None
        print(f"report written to {path}", file=sys.stderr)
    if args.json:
        print_json(summary(evidence))
    else:
        print(render_table(evidence))
        failed = [ev.claim for ev in evidence if not ev.passed]
        print(f"\n{len(evidence) - len(failed)}/{len(evidence)} claims pass"
              + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 0 if all(ev.passed for ev in evidence) else 1

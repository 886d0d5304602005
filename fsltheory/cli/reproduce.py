"""``fsltheory reproduce``: the main job — derive, verify, figures, then a summary.

1. ``derive``  — the symbolic derivations (``fsltheory derive`` on its defaults);
2. ``verify``  — every claim of the registry checked numerically (``fsltheory verify``,
   which writes ``proofs/REPORT.md``; with ``--quick`` it is passed on and the report
   goes to ``proofs/REPORT.quick.md`` instead);
3. ``figures`` — every figure into ``--out`` (default ``figures/``, or ``figures/quick/``
   with ``--quick``, so quick runs never overwrite the committed full-scale artefacts);
4. a summary table: step, status, seconds, and where the outputs are.

The steps run through the same sub-commands a user would type, so ``reproduce`` can never
disagree with them.  A step whose sub-command is not installed is reported as skipped; the
exit status is 0 only if every step that ran succeeded.

With ``--jobs N`` (default: the machine's cores, at most 4) the claims of ``verify`` and
the figures are pooled as independent jobs on N worker processes, longest first
(:class:`fsltheory.jobs.JobPool`), while ``derive`` prints in this process; the report and
figures are written and printed exactly as ``verify`` and ``figures`` would (their
``finish``/``print_records``), and the numbers are a serial run's.  The C-SWITCH-LR check
and the ``switch-under-lr`` figure run in one worker, one after the other, so their shared
study is computed once.  ``--jobs 1`` runs the three sub-commands one after the other.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from typing import Any

from ..errors import FSLError
from .common import int_arg


def register(sub) -> None:
    p = sub.add_parser(
        "reproduce",
        help="derive, verify (writes proofs/REPORT.md) and make all figures",
        description="The main job: symbolic derivations, the numerical verification of every "
        "claim (writes proofs/REPORT.md) and every figure, then a summary.",
    )
    p.add_argument("--quick", action="store_true",
                   help="quick verification and quick figures (about a minute on 2 cores); "
                        "writes proofs/REPORT.quick.md and figures/quick/ unless told otherwise")
    p.add_argument("--out", default=None,
                   help="figure output directory (default: figures/, or figures/quick/ "
                        "with --quick)")
    p.add_argument("--report", default=None,
                   help="where verify writes its markdown report (default: proofs/REPORT.md, "
                        "or proofs/REPORT.quick.md with --quick)")
    p.add_argument("--jobs", type=int_arg("--jobs"), default=None, metavar="N",
                   help="worker processes for the claims and figures together, longest "
                        "first (default: the machine's cores, at most 4); 1: the steps one "
                        "after the other")
    p.set_defaults(func=run)


def _run_subcommand(argv: list[str]) -> tuple[str, str]:
    """Run ``fsltheory <argv>`` in-process; returns (status, detail)."""
    from . import build_parser

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # sub-command not available / bad flags
        return "skipped", f"`fsltheory {' '.join(argv)}` is not available (exit {exc.code})"
    try:
        rc = int(args.func(args) or 0)
    except (FSLError, ValueError) as exc:
        return "failed", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # keep going: report the failure in the summary
        traceback.print_exc(file=sys.stderr)
        return "failed", f"{type(exc).__name__}: {exc}"
    return ("ok", "") if rc == 0 else ("failed", f"exit status {rc}")


def _has_command(name: str) -> bool:
    """Whether the sub-command module ``fsltheory.cli.<name>`` is installed."""
    return importlib.util.find_spec(f"{__package__}.{name}") is not None


#: jobs that share an in-process cache run in one worker: the C-SWITCH-LR study
#: (:func:`fsltheory.claims.checks_lr.switch_lr_study`) behind the claim and the figure
SHARED = (("claim:C-SWITCH-LR", "figure:switch-under-lr"),)


def _pooled_work(claim_jobs: list, figure_jobs: list) -> list:
    """Claim and figure jobs, with the :data:`SHARED` pairs bundled."""
    jobs = {j.key: j for j in [*claim_jobs, *figure_jobs]}
    work: list = []
    for keys in SHARED:
        if all(k in jobs for k in keys):
            work.append([jobs.pop(k) for k in keys])
    return work + list(jobs.values())


def _run_pooled(args: argparse.Namespace, jobs: int, out: str) -> list[dict[str, Any]]:
    """derive here, verify's claims and the figures on a :class:`fsltheory.jobs.JobPool`
    of ``jobs`` workers; returns the summary rows of the three steps."""
    from ..claims import claim_jobs, evidence_from_results
    from ..jobs import JobPool
    from . import build_parser
    from . import figures as fig_cmd
    from . import verify as ver_cmd

    quick = ["--quick"] if args.quick else []
    report = ["--report", str(args.report)] if args.report else []
    parser = build_parser()
    vargs = parser.parse_args(["verify", *quick, *report])
    ids = ver_cmd.claim_ids(vargs)
    path = ver_cmd.report_path(vargs, ids)
    names = fig_cmd.check_names([])
    fig_cmd.output_dir(out)
    scale = "quick" if args.quick else "full"
    rows: list[dict[str, Any]] = []
    with JobPool(jobs) as pool:
        pool.submit(_pooled_work(claim_jobs(ids, scale), fig_cmd.figure_jobs(names, out,
                                                                             args.quick)))
        print(f"=== fsltheory verify and figures: {len(ids)} claims and {len(names)} "
              f"figures started on {jobs} worker processes (output follows derive)",
              flush=True)
        print("\n=== fsltheory derive", flush=True)
        t0 = time.perf_counter()
        status, detail = _run_subcommand(["derive"])
        rows.append({"step": "derive", "status": status, "seconds": time.perf_counter() - t0,
                     "where": "formulas printed above" if status == "ok" else detail})
        sys.stdout.flush()
        results = pool.results(progress=sys.stderr.isatty(), desc="claims + figures")
    # registry and figure order (the bundles were queued first)
    results = {k: results[k] for k in [*(f"claim:{i}" for i in ids),
                                       *(f"figure:{n}" for n in names)]}
    print("\n=== fsltheory " + " ".join(["verify", *quick, *report]), flush=True)
    where = str(path) if path is not None else "no report"
    try:
        evidence = evidence_from_results(results)
        rc = ver_cmd.finish(vargs, evidence, path)
        status, detail = ("ok", where) if rc == 0 else ("failed", f"exit status {rc}")
        secs = sum(ev.seconds for ev in evidence)
    except (FSLError, ValueError, OSError) as exc:
        print(f"fsltheory verify: error: {exc}", file=sys.stderr)
        status, detail, secs = "failed", f"{type(exc).__name__}: {str(exc).splitlines()[0]}", 0.0
    rows.append({"step": "verify", "status": status, "seconds": secs, "where": detail})
    print(f"\n=== fsltheory figures {' '.join(quick)} --out {out}".replace("  ", " "),
          flush=True)
    records, failed = fig_cmd.records_from_results(results)
    fig_cmd.print_records(records, out, args.quick)
    for line in failed:
        print(f"fsltheory figures: error: {line}", file=sys.stderr)
    rows.append({"step": "figures", "status": "failed" if failed else "ok",
                 "seconds": sum(r["seconds"] for r in records),
                 "where": f"{len(failed)} figure(s) failed: {failed[0]}" if failed
                 else f"{out}/ (PNG + PDF)"})
    return rows


def run(args: argparse.Namespace) -> int:
    from ..jobs import jobs_from_flag
    from .figures import default_out
    from .verify import default_report_path

    jobs = jobs_from_flag(args.jobs)
    quick = ["--quick"] if args.quick else []
    report = ["--report", str(args.report)] if args.report else []
    out = args.out if args.out is not None else default_out(args.quick)
    steps: list[tuple[str, list[str], str]] = [
        ("derive", ["derive"], "formulas printed above"),
        ("verify", ["verify", *quick, *report, "--jobs", str(jobs)],
         str(args.report or default_report_path(quick=args.quick))),
        ("figures", ["figures", *quick, "--out", out, "--jobs", str(jobs)],
         f"{out}/ (PNG + PDF)"),
    ]
    t_all = time.perf_counter()
    pooled = jobs > 1 and all(_has_command(c) for c in ("derive", "verify", "figures"))
    if pooled:
        results = _run_pooled(args, jobs, out)
    else:
        results = []
        for name, argv, where in steps:
            print(f"\n=== fsltheory {' '.join(argv)}", flush=True)
            t0 = time.perf_counter()
            if not _has_command(argv[0]):
                status, detail = "skipped", f"sub-command `{argv[0]}` is not installed"
            else:
                status, detail = _run_subcommand(argv)
            sys.stdout.flush()
            results.append({"step": name, "status": status,
                            "seconds": time.perf_counter() - t0,
                            "where": where if status == "ok" else detail})
    print("\n=== summary" + (" (quick)" if args.quick else ""))
    for r in results:
        print(f"{r['step']:<8} {r['status']:<8} {r['seconds']:7.1f}s  {r['where']}")
    print(f"total    {time.perf_counter() - t_all:.1f}s wall"
          + (f" (verify and figures: seconds of work on {jobs} worker processes)"
             if pooled else ""))
    failed = [r["step"] for r in results if r["status"] == "failed"]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0

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

With ``--jobs 2`` (the default) ``verify`` runs in a child process (``python -m fsltheory
verify …``, its output printed when it ends) while ``figures`` runs in this process: the
two steps are independent and mostly single-threaded, so on 2 cores this nearly halves
the wall time.  ``--jobs 1`` runs the steps one after the other.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from typing import Any

from ..errors import FSLError


def register(sub) -> None:
    p = sub.add_parser(
        "reproduce",
        help="derive, verify (writes proofs/REPORT.md) and make all figures",
        description="The main job: symbolic derivations, the numerical verification of every "
        "claim (writes proofs/REPORT.md) and every figure, then a summary.",
    )
    p.add_argument("--quick", action="store_true",
                   help="quick verification and quick figures (under 5 minutes on 2 cores); "
                        "writes proofs/REPORT.quick.md and figures/quick/ unless told otherwise")
    p.add_argument("--out", default=None,
                   help="figure output directory (default: figures/, or figures/quick/ "
                        "with --quick)")
    p.add_argument("--report", default=None,
                   help="where verify writes its markdown report (default: proofs/REPORT.md, "
                        "or proofs/REPORT.quick.md with --quick)")
    p.add_argument("--jobs", type=int, default=2, choices=(1, 2),
                   help="2: verify in a child process concurrently with figures; 1: serial")
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


def _spawn(argv: list[str]):
    """Start ``python -m fsltheory <argv>`` as a child process (this package first on the
    path) with stdout/stderr captured in temporary files; returns (process, files, t0)."""
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    out = tempfile.TemporaryFile(mode="w+")
    err = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([sys.executable, "-m", "fsltheory", *argv, "--no-progress"],
                            stdout=out, stderr=err, env=env, text=True)
    return proc, (out, err), time.perf_counter()


def _collect(child) -> tuple[str, str, float]:
    """Wait for a :func:`_spawn` child, echo its output; (status, detail, seconds)."""
    proc, (out, err), t0 = child
    rc = proc.wait()
    dt = time.perf_counter() - t0
    for f, stream in ((out, sys.stdout), (err, sys.stderr)):
        f.seek(0)
        stream.write(f.read())
        f.close()
    sys.stdout.flush()
    return ("ok", "", dt) if rc == 0 else ("failed", f"exit status {rc}", dt)


def _has_command(name: str) -> bool:
    """Whether the sub-command module ``fsltheory.cli.<name>`` is installed."""
    return importlib.util.find_spec(f"{__package__}.{name}") is not None


def run(args: argparse.Namespace) -> int:
    from .figures import default_out
    from .verify import default_report_path

    quick = ["--quick"] if args.quick else []
    report = ["--report", str(args.report)] if args.report else []
    out = args.out if args.out is not None else default_out(args.quick)
    steps: list[tuple[str, list[str], str]] = [
        ("derive", ["derive"], "formulas printed above"),
        ("verify", ["verify", *quick, *report],
         str(args.report or default_report_path(quick=args.quick))),
        ("figures", ["figures", *quick, "--out", out], f"{out}/ (PNG + PDF)"),
    ]
    results: list[dict[str, Any]] = []
    t_all = time.perf_counter()
    child = None
    if args.jobs == 2 and _has_command("verify") and _has_command("figures"):
        # verify in a child process, concurrently with derive and figures
        child = _spawn(steps[1][1])
        print("=== fsltheory " + " ".join(steps[1][1]) + " (started in a child process; "
              "its output follows the figures)", flush=True)
    for name, argv, where in steps:
        if child is not None and name == "verify":
            continue
        print(f"\n=== fsltheory {' '.join(argv)}", flush=True)
        t0 = time.perf_counter()
        if not _has_command(argv[0]):
            status, detail = "skipped", f"sub-command `{argv[0]}` is not installed"
        else:
            status, detail = _run_subcommand(argv)
        sys.stdout.flush()
        results.append({"step": name, "status": status, "seconds": time.perf_counter() - t0,
                        "where": where if status == "ok" else detail})
    if child is not None:
        print(f"\n=== fsltheory {' '.join(steps[1][1])} (child process output)", flush=True)
        status, detail, dt = _collect(child)
        results.insert(1, {"step": "verify", "status": status, "seconds": dt,
                           "where": steps[1][2] if status == "ok" else detail})
    print("\n=== summary" + (" (quick)" if args.quick else ""))
    for r in results:
        print(f"{r['step']:<8} {r['status']:<8} {r['seconds']:7.1f}s  {r['where']}")
    print(f"total    {time.perf_counter() - t_all:.1f}s")
    failed = [r["step"] for r in results if r["status"] == "failed"]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0

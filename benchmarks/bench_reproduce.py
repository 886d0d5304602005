"""Wall time of the user-facing jobs: ``fsltheory verify --quick`` and ``fsltheory
reproduce`` (full; ``--quick`` in the benchmark's quick mode).

Each command runs in a subprocess (``python -m fsltheory …`` from the repository root, so
this checkout's package is used) and writes its report and figures into a temporary
directory: the committed ``proofs/REPORT.md`` and ``figures/`` are never overwritten.
The table prints each wall time and CPU time (the command and its children) against its
budget (``verify --quick`` ≤ 45 s, full
``reproduce`` ≤ 6 min on a 2-core machine) as a ratio, plus the 1-minute load average
before and after: on a shared machine (load above the core count) the times are
pessimistic.

Run:  python benchmarks/bench_reproduce.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: wall-time budgets in seconds (issue: verify --quick ≤ 45 s, reproduce ≤ 6 min)
BUDGETS = {"verify --quick": 45.0, "reproduce": 360.0, "reproduce --quick": 360.0}


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - platform without getloadavg
        return float("nan")


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argv: list[str]) -> tuple[float, float, int, str]:
    """Run ``python -m fsltheory <argv>`` from the repository root; (wall seconds, CPU
    seconds of the command and its children, status, tail of stdout)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    c0 = _child_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "fsltheory", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    dt = time.perf_counter() - t0
    tail = "\n".join((proc.stdout or "").strip().splitlines()[-6:])
    return dt, _child_cpu() - c0, proc.returncode, tail


def main(quick: bool = False) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="fsltheory-bench-") as tmp:
        tmp = Path(tmp)
        jobs = [("verify --quick", ["verify", "--quick", "--no-progress",
                                    "--report", str(tmp / "REPORT-quick.md")])]
        if quick:
            jobs.append(("reproduce --quick", ["reproduce", "--quick", "--out",
                                               str(tmp / "figures"), "--report",
                                               str(tmp / "REPORT.md")]))
        else:
            jobs.append(("reproduce", ["reproduce", "--out", str(tmp / "figures"),
                                       "--report", str(tmp / "REPORT.md")]))
        print(f"{'command':<20} {'wall s':>8} {'CPU s':>8} {'budget s':>9} {'wall/budget':>12} "
              f"{'exit':>5} {'load before':>12} {'load after':>11}")
        for name, argv in jobs:
            before = _load()
            dt, cpu, rc, tail = timed(argv)
            after = _load()
            budget = BUDGETS[name]
            rows.append({"command": name, "seconds": dt, "cpu_seconds": cpu, "budget": budget,
                         "exit": rc, "load_before": before, "load_after": after})
            print(f"{name:<20} {dt:8.1f} {cpu:8.1f} {budget:9.0f} {dt / budget:12.2f} {rc:5d} "
                  f"{before:12.2f} {after:11.2f}", flush=True)
            if rc or name.startswith("reproduce"):  # the per-step summary / the failure
                print(tail)
    cores = os.cpu_count() or 1
    if any(r["load_before"] > cores for r in rows):
        print(f"note: load average above the {cores} cores — the machine is shared, the "
              "wall times above are pessimistic; CPU time (all processes of the command) "
              "is the better proxy for a quiet machine")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="reproduce --quick instead of full")
    main(ap.parse_args().quick)

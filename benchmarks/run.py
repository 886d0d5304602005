"""Run every benchmark: ``python benchmarks/run.py [--quick] [NAME ...]``.

Imports each ``benchmarks/bench_*.py`` (or only those whose area NAME is given, e.g.
``exact``) and calls its ``main(quick)``, which prints its own table with ratios against a
plain-numpy baseline.  A benchmark that fails is reported and the others still run; the
exit status is 1 if any failed.

Areas: ``exact``, ``sgd``, ``spectral``, ``volterra`` (engine speed against plain-numpy
baselines) and ``reproduce`` (wall and CPU time of ``fsltheory verify --quick`` and
``fsltheory reproduce`` against their budgets, run in a subprocess into a temporary
directory).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import traceback
from pathlib import Path

# Benchmarks compare one core with one core: numpy's BLAS stays single-threaded unless the
# caller says otherwise (set before any benchmark imports numpy).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent


def discover(names: list[str] | None = None) -> list[Path]:
    """The benchmark files, sorted; restricted to ``bench_<name>.py`` for given names."""
    files = sorted(HERE.glob("bench_*.py"))
    if names:
        wanted = {f"bench_{n.removeprefix('bench_').removesuffix('.py')}.py" for n in names}
        missing = wanted - {f.name for f in files}
        if missing:
            raise ValueError(f"no such benchmark: {', '.join(sorted(missing))}")
        files = [f for f in files if f.name in wanted]
    return files


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"benchmarks.{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the fsltheory benchmarks.")
    ap.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    ap.add_argument("names", nargs="*", help="areas to run (default: all), e.g. exact sgd")
    args = ap.parse_args(argv)
    try:
        paths = discover(args.names)
    except ValueError as exc:
        ap.error(str(exc))  # exits with status 2
    failed = []
    for path in paths:
        print(f"\n=== {path.stem} {'(quick)' if args.quick else ''}", flush=True)
        t0 = time.perf_counter()
        try:
            load(path).main(args.quick)
        except Exception:  # report and go on with the other benchmarks
            traceback.print_exc()
            failed.append(path.stem)
        print(f"--- {path.stem}: {time.perf_counter() - t0:.1f} s", flush=True)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

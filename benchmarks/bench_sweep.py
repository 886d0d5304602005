"""Benchmark of sweeps: the phase-diagram figure (docs/theory.md §5) at twice the
figure's resolution (28 × 28 points of (β, s), two panels: 1568 independent
``optimal_switch`` jobs) on one process, on the local process pool, and on a dask
LocalCluster.

Run:  python benchmarks/bench_sweep.py [--quick]     (or via benchmarks/run.py)

Figures of merit: wall time of each executor and the speed-up ratio against the single
process measured in the same run (every job runs numba on one thread in all three, so the
ratio is the gain from running jobs side by side); each line also shows the jobs' CPU time
as a share of their wall time (100% on an idle machine; below it, the jobs waited for a
core — on a shared machine the parallel timings are pessimistic).  All three must give the
same numbers bit for bit.  The LocalCluster time is given with and without starting the cluster.
``--quick``: the figure's quick settings at 6 × 6 points.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from fsltheory.figdata import data_phase_diagram  # noqa: E402
from fsltheory.sweep import dask_executor, local_executor  # noqa: E402


def _run(quick: bool, resolution: int, executor, show: bool = False) -> tuple[float, dict]:
    t0 = time.perf_counter()
    fd = data_phase_diagram(quick=quick, executor=executor, resolution=resolution)
    if show:  # per-job wall vs CPU time: how much of a core each job actually got
        print("      " + fd.meta["sweep"].splitlines()[1])
    return time.perf_counter() - t0, fd.fits


def main(quick: bool = False) -> None:
    resolution = 6 if quick else 28
    cores = os.cpu_count() or 1
    print(f"phase diagram, {resolution} x {resolution} (beta, s) x 2 panels = "
          f"{2 * resolution**2} jobs, quick settings: {quick}; {cores} cores, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    # warm the numba cache and the symbolic layer once, outside the timings
    _run(True, 2, "serial")

    t_serial, ref = _run(quick, resolution, "serial", show=True)
    print(f"  single process (serial)            {t_serial:8.1f} s")

    # Parallel executors: startup (processes, imports, numba cache loads, timed with a
    # 2 x 2 warm-up grid) is reported apart from the run; the ratio is given both ways.
    t0 = time.perf_counter()
    with local_executor(cores) as ex:
        _run(True, 2, ex)
        t_start = time.perf_counter() - t0
        t_pool, pool = _run(quick, resolution, ex, show=True)
    print(f"  local process pool ({cores} workers)   {t_pool:8.1f} s   speed-up "
          f"x{t_serial / t_pool:.2f}   (startup {t_start:.1f} s; with it "
          f"x{t_serial / (t_pool + t_start):.2f})")

    try:
        t0 = time.perf_counter()
        with dask_executor(f"local:{cores}", timeout=120) as dex:
            _run(True, 2, dex)
            t_start = time.perf_counter() - t0
            t_dask, dask = _run(quick, resolution, dex, show=True)
        print(f"  dask LocalCluster ({cores} workers)    {t_dask:8.1f} s   speed-up "
              f"x{t_serial / t_dask:.2f}   (startup {t_start:.1f} s; with it "
              f"x{t_serial / (t_dask + t_start):.2f})")
    except ImportError as exc:  # pragma: no cover - dask not installed
        print(f"  dask LocalCluster: skipped ({exc})")
        dask = ref
    same = all(np.array_equal(ref[k], other[k]) for other in (pool, dask) for k in ref)
    print(f"  identical results (serial = pool = LocalCluster): {same}")
    print(f"  load average {os.getloadavg()[0]:.1f} at end (a shared machine makes every "
          "parallel timing pessimistic)")
    if not same:
        raise RuntimeError("executors disagree: the sweep is not reproducible")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)

"""Benchmark of the stochastic SGD simulator (fsltheory.engines.sgd).

Throughput in samples × dims per second (one sample of dimension M costs M normal draws
and ~4M multiply-adds) of

* the numba kernel (``sgd_runs``), with all numba threads and with one thread, and
* the plain-numpy baseline of the same algorithm (``sgd_runs_numpy``: same draws from
  ``numpy.random.RandomState``, vectorised over the batch),

and their ratio, by wall time and by CPU time (samples·dims per CPU-second: the per-core
efficiency, robust against other load on a shared machine).  Before timing, each case
checks that the two implementations produce the same trajectories (relative difference
≤ 1e-10), so the ratio compares equal work.

Run:  python benchmarks/bench_sgd.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from fsltheory import PowerLawTask, Schedule
from fsltheory.engines.sgd import sgd_runs, sgd_runs_numpy

# (modes M, batch B, steps, seeds for numba, seeds for numpy)
FULL = [(1000, 1, 2000, 16, 2), (1000, 32, 200, 16, 2), (10000, 4, 200, 8, 1)]
QUICK = [(1000, 1, 500, 4, 1), (1000, 32, 50, 4, 1)]


def _timed(fn, *args, **kw):
    """Result, wall seconds and CPU seconds (all threads) of one call."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0, time.process_time() - c0


def main(quick: bool = False) -> dict:
    """Print and return the throughput of each case (samples·dims per second)."""
    cases = QUICK if quick else FULL
    task0 = PowerLawTask(2.0, 0.5, sigma=1.0, modes=50)
    sgd_runs(task0, Schedule.constant(2, 8, lr=0.1), seeds=2)  # compile / load cache
    threads = numba.get_num_threads()
    print(f"SGD simulator: samples x dims per second (numba threads = {threads})")
    print(f"{'M':>6} {'B':>4} {'steps':>6} | {'numba':>9} {'numba 1thr':>10} "
          f"{'numpy':>9} | {'ratio':>6} {'1thr ratio':>10} | {'numba/cpu-s':>11} "
          f"{'numpy/cpu-s':>11} {'ratio':>6}")
    results = {}
    for M, B, steps, seeds, np_seeds in cases:
        task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=M)
        schedule = Schedule.constant(B, B * steps, lr=0.2)
        work = schedule.budget * M  # samples × dims per seed
        fast, t_fast, c_fast = _timed(sgd_runs, task, schedule, seeds=seeds, seed=1)
        old = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            _, t_one, _ = _timed(sgd_runs, task, schedule, seeds=seeds, seed=1)
        finally:
            numba.set_num_threads(old)
        ref, t_np, c_np = _timed(sgd_runs_numpy, task, schedule, seeds=np_seeds, seed=1)
        err = float(np.max(np.abs(fast[:np_seeds] / ref - 1.0)))
        if err > 1e-10:
            raise AssertionError(f"numba and numpy trajectories differ (rel. {err:.2e})")
        r_fast = seeds * work / t_fast
        r_one = seeds * work / t_one
        r_np = np_seeds * work / t_np
        cpu_fast, cpu_np = seeds * work / c_fast, np_seeds * work / c_np
        results[(M, B, steps)] = {"numba": r_fast, "numba_1thread": r_one, "numpy": r_np,
                                  "numba_per_cpu_s": cpu_fast, "numpy_per_cpu_s": cpu_np}
        print(f"{M:>6} {B:>4} {steps:>6} | {r_fast:>9.3g} {r_one:>10.3g} {r_np:>9.3g} | "
              f"{r_fast / r_np:>6.1f} {r_one / r_np:>10.1f} | {cpu_fast:>11.3g} "
              f"{cpu_np:>11.3g} {cpu_fast / cpu_np:>6.1f}")
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small cases only")
    main(quick=ap.parse_args().quick)

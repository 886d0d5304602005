"""Benchmark of the spectral sums e(t), K(u) (fsltheory.engines.spectral).

For each case (modes M, number of points, range of t) it times

* the compiled kernel ``signal_term`` (numba, parallel over points) with all threads and
  with one thread,
* ``spectral_sum_numpy(..., series=True)``: the same algorithm in plain numpy (direct sum
  over the fast modes, Taylor tail from the same cached power sums), and
* ``spectral_sum_numpy(..., series=False)``: the brute-force direct sum over all M modes
  (what the placeholder did),

checks that all agree to 1e-12 relative on the timed points, and prints the ratios.  The
series tables are built once per task (timed separately as "setup").

Run:  python benchmarks/bench_spectral.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from fsltheory import PowerLawTask
from fsltheory.engines import spectral as sp

# (M, points for numba, points for numpy baselines, t range)
FULL = [
    (10**5, 10_000, 200, (1e-2, 1e4)),   # the optimizer's inner-loop shape
    (10**5, 10_000, 200, (1e-2, 1e8)),
    (10**6, 2_000, 20, (1e-2, 1e8)),
    (10**7, 200, 4, (1e-2, 1e8)),
]
QUICK = [(10**5, 2_000, 50, (1e-2, 1e4)), (10**6, 200, 5, (1e-2, 1e8))]


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def main(quick: bool = False) -> dict:
    """Print and return per-point times (seconds) of each implementation per case."""
    cases = QUICK if quick else FULL
    sp.signal_term(PowerLawTask(2.0, 0.5, modes=100), [1.0])  # compile / load cache
    threads = numba.get_num_threads()
    print(f"spectral sums e(t): microseconds per point (beta=2, s=0.5; numba threads = "
          f"{threads})")
    print(f"{'M':>9} {'t range':>15} | {'setup s':>7} {'numba':>9} {'numba 1thr':>10} "
          f"{'numpy same':>10} {'numpy brute':>11} | {'x same':>7} {'x same 1thr':>11} "
          f"{'x brute':>8}")
    results = {}
    for M, npts, nnp, (t0, t1) in cases:
        task = PowerLawTask(2.0, 0.5, modes=M)
        t = np.geomspace(t0, t1, npts)
        t_np = np.geomspace(t0, t1, nnp)
        _, setup = _timed(sp.signal_term, task, [1.0])  # builds the series tables
        val, dt_fast = _timed(sp.signal_term, task, t)
        old = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            _, dt_one = _timed(sp.signal_term, task, t)
        finally:
            numba.set_num_threads(old)
        same, dt_same = _timed(sp.spectral_sum_numpy, task, t_np, "signal", series=True)
        brute, dt_brute = _timed(sp.spectral_sum_numpy, task, t_np, "signal", series=False)
        fast_np = sp.signal_term(task, t_np)
        ok = brute > 1e-290
        err = max(np.max(np.abs(fast_np[ok] / brute[ok] - 1)),
                  np.max(np.abs(same[ok] / brute[ok] - 1)))
        if err > 1e-12:
            raise AssertionError(f"implementations disagree by {err:.2e} (M={M})")
        per = {"numba": dt_fast / npts, "numba_1thr": dt_one / npts,
               "numpy_same": dt_same / nnp, "numpy_brute": dt_brute / nnp}
        results[(M, t0, t1)] = per
        rng = f"{t0:.0e}..{t1:.0e}"
        print(f"{M:>9} {rng:>15} | {setup:7.2f} {per['numba'] * 1e6:9.1f} "
              f"{per['numba_1thr'] * 1e6:10.1f} {per['numpy_same'] * 1e6:10.1f} "
              f"{per['numpy_brute'] * 1e6:11.1f} | "
              f"{per['numpy_same'] / per['numba']:7.1f} "
              f"{per['numpy_same'] / per['numba_1thr']:11.1f} "
              f"{per['numpy_brute'] / per['numba']:8.0f}")
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)

"""Benchmark of the Volterra engine (fsltheory.engines.volterra).

1. *Same algorithm, numba vs numpy*: the cell march of ``volterra_risk`` (compiled
   ``_volterra_kernel``) against ``volterra_cells_numpy`` (a Python loop over cells, numpy
   over spectral groups) on identical inputs (grid, groups, signal values); they must
   agree to 1e-12 relative before the ratio is printed.
2. *Versus the exact engine*: wall time of ``volterra_risk`` and ``exact_risk`` on the same
   schedule (the exact engine is O(steps × modes)), with the relative gap of the final risk
   (the physical O(lr) difference, not an error).
3. *Long horizon*: a two-stage schedule of 10^8 steps (batch 16 → 64 at half the steps,
   lr 0.1) with 10^6 modes, ``points=1000``: wall time of ``volterra_risk`` (the schedule
   itself, two 800 MB arrays, is built outside the timing and reported separately).

Run:  python benchmarks/bench_volterra.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fsltheory import PowerLawTask, Schedule
from fsltheory.engines.exact import exact_risk
from fsltheory.engines.spectral import signal_term
from fsltheory.engines.volterra import (
    _cells,
    _run_tables,
    _volterra_kernel,
    compressed_spectrum,
    volterra_cells_numpy,
    volterra_grid,
    volterra_risk,
)


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def _march_inputs(task, sch, bins):
    tab = _run_tables(sch)
    nodes = volterra_grid(sch, _tables=tab)
    tn, h, ga, gb = _cells(nodes, tab)
    W, mu = compressed_spectrum(task, bins)
    return mu, W, h, ga, gb, signal_term(task, tn), task.sigma**2


def bench_march(quick: bool) -> None:
    print("1. cell march, same algorithm: numba vs numpy")
    print(f"{'modes':>9} {'groups':>7} {'cells':>6} | {'numba s':>8} {'numpy s':>8} | "
          f"{'ratio':>6}")
    cases = [(10**4, 200.0), (10**4, None)] if quick else [
        (10**5, 200.0), (10**6, 200.0), (10**5, None)]
    for M, bins in cases:
        task = PowerLawTask(2.0, 0.3, sigma=1.0, modes=M)
        sch = Schedule.parse("stages:4,16,64@0.5,0.9", budget=4 * 10**6, lr=0.1)
        mu, W, h, ga, gb, e, s2 = _march_inputs(task, sch, bins)
        out = np.empty(h.size + 1)
        _volterra_kernel(mu, W, h, ga, gb, e, s2, True, out)  # compile / load cache
        _, t_nb = _timed(_volterra_kernel, mu, W, h, ga, gb, e, s2, True, out)
        ref, t_np = _timed(volterra_cells_numpy, mu, W, h, ga, gb, e, s2, True)
        err = np.max(np.abs(out / ref - 1))
        if err > 1e-12:
            raise AssertionError(f"numba and numpy marches disagree by {err:.2e}")
        print(f"{M:>9} {mu.size:>7} {h.size:>6} | {t_nb:8.4f} {t_np:8.4f} | "
              f"{t_np / t_nb:6.1f}")


def bench_vs_exact(quick: bool) -> None:
    print("2. volterra_risk vs exact_risk (same schedule, all steps returned)")
    print(f"{'modes':>7} {'steps':>8} | {'volterra s':>10} {'exact s':>8} | {'ratio':>7} "
          f"{'final gap':>9}")
    cases = [(1000, 10**5)] if quick else [(1000, 10**5), (10**4, 10**5), (10**4, 10**6)]
    volterra_risk(PowerLawTask(2.0, 0.3, modes=10), Schedule.constant(4, 400, 0.1))
    exact_risk(PowerLawTask(2.0, 0.3, modes=10), Schedule.constant(4, 400, 0.1))
    for M, steps in cases:
        task = PowerLawTask(2.0, 0.3, sigma=1.0, modes=M)
        sch = Schedule.two_stage(4, 64, 0.5, 4 * steps, lr=0.05)
        v, t_v = _timed(volterra_risk, task, sch)
        ex, t_e = _timed(exact_risk, task, sch)
        gap = v.final_risk / ex.final_risk - 1
        print(f"{M:>7} {sch.n_steps:>8} | {t_v:10.3f} {t_e:8.2f} | {t_e / t_v:7.0f} "
              f"{gap:+9.2%}")


def bench_long(quick: bool) -> dict:
    n, M = (10**7, 10**5) if quick else (10**8, 10**6)
    print(f"3. long horizon: {n:.0e} steps, {M:.0e} modes, two-stage 16 -> 64, lr 0.1, "
          f"points=1000")
    t0 = time.perf_counter()
    b = np.full(n, 16, dtype=np.int64)
    b[n // 2:] = 64
    sch = Schedule(np.full(n, 0.1), b)
    t_sched = time.perf_counter() - t0
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=M)
    curve, t_v = _timed(volterra_risk, task, sch, points=1000)
    print(f"   schedule arrays built in {t_sched:.2f} s; volterra_risk {t_v:.2f} s "
          f"({curve.meta['groups']} groups, {curve.meta['cells']} cells); "
          f"final risk {curve.final_risk:.6g}")
    return {"steps": n, "modes": M, "seconds": t_v}


def main(quick: bool = False) -> dict:
    bench_march(quick)
    bench_vs_exact(quick)
    return bench_long(quick)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)

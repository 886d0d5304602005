"""Benchmark of the exact engine (docs/theory.md §2): numba kernel vs plain numpy, and the batched
entry point ``exact_risk_many`` vs a loop of ``exact_risk``.

Run:  python benchmarks/bench_exact.py [--quick]     (or via benchmarks/run.py)

Figures of merit: mode-steps per second (M modes × K steps / wall time) on one core for
a single schedule, and the parallel speed-up of many schedules.  Targets (issue 2): the
numba kernel ≥ 10× the numpy path and ≥ 3e9 mode-steps/s at 10^4 modes.
"""

from __future__ import annotations

import os

# One core against one core: keep numpy's BLAS (the λ·d dot products) single-threaded.
# Threaded OpenBLAS on a shared 2-core machine also makes the numpy timings erratic
# (spinning threads).  Must happen before numpy is first imported (run.py imports nothing
# else first).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import functools  # noqa: E402
import time  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402

from fsltheory import PowerLawTask, Schedule, exact_risk, exact_risk_many  # noqa: E402
from fsltheory.engines.exact import exact_risk_numpy  # noqa: E402


def _best(f, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (all threads) of ``repeat`` calls.

    On a shared machine the CPU time is the more robust measure of one-thread speed (it
    does not count time spent preempted); the wall time is what a user waits.
    """
    wall = cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        f()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return wall, cpu


def numpy_hoisted(task: PowerLawTask, schedule: Schedule) -> np.ndarray:
    """The fastest plain-numpy form of the same recursion we know: coefficients computed
    once per run of equal (η, B), then ``d ← a d + c S`` with ``S = λ·d + σ²``, in place
    (no temporaries: above ~10^4 modes numpy's temporaries are fresh mmap'd pages and the
    page faults, not the arithmetic, would dominate)."""
    lam = task.lambdas
    d = task.theta_star**2
    tmp = np.empty_like(d)
    out = np.empty(schedule.n_steps + 1)
    out[0] = 0.5 * (lam @ d)
    k = 0
    for eta, b, n in zip(*schedule.runs(), strict=True):
        a = (1.0 - eta * lam) ** 2 + eta**2 * lam**2 / b
        c = eta**2 * lam / b
        S = lam @ d + task.sigma**2
        for _ in range(n):
            np.multiply(a, d, out=d)
            np.multiply(c, S, out=tmp)
            np.add(d, tmp, out=d)
            E2 = lam @ d
            S = E2 + task.sigma**2
            k += 1
            out[k] = 0.5 * E2
    return out


def bench_single(quick: bool) -> dict:
    print(f"single schedule, one thread (numba threads available: {numba.get_num_threads()})")
    print(f"{'modes':>8} {'engine':<15} {'steps':>7} {'wall/s':>8} {'cpu/s':>8} "
          f"{'mode-steps/s':>13} {'numba ×':>8}   (rates from CPU time)")
    res = {}
    for modes in (10**4, 10**5):
        task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=modes)
        k_fast = (20_000 if quick else 100_000) * 10**4 // modes
        k_slow = (500 if quick else 2_000) * 10**4 // modes * (2 if modes > 10**4 else 1)
        fast = Schedule.constant(4, 4 * k_fast, 0.2)
        slow = Schedule.constant(4, 4 * k_slow, 0.2)
        exact_risk(task, Schedule.constant(4, 40, 0.2))  # compile / load the cache
        # the engines agree (sanity check, not a test: see tests/test_exact.py)
        ref = exact_risk_numpy(task, slow)
        assert np.allclose(exact_risk(task, slow).risk, ref, rtol=1e-10, atol=0)
        assert np.allclose(numpy_hoisted(task, slow), ref, rtol=1e-10, atol=0)
        rows = [
            ("numba kernel", fast, exact_risk, 5),
            ("numpy ref", slow, exact_risk_numpy, 3),
            ("numpy in-place", slow, numpy_hoisted, 3),
        ]
        rates = {}
        for name, sch, engine, rep in rows:
            wall, cpu = _best(functools.partial(engine, task, sch), rep)
            rates[name] = modes * sch.n_steps / cpu
            ratio = rates["numba kernel"] / rates[name]
            print(f"{modes:>8} {name:<15} {sch.n_steps:>7} {wall:>8.3f} {cpu:>8.3f} "
                  f"{rates[name]:>13.3e} {ratio:>8.1f}")
        res[modes] = rates
    r = res[10**4]
    ok = r["numba kernel"] >= 3e9 and r["numba kernel"] >= 10 * r["numpy ref"]
    print(f"target at 10^4 modes (≥ 3e9 mode-steps/s and ≥ 10× numpy): "
          f"{'met' if ok else 'MISSED'}")
    return res


def bench_many(quick: bool) -> None:
    n_sched = 8 if quick else 16
    modes = 10**4
    budget = 4 * (4_000 if quick else 20_000)
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=modes)
    schedules = [Schedule.two_stage(4, 64, f, budget, 0.2)
                 for f in np.linspace(0.5, 0.99, n_sched)]
    exact_risk_many(task, schedules[:2])  # compile / load the cache
    work = modes * sum(s.n_steps for s in schedules)
    w_loop, c_loop = _best(lambda: [exact_risk(task, s) for s in schedules], 3)
    w_many, c_many = _best(lambda: exact_risk_many(task, schedules), 3)
    threads = numba.get_num_threads()
    print(f"\n{n_sched} schedules × {modes} modes ({work:.2e} mode-steps), {threads} threads")
    print(f"  loop of exact_risk  wall {w_loop:6.3f} s  cpu {c_loop:6.3f} s  "
          f"{work / w_loop:.3e} mode-steps/s (wall)")
    print(f"  exact_risk_many     wall {w_many:6.3f} s  cpu {c_many:6.3f} s  "
          f"{work / w_many:.3e} mode-steps/s (wall)")
    print(f"  speed-up {w_loop / w_many:.2f}× wall (ideal {threads}×; less when other "
          f"processes share the cores), cpu/wall of exact_risk_many {c_many / w_many:.2f}")


def main(quick: bool = False) -> None:
    """Print the exact-engine benchmark (``quick``: fewer steps, ~10 s)."""
    bench_single(quick)
    bench_many(quick)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps (~10 s)")
    main(ap.parse_args().quick)

"""Schedules that scale to any budget (segment storage, docs/theory.md §7).

Each case runs in a fresh subprocess, which prints its wall time and its peak resident
memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), so the numbers are not polluted by
earlier cases.  Same-run baselines:

1. *Volterra engine, ``const:64``, budget 1e12* (1.6e10 steps, 4000 modes, lr 0.2), and the
   same with WSD (F = 0.2) and cosine-with-warmup LR profiles.  Baseline: the same command
   at budget 1e8 (10^4× fewer steps): time and memory ratios near 1 show that the cost
   does not grow with the number of steps.  Also printed: the memory an old-style
   per-step schedule would need (lr + batch arrays, 16 bytes a step) — an estimate.
   Another baseline: the resident memory of a process that only imports fsltheory.
2. *Exact engine memory vs steps*: ``const:64`` with a cosine LR, 100 modes, 200 recorded
   points, budgets 6.4e7 and 6.4e8 (10^6 and 10^7 steps): the time grows 10×, the memory
   does not (only the recorded points are stored).
3. *Ctrl-C*: the exact engine on a 10^9-step schedule receives SIGINT 2 s after start
   (once it is computing); printed is the delay until the process has exited (target
   < 1 s: the compiled loop runs in chunks of 0.05–0.2 s, interpreter exit included).

Run:  python benchmarks/bench_budget.py [--quick]   (or python benchmarks/run.py budget)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from fsltheory import PowerLawTask, Schedule
from fsltheory.engines import get_engine
args = json.loads(sys.argv[1])
t_import = time.perf_counter() - t0
out = {"import_s": t_import}
if args.get("engine"):
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=args["modes"])
    engine = get_engine(args["engine"])
    warm = Schedule.parse("const:64", 64 * 1000, args["lr"], lr_schedule=args.get("lr_schedule"))
    engine(task, warm, points=10)  # compile / load the numba cache outside the timing
    sch = Schedule.parse(args["schedule"], args["budget"], args["lr"],
                         lr_schedule=args.get("lr_schedule"))
    print("READY", flush=True)
    t1 = time.perf_counter()
    try:
        curve = engine(task, sch, points=args["points"])
    except KeyboardInterrupt:
        print("INTERRUPTED", time.time(), flush=True)
        sys.exit(130)
    out.update(seconds=time.perf_counter() - t1, steps=sch.n_steps,
               segments=int(sch.segments().count.size), final=curve.final_risk,
               points=len(curve))
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out), flush=True)
"""


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_child(**args) -> dict:
    p = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(args)], capture_output=True,
                       text=True, env=_env(), timeout=3600, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError(f"child failed: {p.stderr.strip().splitlines()[-1:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def bench_volterra(quick: bool) -> None:
    print("1. Volterra engine at budget 1e12 (4000 modes, lr 0.2), one subprocess per case")
    base_mem = run_child()["maxrss_mb"]
    print(f"   baseline: a process that imports fsltheory peaks at {base_mem:.0f} MB")
    print(f"{'schedule':>10} {'lr profile':>22} {'budget':>7} {'steps':>12} {'segs':>5} | "
          f"{'time s':>7} {'peak MB':>8} | {'t/t(1e8)':>8} {'MB/MB(1e8)':>10} | "
          f"{'per-step arrays':>15}")
    profiles = ["const", "wsd:0.2", "cosine,warmup=0.01"]
    if quick:
        profiles = profiles[:1]
    for prof in profiles:
        row = {}
        for D in (10**8, 10**12):
            row[D] = run_child(engine="volterra", modes=4000, schedule="const:64", budget=D,
                               lr=0.2, lr_schedule=prof, points=1000)
        big, small = row[10**12], row[10**8]
        dense_gb = 16 * big["steps"] / 1e9
        print(f"{'const:64':>10} {prof:>22} {'1e12':>7} {big['steps']:>12} "
              f"{big['segments']:>5} | {big['seconds']:7.2f} {big['maxrss_mb']:8.0f} | "
              f"{big['seconds'] / small['seconds']:8.2f} "
              f"{big['maxrss_mb'] / small['maxrss_mb']:10.2f} | {dense_gb:12.0f} GB")
    print("   target: seconds and < 1 GB at 1e12; the per-step column is what lr + batch "
          "arrays alone would take")


def bench_exact_memory(quick: bool) -> None:
    print("\n2. exact engine: memory vs number of steps (cosine LR, 100 modes, 200 points)")
    print(f"{'budget':>10} {'steps':>10} | {'time s':>7} {'peak MB':>8}")
    budgets = [64 * 10**5, 64 * 10**6] if quick else [64 * 10**6, 64 * 10**7]
    rows = []
    for D in budgets:
        r = run_child(engine="exact", modes=100, schedule="const:64", budget=D, lr=0.2,
                      lr_schedule="cosine", points=200)
        rows.append(r)
        print(f"{D:>10.2g} {r['steps']:>10} | {r['seconds']:7.2f} {r['maxrss_mb']:8.0f}")
    print(f"   ratio (10x steps): time {rows[1]['seconds'] / rows[0]['seconds']:.1f}x, "
          f"memory {rows[1]['maxrss_mb'] / rows[0]['maxrss_mb']:.2f}x")


def bench_interrupt(quick: bool) -> None:
    print("\n3. Ctrl-C during a long exact-engine run (10^9 steps, 1000 modes)")
    args = dict(engine="exact", modes=1000, schedule="const:1", budget=10**9, lr=0.2,
                lr_schedule="wsd:0.2", points=200)
    p = subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(args)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=_env(), cwd=ROOT)
    assert p.stdout is not None
    line = p.stdout.readline()
    if "READY" not in line:
        p.kill()
        raise RuntimeError(f"child did not start: {line!r}")
    time.sleep(2.0)
    t0 = time.perf_counter()
    sent = time.time()
    p.send_signal(signal.SIGINT)
    rest = p.stdout.read()
    p.wait(timeout=60)
    delay = time.perf_counter() - t0
    caught = [float(x.split()[1]) for x in rest.splitlines() if x.startswith("INTERRUPTED")]
    if not caught:
        raise RuntimeError("the child did not raise KeyboardInterrupt")
    print(f"   SIGINT -> KeyboardInterrupt in {caught[0] - sent:.3f} s (target < 1 s), "
          f"process exit in {delay:.3f} s")


def main(quick: bool = False) -> None:
    bench_volterra(quick)
    bench_exact_memory(quick)
    bench_interrupt(quick)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)

"""Sweeps: a grid of independent jobs on a local process pool, any
:class:`concurrent.futures.Executor`, or a dask.distributed cluster.

A grid (:mod:`fsltheory.grid`) expands to jobs — the Cartesian product of its lists —
and every job runs ``fn(params, seed)`` and returns a mapping of result columns.  The
default job, :func:`simulate_job`, runs one schedule through one engine (docs/theory.md
§1–§3) and returns ``final_risk``, ``initial_risk`` and ``steps``.  The result is a tidy
:class:`~fsltheory.sweeptable.SweepTable`, one row per job.

Reproducibility: job ``i`` gets the seed ``job_seed`` drawn from
``SeedSequence([grid hash, i])`` (no shared RNG), and numba runs with a fixed number of
threads inside every job (1 by default, which also avoids oversubscribing the cores), so
each row is bit-for-bit the same whatever the executor, its worker count or the order
in which jobs finish.  A job that raises records ``"Type: message"`` in ``error`` and
the sweep goes on.  With ``out=``, rows are written (atomically) as they complete; a
rerun with the same grid skips the jobs already in the file and reruns failed ones.

Example
-------
>>> from fsltheory import sweep
>>> grid = {"task": {"beta": 2.0, "s": [0.25, 1.5], "modes": 200},
...         "run": {"budget": 4096, "schedule": ["const:4", "switch:4,64@0.9"]}}
>>> table = sweep(grid, executor="serial", progress=False)
>>> len(table), table.results
(4, ('final_risk', 'initial_risk', 'steps'))
>>> bool(table.column("final_risk")[1] < table.column("final_risk")[0])  # hard task
True
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidParameterError, check_int_range
from .grid import RESERVED, SIMULATE_KEYS, Grid, load_grid, validate_simulate
from .sweeptable import SweepTable, check_out_path, file_exists, read_table, write_table

__all__ = ["sweep", "simulate_job", "SerialExecutor", "local_executor", "dask_executor",
           "job_seed"]

JobFn = Callable[[dict[str, Any], int], Any]


# ---------------------------------------------------------------------------- jobs
def simulate_job(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The default job: the excess-risk curve of one schedule on one task.

    ``params`` holds the keys of :data:`fsltheory.grid.SIMULATE_KEYS` (missing ones take
    their defaults); the ``sgd`` engine averages ``seeds`` runs seeded with ``seed``
    (docs/theory.md §2), the deterministic engines ignore it.  Returns ``final_risk``,
    ``initial_risk``, ``steps`` (and ``final_stderr`` for ``sgd``).
    """
    from .engines import get_engine
    from .schedule import Schedule
    from .task import PowerLawTask

    p = {k: v for sec in SIMULATE_KEYS.values() for k, v in sec.items()}
    p.update(params)
    task = PowerLawTask(p["beta"], p["s"], sigma=p["sigma"], modes=p["modes"])
    schedule = Schedule.parse(p["schedule"], p["budget"], p["lr"],
                              lr_schedule=p["lr_schedule"])
    engine = get_engine(p["engine"])
    opts = {"seeds": p["seeds"], "seed": seed} if p["engine"] == "sgd" else {}
    curve = engine(task, schedule, **opts)
    out = {"final_risk": curve.final_risk, "initial_risk": float(curve.risk[0]),
           "steps": schedule.n_steps}
    if curve.stderr is not None:
        out["final_stderr"] = float(curve.stderr[-1])
    return out


def job_seed(grid_hash: str, index: int) -> int:
    """Seed of job ``index``: the first 63 bits of ``SeedSequence([hash, index])``."""
    ss = np.random.SeedSequence([int(grid_hash, 16), int(index)])
    return int(ss.generate_state(1, np.uint64)[0]) >> 1


def _where() -> str:
    if "distributed" in sys.modules:
        try:
            from distributed import get_worker

            return str(get_worker().address)
        except (ImportError, ValueError):
            pass
    return f"{socket.gethostname()}:{os.getpid()}"


def _run_job(fn: JobFn, index: int, params: dict[str, Any], seed: int,
             threads: int | None) -> dict[str, Any]:
    """Run one job where the executor put it; never raises for an error of ``fn``."""
    prev = None
    if threads is not None:
        import numba

        prev = numba.get_num_threads()
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    t0, c0 = time.perf_counter(), time.process_time()
    error = None
    try:
        res = fn(dict(params), seed)
        if isinstance(res, Mapping):
            res = dict(res)
        elif isinstance(res, (int, float, np.integer, np.floating)):
            res = {"value": res}
        else:
            raise TypeError(f"job function must return a mapping or a number, got {res!r}")
        res = {str(k): _scalar(v) for k, v in res.items()}
    except Exception as exc:  # the row records it; the sweep goes on
        res = {}
        error = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    finally:
        if prev is not None:
            import numba

            numba.set_num_threads(prev)
    return {"results": res, "error": error, "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - c0, "host": socket.gethostname(),
            "pid": os.getpid(), "worker": _where()}


def _scalar(v: Any) -> Any:
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        return v.item()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise TypeError(f"result values must be numbers or strings, got {v!r}")


# ---------------------------------------------------------------------------- executors
class SerialExecutor(cf.Executor):
    """Runs each submitted call at once in the calling process (a baseline, and for
    debugging); a drop-in :class:`concurrent.futures.Executor`."""

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # KeyboardInterrupt & co. propagate to the caller
            fut.set_exception(exc)
        return fut


def _init_worker(threads: int) -> None:
    # numba.set_num_threads, not the NUMBA_NUM_THREADS variable: numba rereads its
    # configuration when it compiles, and a changed thread count after its thread pool
    # started is an error.
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


def local_executor(workers: int | None = None, threads: int = 1) -> cf.Executor:
    """A process pool of ``workers`` processes (default: the machine's cores), each
    running numba with ``threads`` threads (``spawn`` start method: workers never
    inherit the parent's numba thread pool).  As with any spawned pool, a script that
    uses it needs the ``if __name__ == "__main__":`` guard, and ``fn`` must be importable
    (a module-level function)."""
    import multiprocessing

    workers = check_int_range("workers", workers or os.cpu_count() or 1, 1, None)
    return cf.ProcessPoolExecutor(max_workers=workers,
                                  mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_init_worker, initargs=(threads,))


@contextlib.contextmanager
def dask_executor(address: str, timeout: float = 60.0) -> Iterator[cf.Executor]:
    """An executor on a dask.distributed cluster: ``address`` is a scheduler address
    (``tcp://host:8786``) or ``local`` / ``local:N`` for a LocalCluster of N worker
    processes (default: the machine's cores) with one thread each.  Closes what it
    opened on exit.  Needs ``pip install -e ".[distributed]"``."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise InvalidParameterError(
            "--dask needs dask.distributed: pip install -e \".[distributed]\""
        ) from None
    m = re.fullmatch(r"local(?::(\d+))?", address.strip())
    cluster = None
    if m:
        n = check_int_range("--dask local:N", int(m.group(1) or os.cpu_count() or 1), 1, None)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster, timeout=timeout)
    else:
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InvalidParameterError(
                f"--dask: cannot reach the scheduler {address!r} ({exc}); expected "
                "tcp://HOST:PORT or local[:N]"
            ) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------- the sweep
def _fn_name(fn: Callable) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def sweep(
    grid: Grid | Mapping[str, Any] | str | Path,
    fn: JobFn | None = None,
    executor: cf.Executor | str | None = None,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    threads: int | None = 1,
    progress: bool | None = None,
    retry_failed: bool = True,
) -> SweepTable:
    """Run every job of ``grid`` and return the tidy table (a row per job).

    Parameters
    ----------
    grid : Grid, dict or path
        ``{section: {key: value or list}}`` or a TOML file of that shape (lists are swept
        as a Cartesian product, scalars fixed; :mod:`fsltheory.grid`).
    fn : callable, optional
        ``fn(params: dict, seed: int) -> mapping | number``, a picklable module-level
        function.  Default :func:`simulate_job` (and the grid is then validated up front).
    executor : Executor, "serial" or None
        Any :class:`concurrent.futures.Executor` (kept open), e.g. the one of
        :func:`dask_executor`; ``"serial"`` runs in this process; None opens a local
        process pool of ``workers`` processes (:func:`local_executor`).
    out : path, optional
        ``.csv`` or ``.parquet`` file, rewritten atomically as rows complete.  If it
        exists and holds rows of the same grid, those jobs are skipped (failed ones are
        rerun when ``retry_failed``); rows of another grid are an error.
    threads : int or None
        numba threads inside each job (None: leave as is).
    progress : bool, optional
        tqdm bar over jobs on stderr (default: when stderr is a terminal).

    Returns
    -------
    SweepTable
        Columns ``job``, the grid keys, the job's results, ``error``, ``seconds`` (wall),
        ``cpu_seconds`` (CPU time of the worker process during the job), ``job_seed``,
        ``grid_hash``, ``version``, ``host``, ``pid``, ``worker``.

    Notes
    -----
    Job ``i`` gets ``job_seed = SeedSequence([grid_hash, i]).generate_state(1)[0] >> 1``
    (:func:`job_seed`), where ``grid_hash`` covers the grid and the name of ``fn``.  The
    default job is the exact recursion of docs/theory.md §2 (or the engine named by
    ``engine``: Volterra §3, SGD §2) on the task of §1.

    Examples
    --------
    >>> t = sweep({"task": {"beta": 2.0, "s": 0.5, "modes": 100},
    ...            "run": {"budget": [256, 1024], "schedule": "const:4"}},
    ...           executor="serial", progress=False)
    >>> t.values(["budget", "steps"])  # ⌈D/B⌉ steps
    [(256, 64), (1024, 256)]
    """
    from . import __version__

    g = load_grid(grid)
    if fn is None:
        validate_simulate(g)
        fn = simulate_job
    if threads is not None:
        threads = check_int_range("threads", threads, 1, None)
    ghash = g.hash(_fn_name(fn))
    params = g.jobs()
    done: dict[int, dict[str, Any]] = {}
    if out is not None:
        out = check_out_path(out)
        if file_exists(out):
            done = _resume_rows(out, ghash, params, g.keys, retry_failed)
    todo = [i for i in range(len(params)) if i not in done]
    rows = dict(done)
    t_start = time.perf_counter()

    def base(i: int) -> dict[str, Any]:
        return {"job": i, **params[i], "job_seed": job_seed(ghash, i), "grid_hash": ghash,
                "version": __version__}

    own = None
    if executor is None:
        executor = own = (SerialExecutor() if workers == 1 else local_executor(workers))
    elif executor == "serial":
        executor = SerialExecutor()
    elif not isinstance(executor, cf.Executor):
        raise InvalidParameterError(
            f"executor must be a concurrent.futures.Executor, 'serial' or None, got "
            f"{executor!r}"
        )
    from tqdm import tqdm

    if progress is None:
        progress = sys.stderr.isatty()
    bar = tqdm(total=len(params), initial=len(done), desc="sweep", unit="job",
               file=sys.stderr, disable=not progress)
    last_flush = time.monotonic()
    futures: dict[cf.Future, int] = {}

    def collect(fut: cf.Future) -> None:
        nonlocal last_flush
        i = futures.pop(fut)
        try:
            rec = fut.result()
        except Exception as exc:  # the worker itself died (or the executor failed)
            rec = {"results": {}, "error": f"{type(exc).__name__}: {exc}",
                   "seconds": None, "cpu_seconds": None, "host": None, "pid": None, "worker": None}
        res = rec.pop("results")
        clash = sorted(set(res) & (set(params[i]) | set(RESERVED)))
        if clash:
            res, rec["error"] = {}, f"ValueError: result names clash with columns {clash}"
        rows[i] = {**base(i), **res, **rec}
        bar.update(1)
        if out is not None and time.monotonic() - last_flush > 2.0:
            _write(out, rows, g.keys)
            last_flush = time.monotonic()

    try:
        for i in todo:
            fut = executor.submit(_run_job, fn, i, params[i], job_seed(ghash, i), threads)
            futures[fut] = i
            if fut.done():  # e.g. SerialExecutor: record it now (Ctrl-C keeps it)
                collect(fut)
        for fut in cf.as_completed(list(futures)):
            collect(fut)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    finally:
        bar.close()
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
        if out is not None and rows:
            _write(out, rows, g.keys)
    table = _table(rows, g.keys, ghash)
    table.meta.update(resumed=len(done), wall=time.perf_counter() - t_start,
                      jobs=len(params))
    return table


def _result_columns(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> tuple[str, ...]:
    skip = set(keys) | set(RESERVED)
    cols: dict[str, None] = {}
    for r in rows:
        for c in r:
            if c not in skip:
                cols.setdefault(c, None)
    return tuple(cols)


def _table(rows: dict[int, dict[str, Any]], keys: tuple[str, ...], ghash: str) -> SweepTable:
    ordered = [rows[i] for i in sorted(rows)]
    table = SweepTable(ordered, keys, _result_columns(ordered, keys), ghash)
    table.rows = [{c: r.get(c) for c in table.columns} for r in ordered]  # complete rows
    return table


def _write(out: Path, rows: dict[int, dict[str, Any]], keys: tuple[str, ...]) -> None:
    t = _table(rows, keys, "")
    write_table(out, t.rows, t.columns)


def _resume_rows(out: Path, ghash: str, params: list[dict[str, Any]],
                 keys: tuple[str, ...], retry_failed: bool) -> dict[int, dict[str, Any]]:
    """Rows of an earlier run of the same grid found in ``out`` (by job index)."""
    columns, rows = read_table(out)
    if not rows:
        return {}
    if "job" not in columns or "grid_hash" not in columns:
        raise InvalidParameterError(
            f"--out {str(out)!r} exists and is not a sweep table (no job/grid_hash "
            "columns); choose another path"
        )
    hashes = {str(r["grid_hash"]) for r in rows}
    if hashes != {ghash}:
        raise InvalidParameterError(
            f"--out {str(out)!r} holds rows of grid {', '.join(sorted(hashes))}, not of this "
            f"grid ({ghash}); choose another path or delete the file"
        )
    done = {}
    for r in rows:
        i = r["job"]
        if not isinstance(i, int) or not 0 <= i < len(params):
            continue
        if r.get("error") and retry_failed:
            continue
        r.update(params[i])  # grid values with their exact types
        done[i] = r
    return done

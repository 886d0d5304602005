"""Independent pieces of work — claim checks, figures — on a pool of worker processes.

``verify``, ``figures`` and ``reproduce`` are lists of independent, mostly single-threaded
jobs of very unequal length (a quick claim takes 0.02 s, the full C-CATCHUP a minute).  A
:class:`JobPool` runs them on ``workers`` spawned processes, **longest first** (each job
carries a cost hint in seconds; longest-processing-time-first keeps the workers' loads
within one short job of each other), and hands the results back by key in the order the
jobs were given — the numbers are those of a serial run, because every job is a pure
function of its arguments (its own seeds, no shared state).

A *bundle* (a list of jobs) runs in one worker, one job after the other, so that jobs which
share an in-process cache (the C-SWITCH-LR study behind both the claim and the
``switch-under-lr`` figure) compute it once.

A failed job does not stop the others: its result is a :class:`JobFailure` (type, message,
traceback text) for the caller to report.  With one worker, or one job, everything runs in
this process, in the given order.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidParameterError

__all__ = ["Job", "JobFailure", "JobPool", "WorkerBar", "default_jobs", "in_worker",
           "jobs_from_flag", "report_progress", "results_under"]

#: at most this many worker processes by default (each full-scale claim peaks near 1 GB)
MAX_DEFAULT_JOBS = 4


def default_jobs() -> int:
    """The default number of worker processes: the machine's cores, at most
    :data:`MAX_DEFAULT_JOBS`."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_JOBS))


def jobs_from_flag(value: int | None, flag: str = "--jobs") -> int:
    """A ``--jobs`` value checked (an integer >= 1), or :func:`default_jobs` for None."""
    from .errors import check_int_range

    return default_jobs() if value is None else check_int_range(flag, value, 1, None)


def results_under(results: dict[str, Any], prefix: str
                  ) -> tuple[dict[str, Any], dict[str, JobFailure]]:
    """Split a :meth:`JobPool.results` outcome for the keys ``"<prefix>:<name>"``:
    ``({name: result}, {name: JobFailure})``, each in submission order."""
    ok: dict[str, Any] = {}
    failed: dict[str, JobFailure] = {}
    for key, r in results.items():
        kind, _, name = key.partition(":")
        if kind == prefix:
            (failed if isinstance(r, JobFailure) else ok)[name] = r
    return ok, failed


@dataclass(frozen=True)
class Job:
    """One piece of work: ``fn(*args)`` under the name ``key``.  ``fn`` must be a
    module-level function (workers are spawned and import it); ``cost`` is the expected
    seconds, used only to start long jobs first."""

    key: str
    fn: Callable[..., Any]
    args: tuple = ()
    cost: float = 1.0


@dataclass(frozen=True)
class JobFailure:
    """What a failed job left: exception type name, message and formatted traceback."""

    key: str
    type: str
    message: str
    traceback: str = ""
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


@dataclass
class _Bundle:
    jobs: list[Job] = field(default_factory=list)

    @property
    def cost(self) -> float:
        return sum(j.cost for j in self.jobs)


#: in a worker: the queue of progress events to the parent (None in the parent)
_EVENTS: Any = None


def _event(*msg: Any) -> None:
    if _EVENTS is not None:
        try:
            _EVENTS.put_nowait((os.getpid(), *msg))
        except Exception:  # pragma: no cover - progress is best effort
            pass


def report_progress(desc: str, done: int, total: int) -> None:
    """In a :class:`JobPool` worker, tell the parent's progress bar how far the running
    job's inner loop is (``desc``: ``done``/``total``); a no-op elsewhere."""
    _event("step", f"{desc} {done}/{total}")


class WorkerBar:
    """A tqdm-like bar for inner loops run in a worker: ``update`` goes to the parent's
    bar (:func:`report_progress`) instead of the terminal."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc, self.n = int(total), desc, 0

    def update(self, n: int = 1) -> None:
        self.n += n
        report_progress(self.desc, self.n, self.total)

    def close(self) -> None:
        pass

    def __enter__(self) -> WorkerBar:
        report_progress(self.desc, 0, self.total)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _run_one(job: Job) -> Any:
    t0 = time.perf_counter()
    _event("start", job.key)
    try:
        return job.fn(*job.args)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # report, never kill the pool
        return JobFailure(job.key, type(exc).__name__, str(exc), traceback.format_exc(),
                          time.perf_counter() - t0)


def _run_bundle(jobs: list[Job]) -> list[Any]:
    """Worker entry point: the jobs of one bundle in order (module level: picklable)."""
    return [_run_one(j) for j in jobs]


def _init_worker(events: Any = None) -> None:
    """Worker initialiser: one numba thread per process (the pool is the parallelism),
    no progress bars from inside the jobs (the parent draws the only bar; ``events``
    carries what the jobs report to it)."""
    global _EVENTS
    os.environ["FSLTHEORY_WORKER"] = "1"
    if events is not None:
        events.cancel_join_thread()  # a worker never waits at exit for unread events
        _EVENTS = events
    try:
        import numba

        numba.set_num_threads(1)
    except Exception:  # pragma: no cover - numba always present; threads already fixed
        pass


def in_worker() -> bool:
    """Whether this process is a :class:`JobPool` worker (no inner progress bars)."""
    return os.environ.get("FSLTHEORY_WORKER") == "1"


class JobPool:
    """Run :class:`Job` s (or bundles of them) on ``workers`` processes, longest first.

    Use as a context manager: :meth:`submit` the work (it starts at once on the
    workers), do something else in this process if you like, then :meth:`results`.
    Workers are spawned: a script that uses more than one needs the
    ``if __name__ == "__main__":`` guard, as with any spawned pool.

    Examples
    --------
    >>> from fsltheory.jobs import Job, JobPool
    >>> with JobPool(1) as pool:                      # doctest: +SKIP
    ...     pool.submit([Job("a", abs, (-2,)), Job("b", abs, (3,))])
    ...     pool.results()
    {'a': 2, 'b': 3}
    """

    def __init__(self, workers: int) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InvalidParameterError(f"jobs must be an integer >= 1, got {workers!r}")
        self.workers = workers
        self._bundles: list[_Bundle] = []
        self._futures: dict[cf.Future, _Bundle] = {}
        self._executor: cf.Executor | None = None
        self._events: Any = None

    def __enter__(self) -> JobPool:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if self._executor is not None:
            if exc_type is not None:  # Ctrl-C or an error here: stop the workers now
                self.terminate()
            self._executor.shutdown(wait=exc_type is None, cancel_futures=True)
            self._executor = None
        if self._events is not None:
            self._events.close()
            self._events = None

    def terminate(self) -> None:
        """Stop every worker at once (their running jobs are lost): after Ctrl-C the pool
        must not wait for jobs already handed to a worker."""
        ex = self._executor
        if ex is None:
            return
        terminate = getattr(ex, "terminate_workers", None)  # Python ≥ 3.14
        if terminate is not None:
            terminate()
            return
        for proc in list((getattr(ex, "_processes", None) or {}).values()):
            try:
                proc.terminate()
            except Exception:  # pragma: no cover - already gone
                pass

    def submit(self, work: Sequence[Job | Sequence[Job]]) -> None:
        """Queue ``work`` (jobs, or lists of jobs that must share one worker) and, with
        more than one worker and more than one bundle, start it longest first."""
        bundles = [_Bundle([w] if isinstance(w, Job) else list(w)) for w in work]
        keys = [j.key for b in bundles for j in b.jobs]
        if len(set(keys)) != len(keys):
            raise InvalidParameterError(f"job keys must be unique, got {keys}")
        self._bundles.extend(bundles)
        if self.workers > 1 and len(self._bundles) > 1:
            import multiprocessing

            if self._executor is None:
                ctx = multiprocessing.get_context("spawn")
                self._events = ctx.Queue()
                self._executor = cf.ProcessPoolExecutor(
                    max_workers=min(self.workers, len(self._bundles)), mp_context=ctx,
                    initializer=_init_worker, initargs=(self._events,))
            for b in sorted(bundles, key=lambda b: -b.cost):
                self._futures[self._executor.submit(_run_bundle, b.jobs)] = b

    def _drain(self, running: dict[int, list]) -> None:
        """Read the workers' progress events (job started, inner step) into ``running``."""
        import queue

        while True:
            try:
                pid, kind, text = self._events.get_nowait()
            except (queue.Empty, OSError, ValueError, EOFError):
                return
            if kind == "start":
                running[pid] = [text, time.perf_counter(), ""]
            elif pid in running:
                running[pid][2] = text

    def results(self, progress: bool = False, desc: str = "jobs") -> dict[str, Any]:
        """Wait for every job; ``{key: result or JobFailure}`` in submission order.  A
        tqdm bar on stderr counts finished jobs when ``progress``."""
        from tqdm import tqdm

        total = sum(len(b.jobs) for b in self._bundles)
        done: dict[str, Any] = {}
        with tqdm(total=total, desc=desc, unit="job", file=sys.stderr,
                  disable=not progress) as bar:
            if self._futures:
                pending = set(self._futures)
                running: dict[int, list] = {}  # worker pid → [job key, start, inner step]
                while pending:
                    finished, pending = cf.wait(pending, timeout=0.5,
                                                return_when=cf.FIRST_COMPLETED)
                    for fut in finished:
                        b = self._futures[fut]
                        for j, r in zip(b.jobs, fut.result(), strict=True):
                            done[j.key] = r
                        bar.update(len(b.jobs))
                    self._drain(running)
                    now = time.perf_counter()
                    bar.set_postfix_str("; ".join(
                        f"{k} {now - t0:.0f}s" + (f" [{step}]" if step else "")
                        for k, t0, step in running.values() if k not in done), refresh=True)
            else:
                for b in self._bundles:
                    for j in b.jobs:
                        bar.set_postfix_str(j.key)
                        done[j.key] = _run_one(j)
                        bar.update(1)
        return {j.key: done[j.key] for b in self._bundles for j in b.jobs}

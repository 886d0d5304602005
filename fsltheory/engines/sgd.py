"""Stochastic one-pass minibatch SGD on Gaussian features (docs/theory.md §1–§2), torch-free.

This engine *runs* the algorithm whose expected risk the exact engine computes in closed
form, so that the two can check each other (the Monte-Carlo check of docs/theory.md §2).

Model (docs/theory.md §1): ``x = Λ^{1/2} z`` with ``z ~ N(0, I_M)``, ``y = ⟨θ*, x⟩ + σ ε`` with
``ε ~ N(0, 1)``; every step draws ``B_k`` fresh samples and applies (docs/theory.md §2)

    θ_{k+1} = θ_k − (η_k / B_k) Σ_b x_b (⟨θ_k, x_b⟩ − y_b),     θ_0 = 0.

The kernel works on the residual ``r = θ − θ*`` (so ``⟨θ_k, x_b⟩ − y_b = ⟨r_k, x_b⟩ − σ ε_b``),
at cost O(B_k · M) per step, and records the **exact** excess risk of every iterate,
``E(θ_k) = ½ Σ_j λ_j r_j(k)²`` — computed from ``θ_k``, not estimated from samples — so
the only randomness in the reported curve is the SGD trajectory itself.

Seeds and reproducibility
-------------------------
Seed index ``i`` of a run with base ``seed`` draws from its own stream
``numpy.random.Generator(PCG64(SeedSequence(seed).spawn(n)[i]))`` (:func:`seed_generators`).
A child depends on ``(seed, i)`` only, so the first ``n`` trajectories of a run with more
seeds are the same trajectories.  Seeds run in parallel: the compiled per-seed kernel
releases the GIL (``nogil``) and a pool of ``numba.get_num_threads()`` threads runs one seed
per call.  Each trajectory depends only on its own stream, so the result does not depend on
the number of threads or on their scheduling.  Numba's ``Generator.standard_normal`` (a
ziggurat, ~5–10 ns a draw) reproduces numpy's draw for draw; :func:`sgd_runs_numpy` uses
that to replay the very same trajectories in plain numpy (tests and benchmarks compare the
two).  Per sample the draw order is ``z_1..z_M`` then ``ε``.  (Numba's legacy thread-local
``np.random`` inside a ``prange`` would also be reproducible when re-seeded per seed, but
its Box–Muller normals are 5–8× slower, and the draws dominate the cost.)

Across seeds the per-step mean and sample standard deviation are accumulated in seed
order (blocks merged with Chan's pairwise update), so the returned curve is bit-for-bit
reproducible from ``(task, schedule, seeds, seed)``.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numba
import numpy as np
from numba import njit
from tqdm import tqdm

from ..curve import LossCurve
from ..errors import DivergenceError, InvalidParameterError, check_int_range, check_memory
from ..lr import phi_step
from ..schedule import Schedule
from ..task import PowerLawTask
from .exact import check_stability, max_stable_lr
from .guards import check_final_step

__all__ = [
    "sgd_risk",
    "sgd_runs",
    "sgd_runs_numpy",
    "seed_generators",
    "DIVERGENCE_FACTOR",
    "CHUNK_WORK",
]

#: A trajectory is declared divergent once its excess risk exceeds this multiple of the
#: initial risk ``E_0`` (or becomes non-finite).  Under a mean-square-stable schedule
#: (docs/theory.md §2) the expected risk ``E[E_k]`` (the exact engine) stays of order ``E_0 + E_∞``;
#: by Markov's inequality a trajectory above 10^12 ``E_0`` then has probability
#: ≤ ``E[E_k]`` / (10^12 ``E_0``), i.e. essentially never comes from a stable run.
DIVERGENCE_FACTOR = 1e12

# Memory cap for the per-seed risk block held at once by sgd_risk (float64 entries).
_BLOCK_ENTRIES = 1 << 25  # 256 MiB

# No fastmath: even without the nnan/ninf flags LLVM folded np.isfinite(inf) to True under
# reassoc/arcp, and the divergence check must see NaN and inf.  (The cost is dominated by
# the normal draws; fastmath gained nothing measurable.)


# ---------------------------------------------------------------------------- kernels
@njit(cache=True, nogil=True)
def _sgd_chunk(rng, sqrt_lam, lam, theta_star, run_lr, run_b, run_n, run_sm, run_P0, params,
               peak, D, sigma, limit, out, x, g, r, state, max_work):
    """Advance one SGD trajectory drawing from the ``numpy.random.Generator`` ``rng`` by at
    most about ``max_work`` sample-mode products, writing ``E_k`` into ``out[k]``.

    ``state = [run, step within the run, k]`` is where the trajectory stands (updated in
    place), ``r = θ_k − θ*`` its residual (set to ``−θ*`` by the first call, ``k = 0``,
    which also writes ``E_0``).  Returns ``(step, code)``: ``(-2, 0)`` if work
    remains (call again), ``(-1, 0)`` when the schedule is done, or the step of divergence
    with code 1 (non-finite risk) or 2 (risk above ``limit``).  Releases the GIL.

    Bounded chunks keep Ctrl-C responsive: the caller regains control (and can stop)
    between chunks, at a cost of one call per ``max_work`` products.  Chunking does not
    change the arithmetic or the order of the draws.  The schedule comes as segments; a
    smooth one (``run_sm``) uses ``η = peak·φ(P/D)`` per step (:func:`fsltheory.lr.phi_step`).
    """
    M = lam.size
    q = state[0]
    i = state[1]
    k = state[2]
    if k == 0:
        e2 = 0.0
        for j in range(M):
            r[j] = -theta_star[j]
            e2 += lam[j] * r[j] * r[j]
        out[0] = 0.5 * e2
    work = 0
    while q < run_lr.size:
        B = run_b[q]
        coef = run_lr[q] / B
        while i < run_n[q]:
            if work >= max_work:
                state[0] = q
                state[1] = i
                state[2] = k
                return -2, 0
            if run_sm[q]:
                coef = peak * phi_step(params, run_P0[q] + i * B, B, D) / B
            for b in range(B):
                dot = 0.0
                for j in range(M):
                    xj = sqrt_lam[j] * rng.standard_normal()
                    x[j] = xj
                    dot += xj * r[j]
                err = dot - sigma * rng.standard_normal()
                if b == 0:
                    for j in range(M):
                        g[j] = err * x[j]
                else:
                    for j in range(M):
                        g[j] += err * x[j]
            e2 = 0.0
            for j in range(M):
                rj = r[j] - coef * g[j]
                r[j] = rj
                e2 += lam[j] * rj * rj
            work += B * (M + 1)
            i += 1
            k += 1
            risk = 0.5 * e2
            out[k] = risk
            if not np.isfinite(risk):
                return k, 1
            if risk > limit:
                return k, 2
        q += 1
        i = 0
    state[0] = q
    state[1] = i
    state[2] = k
    return -1, 0


# ---------------------------------------------------------------------------- helpers
#: Work per compiled call (sample-mode products, ≈ normal draws): about 20–40 ms on one
#: core, so Ctrl-C stops a run within a fraction of a second (measured in
#: tests/test_harden_interrupt.py with a generous bound for a loaded machine).
CHUNK_WORK = 1 << 22

# Memory of one random stream (Generator + PCG64 + SeedSequence objects), for the up-front
# estimate of seed_generators.
_BYTES_PER_GENERATOR = 2048


def _generator(seed: int, i: int) -> np.random.Generator:
    # SeedSequence(seed).spawn(n)[i] is SeedSequence(seed, spawn_key=(i,)): building it
    # directly lets a run stream its seeds instead of spawning them all up front.
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(i,))))


def seed_generators(seed: int, seeds: int) -> list[np.random.Generator]:
    """Independent random streams of seed indices ``0..seeds−1`` for base ``seed``:
    ``Generator(PCG64(child_i))`` with ``child_i = SeedSequence(seed).spawn(seeds)[i]``.

    Child ``i`` depends on ``(seed, i)`` only, so the first ``n`` streams of a run with more
    seeds are the same streams; distinct spawn keys make the streams distinct.  The list
    is refused up front (:class:`InvalidParameterError`) when it would not fit in memory;
    :func:`sgd_risk` builds its streams a block at a time instead.
    """
    seed = check_int_range("seed", seed, 0, None)
    seeds = check_int_range("seeds", seeds, 1, None)
    check_memory("seeds", float(seeds) * _BYTES_PER_GENERATOR, value=seeds)
    return [_generator(seed, i) for i in range(seeds)]


def _validate(task, schedule, seeds, seed, check_stable, min_seeds=2) -> tuple[int, int]:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    if not isinstance(schedule, Schedule):
        raise InvalidParameterError(
            f"schedule must be a Schedule, got {type(schedule).__name__}"
        )
    seeds = check_int_range("seeds", seeds, min_seeds, None)
    seed = check_int_range("seed", seed, 0, None)
    if not isinstance(check_stable, (bool, np.bool_)):
        raise InvalidParameterError(
            f"check_stable must be True or False, got {check_stable!r}")
    # The per-mode vectors of every thread (3 per trajectory) and the task's arrays.
    check_memory("modes", 8.0 * task.modes * (3 * numba.get_num_threads() + 4),
                 value=task.modes)
    if check_stable:
        check_stability(task, schedule)
        check_final_step(task, schedule)  # check_stability exempts a final partial batch
    return seeds, seed


def _raise_divergence(task, schedule, first_index, fail_step, fail_code, out) -> None:
    """Raise DivergenceError for the earliest divergent trajectory of a block."""
    bad = np.flatnonzero(fail_step >= 0)
    if bad.size == 0:
        return
    i = int(bad[np.argmin(fail_step[bad])])
    k = int(fail_step[i])
    lr = float(schedule.lr_at([k - 1])[0])
    b = int(schedule.segments().batch[np.searchsorted(schedule.segments().start_step, k - 1,
                                                       side="right") - 1])
    if fail_code[i] == 1:
        why = "its excess risk became non-finite"
    else:
        why = (f"its excess risk {out[i, k]:.3g} exceeded {DIVERGENCE_FACTOR:.0e} x the "
               f"initial risk {task.initial_risk:.3g}")
    raise DivergenceError(
        f"sgd engine on {schedule}: seed index {first_index + i} diverged at step {k} "
        f"(lr={lr:g}, batch={b}): {why}; the largest mean-square-stable lr for batch "
        f"{b} is {max_stable_lr(task, b):.6g} (docs/theory.md §2)"
    )


def _run_block(task, schedule, gens, first_index, bar=None) -> np.ndarray:
    """Run one trajectory per generator, in parallel over seeds: each seed is a sequence
    of calls of the nogil kernel (bounded chunks, :data:`CHUNK_WORK`) on a pool of
    ``numba.get_num_threads()`` threads.  A seed's result depends only on its own
    generator, hence not on the thread count or scheduling.

    Ctrl-C (``KeyboardInterrupt`` in the main thread) sets a stop flag that every worker
    checks between chunks, so the call returns within about one chunk.
    """
    seg = schedule.segments()
    lrs, bs, counts, sm, P0 = seg.lr, seg.batch, seg.count, seg.smooth, seg.start_samples
    params, peak, D = schedule.lr_params(), schedule.peak_lr, schedule.budget
    K, M, n = schedule.n_steps, task.modes, len(gens)
    out = np.empty((n, K + 1))
    fail_step = np.full(n, -1, dtype=np.int64)
    fail_code = np.zeros(n, dtype=np.int64)
    lam = task.lambdas
    sqrt_lam, theta_star = np.sqrt(lam), task.theta_star
    bs = bs.astype(np.int64)
    sigma = float(task.sigma)
    limit = DIVERGENCE_FACTOR * task.initial_risk
    stop = threading.Event()

    def one(i: int) -> None:
        x, g, r = np.empty(M), np.empty(M), np.empty(M)
        state = np.zeros(3, dtype=np.int64)
        while not stop.is_set():
            step, code = _sgd_chunk(gens[i], sqrt_lam, lam, theta_star, lrs, bs, counts, sm,
                                    P0, params, peak, D, sigma, limit, out[i], x, g, r, state,
                                    CHUNK_WORK)
            if step != -2:
                fail_step[i], fail_code[i] = step, code
                return

    workers = min(numba.get_num_threads(), n)
    if workers <= 1:
        for i in range(n):
            one(i)
            if bar is not None:
                bar.update(1)
    else:
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            pending = {pool.submit(one, i) for i in range(n)}
            while pending:
                done, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
                for f in done:
                    f.result()
                    if bar is not None:
                        bar.update(1)
        finally:
            stop.set()  # on Ctrl-C: workers stop after their current chunk
            pool.shutdown(wait=True, cancel_futures=True)
    _raise_divergence(task, schedule, first_index, fail_step, fail_code, out)
    return out


# ---------------------------------------------------------------------------- public API
def sgd_runs(
    task: PowerLawTask,
    schedule: Schedule,
    seeds: int = 64,
    seed: int = 0,
    *,
    check_stable: bool = True,
) -> np.ndarray:
    """Exact excess risk of every iterate of ``seeds`` independent SGD runs (docs/theory.md §2).

    ``seeds ≥ 1``; the other parameters are those of :func:`sgd_risk`.

    Returns
    -------
    ndarray, shape (seeds, K+1)
        Row ``i`` is ``E(θ_k) = ½ Σ_j λ_j (θ_k − θ*)_j²``, k = 0..K, of the run with
        stream ``seed_generators(seed, seeds)[i]``.  Memory is ``8·seeds·(K+1)`` bytes;
        :func:`sgd_risk` only keeps a block at a time.

    Raises
    ------
    UnstableScheduleError
        If ``check_stable`` and some ``(lr, batch)`` pair is not mean-square stable.
    DivergenceError
        If a run's risk exceeds :data:`DIVERGENCE_FACTOR` × ``E_0`` or becomes non-finite.
    """
    seeds, seed = _validate(task, schedule, seeds, seed, check_stable, min_seeds=1)
    check_memory("seeds", 8.0 * seeds * (schedule.n_steps + 1), value=seeds)
    return _run_block(task, schedule, seed_generators(seed, seeds), 0)


def sgd_risk(
    task: PowerLawTask,
    schedule: Schedule,
    seeds: int = 64,
    seed: int = 0,
    *,
    check_stable: bool = True,
    progress: bool = False,
) -> LossCurve:
    """Mean excess risk of one-pass minibatch SGD over ``seeds`` simulated runs (docs/theory.md §2).

    Parameters
    ----------
    task : PowerLawTask
    schedule : Schedule
    seeds : int
        Number of independent runs, ≥ 2 (needed for a standard error).
    seed : int
        Base seed ≥ 0; the curve is a deterministic function of ``(task, schedule, seeds,
        seed)`` whatever the number of threads.
    check_stable : bool
        Reject mean-square-unstable ``(lr, batch)`` pairs up front, as the exact engine
        does (:func:`~fsltheory.engines.exact.check_stability`).  Pass ``False`` to run
        them anyway (a divergent run then raises :class:`DivergenceError`).
    progress : bool
        Show a tqdm progress bar over seeds (on stderr).

    Returns
    -------
    LossCurve
        ``risk[k]`` = mean over runs of the exact excess risk ``½ ‖θ_k − θ*‖²_Λ`` of the
        k-th iterate; ``stderr[k]`` = sample standard deviation (ddof 1) / √seeds;
        ``engine="sgd"``; ``meta`` holds ``seeds`` and ``seed``.

    Notes
    -----
    Update (docs/theory.md §2): ``θ_{k+1} = θ_k − (η_k/B_k) Σ_b x_b(⟨θ_k, x_b⟩ − y_b)`` with fresh
    ``x_b = Λ^{1/2} z_b``, ``y_b = ⟨θ*, x_b⟩ + σ ε_b``.  Its expectation is
    :func:`~fsltheory.engines.exact.exact_risk`; the two agree within a few standard
    errors (tests/test_sgd.py).  Cost O(seeds · Σ_k B_k · M) normal draws and
    multiply-adds, in parallel over seeds (numba ``prange``).

    The standard error presumes the per-run risk has finite variance.  Mean-square
    stability (docs/theory.md §2) only guarantees a finite *mean*: near the stability edge the
    per-run risk is heavy-tailed, the seed mean converges slowly and typically lies *below*
    the exact risk, and ``stderr`` understates the error.  Heuristic (one dominant mode,
    batch 1): the variance stays finite iff ``E(1 − ηλ_1 z²)⁴ < 1``, i.e.
    ``ηλ_1 < 0.383``.  Observed (β = 2, s ∈ {0.25, 1}, M = 1000, batch 1, 64 seeds,
    2000 steps): at ``lr = 0.2`` and ``0.3`` the mean is within 4 s.e. of the exact risk
    at ≥ 97% of log-spaced checkpoints; at ``lr = 0.5`` (0.82 × the largest stable lr)
    only at 72–81%, with the mean below the exact risk at ~75% of the steps.

    Examples
    --------
    >>> from fsltheory import PowerLawTask, Schedule
    >>> from fsltheory.engines.sgd import sgd_risk
    >>> task = PowerLawTask(2.0, 1.0, sigma=1.0, modes=50)
    >>> curve = sgd_risk(task, Schedule.constant(2, 200, lr=0.2), seeds=8, seed=1)
    >>> len(curve), curve.engine, bool(curve.stderr[-1] > 0)
    (101, 'sgd', True)
    """
    seeds, seed = _validate(task, schedule, seeds, seed, check_stable)
    K = schedule.n_steps
    block = max(2, _BLOCK_ENTRIES // (K + 1))
    # One block of per-seed curves plus the running mean and M2 (the streams are built a
    # block at a time, so the number of seeds does not enter).
    check_memory("budget", 8.0 * (min(block, seeds) + 4) * (K + 1), value=schedule.budget)
    n_tot = 0
    mean = np.zeros(K + 1)
    m2 = np.zeros(K + 1)
    bar = tqdm(total=seeds, desc="sgd seeds", unit="seed", disable=not progress)
    with bar:
        for start in range(0, seeds, block):
            gens = [_generator(seed, i) for i in range(start, min(seeds, start + block))]
            runs = _run_block(task, schedule, gens, start, bar)
            n_b = runs.shape[0]
            mean_b = runs.mean(axis=0)
            m2_b = ((runs - mean_b) ** 2).sum(axis=0)
            # Chan et al. pairwise merge of (count, mean, M2).
            n_new = n_tot + n_b
            delta = mean_b - mean
            mean = mean + delta * (n_b / n_new)
            m2 = m2 + m2_b + delta**2 * (n_tot * n_b / n_new)
            n_tot = n_new
    stderr = np.sqrt(m2 / (n_tot - 1)) / np.sqrt(n_tot)
    return LossCurve.from_schedule(
        mean, schedule, stderr=stderr, engine="sgd", meta={"seeds": seeds, "seed": seed}
    )


def sgd_runs_numpy(
    task: PowerLawTask, schedule: Schedule, seeds: int = 64, seed: int = 0
) -> np.ndarray:
    """Plain-numpy reference of :func:`sgd_runs`: the same algorithm, the same random
    draws (the generators of :func:`seed_generators`), vectorised over the batch.  No stability
    or divergence checks.  Slow; used by tests and benchmarks."""
    seeds, seed = _validate(task, schedule, seeds, seed, check_stable=False, min_seeds=1)
    check_memory("seeds", 8.0 * seeds * (schedule.n_steps + 1), value=seeds)
    check_memory("batch", 8.0 * int(schedule.batch.max()) * (task.modes + 1) * 3,
                 value=int(schedule.batch.max()))
    lam = task.lambdas
    sqrt_lam = np.sqrt(lam)
    M = task.modes
    out = np.empty((seeds, schedule.n_steps + 1))
    for i, rng in enumerate(seed_generators(seed, seeds)):
        r = -task.theta_star.copy()
        out[i, 0] = 0.5 * lam @ r**2
        for k, (eta, b) in enumerate(zip(schedule.lr, schedule.batch, strict=True)):
            Z = rng.standard_normal((b, M + 1))       # per sample: z_1..z_M, then ε
            X = Z[:, :M] * sqrt_lam
            err = X @ r - task.sigma * Z[:, M]
            r -= (eta / b) * (X.T @ err)
            out[i, k + 1] = 0.5 * lam @ r**2
    return out

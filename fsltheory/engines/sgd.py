"""Stochastic one-pass minibatch SGD on Gaussian features (spec §1–§2), torch-free.

This engine *runs* the algorithm whose expected risk the exact engine computes in closed
form, so that the two can check each other (the Monte-Carlo check of spec §2).

Model (spec §1): ``x = Λ^{1/2} z`` with ``z ~ N(0, I_M)``, ``y = ⟨θ*, x⟩ + σ ε`` with
``ε ~ N(0, 1)``; every step draws ``B_k`` fresh samples and applies (spec §2)

    θ_{k+1} = θ_k − (η_k / B_k) Σ_b x_b (⟨θ_k, x_b⟩ − y_b),     θ_0 = 0.

The kernel works on the residual ``r = θ − θ*`` (so ``⟨θ_k, x_b⟩ − y_b = ⟨r_k, x_b⟩ − σ ε_b``),
at cost O(B_k · M) per step, and records the **exact** excess risk of every iterate,
``E(θ_k) = ½ Σ_j λ_j r_j(k)²`` — computed from ``θ_k``, not estimated from samples — so
the only randomness in the reported curve is the SGD trajectory itself.

Seeds and reproducibility
-------------------------
Seed index ``i`` of a run with base ``seed`` uses its own Mersenne-Twister stream, seeded
with the 32-bit word ``w_i`` = :func:`seed_words` ``(seed, n)[i]``
(``numpy.random.SeedSequence(seed).generate_state``, duplicates skipped).  The words
form a prefix-stable sequence, so the first ``n`` trajectories of a run with more seeds are
the same trajectories.  Inside the compiled kernel each seed is processed by one thread
that calls ``np.random.seed(w_i)`` on its thread-local generator before drawing, so the
result does not depend on the number of threads or on how numba assigns seeds to them.
Numba's ``np.random.standard_normal`` reproduces ``numpy.random.RandomState(w_i)``
draw for draw; :func:`sgd_runs_numpy` uses that to replay the very same trajectories in
plain numpy (tests and benchmarks compare the two).  Per sample the draw order is
``z_1..z_M`` then ``ε``.

Across seeds the per-step mean and sample standard deviation are accumulated in seed
order (blocks merged with Chan's pairwise update), so the returned curve is bit-for-bit
reproducible from ``(task, schedule, seeds, seed)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..curve import LossCurve
from ..errors import DivergenceError, InvalidParameterError, check_int_range
from ..schedule import Schedule
from ..task import PowerLawTask
from .exact import check_stability, max_stable_lr

__all__ = [
    "sgd_risk",
    "sgd_runs",
    "sgd_runs_numpy",
    "seed_words",
    "DIVERGENCE_FACTOR",
]

#: A trajectory is declared divergent once its excess risk exceeds this multiple of the
#: initial risk ``E_0`` (or becomes non-finite).  A mean-square-stable schedule (spec §2)
#: keeps ``E[E_k] ≤ E_0 + E_∞``; a single trajectory 10^12 times above ``E_0`` has, by
#: Markov's inequality, probability ≤ (1 + E_∞/E_0)·10^-12 of coming from a stable run.
DIVERGENCE_FACTOR = 1e12

# Memory cap for the per-seed risk block held at once by sgd_risk (float64 entries).
_BLOCK_ENTRIES = 1 << 25  # 256 MiB

# No fastmath: even without the nnan/ninf flags LLVM folds np.isfinite(inf) to True under
# reassoc/arcp, and the divergence check must see NaN and inf.  (The cost is dominated by
# the normal draws; fastmath gains nothing measurable here.)


# ---------------------------------------------------------------------------- kernels
@njit(cache=True)
def _sgd_trajectory(word, sqrt_lam, lam, theta_star, run_lr, run_b, run_n, sigma, limit,
                    out, x, g, r):
    """One SGD trajectory from the stream seeded with ``word``; writes ``E_k`` into
    ``out[0..K]`` and returns ``(step, code)`` of divergence, ``(-1, 0)`` if none
    (code 1: non-finite risk, code 2: risk above ``limit``)."""
    # Legacy thread-local API on purpose: it is numba's per-thread generator and replays
    # exactly as numpy.random.RandomState(word) (see module docstring).
    np.random.seed(word)  # noqa: NPY002
    M = lam.size
    e2 = 0.0
    for j in range(M):
        r[j] = -theta_star[j]
        e2 += lam[j] * r[j] * r[j]
    out[0] = 0.5 * e2
    k = 0
    for q in range(run_lr.size):
        B = run_b[q]
        coef = run_lr[q] / B
        for _ in range(run_n[q]):
            for b in range(B):
                dot = 0.0
                for j in range(M):
                    xj = sqrt_lam[j] * np.random.standard_normal()  # noqa: NPY002
                    x[j] = xj
                    dot += xj * r[j]
                err = dot - sigma * np.random.standard_normal()  # noqa: NPY002
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
            k += 1
            risk = 0.5 * e2
            out[k] = risk
            if not np.isfinite(risk):
                return k, 1
            if risk > limit:
                return k, 2
    return -1, 0


@njit(cache=True, parallel=True)
def _sgd_block_kernel(words, sqrt_lam, lam, theta_star, run_lr, run_b, run_n, sigma, limit,
                      out, fail_step, fail_code):
    """Trajectories for every word in ``words``, in parallel over seeds (``prange``); row
    ``i`` of ``out`` receives the risk curve of seed ``words[i]``."""
    M = lam.size
    for i in prange(words.size):
        x = np.empty(M)
        g = np.empty(M)
        r = np.empty(M)
        k, code = _sgd_trajectory(words[i], sqrt_lam, lam, theta_star, run_lr, run_b, run_n,
                                  sigma, limit, out[i], x, g, r)
        fail_step[i] = k
        fail_code[i] = code


# ---------------------------------------------------------------------------- helpers
def seed_words(seed: int, seeds: int) -> np.ndarray:
    """The 32-bit generator seeds of seed indices ``0..seeds−1`` for base ``seed``.

    ``numpy.random.SeedSequence(seed).generate_state`` with duplicates removed (in order),
    so all streams are distinct and ``seed_words(seed, n)`` is a prefix of
    ``seed_words(seed, m)`` for ``n ≤ m``.
    """
    seed = check_int_range("seed", seed, 0, None)
    seeds = check_int_range("seeds", seeds, 1, None)
    ss = np.random.SeedSequence(seed)
    n = seeds
    while True:
        words = ss.generate_state(n, dtype=np.uint32)
        _, first = np.unique(words, return_index=True)
        uniq = words[np.sort(first)]
        if uniq.size >= seeds:
            return uniq[:seeds].astype(np.uint32)
        n += seeds - uniq.size + 8


def _validate(task, schedule, seeds, seed, check_stable) -> tuple[int, int]:
    if not isinstance(task, PowerLawTask):
        raise InvalidParameterError(f"task must be a PowerLawTask, got {type(task).__name__}")
    if not isinstance(schedule, Schedule):
        raise InvalidParameterError(
            f"schedule must be a Schedule, got {type(schedule).__name__}"
        )
    seeds = check_int_range("seeds", seeds, 2, None)
    seed = check_int_range("seed", seed, 0, None)
    if check_stable:
        check_stability(task, schedule)
    return seeds, seed


def _raise_divergence(task, schedule, words_idx, fail_step, fail_code, out) -> None:
    """Raise DivergenceError for the earliest divergent trajectory of a block."""
    bad = np.flatnonzero(fail_step >= 0)
    if bad.size == 0:
        return
    i = int(bad[np.argmin(fail_step[bad])])
    k = int(fail_step[i])
    lr, b = float(schedule.lr[k - 1]), int(schedule.batch[k - 1])
    if fail_code[i] == 1:
        why = "its excess risk became non-finite"
    else:
        why = (f"its excess risk {out[i, k]:.3g} exceeded {DIVERGENCE_FACTOR:.0e} x the "
               f"initial risk {task.initial_risk:.3g}")
    raise DivergenceError(
        f"sgd engine on {schedule}: seed index {words_idx + i} diverged at step {k} "
        f"(lr={lr:g}, batch={b}): {why}; the largest mean-square-stable lr for batch "
        f"{b} is {max_stable_lr(task, b):.6g} (spec §2)"
    )


def _run_block(task, schedule, words, first_index) -> np.ndarray:
    lrs, bs, counts = schedule.runs()
    K = schedule.n_steps
    out = np.empty((words.size, K + 1))
    fail_step = np.empty(words.size, dtype=np.int64)
    fail_code = np.empty(words.size, dtype=np.int64)
    lam = task.lambdas
    _sgd_block_kernel(
        words, np.sqrt(lam), lam, task.theta_star, lrs, bs.astype(np.int64), counts,
        float(task.sigma), DIVERGENCE_FACTOR * task.initial_risk, out, fail_step, fail_code,
    )
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
    """Exact excess risk of every iterate of ``seeds`` independent SGD runs (spec §2).

    Returns
    -------
    ndarray, shape (seeds, K+1)
        Row ``i`` is ``E(θ_k) = ½ Σ_j λ_j (θ_k − θ*)_j²``, k = 0..K, of the run with
        generator seed ``seed_words(seed, seeds)[i]``.  Memory is ``8·seeds·(K+1)`` bytes;
        :func:`sgd_risk` only keeps a block at a time.

    Raises
    ------
    UnstableScheduleError
        If ``check_stable`` and some ``(lr, batch)`` pair is not mean-square stable.
    DivergenceError
        If a run's risk exceeds :data:`DIVERGENCE_FACTOR` × ``E_0`` or becomes non-finite.
    """
    seeds, seed = _validate(task, schedule, seeds, seed, check_stable)
    return _run_block(task, schedule, seed_words(seed, seeds), 0)


def sgd_risk(
    task: PowerLawTask,
    schedule: Schedule,
    seeds: int = 64,
    seed: int = 0,
    *,
    check_stable: bool = True,
) -> LossCurve:
    """Mean excess risk of one-pass minibatch SGD over ``seeds`` simulated runs (spec §2).

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

    Returns
    -------
    LossCurve
        ``risk[k]`` = mean over runs of the exact excess risk ``½ ‖θ_k − θ*‖²_Λ`` of the
        k-th iterate; ``stderr[k]`` = sample standard deviation (ddof 1) / √seeds;
        ``engine="sgd"``; ``meta`` holds ``seeds`` and ``seed``.

    Notes
    -----
    Update (spec §2): ``θ_{k+1} = θ_k − (η_k/B_k) Σ_b x_b(⟨θ_k, x_b⟩ − y_b)`` with fresh
    ``x_b = Λ^{1/2} z_b``, ``y_b = ⟨θ*, x_b⟩ + σ ε_b``.  Its expectation is
    :func:`~fsltheory.engines.exact.exact_risk`; the two agree within a few standard
    errors (tests/test_sgd.py).  Cost O(seeds · Σ_k B_k · M) normal draws and
    multiply-adds, in parallel over seeds (numba ``prange``).

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
    words = seed_words(seed, seeds)
    K = schedule.n_steps
    block = max(2, _BLOCK_ENTRIES // (K + 1))
    n_tot = 0
    mean = np.zeros(K + 1)
    m2 = np.zeros(K + 1)
    for start in range(0, seeds, block):
        runs = _run_block(task, schedule, words[start:start + block], start)
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
    draws (``numpy.random.RandomState(w_i)``), vectorised over the batch.  No stability
    or divergence checks.  Slow; used by tests and benchmarks."""
    seeds, seed = _validate(task, schedule, seeds, seed, check_stable=False)
    lam = task.lambdas
    sqrt_lam = np.sqrt(lam)
    M = task.modes
    out = np.empty((seeds, schedule.n_steps + 1))
    for i, w in enumerate(seed_words(seed, seeds)):
        rs = np.random.RandomState(w)
        r = -task.theta_star.copy()
        out[i, 0] = 0.5 * lam @ r**2
        for k, (eta, b) in enumerate(zip(schedule.lr, schedule.batch, strict=True)):
            Z = rs.standard_normal((b, M + 1))       # per sample: z_1..z_M, then ε
            X = Z[:, :M] * sqrt_lam
            err = X @ r - task.sigma * Z[:, M]
            r -= (eta / b) * (X.T @ err)
            out[i, k + 1] = 0.5 * lam @ r**2
    return out

"""Searches used by the optimisers of :mod:`fsltheory.optimize` (docs/theory.md §5).

* :func:`minimize_scalar` — a grid bracket followed by :func:`scipy.optimize.minimize_scalar`
  (Brent with the bracketing triple when the grid minimum is interior, the bounded
  method next to an end point).
* :func:`minimize_integer` — batched bracketing and zooming over integers (switch points):
  every round's candidates are handed to the caller at once so an engine can evaluate
  them in parallel; scipy has no integer search.
* :func:`compass_search` — a parallel pattern search over a few real parameters (the
  engine refinement of the continuous optimum); each round's ``2d`` candidates are
  evaluated in one batched call, which scipy's sequential derivative-free methods
  (Nelder–Mead, Powell) cannot do.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize as _sopt

__all__ = ["minimize_scalar", "minimize_integer", "compass_search"]


def minimize_scalar(
    f: Callable[[float], float], a: float, b: float, *, grid: np.ndarray | None = None,
    xtol: float = 1e-9, max_iter: int = 200,
) -> tuple[float, float]:
    """Minimise ``f`` on ``[a, b]``: bracket on a grid, then refine with scipy.

    Parameters
    ----------
    f : callable
        Scalar function of one float.
    a, b : float
        Search interval, ``a < b``.
    grid : ndarray, optional
        Bracketing points (clipped to ``[a, b]``); default 33 points, log-spaced when
        ``a > 0``.
    xtol : float
        Relative tolerance on ``x*`` (Brent's ``tol``; absolute ``xtol·|x*|`` for the
        bounded method).
    max_iter : int
        Iteration cap of the refinement.

    Returns
    -------
    (x*, f(x*)) : tuple of float
        The best point seen (grid or refinement).

    Notes
    -----
    Robust to a non-unimodal ``f`` at the grid's resolution.  Refinement between the best
    grid point's neighbours: :func:`scipy.optimize.minimize_scalar` with
    ``method="brent"`` and the bracket ``(x_{i−1}, x_i, x_{i+1})`` when ``f(x_i)`` is
    strictly below both neighbours (Brent stays inside the bracket), otherwise
    ``method="bounded"`` on ``[x_{i−1}, x_{i+1}]`` (minimum at an end of the grid, or ties).

    Examples
    --------
    >>> import math
    >>> x, fx = minimize_scalar(lambda x: (math.log(x) - 2.0) ** 2, 1e-3, 1e4)
    >>> abs(x / math.exp(2.0) - 1) < 1e-6
    True
    """
    if grid is None:
        grid = np.geomspace(a, b, 33) if a > 0 else np.linspace(a, b, 33)
    grid = np.unique(np.clip(np.asarray(grid, dtype=np.float64), a, b))
    vals = np.array([f(float(x)) for x in grid])
    i = int(np.argmin(vals))
    best_x, best_f = float(grid[i]), float(vals[i])
    lo = float(grid[max(i - 1, 0)])
    hi = float(grid[min(i + 1, grid.size - 1)])
    if hi <= lo:
        return best_x, best_f
    if 0 < i < grid.size - 1 and vals[i] < vals[i - 1] and vals[i] < vals[i + 1]:
        res = _sopt.minimize_scalar(f, bracket=(lo, best_x, hi), method="brent", tol=xtol,
                                    options={"maxiter": max_iter})
    else:
        res = _sopt.minimize_scalar(
            f, bounds=(lo, hi), method="bounded",
            options={"xatol": xtol * max(abs(best_x), 1e-300), "maxiter": max_iter})
    if lo <= float(res.x) <= hi and float(res.fun) < best_f:
        best_x, best_f = float(res.x), float(res.fun)
    return best_x, best_f


def minimize_integer(
    f_many: Callable[[np.ndarray], np.ndarray], lo: int, hi: int, *,
    grid: np.ndarray | None = None, points: int = 8, progress=None,
    stop: Callable[[int, int], bool] | None = None,
) -> tuple[int, float, dict[int, float]]:
    """Minimise an integer function on ``[lo, hi]`` evaluated in batches.

    ``f_many(ks)`` returns the values at an array of integers (evaluated in parallel by the
    caller).  Bracket on ``grid`` (plus the end points), then zoom: evaluate ``points``
    evenly spread integers strictly inside the best point's neighbours, repeat until every
    integer of the bracket has been seen.  Exact for a unimodal ``f`` between the bracketing
    grid points.  ``stop(a, b)``, if given, ends the zoom early once the bracket ``[a, b]``
    around the best point is narrow enough (a coarser, cheaper answer).  Returns
    ``(k*, f(k*), {k: f(k)} of everything evaluated)``.

    Examples
    --------
    >>> import numpy as np
    >>> k, v, _ = minimize_integer(lambda ks: (np.asarray(ks) - 37.0) ** 2, 0, 1000)
    >>> int(k), float(v)
    (37, 0.0)
    """
    seen: dict[int, float] = {}

    def ev(ks) -> None:
        ks = np.array(sorted({int(k) for k in ks if lo <= int(k) <= hi} - set(seen)),
                      dtype=np.int64)
        if ks.size:
            for k, v in zip(ks.tolist(), np.asarray(f_many(ks), dtype=float).tolist(),
                            strict=True):
                seen[k] = v
            if progress is not None:
                progress.update(int(ks.size))

    base = [lo, hi] if grid is None else [lo, hi, *np.asarray(grid).tolist()]
    ev(np.round(base))
    while True:
        keys = np.array(sorted(seen))
        vals = np.array([seen[k] for k in keys])
        i = int(np.argmin(vals))
        a = int(keys[max(i - 1, 0)])
        b = int(keys[min(i + 1, keys.size - 1)])
        if stop is not None and stop(a, b):
            break
        inner = [k for k in range(a + 1, b) if k not in seen] if b - a <= 2 * points + 2 else None
        if inner is not None:
            if not inner:
                break
            ev(inner)
            continue
        ev(np.unique(np.round(np.linspace(a, b, points + 2)[1:-1])))
    k_best = min(seen, key=seen.get)
    return k_best, seen[k_best], seen


def compass_search(
    f_many: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, step: float | np.ndarray, *,
    min_step: float = 1e-3, max_rounds: int = 40, progress=None,
) -> tuple[np.ndarray, float, int]:
    """Parallel compass (pattern) search: each round evaluates ``x ± h e_i`` for all
    coordinates at once (``f_many`` receives an ``(n, d)`` array), moves to the best
    improving point, else halves ``h``; stops when ``h < min_step``.  Returns
    ``(x*, f(x*), number of evaluations)``.  Derivative-free and robust to the small
    discontinuities that integer rounding of batches introduces.

    Examples
    --------
    >>> import numpy as np
    >>> x, fx, n = compass_search(lambda X: np.sum((X - 0.5) ** 2, axis=1), np.zeros(2), 1.0,
    ...                           min_step=1e-3)
    >>> bool(np.allclose(x, 0.5, atol=1e-3))
    True
    """
    x = np.asarray(x0, dtype=np.float64).copy()
    h = np.broadcast_to(np.asarray(step, dtype=np.float64), x.shape).copy()
    fx = float(np.asarray(f_many(x[None, :]))[0])
    n_eval = 1
    for _ in range(max_rounds):
        if np.all(h < min_step):
            break
        cands = []
        for i in range(x.size):
            for sgn in (1.0, -1.0):
                y = x.copy()
                y[i] += sgn * h[i]
                cands.append(y)
        cands = np.array(cands)
        vals = np.asarray(f_many(cands), dtype=float)
        n_eval += len(cands)
        if progress is not None:
            progress.update(1)
        j = int(np.argmin(vals))
        if vals[j] < fx:
            x, fx = cands[j], float(vals[j])
        else:
            h *= 0.5
    return x, fx, n_eval

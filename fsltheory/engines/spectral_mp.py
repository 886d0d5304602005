"""High-precision reference of the spectral sums of docs/theory.md §3: ``e(t)``, ``K(u)`` and
``∫_u^∞ K`` in mpmath at a chosen number of significant digits (object arrays of ``mpf``),
the reference the tests check the compiled sums of :mod:`fsltheory.engines.spectral`
against.  Re-exported by :mod:`fsltheory.engines.spectral`."""

from __future__ import annotations

import mpmath
import numpy as np

from ..errors import check_range
from ..task import PowerLawTask
from ._spectral_args import _check_task, _points

__all__ = ["signal_term_mp", "forgetting_kernel_mp", "kernel_tail_mp"]


# ---------------------------------------------------------------------------- mpmath
# Modes beyond this index are summed by mpmath's Euler–Maclaurin summation (mpmath.sumem),
# whose error for these smooth summands is far below the working precision (the summand
# varies on the scale j, so the Bernoulli remainder after n terms is ~ (n/(2πj))^(2n)).
_MP_DIRECT = 20_000


def _mp_sum(task: PowerLawTask, x, p_exp: mpmath.mpf, scale, precision: int, direct: int):
    """``scale · Σ_{j=1}^{M} j^(−p_exp) exp(−2 x j^(−β))`` at ``precision`` digits."""
    task = _check_task(task)
    precision = int(check_range("precision", precision, 15, 1000))
    a = _points("t" if scale == 0.5 else "u", x)
    out = np.empty(a.shape, dtype=object)
    M = task.modes
    with mpmath.workdps(precision + 10):
        beta = mpmath.mpf(task.beta)
        pe = mpmath.mpf(p_exp)
        for idx, xv in np.ndenumerate(a):
            c = 2 * mpmath.mpf(float(xv))

            def f(j, c=c):
                return mpmath.power(j, -pe) * mpmath.exp(-c * mpmath.power(j, -beta))

            n_direct = min(M, direct)
            s = mpmath.fsum(f(mpmath.mpf(j)) for j in range(1, n_direct + 1))
            if M > n_direct:
                s += mpmath.sumem(f, [n_direct + 1, M])
            out[idx] = +(scale * s)
    with mpmath.workdps(precision):
        for idx in np.ndindex(out.shape):
            out[idx] = +out[idx]
    return out


def signal_term_mp(task: PowerLawTask, t, precision: int = 30,
                   direct: int = _MP_DIRECT) -> np.ndarray:
    """:func:`signal_term` in mpmath at ``precision`` significant digits (object array of
    ``mpf``).

    The first ``direct`` modes are summed term by term (``mpmath.fsum``); the rest, if
    ``M > direct``, by Euler–Maclaurin summation (``mpmath.sumem``), which is accurate to
    the working precision for these smooth, slowly varying summands.  The working precision
    is a ``mpmath.workdps`` context (``precision + 10`` guard digits).
    """
    task = _check_task(task)
    return _mp_sum(task, t, 1.0 + task.s * task.beta, 0.5, precision, direct)


def forgetting_kernel_mp(task: PowerLawTask, u, precision: int = 30,
                         direct: int = _MP_DIRECT) -> np.ndarray:
    """:func:`forgetting_kernel` in mpmath at ``precision`` digits (see
    :func:`signal_term_mp`)."""
    task = _check_task(task)
    return _mp_sum(task, u, 2.0 * task.beta, 1.0, precision, direct)


def kernel_tail_mp(task: PowerLawTask, u, precision: int = 30,
                   direct: int = _MP_DIRECT) -> np.ndarray:
    """:func:`kernel_tail` in mpmath at ``precision`` digits (see :func:`signal_term_mp`)."""
    task = _check_task(task)
    return _mp_sum(task, u, task.beta, 0.5, precision, direct)

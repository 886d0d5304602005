"""The power-law linear-regression task of docs/theory.md §1.

Features ``x ~ N(0, Λ)`` with ``λ_j = j^(−β)``, target ``y = <θ*, x> + σ ε`` with
``λ_j (θ*_j)² = j^(−(1+sβ))`` and ``θ*_j > 0``.  The excess risk of ``θ`` is
``E(θ) = ½ Σ_j λ_j (θ_j − θ*_j)²``; the task is *easy* iff ``s ≥ 1 − 1/β``.

Example
-------
>>> from fsltheory import PowerLawTask
>>> task = PowerLawTask(beta=2.0, s=0.25, sigma=1.0, modes=1000)
>>> task.regime
'hard'
>>> float(task.lambdas[1])  # λ_2 = 2^(−2)
0.25
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import InvalidParameterError, check_int_range, check_memory, check_range

__all__ = ["PowerLawTask", "SIGMA_MAX", "BYTES_PER_MODE"]

#: Largest label noise accepted: risks scale with ``σ²`` and are float64, so ``σ²`` must
#: stay far below the float64 maximum (~1.8e308) for the stationary risk
#: ``½ σ² q/(1 − q)`` and the sums over modes to remain finite.
SIGMA_MAX = 1e100

#: Memory the engines need per mode (bytes): the task's own arrays (λ, λθ*², θ*) plus
#: the engines' working arrays (about eight float64 vectors of length M in all).  The
#: per-mode arrays are refused up front when ``BYTES_PER_MODE · M`` exceeds the memory
#: limit (:func:`fsltheory.errors.check_memory`).
BYTES_PER_MODE = 64

# θ*_M² = M^(β − 1 − sβ) must be finite with room to spare (float64 max ≈ e^709).
_LOG_THETA2_MAX = 600.0


@dataclass(frozen=True)
class PowerLawTask:
    """Power-law linear regression with Gaussian features (docs/theory.md §1).

    Parameters
    ----------
    beta : float
        Capacity exponent, ``β > 1`` (spectrum ``λ_j = j^(−β)``).
    s : float
        Source exponent, ``s > 0`` (``λ_j θ*_j² = j^(−(1+sβ))``).
    sigma : float
        Label-noise standard deviation, ``0 ≤ σ ≤`` :data:`SIGMA_MAX` (so ``σ²`` is finite).
    modes : int
        Number of modes ``M ≥ 1`` (learner and target are both M-dimensional), with
        ``(β − 1 − sβ)·ln M ≤ 600`` so that ``θ*_j²`` stays finite in float64; the
        per-mode arrays are refused (:class:`~fsltheory.errors.InvalidParameterError`)
        when they would not fit the memory limit.
    """

    beta: float
    s: float
    sigma: float = 1.0
    modes: int = 1000

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta", check_range("beta", self.beta, 1.0, None, low_open=True))
        object.__setattr__(self, "s", check_range("s", self.s, 0.0, None, low_open=True))
        object.__setattr__(self, "sigma",
                           check_range("sigma", self.sigma, 0.0, SIGMA_MAX))
        object.__setattr__(self, "modes", check_int_range("modes", self.modes, 1, None))
        growth = (self.beta - 1.0 - self.s * self.beta) * math.log(self.modes)
        if growth > _LOG_THETA2_MAX:
            raise InvalidParameterError(
                f"beta={self.beta:g}, s={self.s:g}, modes={self.modes} make the target "
                f"coefficient θ*_M² = M^(β−1−sβ) = e^{growth:.4g} overflow float64; need "
                f"(β − 1 − sβ)·ln M <= {_LOG_THETA2_MAX:g} (smaller beta or modes, or larger s)"
            )

    def _mode_axis(self) -> np.ndarray:
        check_memory("modes", BYTES_PER_MODE * self.modes, value=self.modes)
        return np.arange(1, self.modes + 1, dtype=np.float64)

    @cached_property
    def lambdas(self) -> np.ndarray:
        """Eigenvalues ``λ_j = j^(−β)``, j = 1..M (docs/theory.md §1)."""
        j = self._mode_axis()
        return j ** (-self.beta)

    @cached_property
    def signal_weights(self) -> np.ndarray:
        """``λ_j (θ*_j)² = j^(−(1+sβ))`` — each mode's share of twice the initial risk."""
        j = self._mode_axis()
        return j ** (-(1.0 + self.s * self.beta))

    @cached_property
    def theta_star(self) -> np.ndarray:
        """Target coefficients ``θ*_j = j^((β − 1 − sβ)/2) > 0`` (docs/theory.md §1)."""
        j = self._mode_axis()
        return j ** (0.5 * (self.beta - 1.0 - self.s * self.beta))

    @property
    def regime(self) -> str:
        """``"easy"`` iff ``s ≥ 1 − 1/β``, else ``"hard"`` (docs/theory.md §1, C-REGIME)."""
        return "easy" if self.s >= 1.0 - 1.0 / self.beta else "hard"

    @cached_property
    def initial_risk(self) -> float:
        """Excess risk at ``θ_0 = 0``: ``½ Σ_j j^(−(1+sβ))`` (docs/theory.md §1)."""
        # Sum smallest terms first so the float sum is accurate for large M.
        return 0.5 * float(np.sum(self.signal_weights[::-1]))

    @cached_property
    def trace(self) -> float:
        """``tr Λ = Σ_j j^(−β)`` (→ ζ(β) as M → ∞)."""
        return float(np.sum(self.lambdas[::-1]))

    def __repr__(self) -> str:
        return (
            f"PowerLawTask(beta={self.beta:.12g}, s={self.s:.12g}, sigma={self.sigma:.12g}, "
            f"modes={self.modes}, regime={self.regime!r})"
        )

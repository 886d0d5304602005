"""C-SIGNAL: signal term e(t) (docs/theory.md §4).

Statement
    e(t) = ½ Σ_j λ_j θ*_j² e^(−2λ_j t) ~ Γ(s)/(2β) · (2t)^(−s); with M modes,
    e_M(t) ≈ that − M^(−sβ)/(2sβ) for t ≪ M^β.

Derivation (``fsltheory.symbolic.kernels.signal_derivation``)
    Same route as C-KERNEL with summand j^(−(1+sβ)) e^(−2 j^(−β) t): sum → integral,
    substitution, Gamma integral; exponent −s as a logarithmic derivative; the finite-M
    correction is the missing tail ½∫_M^∞ j^(−(1+sβ)) dj.

Numeric check (``check_signal``)
    e_M(t) from the spectral engine plus the missing tail M^(−sβ)/(2sβ), for (β, s) in
    both regimes: slope over 3 decades of t (± 0.03) and the constant at mid-window (1 %).

Run ``python proofs/c_signal.py`` (quick check) or ``python proofs/c_signal.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-SIGNAL")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-SIGNAL", sys.argv[1:]))

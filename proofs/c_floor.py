"""C-FLOOR: stationary floors (docs/theory.md §2 and §3).

Statement
    Discrete: E_∞ = ½σ² q/(1 − q).  Continuum (V): E_∞ = (γσ²ζ(β)/4)/(1 − γζ(β)/2).

Derivation (``fsltheory.symbolic.fsl.floor_derivation``)
    Set E' = 0 in (V) with constant γ: E = γ(E + σ²/2)∫K and ∫K = ζ(β)/2 (from C-KERNEL),
    solve the linear equation; the discrete floor comes from C-STABLE; their difference
    vanishes at leading order in η.

Numeric check (``check_floor``)
    Long exact runs (every mode relaxed, 2λ_M t ≥ 40) vs the discrete floor (rel 1e-9);
    the continuum formula vs the discrete floor at η = γ (B = 1) within the O(η) + finite-M
    bound; a long SGD run vs the exact engine (4 σ).

Run ``python proofs/c_floor.py`` (quick check) or ``python proofs/c_floor.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-FLOOR")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-FLOOR", sys.argv[1:]))

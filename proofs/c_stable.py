"""C-STABLE: stability of constant-(η, B) SGD (docs/theory.md §2).

Statement
    The §2 map d ↦ diag(a) d + c λᵀ d + cσ² is stable iff max_j a_j < 1 and
    q = Σ_j (η/B)λ_j / (2 − ηλ_j(1 + 1/B)) < 1;  q ≈ ηζ(β)/(2B) for small η.

Derivation (``fsltheory.symbolic.fsl.stability_derivation``)
    Per-mode stationary balance d_j = c_j S/(1 − a_j) with S = Σλ_i d_i + σ²; summing
    λ_j d_j gives S(1 − q) = σ², hence the pole at q = 1 and E_∞ = ½σ²q/(1 − q); a_j < 1
    gives the per-mode bound η < 2B/(λ_j(B+1)); the small-η expansion gives ηζ(β)/(2B).

Numeric check (``check_stable``)
    ``max_stable_lr`` (root of q = 1) vs an independent method — bisection on the spectral
    radius of the explicit M×M matrix (numpy eigvals) — for three (β, s, B); q at small η
    vs ηζ(β)/(2B); SGD with real samples at η = ½η_max vs the exact engine (4 σ).

Run ``python proofs/c_stable.py`` (quick check) or ``python proofs/c_stable.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-STABLE")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-STABLE", sys.argv[1:]))

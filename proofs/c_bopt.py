"""C-BOPT: B_opt/B_min = 1 + 1/s and its leading noise-transient correction (docs/theory.md §8).

Statement
    B_opt/B_min = (1 + 1/s)·ℓ/(ℓ + c_M)·[1 − (1 − (1−1/β)/(1+s))·τ(t_opt)] to first
    order, with τ(t) = ∫_t^∞K/∫_0^∞K the part of the noise floor not yet reached at
    t_opt = ηS_opt and c_M the finite-M signal tail.  τ(t_opt) ∝ ℓ^((1−1/β)/s): the
    correction vanishes as ℓ → 0, faster than ℓ iff the task is hard.

Derivation (``fsltheory.symbolic.critical.bopt_derivation``)
    Target condition 1 = y^(−s) + x(1 − ε y^(−p)) in units of ℓ and S_min; ln y to first
    order in ε by implicit differentiation; one Newton step of the E-minimisation from
    x₀ = s/(1+s); ε expressed through τ(t_opt); finite M shifts ℓ → ℓ + c_M in the signal.

Numeric check (``fsltheory.claims.checks_critical.check_bopt``)
    B_opt by 1-D minimisation of E(B) = B·S(B; ℓ) on the Volterra engine (three (β, s),
    hard and easy, two decades of ℓ each) and on the exact engine; the measured
    correction's decay exponent in ℓ; B_min by bisection on the engine vs the floor root.

Run ``python proofs/c_bopt.py`` (quick check) or ``python proofs/c_bopt.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-BOPT")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-BOPT", sys.argv[1:]))

"""C-SWITCH: optimal two-stage switch (docs/theory.md §5).

Statement
    Batch B₁ → B₂ after P samples: easy P* = 0; hard D − P* ≍ D^((1+s)/(2−1/β)).

Derivation (``fsltheory.symbolic.schedules.switch_derivation``)
    Interior optimum s·A·S^(−s−1) = C[K(S)/B₁ + K(R)/B₂] with S ≈ D/B₁; solve for R* with
    the asymptotic K, read off the exponent; the sign of the signal-minus-kernel exponent
    decides whether an interior optimum exists (hard) or P* = 0 (easy).

Numeric check (``check_switch``)
    ``optimize.switch_scaling`` / ``optimal_switch`` over 3 decades of D: hard slope of
    D − P* vs the derived exponent (± 0.03), easy P* = 0 as a one-sided ``bound`` row
    (P* ≤ B₂ − 1, the switch lattice).  Engine rows: P* searched directly on the Volterra
    engine (``claims.engine_scaling.engine_switch``) at ≥ 2 decades of D, slope of D − P*
    (± 0.03).  The exact risk of the FSL-optimal switch vs the switch optimised on the
    exact engine itself (1 %).

Run ``python proofs/c_switch.py`` (quick check) or ``python proofs/c_switch.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-SWITCH")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-SWITCH", sys.argv[1:]))

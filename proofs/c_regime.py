"""C-REGIME: the easy/hard boundary (docs/theory.md §5).

Statement
    b*(0) grows with D iff s > 1 − 1/β; otherwise the floor B_min binds.

Derivation (``fsltheory.symbolic.schedules.regime_derivation``)
    The boundary is the sign change (solved by sympy) of the b*(0) exponent of C-OPT-EASY.

Numeric check (``check_regime``)
    For pairs on both sides: slope of the optimiser's b*(0) vs max(0, b0_exponent), and the
    regime read off the optimiser (floor binding at t = 0 or not) vs s ≷ s_c as a ``sign``
    row (+1 easy / −1 hard).  The same on the engine optimum (Volterra engine, horizon
    searched on the engine): b*(0) slope (easy) and the regime sign rows.

Run ``python proofs/c_regime.py`` (quick check) or ``python proofs/c_regime.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-REGIME")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-REGIME", sys.argv[1:]))

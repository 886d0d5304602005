"""C-OPT-HARD: optimal batch schedule with a binding floor (docs/theory.md §5).

Statement
    b*(t) = max{B_min, c(T−t+1)^(1/(2β)−1)}: stay at B_min until T₁*, then grow;
    (T* − T₁*)/T* ≍ D^(−(1−1/β−s)/(2−1/β)); T* ≈ ηD/B_min; J* ≍ D^(−s);
    final batch ≍ B_min^(−s/2)·D^((1+s)/2) at fixed η, σ (corrected B_min dependence).

Derivation (``fsltheory.symbolic.schedules.opt_hard_derivation``)
    KKT with the floor; balance of the marginal signal gain −e'(T) against the noise of
    the growth phase of length R gives R* and its exponent; T = ηD/B_min − (2β−1)R from the
    data budget.

Numeric check (``check_opt_hard``)
    The optimiser's answer over 3 decades of D for three hard (β, s): slopes of the growth
    fraction, J* (finite-M tail added back) and b*(T*) (± 0.03).  Engine rows: the clipped
    √K schedule with its horizon searched on the Volterra engine (B_min = σ² = 256),
    slopes of J* and of the growth fraction over ≥ 2 decades (± 0.03).  Corrected final
    batch: slope of b*(T*) vs B_min (factors 1, 4, 16) at fixed D, η, σ against −s/2, on
    the optimiser and on the engine.  Exact-engine and SGD rows as in C-OPT-EASY.

Run ``python proofs/c_opt_hard.py`` (quick check) or ``python proofs/c_opt_hard.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-OPT-HARD")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-OPT-HARD", sys.argv[1:]))

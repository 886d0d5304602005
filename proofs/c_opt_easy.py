"""C-OPT-EASY: optimal batch schedule, easy regime (docs/theory.md §5).

Statement
    b*(t) ∝ √K(T − t); T* ≍ D^(β/(1+sβ)), J* ≍ D^(−sβ/(1+sβ)),
    b*(0) ≍ D^((s−1+1/β)/(s+1/β)), b*(T*) ≍ D^((1/2+sβ)/(1+sβ)).

Derivation (``fsltheory.symbolic.schedules.opt_easy_derivation``)
    Cauchy–Schwarz / KKT on J[b] = e(T) + (σ²η/2)∫K(T−t)/b subject to ∫b = ηD gives
    b* ∝ √K; the noise term becomes (∫√K)²/D ∝ T^(1/β)/D; minimising A T^(−s) + C T^(1/β)/D
    over T gives T*, J*, and b*(0), b*(T*) from the normalisation; exponents are
    logarithmic derivatives of the solved expressions.

Numeric check (``check_opt_easy``)
    ``optimize.continuous_scaling`` (water-filling on the exact finite-M spectral sums and a
    1-D search over T — it does not know the answer) over 3 decades of D for three easy
    (β, s); slopes of T*, J* (finite-M signal tail added back), b*(0), b*(T*) vs the
    derived exponents (± 0.03); the same schedules re-run on the Volterra engine (V) give
    the J* exponent of those schedules.  Engine rows: the horizon of the √K(T−t) schedule
    searched on the Volterra engine itself (``claims.engine_scaling.engine_continuous``)
    over ≥ 2 decades of D: slopes of T* and J* (± 0.03).  Exact-engine row: the FSL
    optimum vs the optimum re-searched on the exact engine (1 %); SGD on an optimal
    schedule vs the exact engine.

Run ``python proofs/c_opt_easy.py`` (quick check) or ``python proofs/c_opt_easy.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-OPT-EASY")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-OPT-EASY", sys.argv[1:]))

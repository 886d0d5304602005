"""C-RATES: data-limited rates at fixed batch (docs/theory.md §5, 2509.19189).

Statement
    Tuned constant LR: J ≍ D^(−s/(s+1)) with η* ≍ D^(−s/(s+1)); hard regime, exponential
    decay to η₀/D at capped η₀: J ≍ (D/log D)^(−s) (easy exponential-decay and WSD rates are
    derived too, see the derivation).

Derivation (``fsltheory.symbolic.rates.rates_derivation``)
    Balance the signal (ηD)^(−s) against the noise floor ∝ η (C-FLOOR) and minimise over
    η; exponents as logarithmic derivatives.

Numeric check (``check_rates``)
    Exact engine at batch 1, η tuned per budget by ``optimize.minimize_scalar``; slopes of
    J*(D) (± 0.03) and η*(D) (± 0.04, flat argmin) over 3 decades of D for three (β, s).
    Hard regime: exponential decay η₀e^(−z·log D/D) at η₀ = ½ stability bound; the derived
    log power k = ``exp_hard_log`` is divided out and the slope of
    (J + finite-M signal tail)·(log D)^(−k) vs D is compared with ``exp_hard`` (± 0.03;
    measured 0.010–0.017 steeper, local slopes converging).  WSD is not checked (0.04–0.06
    off on reachable budgets).

Run ``python proofs/c_rates.py`` (quick check) or ``python proofs/c_rates.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-RATES")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-RATES", sys.argv[1:]))

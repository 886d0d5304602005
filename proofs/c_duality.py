"""C-DUALITY: learning-rate / batch-size duality (docs/theory.md §5).

Statement
    Only r = η/b enters (V) per unit intrinsic time: an LR schedule at fixed batch and a
    batch schedule at fixed LR with the same r(·) give the same loss vs data; the batch
    schedule takes fewer steps.  The optimal LR decay (1 − z/N)^(2β−1) maps onto C-OPT-EASY.

Derivation (``fsltheory.symbolic.schedules.duality_derivation``)
    Write both schedules in intrinsic time; the γ and data-rate differences simplify to 0;
    changing variables from intrinsic time to steps maps b* ∝ (T−t)^(1/(2β)−1) onto
    η* ∝ (1 − z/N)^(2β−1).  Order of the exact-recursion gap: sympy series-expands the §2
    per-step factor (1−η₀λ)² + η₀²λ²/B against exp(−2η₀λ): x²(1/B − 1) per step (the LR
    schedule's B small steps only O(x³)), 1/η₀ steps per unit time ⇒ gap = O(η₀),
    ``discrepancy_order`` = 1.

Numeric check (``check_duality``)
    Exact engine: batch ramp 1 → b_max at η₀ vs the LR schedule at batch 1 taking b_k steps
    of η₀/b_k per batch step; worst relative difference at equal data ≤ η₀λ₁; step counts
    reported.  Convergence order: worst gap on a ramp 2 → 32 at η = 0.01·2^(−k), ≥ 3
    halvings, log-log slope in η vs ``discrepancy_order`` (± 0.03; local slopes approach 1
    as 0.977, 0.989, 0.994, …).  Volterra engine: identical curves up to 1e-3.

Run ``python proofs/c_duality.py`` (quick check) or ``python proofs/c_duality.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-DUALITY")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-DUALITY", sys.argv[1:]))

"""C-KERNEL: noise-forgetting kernel K(u) (docs/theory.md §4).

Statement
    K(u) = Σ_j λ_j² e^(−2λ_j u) ~ Γ(2−1/β)/β · (2u)^(−(2−1/β)) as u → ∞;
    K(0) = ζ(2β); ∫_0^∞ K = ζ(β)/2; tail ∫_u^∞ K ~ … (2u)^(−(1−1/β)).

Derivation (``fsltheory.symbolic.kernels.kernel_derivation``)
    1. Replace the sum over modes j by ∫_0^∞ dj (leading order, M = ∞).
    2. Substitute v = 2u j^(−β); the integral becomes a Gamma integral that sympy
       evaluates, giving the constant and the exponent −(2 − 1/β) (read off as the
       logarithmic derivative u·d log K/du).
    3. K(0) and ∫K are summed term by term (ζ(2β), ½ζ(β)); finite-M tails from ∫_M^∞.

Numeric check (``fsltheory.claims.checks_core.check_kernel``)
    Exact spectral sum K_M(u) (``engines.spectral``) for β ∈ {1.5, 2, 3}, M with u ≪ M^β:
    log-log slope over 3 decades of u vs the derived exponent (± 0.03), the constant at
    mid-window (1 %), K(0) and ∫K vs ζ(2β), ζ(β)/2 within the finite-M tail bound.

Run ``python proofs/c_kernel.py`` (quick check) or ``python proofs/c_kernel.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-KERNEL")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-KERNEL", sys.argv[1:]))

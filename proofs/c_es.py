"""C-ES: the data–steps trade-off E(S) and the critical batch size (docs/theory.md §8).

Statement
    For a target excess risk ℓ at constant LR, constant batch B needs S(B) steps and
    E = B·S samples with E(S) = B_min S/(1 − (S_min/S)^s), B_min = cη/ℓ the batch whose
    stationary floor is ℓ; S_opt/S_min = (1+s)^(1/s), B_crit = E_min/S_min =
    (1+1/s)(1+s)^(1/s) B_min; near S_min (S/S_min − 1)(E/E_min − 1) → (1+s)^(−(1+1/s)),
    not the 1 of McCandlish et al.'s hyperbola.

Derivation (``fsltheory.symbolic.critical.es_derivation``)
    Signal plus stationary floor, L = A_e(ηS)^(−s) + cη/B = ℓ, solved for S(B) and for
    B(S); E = B·S minimised with r = (S_min/S)^s; series near S_min and at large S
    (the S^(1−s) asymptote correction); the gradient noise scale from Isserlis' theorem.

Numeric check (``fsltheory.claims.checks_critical.check_es``)
    Volterra engine, real batches: S_opt/S_min, B_crit/B_min, S(B)/S_min at several B and
    the McCandlish product near S_min against the law with its derived finite-M factor and
    first-order transient terms; the s < 1 asymptote slope.

Run ``python proofs/c_es.py`` (quick check) or ``python proofs/c_es.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-ES")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-ES", sys.argv[1:]))

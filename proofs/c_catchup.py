"""C-CATCHUP: fast catch-up after a noise-rate switch (docs/theory.md §5).

Statement
    After switching γ₁ → γ₂ < γ₁ at t_s, the gap to the constant-γ₂ run at equal intrinsic
    time is Δ = (σ²/2)(γ₁−γ₂)∫_{t−t_s}^{t} K and decays like (t − t_s)^(−(1−1/β)) for
    1 ≪ t − t_s ≪ t_s; half of the sudden drop happens within 2^(β/(β−1)) − 1.

Derivation (``fsltheory.symbolic.schedules.catchup_derivation``)
    Subtract the σ²-dominated linearisations of (V) for the two runs; the signal cancels
    and the noise integral over the pre-switch period remains; with the asymptotic K
    (C-KERNEL) the tail integral gives the exponent −(1 − 1/β).

Numeric check (``check_catchup``)
    Primary rows: the raw gap (nothing added) on the Volterra engine with t_s ≥ 10^7 ≫ τ
    (run-length schedules), slope over 3 decades of τ vs the derived exponent (± 0.03),
    the finite-t_s term's share stated in each note.  Second, labelled rows at t_s ≤ 10^5
    (exact engine; β = 1.5 on Volterra with M = 10^7): the finite-t_s term
    (σ²/2)(γ₁−γ₂)·tail(t_s + τ) added back from the exact spectral tail.  SGD through the
    switch vs the exact engine.

Run ``python proofs/c_catchup.py`` (quick check) or ``python proofs/c_catchup.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-CATCHUP")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-CATCHUP", sys.argv[1:]))

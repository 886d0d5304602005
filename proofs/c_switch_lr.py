"""C-SWITCH-LR: the two-stage switch under WSD and cosine learning rates (docs/theory.md §7).

Statement
    Under an LR profile decaying like (1−p)^ν at the end of the data, an interior switch
    sits at D − P* ≍ D^((1+s+ν(1−1/β))/((ν+1)(2−1/β)−ν)) in the hard regime (ν = 0: the
    constant-LR law of C-SWITCH; WSD with linear decay ν = 1; cosine ν = 2), if it beats
    never switching.

Derivation (``fsltheory.symbolic.lr_switch.switch_lr_derivation``)
    Marginal of the final FSL risk in the switch point: the signal gained by the extra
    intrinsic time, −e'(T), against the noise the small batch injects where the LR is
    η_P = η c_φ (R/D)^ν and the time left is u_R ∝ R^(ν+1)/D^ν; the LR-gradient term is shown
    to scale like η_P K(u_R); the balance gives R* and its exponent; ν = 0 reproduces
    C-SWITCH.  For ν > 0 "never switch" is a second local minimum (not decided here).

Numeric check (``fsltheory.claims.checks_lr.check_switch_lr``)
    Hard (β = 2, s = 0.25) and easy (β = 2, s = 1) tasks, profiles const / wsd:0.2 / cosine:
    the FSL's full switch search, then the Volterra engine's own optimum (bounded Brent in
    log(D − P) around the FSL answer); slope of D − P* vs the derived law where an interior
    switch exists, engine-vs-FSL P*/D and gain, and — where no interior switch exists — the
    best probed switch's gain over the best constant batch (≤ 0.1 %).

Run ``python proofs/c_switch_lr.py`` (quick check) or ``python proofs/c_switch_lr.py --full``.
"""

from __future__ import annotations

import sys

from fsltheory.claims import get_claim, proof_main

CLAIM = get_claim("C-SWITCH-LR")
STATEMENT = CLAIM.statement


def derive():
    """The sympy derivation (statement, assumptions, steps, results)."""
    return CLAIM.derive()


def check(scale: str = "quick", seed: int = 0, perturb: float = 0.0):
    """The numeric check through the registry: :class:`fsltheory.claims.Evidence`."""
    return CLAIM.check(scale, seed, perturb)


if __name__ == "__main__":
    sys.exit(proof_main("C-SWITCH-LR", sys.argv[1:]))

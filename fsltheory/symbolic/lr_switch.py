"""C-SWITCH-LR: the two-stage switch point under a decaying learning-rate profile
(``docs/theory.md §7``).

The LR is a profile over the data fraction, ``η(p) = η φ(p/D)``; near the end of the data
it decays like ``φ ≈ c_φ (1 − p/D)^ν`` (``ν = 0`` constant LR, ``ν = 1`` WSD with linear
decay to 0, ``ν = 2`` cosine to 0).  With ``R = D − P`` samples after the switch, the
marginal of the final FSL risk in the switch point balances the signal gained by the
extra intrinsic time against the noise the small batch injects where the LR is
``η_P = η c_φ (R/D)^ν`` and the remaining time ``u_R`` is short.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .core import SYMBOLS, Derivation, StepLog, beta, power_exponent, s, solve_positive
from .kernels import kernel_derivation, signal_derivation
from .schedules import switch_derivation

__all__ = ["switch_lr_derivation", "switch_lr_exponent"]

D, R, eta, sigma, A, B1, B2 = (SYMBOLS[k] for k in ("D", "R", "eta", "sigma", "A", "B1", "B2"))
nu = sp.Symbol("nu", nonnegative=True)        # decay power of φ at the end of the data
c_phi = sp.Symbol("c_phi", positive=True)     # φ ≈ c_φ (1 − p)^ν
Phi = sp.Symbol("Phi", positive=True)         # ∫_0^1 φ (mean LR multiplier)
A_K = sp.Symbol("A_K", positive=True)
C_B = sp.Symbol("C_B", positive=True)         # O(1) batch factor of the noise marginal
r, x = sp.symbols("r x", positive=True)


@cache
def switch_lr_derivation() -> Derivation:
    """C-SWITCH-LR: interior switch under an LR profile decaying like ``(1 − p)^ν`` at the
    end: ``D − P* ≍ D^((1+s+ν(1−1/β))/((ν+1)(2−1/β)−ν))`` (hard regime), ``ν = 0`` giving
    back C-SWITCH.  For ``ν > 0`` "never switch" (``R → 0``) is a second local minimum;
    which one wins is not decided here (measured)."""
    log = StepLog()
    k = kernel_derivation().results["kernel_exponent"]      # −(2 − 1/β)
    se = signal_derivation().results["signal_exponent"]     # −s
    eta_P = eta * c_phi * (R / D) ** nu
    log("LR at the switch (R = D − P samples left, φ ≈ c_φ(1 − p)^ν)", eta_P)
    u_R = sp.simplify(sp.integrate(eta * c_phi * (r / D) ** nu / B2, (r, 0, R)))
    log("Intrinsic time after the switch u_R = ∫_0^R η φ / B₂ dr", u_R)
    T = eta * Phi * D / B1
    log("Total intrinsic time at leading order (R ≪ D): T = ηΦD/B₁, Φ = ∫_0^1 φ", T)
    # the LR-gradient term of the marginal: stage-1 noise shifted by Δ ∝ η_P dP; its
    # integral ∫_R^∞ (dγ₁/dr) K(u(r)) dr scales like η_P K(u_R) (substitute r = R x)
    u_r = u_R + sp.integrate(eta * c_phi * (r / D) ** nu / B1, (r, R, R * x))
    w = sp.simplify(sp.powsimp(sp.expand_power_base(u_r / u_R, force=True), force=True))
    log("Stage-1 remaining time at r = R·x, divided by u_R", w)
    grad = sp.diff(eta * c_phi * (r / D) ** nu / B1, r).subs(r, R * x) * R
    g = sp.simplify(sp.powsimp(sp.expand_power_base(grad / eta_P, force=True), force=True))
    log("(dγ₁/dr)·dr/dx divided by η_P", g)
    ratio = sp.simplify(g * w ** k)
    log("LR-gradient term ∫_R^∞ (dγ₁/dr) K(u(r)) dr = η_P K(u_R) ∫_1^∞ (this) dx: the "
        "integrand is free of R and D, so the term scales like η_P K(u_R)", ratio)
    if ratio.has(R) or ratio.has(D):
        raise ValueError("LR-gradient term does not scale like η_P K(u_R)")
    lhs = -sp.diff(A * sp.Symbol("T_", positive=True) ** se, sp.Symbol("T_", positive=True))
    lhs = lhs.subs(sp.Symbol("T_", positive=True), T)
    bal = sp.Eq(lhs, sigma**2 / 2 * C_B * eta_P * A_K * u_R ** k)
    log("Balance −e'(T) = (σ²/2)·C_B·η_P·K(u_R) (slice injection, boundary and LR-gradient "
        "terms together: C_B > 0, O(1) in R and D)", bal)
    R_star = solve_positive(bal, R)
    log("R* = D − P*", R_star)
    alpha = sp.factor(sp.simplify(power_exponent(R_star, D)))
    log("D − P* ∝ D^", alpha)
    const = sp.simplify(alpha.subs(nu, 0) - switch_derivation().results["switch_exponent"])
    log("ν = 0 minus the C-SWITCH exponent (must be 0)", const)
    if const != 0:
        raise ValueError("constant-LR limit does not reproduce C-SWITCH")
    late = sp.factor(sp.simplify(alpha - 1))
    log("α − 1 (< 0, i.e. a vanishing large-batch share, iff s < 1 − 1/β: hard)", late)
    wsd, cos = sp.simplify(alpha.subs(nu, 1)), sp.simplify(alpha.subs(nu, 2))
    log("WSD with linear decay to 0 (ν = 1)", wsd)
    log("cosine to 0 (ν = 2)", cos)
    shift = sp.factor(sp.simplify(wsd - alpha.subs(nu, 0)))
    log("WSD minus constant-LR exponent", shift)
    log("For ν > 0 the noise side vanishes as R → 0 (η_P → 0, K(u_R) → K(0)): 'never "
        "switch' is a second local minimum; the interior switch exists and wins only if "
        "its loss is lower — measured, not derived")
    return Derivation(
        claim="C-SWITCH-LR",
        title="Two-stage switch under an LR profile",
        section="§7",
        statement="Under an LR profile decaying like (1−p)^ν at the end of the data, an "
        "interior switch sits at D − P* ≍ D^((1+s+ν(1−1/β))/((ν+1)(2−1/β)−ν)) (hard "
        "regime; ν = 0 is C-SWITCH); 'never switch' competes for ν > 0.",
        assumptions=(
            "σ²-dominated FSL of §7 in data coordinates; e(T) = A T^(−s), "
            "K(u) ≈ A_K u^(−(2−1/β)) for u_R ≫ 1",
            "R ≪ D and R inside the decay phase (φ ≈ c_φ(1−p)^ν there)",
        ),
        steps=tuple(log.steps),
        results={
            "switch_exponent_lr": alpha,
            "switch_exponent_wsd": wsd,
            "switch_exponent_cosine": cos,
            "wsd_minus_constant": shift,
            "constant_limit_gap": const,
        },
    )


def switch_lr_exponent(nu_value: float, beta_value: float, s_value: float) -> float:
    """Numeric value of the derived exponent at decay power ν, (β, s)."""
    expr = switch_lr_derivation().results["switch_exponent_lr"]
    return float(expr.subs({nu: nu_value, beta: beta_value, s: s_value}))

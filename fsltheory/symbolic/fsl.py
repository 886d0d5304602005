"""Stability and stationary floors of constant-(η, B) SGD (docs/theory.md §2, §3, §5
C-STABLE/C-FLOOR).

* :func:`stability_derivation` starts from the exact per-mode coefficients of the §2
  recursion, a_j = (1 − ηλ)² + η²λ²/B and c_j = η²λ/B, and derives the mode-wise
  stability bound, the rank-one ratio λc/(1 − a) whose sum is q, the stationary excess
  risk ½σ²q/(1 − q), and the small-η form q ≈ ηζ(β)/(2B).
* :func:`floor_derivation` derives the continuum floor of the Volterra equation (V) by its
  Laplace transform and the final-value theorem, and shows that it coincides with the
  discrete floor at q = γζ(β)/2.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .core import SYMBOLS, Derivation, StepLog, beta, tidy_sign
from .kernels import kernel_derivation, sum_over_modes

__all__ = ["stability_derivation", "floor_derivation"]

eta, B, lam, sigma, E, gamma, j = (
    SYMBOLS[k] for k in ("eta", "B", "lam", "sigma", "E", "gamma", "j")
)
q = sp.Symbol("q", positive=True)


@cache
def stability_derivation() -> Derivation:
    """C-STABLE: stability of the §2 recursion and its stationary risk (docs/theory.md §2).

    Steps: per mode, ``1 − a > 0`` ⟺ ``η < 2B/((B+1)λ)`` (sympy solves 1 − a = 0); the
    stationary point of ``d = a d + c(2E + σ²)`` gives ``d = c(2E + σ²)/(1 − a)``, so
    ``E = ½ Σ λ d = (E + σ²/2) q`` with ``q = Σ λc/(1 − a)``; solving for E gives
    ``E_∞ = ½σ²q/(1 − q)``, finite and positive iff q < 1.  First order in η:
    ``λc/(1 − a) = ηλ/(2B) + O(η²)``, summed with λ_j = j^(−β): ``q ≈ ηζ(β)/(2B)``.
    """
    log = StepLog()
    a = (1 - eta * lam) ** 2 + eta**2 * lam**2 / B
    c = eta**2 * lam / B
    log("Per-mode coefficients of the §2 recursion: a", a)
    log("c", c)
    one_minus_a = sp.factor(sp.expand(1 - a))
    log("1 − a (factored)", one_minus_a)
    roots = [r for r in sp.solve(one_minus_a, eta) if r != 0]
    eta_max_mode = sp.simplify(roots[0])
    log("Nonzero root of 1 − a = 0 in η: mode j is contracting iff 0 < η < this", eta_max_mode)
    eta_max = eta_max_mode.subs(lam, 1)
    log("Largest eigenvalue λ_1 = 1 binds: η_max(B)", eta_max)
    ratio = tidy_sign(sp.simplify(lam * c / one_minus_a))
    log("Rank-one ratio λc/(1 − a), whose sum over modes is q", ratio)
    d = sp.Symbol("d", positive=True)
    d_stat = sp.solve(sp.Eq(d, a * d + c * (2 * E + sigma**2)), d)[0]
    log("Stationary second moment of one mode: d = c(2E + σ²)/(1 − a)", sp.simplify(d_stat))
    # ½ Σ λ d = ½ (2E + σ²) Σ λc/(1 − a) = ½ (2E + σ²) q
    E_inf = sp.solve(sp.Eq(E, sp.Rational(1, 2) * (2 * E + sigma**2) * q), E)[0]
    E_inf = tidy_sign(sp.simplify(E_inf))
    log("Self-consistency E = ½ Σ λ_j d_j = (E + σ²/2) q, solved for E", E_inf)
    pole = sp.solve(sp.denom(sp.together(E_inf)), q)
    log("E_∞ blows up at q =", sp.Tuple(*pole))
    n = 3
    av, cv, lv = (sp.symbols(f"{x}1:{n + 1}", positive=True) for x in ("a", "c", "l"))
    Mmat = sp.diag(*av) + sp.Matrix(cv) * sp.Matrix([lv])
    lemma = sp.simplify(
        (sp.eye(n) - Mmat).det()
        - sp.prod([1 - x for x in av]) * (1 - sum(l_ * c_ / (1 - a_)
                                                  for a_, c_, l_ in zip(av, cv, lv, strict=True)))
    )
    log("Moment map d ↦ (diag(a) + c λᵀ)d (nonnegative). Matrix determinant lemma, checked "
        "for 3 generic modes: det(I − M) − Π(1 − a_j)·(1 − Σ λ_j c_j/(1 − a_j)) =", lemma)
    log("Hence, with all a_j < 1: along M(τ) = diag(a) + τcλᵀ, τ ∈ [0, 1], the Perron root "
        "ρ(M(τ)) grows continuously from max a_j < 1 and reaches 1 only where "
        "det(I − M(τ)) = Π(1 − a_j)(1 − τq) = 0; so ρ(M) < 1 iff q < 1")
    ratio1 = sp.series(ratio, eta, 0, 2).removeO()
    log("First order in η of the ratio", ratio1)
    q_small = sp.simplify(sum_over_modes(ratio1.subs(lam, j ** (-beta))))
    log("Summed over modes λ_j = j^(−β): q ≈", q_small)
    return Derivation(
        claim="C-STABLE",
        title="Stability of constant-(η, B) SGD",
        section="§2",
        statement="Stable iff max_j a_j < 1 (η < 2B/(B+1) for λ_1 = 1) and "
        "q = Σ_j (η/B)λ_j/(2 − ηλ_j(1+1/B)) < 1; then E_∞ = ½σ²q/(1 − q); "
        "q ≈ ηζ(β)/(2B) for small η.",
        assumptions=(
            "exact §2 recursion (no approximation) except the small-η form of q (first order)",
        ),
        steps=tuple(log.steps),
        results={
            "eta_max_mode": eta_max_mode,
            "eta_max": eta_max,
            "q_mode_ratio": ratio,
            "stationary_risk": E_inf,
            "q_critical": pole[0],
            "q_small_eta": q_small,
        },
    )


@cache
def floor_derivation() -> Derivation:
    """C-FLOOR: stationary floors, discrete (§2) and continuum (V) (docs/theory.md §3, §5).

    Laplace transform of (V) with constant γ: Ê = ê + γK̂(Ê + σ²/(2p)).  Solve for Ê,
    multiply by p and let p → 0 (final-value theorem; ê(0) and K̂(0) = ∫K are finite,
    ê(0) because e is integrable for any s > 0 at finite M).  With ∫K = ζ(β)/2 (derived in
    C-KERNEL): E_∞ = (γσ²ζ(β)/4)/(1 − γζ(β)/2), which equals the discrete floor
    ½σ²q/(1 − q) at q = γζ(β)/2 (the small-η q of C-STABLE with γ = η/B).
    """
    log = StepLog()
    p = sp.Symbol("p", positive=True)
    Khat, ehat, Ehat = sp.Function("Khat")(p), sp.Function("ehat")(p), sp.Symbol("Ehat")
    laplace = sp.Eq(Ehat, ehat + gamma * Khat * (Ehat + sigma**2 / (2 * p)))
    log("Laplace transform of (V) with constant γ", laplace)
    Ehat_sol = sp.solve(laplace, Ehat)[0]
    log("Solved for Ê(p)", Ehat_sol)
    K0hat, e0hat = sp.Symbol("Khat0", positive=True), sp.Symbol("ehat0", positive=True)
    pE = sp.expand(p * Ehat_sol).subs({Khat: K0hat, ehat: e0hat})
    E_inf = tidy_sign(sp.simplify(sp.limit(pE, p, 0)))
    log("Final value lim_{p→0} p·Ê(p), with K̂(0) = ∫K and ê(0) finite", E_inf)
    intK = kernel_derivation().results["K_integral"]
    floor = tidy_sign(sp.simplify(E_inf.subs(K0hat, intK)))
    log("Insert ∫K = ζ(β)/2 (C-KERNEL)", floor)
    direct = sp.solve(sp.Eq(E, intK * gamma * (E + sigma**2 / 2)), E)[0]
    log("Check: stationary equation E = ∫K·γ(E + σ²/2) solved directly", direct)
    if sp.simplify(direct - floor) != 0:
        raise ArithmeticError("Laplace and stationary-equation floors disagree")
    stab = stability_derivation().results
    discrete = stab["stationary_risk"]
    q_cont = sp.solve(sp.Eq(stab["q_small_eta"].subs(eta, gamma * B), q), q)[0]
    log("Small-η q of C-STABLE in terms of γ = η/B", q_cont)
    diff = sp.simplify(discrete.subs(q, q_cont) - floor)
    log("Discrete floor ½σ²q/(1 − q) at that q minus continuum floor", diff)
    gamma_crit = sp.solve(sp.denom(sp.together(floor)), gamma)[0]
    log("Continuum floor diverges at γ =", gamma_crit)
    lead = sp.series(floor, gamma, 0, 2).removeO()
    log("Leading order in γ", lead)
    return Derivation(
        claim="C-FLOOR",
        title="Stationary floors",
        section="§2, §3",
        statement="Discrete: E_∞ = ½σ²q/(1 − q); continuum (V): "
        "E_∞ = (γσ²ζ(β)/4)/(1 − γζ(β)/2); they coincide at q = γζ(β)/2.",
        assumptions=(
            "continuum floor: (V) with constant γ, M = ∞ (∫K = ζ(β)/2), final-value theorem",
        ),
        steps=tuple(log.steps),
        results={
            "floor_discrete": discrete,
            "floor_continuum": floor,
            "gamma_critical": gamma_crit,
            "floor_small_gamma": lead,
            "discrete_minus_continuum": diff,
        },
    )

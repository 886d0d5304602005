"""Batch-size scheduling under a data budget (docs/theory.md §5): derivations of the claims.

All derivations start from the σ²-dominated FSL of docs/theory.md §5,

    J[b] = e(T) + (σ²η/2) ∫_0^T K(T − t)/b(t) dt,     ∫_0^T b(t) dt = ηD,

and use the leading-order power laws *derived* in :mod:`fsltheory.symbolic.kernels`:
e(T) ≈ A·T^(−s) and K(u) ≈ A_K·u^(−(2−1/β)) (their exponents are imported from the
C-SIGNAL / C-KERNEL derivations, not typed in).  Where a finite K(0) matters (the last
batch of a schedule) the surrogate K(u) = κ(1 + u)^(−(2−1/β)) of §4 is used.  Every
exponent is read off by :func:`~fsltheory.symbolic.core.power_exponent`
(a logarithmic derivative) from the expression sympy solved for.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .core import (
    SYMBOLS,
    Derivation,
    StepLog,
    beta,
    leading_ratio,
    power_exponent,
    s,
    solve_positive,
)
from .kernels import kernel_derivation, limit_beta_gt_1, signal_derivation

__all__ = [
    "opt_easy_derivation",
    "regime_derivation",
    "opt_hard_derivation",
    "switch_derivation",
    "catchup_derivation",
    "duality_derivation",
]

(t, u, T, D, R, S, eta, b, mu, sigma, A, kappa, B_min, B1, B2, c, tau, t_s, gamma1, gamma2,
 z, N, P) = (SYMBOLS[k] for k in (
    "t", "u", "T", "D", "R", "S", "eta", "B", "mu", "sigma", "A", "kappa", "B_min", "B1",
    "B2", "c", "tau", "t_s", "gamma1", "gamma2", "z", "N", "P"))
A_K = sp.Symbol("A_K", positive=True)
Kt = sp.Symbol("K_T_minus_t", positive=True)  # the value K(T − t) at one instant


def _k() -> sp.Expr:
    """Kernel exponent −(2 − 1/β), from the C-KERNEL derivation."""
    return kernel_derivation().results["kernel_exponent"]


def _se() -> sp.Expr:
    """Signal exponent −s, from the C-SIGNAL derivation."""
    return signal_derivation().results["signal_exponent"]


def _pos(expr: sp.Expr) -> sp.Expr:
    return sp.factor(sp.simplify(expr))


# ----------------------------------------------------------------------- C-OPT-EASY
@cache
def opt_easy_derivation() -> Derivation:
    """C-OPT-EASY: b*(t) ∝ √K(T−t); T* ≍ D^(β/(1+sβ)), J* ≍ D^(−sβ/(1+sβ)),
    b*(0) ≍ D^((s−1+1/β)/(s+1/β)), b*(T*) ≍ D^((1/2+sβ)/(1+sβ)) (docs/theory.md §5).

    Steps: the Lagrangian density (σ²η/2)K/b + μb of J[b] with the budget constraint is
    stationary at b ∝ √K (convex in b, so this is the minimum); the budget fixes the
    constant, giving the noise term σ²(∫√K)²/(2D) (the Cauchy–Schwarz bound, attained).
    With the surrogate kernel, ∫_0^T √K ≈ 2β√κ·T^(1/(2β)) at leading order, so
    J(T) = A T^(−s) + σ²·4β²κ·T^(1/β)/(2D); sympy minimises it over T and the exponents
    are log-derivatives in D.
    """
    log = StepLog()
    k, se = _k(), _se()
    dens = sigma**2 * eta / 2 * Kt / b + mu * b
    log("Lagrangian density of J[b] + μ(∫b − ηD), at one instant (K_T_minus_t = K(T−t))", dens)
    b_opt = solve_positive(sp.diff(dens, b), b)
    log("Stationary in b", b_opt)
    log("b*/√K (independent of K ⇒ b* ∝ √K(T − t))", sp.simplify(b_opt / sp.sqrt(Kt)))
    log("Second derivative (> 0: minimum)", sp.simplify(sp.diff(dens, b, 2).subs(b, b_opt)))
    I1 = sp.Symbol("I_sqrtK", positive=True)  # ∫_0^T √K(T − t) dt
    c_opt = solve_positive(sp.Eq(c * I1, eta * D), c)
    log("Budget ∫ c√K = ηD fixes c (I_sqrtK = ∫_0^T √K)", c_opt)
    noise = sp.simplify(sigma**2 * eta / 2 * I1 / c_opt)
    log("Noise term (σ²η/2)∫K/b* = (σ²η/2)∫√K/c", noise)
    K_sur = kappa * (1 + u) ** k
    log("Surrogate kernel (exponent from C-KERNEL)", K_sur)
    b_shape = sp.powdenest(sp.sqrt(K_sur.subs(u, T - t)), force=True)
    log("b*(t) ∝ √K(T − t)", b_shape)
    I1_exact = sp.simplify(sp.integrate(sp.sqrt(K_sur), (u, 0, T), conds="none"))
    log("∫_0^T √K(u) du", I1_exact)
    I1_lead = 2 * beta * sp.sqrt(kappa) * T ** (1 / (2 * beta))
    ratio = leading_ratio(I1_exact, I1_lead, T)
    log("Leading order as T → ∞: 2β√κ T^(1/(2β)); ratio exact/leading →", ratio)
    if ratio != 1:
        raise ArithmeticError("leading-order form of ∫√K is wrong")
    J = A * T**se + noise.subs(I1, I1_lead)
    log("J(T) at leading order", J)
    T_star = solve_positive(sp.diff(J, T), T)
    log("dJ/dT = 0 ⇒ T*", T_star)
    T_exp = power_exponent(T_star, D)
    J_exp = power_exponent(sp.simplify(J.subs(T, T_star)), D)
    log("T* exponent in D", T_exp)
    log("J* exponent in D", J_exp)
    c_T = c_opt.subs(I1, I1_lead)
    b0 = sp.simplify(c_T * sp.sqrt(kappa) * T ** (k / 2))  # √K(T) at leading order
    log("b*(0) = c·√K(T) with √K(T) ≈ √κ T^(k/2)", b0)
    b0_exp = _pos(power_exponent(b0.subs(T, T_star), D))
    log("b*(0) exponent in D", b0_exp)
    bT = sp.simplify(c_T * sp.sqrt(K_sur.subs(u, 0)))
    log("b*(T) = c·√K(0) (surrogate: K(0) = κ)", bT)
    bT_exp = _pos(power_exponent(bT.subs(T, T_star), D))
    log("b*(T*) exponent in D", bT_exp)
    return Derivation(
        claim="C-OPT-EASY",
        title="Optimal batch schedule, no floor binding",
        section="§5",
        statement="b*(t) ∝ √K(T−t) ∝ (T−t+1)^(1/(2β)−1); T* ≍ D^(β/(1+sβ)); "
        "J* ≍ D^(−sβ/(1+sβ)); b*(0) ≍ D^((s−1+1/β)/(s+1/β)); "
        "b*(T*) ≍ D^((1/2+sβ)/(1+sβ)).",
        assumptions=(
            "σ²-dominated FSL J[b] of §5 (E(z) dropped inside the noise integral)",
            "leading order: e(T) ≈ A T^(−s); surrogate K(u) = κ(1+u)^(−(2−1/β))",
            "∫_0^T √K replaced by its leading term 2β√κ T^(1/(2β)) (T ≫ 1)",
        ),
        steps=tuple(log.steps),
        results={
            "b_star_shape": b_shape,
            "batch_growth_exponent": sp.simplify(k / 2),
            "noise_term": noise,
            "T_star": T_star,
            "T_star_exponent": T_exp,
            "J_star_exponent": J_exp,
            "b0_exponent": b0_exp,
            "bT_exponent": bT_exp,
        },
    )


# ------------------------------------------------------------------------- C-REGIME
@cache
def regime_derivation() -> Derivation:
    """C-REGIME: b*(0) grows with D iff s > 1 − 1/β (docs/theory.md §1, §5).

    The b*(0) exponent of C-OPT-EASY is a ratio whose denominator s + 1/β is positive;
    sympy solves numerator = 0 for s, and the numerator increases in s.
    """
    log = StepLog()
    p = opt_easy_derivation().results["b0_exponent"]
    log("b*(0) exponent (C-OPT-EASY)", p)
    num, den = sp.fraction(sp.together(p))
    log("numerator", num)
    log("denominator (positive for s, β > 0)", den)
    if not (den.is_positive or sp.simplify(den).is_positive):
        raise ArithmeticError(f"denominator {den} not provably positive")
    s_c = sp.simplify(solve_positive(sp.Eq(num, 0), s) if num.has(s) else sp.nan)
    log("Sign change at s =", s_c)
    slope = sp.simplify(sp.diff(num, s) / den)
    log("d(numerator)/ds / denominator (> 0: exponent increases through zero)", slope)
    return Derivation(
        claim="C-REGIME",
        title="Easy/hard boundary",
        section="§1, §5",
        statement="b*(0) ≍ D^((s−1+1/β)/(s+1/β)) grows with D iff s > 1 − 1/β; otherwise the "
        "floor B_min binds for large D (hard regime).",
        assumptions=("the b*(0) exponent of C-OPT-EASY (leading order)",),
        steps=tuple(log.steps),
        results={"regime_boundary": s_c, "b0_exponent": p},
    )


# ----------------------------------------------------------------------- C-OPT-HARD
@cache
def opt_hard_derivation() -> Derivation:
    """C-OPT-HARD: clipped law, growth fraction D^(−(1−1/β−s)/(2−1/β)), J* ≍ D^(−s),
    final batch ≍ D^((1+s)/2) (docs/theory.md §5).  At fixed η and σ the derived
    B_min-dependence of the final batch is B_min^(−s/2) = B_min^(1/2)·(D/B_min)^((1+s)/2)
    / D^((1+s)/2): the often-quoted prefactor B_min(D/B_min)^((1+s)/2) is off by √B_min
    (the D exponent agrees); docs/theory.md §5 states the corrected law.

    KKT with b ≥ B_min: the Lagrangian density is convex in b, so the constrained minimiser
    is max{B_min, c√K(T−t)}: B_min until T₁ = T − R, then growth, with c√K(R) = B_min.
    With the pure power K = A_K u^k (R ≫ 1): budget ⇒ T = ηD/B_min − (2β−1)R; noise ⇒
    (σ²η/(2B_min))·[tail(R) + √K(R)∫_0^R√K] ∝ R^(k+1); dJ/dR = 0 with T ≈ ηD/B_min
    (leading order, R ≪ T checked a posteriori) gives R* ∝ D^((1+s)/(2−1/β)).
    """
    log = StepLog()
    k, se = _k(), _se()
    log("KKT: ℓ(b) = (σ²η/2)K/b + μb is convex on b ≥ B_min ⇒ b* = max{B_min, c√K(T−t)}")
    sqK = sp.sqrt(A_K) * u ** (k / 2)
    c_R = sp.simplify(B_min / sqK.subs(u, R))
    log("Growth starts R before the end: c√K(R) = B_min ⇒ c", c_R)
    grow_data = sp.simplify(c_R * sp.integrate(sqK, (u, 0, R), conds="none"))
    log("Data (×η) spent in the growth phase c∫_0^R √K", grow_data)
    T_R = solve_positive(sp.Eq(B_min * (T - R) + grow_data, eta * D), T)
    log("Budget B_min(T − R) + growth = ηD ⇒ T", sp.expand(T_R))
    tail_R = sp.integrate(A_K * u**k, (u, R, sp.oo), conds="none")
    noise = sp.simplify(
        sigma**2 * eta / 2 * (tail_R / B_min + sp.integrate(sqK, (u, 0, R)) / c_R)
    )
    log("Noise: (σ²η/2)[∫_R^∞ K/B_min + (1/c)∫_0^R √K] (T ≫ R: ∫_R^T ≈ ∫_R^∞)", noise)
    noise_exp = power_exponent(noise, R)
    log("Noise ∝ R^", noise_exp)
    J = A * T_R**se + noise
    dJ = sp.diff(J, R)
    log("dJ/dR", dJ)
    T0 = eta * D / B_min
    dJ_lead = sp.diff(A * T**se, T).subs(T, T0) * sp.diff(T_R, R) + sp.diff(noise, R)
    log("Leading order: T ≈ ηD/B_min inside the signal derivative", dJ_lead)
    R_star = solve_positive(dJ_lead, R)
    log("R* (length of the growth phase in intrinsic time)", R_star)
    alpha = _pos(power_exponent(R_star, D))
    log("R* exponent in D", alpha)
    frac = _pos(alpha - 1)
    log("Growth fraction (T* − T₁*)/T* = R*/T* exponent", frac)
    s_c = solve_positive(sp.Eq(alpha, 1), s)
    log("R* ≪ T* (vanishing fraction) iff exponent < 1, i.e. s below", s_c)
    noise_D = _pos(alpha * noise_exp)
    gap = _pos(noise_D - se)
    log("Noise exponent in D minus signal exponent (< 0 iff hard ⇒ J* ≍ D^(−s))", gap)
    K0 = sp.Symbol("K0", positive=True)
    bT = sp.simplify(c_R * sp.sqrt(K0))
    log("Final batch b*(T) = c√K(0) (surrogate: finite K(0) = K0)", bT)
    bT_star = bT.subs(R, R_star)
    bT_exp = _pos(power_exponent(bT_star, D))
    log("Final batch exponent in D (R = R*)", bT_exp)
    bT_Bmin = _pos(power_exponent(bT_star, B_min))
    log("Final batch exponent in B_min at fixed η, σ, D (R = R*): b*(T*) ∝ "
        "B_min^(1/2)·(D/B_min)^((1+s)/2)", bT_Bmin)
    return Derivation(
        claim="C-OPT-HARD",
        title="Optimal batch schedule with the floor binding",
        section="§5",
        statement="b*(t) = max{B_min, c(T−t+1)^(1/(2β)−1)}; (T*−T₁*)/T* ≍ "
        "D^(−(1−1/β−s)/(2−1/β)); T* ≈ ηD/B_min; J* ≍ D^(−s); "
        "final batch ≍ D^((1+s)/2), prefactor at fixed η, σ: B_min^(1/2)(D/B_min)^((1+s)/2), "
        "i.e. ∝ B_min^(−s/2) (corrected; B_min(D/B_min)^((1+s)/2) is wrong in B_min).",
        assumptions=(
            "σ²-dominated FSL of §5; e(T) ≈ A T^(−s), K(u) ≈ A_K u^(−(2−1/β)) for R ≫ 1",
            "leading order: T ≈ ηD/B_min in the signal derivative; ∫_R^T K ≈ ∫_R^∞ K",
            "hard regime s < 1 − 1/β (so that R* ≪ T*)",
        ),
        steps=tuple(log.steps),
        results={
            "T_of_R": sp.expand(T_R),
            "noise_exponent_R": noise_exp,
            "R_star": R_star,
            "growth_length_exponent": alpha,
            "growth_fraction_exponent": frac,
            "J_star_exponent": se,
            "noise_minus_signal_exponent": gap,
            "final_batch_exponent": bT_exp,
            "final_batch_Bmin_exponent": bT_Bmin,
        },
    )


# ------------------------------------------------------------------------- C-SWITCH
@cache
def switch_derivation() -> Derivation:
    """C-SWITCH: two-stage B₁ → B₂; D − P* ≍ D^((1+s)/(2−1/β)) in the hard regime,
    P* = 0 in the easy regime (docs/theory.md §5).

    J(R) with R steps after the switch and S = (D − B₂R)/B₁ + R total steps; sympy
    differentiates (Leibniz rule on the noise integrals) and the derivative factors as
    η(B₂ − B₁)/B₁ · [sA(ηS)^(−s−1) − (σ²η/2)(K(ηS)/B₁ + K(ηR)/B₂)], the interior
    condition of §5.  Leading order S ≈ D/B₁: in the hard regime the K(ηS) term is
    subleading and the balance with K(ηR) gives R ∝ D^((1+s)/(2−1/β)); in the easy regime
    the noise side dominates for every R ≤ S, so dJ/dR < 0 and R is maximal (P* = 0).
    """
    log = StepLog()
    k, se = _k(), _se()
    x = sp.Symbol("x", positive=True)
    eF, KF = sp.Function("e"), sp.Function("K")
    S_R = (D - B2 * R) / B1 + R
    log("Total steps S(R) for budget D = B₁(S − R) + B₂R", S_R)
    J = eF(eta * S_R) + sigma**2 * eta / 2 * (
        sp.Integral(KF(x), (x, eta * R, eta * S_R)) / B1
        + sp.Integral(KF(x), (x, 0, eta * R)) / B2
    )
    log("J(R) (first stage sees lags K over (ηR, ηS), second over (0, ηR))", J)
    dJ = sp.diff(J, R)
    e_pow = sp.Lambda(x, A * x**se)
    dJ = dJ.replace(eF, e_pow).doit()
    Ssym = sp.Symbol("S", positive=True)
    dJ = dJ.subs(S_R, Ssym)
    log("dJ/dR with e(T) = A T^(−s)", dJ)
    factor = eta * (B2 - B1) / B1
    marg = sp.expand(sp.simplify(dJ / factor))
    log("dJ/dR ÷ η(B₂ − B₁)/B₁ (signal gain − noise saved per step moved)", marg)
    lhs = s * A * (eta * Ssym) ** (se - 1)
    rest = sp.simplify(marg - lhs)
    log("The part that is not the signal marginal sA(ηS)^(−s−1)", rest)
    cond = sp.Eq(lhs, sp.simplify(-rest))
    log("Interior optimum condition", cond)
    # leading-order exponents of the three terms as functions of S (R ≤ S)
    gap = _pos((se - 1) - k)
    log("Exponent of S: signal marginal minus K(ηS) term (> 0 iff hard)", gap)
    s_c = solve_positive(sp.Eq(gap, 0), s)
    log("… changes sign at s =", s_c)
    # hard regime: drop K(ηS)/B₁, balance with K(ηR)/B₂, S ≈ D/B₁
    bal = sp.Eq(lhs.subs(Ssym, D / B1), sigma**2 * eta / 2 * A_K * (eta * R) ** k / B2)
    log("Hard regime, leading order (S ≈ D/B₁, K(ηS) term dropped)", bal)
    R_star = solve_positive(bal, R)
    log("R* (steps after the switch)", R_star)
    alpha = _pos(power_exponent(R_star, D))
    log("D − P* = B₂R* ∝ D^", alpha)
    share = _pos(alpha - 1)
    log("Large-batch share of data (D − P*)/D ∝ D^", share)
    log("Easy regime (gap ≤ 0): for all R ≤ S, (σ²η/2)K(ηS)(1/B₁+1/B₂) ∝ S^k dominates "
        "sA(ηS)^(−s−1) as D → ∞, so dJ/dR < 0 and R is pushed to S: P* = 0")
    return Derivation(
        claim="C-SWITCH",
        title="Two-stage switch point",
        section="§5",
        statement="Easy: P* = 0. Hard: D − P* ≍ D^((1+s)/(2−1/β)); large-batch share "
        "≍ D^(−(1−1/β−s)/(2−1/β)). Interior condition "
        "s·A·S^(−s−1) = C[K(S)/B₁ + K(R)/B₂].",
        assumptions=(
            "σ²-dominated FSL of §5 (continuous time); e(T) = A T^(−s); "
            "K(u) ≈ A_K u^(−(2−1/β)) for R ≫ 1",
            "leading order S ≈ D/B₁ (R ≪ S, hard regime)",
        ),
        steps=tuple(log.steps),
        results={
            "switch_exponent": alpha,
            "large_batch_share_exponent": share,
            "signal_minus_kernel_exponent": gap,
            "R_star": R_star,
        },
    )


# ------------------------------------------------------------------------ C-CATCHUP
@cache
def catchup_derivation() -> Derivation:
    """C-CATCHUP: gap ∝ (t − t_s)^(−(1−1/β)); half-drop time 2^(β/(β−1)) − 1; the gap
    falls below e(t_s) after t_s^(sβ/(β−1)) (docs/theory.md §5).

    From the σ²-dominated linearisation E(t) ≈ e(t) + (σ²/2)∫_0^t K(t−z)γ(z)dz at equal
    intrinsic time (same e(t)); sympy changes variables u = t − z.
    """
    log = StepLog()
    KF = sp.Function("K")
    gap_int = sp.Integral(KF(t - z), (z, 0, t_s))
    log("E_switch − E_γ₂ = (σ²/2)∫_0^t K(t−z)(γ_sw(z) − γ₂)dz, γ_sw − γ₂ = γ₁ − γ₂ on "
        "[0, t_s), zero after: ÷ (σ²/2)(γ₁ − γ₂)", gap_int)
    gap_u = gap_int.transform(t - z, u)
    log("u = t − z", gap_u)
    drop_int = sp.Integral(KF(t - z), (z, t_s, t)).transform(t - z, u)
    log("E_γ₁ − E_switch (÷ (σ²/2)(γ₁ − γ₂)): the sudden drop", drop_int)
    kc, k = kernel_derivation().results["kernel_constant"], _k()
    K_asym = kc * (2 * u) ** k
    tail = sp.simplify(sp.integrate(K_asym, (u, tau, sp.oo), conds="none"))
    log("With the asymptotic K and t ≫ τ = t − t_s: gap ∝ ∫_τ^∞ K", tail)
    gap_exp = power_exponent(tail, tau)
    log("Gap exponent in τ", gap_exp)
    K_sur = (1 + u) ** k
    drop = sp.simplify(sp.integrate(K_sur, (u, 0, tau), conds="none"))
    log("Surrogate K = (1+u)^k: drop(τ) ∝ ∫_0^τ K", drop)
    total = limit_beta_gt_1(drop, tau)
    log("Total drop (τ → ∞)", total)
    half = sp.simplify(solve_positive(sp.Eq(drop, total / 2), tau))
    log("Half of the drop happens by τ½ =", half)
    e_ts = signal_derivation().results["signal_exponent"]
    nu = sp.Symbol("nu", positive=True)
    nu_sol = _pos(solve_positive(sp.Eq(gap_exp * nu, e_ts), nu))
    log("Gap ≍ τ^(gap exp) below e(t_s) ≍ t_s^(−s) once τ ≳ t_s^ν, ν =", nu_sol)
    s_c = solve_positive(sp.Eq(nu_sol, 1), s)
    log("τ/t_s → 0 iff ν < 1, i.e. s <", s_c)
    log("dν/ds (> 0: smaller s catches up faster)", sp.simplify(sp.diff(nu_sol, s)))
    return Derivation(
        claim="C-CATCHUP",
        title="Fast catch-up after a noise reduction",
        section="§5",
        statement="Δ(t) = (σ²/2)(γ₁−γ₂)∫_{t−t_s}^t K ∝ (t−t_s)^(−(1−1/β)) for "
        "1 ≪ t−t_s ≪ t_s; half of the drop within 2^(β/(β−1)) − 1 (surrogate kernel); "
        "gap < e(t_s) after t_s^(sβ/(β−1)), a vanishing fraction iff hard.",
        assumptions=(
            "σ²-dominated linearisation of (V); compared at equal intrinsic time",
            "gap exponent: asymptotic K and 1 ≪ τ ≪ t_s; half-drop: surrogate (1+u)^(−(2−1/β))",
        ),
        steps=tuple(log.steps),
        results={
            "gap_exponent": gap_exp,
            "gap_tail": tail,
            "half_drop_time": half,
            "crossover_exponent": nu_sol,
            "drop_surrogate": drop,
        },
    )


# ------------------------------------------------------------------------ C-DUALITY
@cache
def duality_derivation() -> Derivation:
    """C-DUALITY: only r = η/b enters; the optimal power-decay LR maps onto C-OPT-EASY.

    Per unit intrinsic time the σ²-dominated FSL sees γ = η/b and consumes b/η samples, so
    an LR schedule η(t) = r(t)b₀ at batch b₀ and a batch schedule b(t) = η₀/r(t) at LR η₀
    agree as functions of data.  Inverting the map: the batch law b* ∝ (T−t)^(1/(2β)−1)
    corresponds to η(t) ∝ (1 − t/T)^(1−1/(2β)); in steps, η(z) ∝ (1 − z/N)^(2β−1).
    On the exact §2 recursion the duality holds up to O(η₀) per unit intrinsic time
    (``discrepancy_order`` = 1, from the series expansion in :func:`_duality_order`).
    """
    log = StepLog()
    r = sp.Function("r")(t)
    b0, eta0 = sp.Symbol("b0", positive=True), sp.Symbol("eta0", positive=True)
    lr_sched = {"eta": r * b0, "b": b0}
    bs_sched = {"eta": eta0, "b": eta0 / r}
    g_diff = sp.simplify(lr_sched["eta"] / lr_sched["b"] - bs_sched["eta"] / bs_sched["b"])
    log("γ = η/b: LR schedule minus batch schedule", g_diff)
    d_diff = sp.simplify(lr_sched["b"] / lr_sched["eta"] - bs_sched["b"] / bs_sched["eta"])
    log("Samples per unit intrinsic time b/η: difference", d_diff)
    steps_ratio = sp.simplify((1 / bs_sched["eta"]) / (1 / lr_sched["eta"]))
    log("Steps per unit time, batch ÷ LR schedule (≤ 1 when η₀ ≥ max η(t))", steps_ratio)
    a_exp = -opt_easy_derivation().results["batch_growth_exponent"]
    log("C-OPT-EASY: b* ∝ (T−t)^(−a) ⇒ r ∝ (T−t)^a, a =", a_exp)
    eta_t = eta0 * (1 - t / T) ** a_exp
    z_t = sp.simplify(sp.integrate(1 / eta_t, (t, 0, t), conds="none"))
    log("Same r with fixed batch: η(t) = η_peak(1−t/T)^a; steps z(t) = ∫dt/η", z_t)
    N_T = sp.simplify(z_t.subs(t, T))
    log("Total steps N", N_T)
    w = sp.Symbol("w", positive=True)  # w = 1 − t/T
    one_minus = sp.simplify(sp.powsimp(1 - z_t.subs(t, T * (1 - w)) / N_T, force=True))
    log("1 − z/N in terms of w = 1 − t/T", one_minus)
    p = _pos(power_exponent(eta_t.subs(t, T * (1 - w)), w) / power_exponent(one_minus, w))
    log("η as a power of (1 − z/N): exponent", p)
    b0_exp = opt_easy_derivation().results["b0_exponent"]
    peak_exp = _pos(-b0_exp)
    log("Equal r(0): η_peak = b₀η₀/b*(0) ⇒ η_peak ∝ N^ (N = D/b₀)", peak_exp)
    defect, step_order, lr_order, order = _duality_order(log)
    return Derivation(
        claim="C-DUALITY",
        title="Learning-rate ↔ batch-size duality",
        section="§5",
        statement="Only r = η/b enters; LR schedule at fixed batch ≡ batch schedule at fixed "
        "LR with the same r(·) as functions of data; η*(z) = η_peak(1−z/N)^(2β−1), "
        "η_peak ≍ N^(−(s−1+1/β)/(s+1/β)), maps onto C-OPT-EASY.",
        assumptions=(
            "σ²-dominated FSL of §5 in intrinsic time; leading-order C-OPT-EASY",
            "order of the exact-recursion discrepancy: signal factor (1−ηλ)² + η²λ²/B of the "
            "§2 map per mode (the multiplicative-noise coupling is of the same order in η)",
        ),
        steps=tuple(log.steps),
        results={
            "gamma_difference": g_diff,
            "data_rate_difference": d_diff,
            "lr_decay_power": p,
            "eta_peak_exponent": peak_exp,
            "per_step_defect": defect,
            "per_step_order": step_order,
            "lr_step_defect_order": lr_order,
            "discrepancy_order": order,
        },
    )


def _duality_order(log: StepLog) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
    """Order in η₀ at which the exact §2 recursion breaks the duality (docs/theory.md §2, §3).

    Per mode (eigenvalue λ, x = η₀λ) and per batch step of size B, the exact second-moment
    map multiplies the signal by g_B(x) = (1 − x)² + x²/B; the continuum (§3) by
    exp(−2x) per η₀ of intrinsic time.  The LR schedule replaces the step by B steps of
    η₀/B at batch 1, i.e. the factor g_1(x/B)^B.  sympy series-expands
    log g_B(x) + 2x and B·log g_1(x/B) + 2x in x: the batch step is off by
    x²(1/B − 1) + O(x³), the LR schedule only by O(x³).  Per unit intrinsic time there
    are 1/η₀ steps, so the two loss curves differ by O(η₀^(2−1)) = O(η₀) — order 1,
    with a coefficient ∝ (1 − 1/B) that vanishes for B = 1 (the two schedules then take
    identical steps).
    """
    x = sp.Symbol("x", positive=True)  # η₀λ

    def g(y: sp.Expr, batch: sp.Expr) -> sp.Expr:
        return (1 - y) ** 2 + y**2 / batch

    def lead(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        ser = sp.expand(sp.series(expr, x, 0, 5).removeO())
        k = min(sp.Poly(ser, x).monoms())[0]
        return sp.factor(ser.coeff(x, k) * x**k), sp.Integer(k)

    log("Per batch step, signal factor of the exact §2 map (x = η₀λ)", g(x, b))
    log("Continuum §3 over the same intrinsic time η₀", sp.exp(-2 * x))
    defect, step_order = lead(sp.log(g(x, b)) + 2 * x)
    log("log g_B(x) + 2x, leading term (series in x)", defect)
    lr_defect, lr_order = lead(b * sp.log(g(x / b, 1)) + 2 * x)
    log("LR schedule: B steps of η₀/B at batch 1, B·log g_1(x/B) + 2x, leading term",
        lr_defect)
    if not lr_order > step_order:  # pragma: no cover - a wrong map would trip this
        raise ArithmeticError("LR-schedule defect is not of higher order than the batch one")
    order = sp.Integer(step_order + power_exponent(1 / eta, eta))
    log("Steps per unit intrinsic time 1/η₀ ⇒ discrepancy per unit time ∝ η₀^", order)
    return defect, step_order, lr_order, order

"""The data–steps trade-off and the critical batch size (docs/theory.md §8): C-ES and C-BOPT.

Model (ours, docs/theory.md §8): at constant learning rate η and constant batch B, the excess risk
after S steps is the signal plus the stationary floor,

    L(S, B) ≈ A_e (ηS)^(−s) + F(η, B),     F ≈ cη/B,

with A_e the derived signal constant (C-SIGNAL) and F the §2 stationary risk.  For a
target ℓ, S(B) solves L = ℓ and E(B) = B·S(B) is the data spent.
:func:`es_derivation` derives B_min, the E(S) law, S_opt, B_opt, E_min, B_crit, the
near-S_min and large-S expansions, the coefficient of McCandlish et al.'s hyperbola, and
the gradient noise scale of the model from the Gaussian fourth moments.

:func:`bopt_derivation` derives the **leading correction** to B_opt/B_min.  At finite
intrinsic time the noise part has not reached its floor: with the kernel tail
τ(t) = ∫_t^∞ K / ∫_0^∞ K ≈ κ t^(−p), p = 1 − 1/β (C-KERNEL),

    ℓ = A_e t^(−s) + F (1 − κ t^(−p)),

and the E-minimisation redone to first order in κ gives

    B_opt/B_min = (1 + 1/s) [1 − (1 − p/(1+s)) τ(t_opt)],     t_opt = η S_opt,

i.e. B_opt sits *below* (1 + 1/s) B_min by a fraction (1 − p/(1+s))·τ(t_opt) ∝ ℓ^(p/s).
A finite number M of modes adds the factor ℓ/(ℓ + c_M), c_M = M^(−sβ)/(2sβ) the missing
signal tail (C-SIGNAL).
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .core import SYMBOLS, Derivation, StepLog, beta, power_exponent, s, solve_positive
from .kernels import kernel_derivation, signal_derivation

__all__ = ["es_derivation", "bopt_derivation", "gns_moment_derivation"]

eta, B, S, L, sigma, c, t = (SYMBOLS[k] for k in ("eta", "B", "S", "L", "sigma", "c", "t"))
B_min = SYMBOLS["B_min"]
S_min = sp.Symbol("S_min", positive=True)
A_e = sp.Symbol("A_e", positive=True)
ell = sp.Symbol("ell", positive=True)
x = sp.Symbol("x", positive=True)     # F/ℓ = B_min/B
y = sp.Symbol("y", positive=True)     # S/S_min
eps = sp.Symbol("epsilon", positive=True)
delta = sp.Symbol("delta", positive=True)
p = sp.Symbol("p", positive=True)     # 1 − 1/β, the kernel-tail exponent
kappa_t = sp.Symbol("kappa_tail", positive=True)
c_M = sp.Symbol("c_M", positive=True)


@cache
def es_derivation() -> Derivation:
    """C-ES: B_min, E(S), S_opt, B_opt, E_min, B_crit and the peers' comparison (§8).

    Steps: B_min from F(B_min) = ℓ; S(B) from A_e(ηS)^(−s) = ℓ − cη/B; S_min = S(∞);
    eliminate B to get E(S) = B·S; solve dE/dS = 0; series of E near S_min and at large S;
    the coefficient of McCandlish's hyperbola from the near-S_min series.
    """
    log = StepLog()
    F = c * eta / B
    log("Stationary floor at small η/B (docs/theory.md §2, C-FLOOR): F = cη/B, c = σ²ζ(β)/4", F)
    bmin = solve_positive(sp.Eq(F, ell), B)
    log("B_min: the floor equals the target, F(B_min) = ℓ", bmin)
    w = sp.Symbol("w", positive=True)  # w = (ηS)^(−s)
    w_sol = sp.solve(sp.Eq(A_e * w + F, ell), w)[0]
    log("Steps to reach ℓ at batch B: A_e(ηS)^(−s) + cη/B = ℓ, linear in w = (ηS)^(−s)",
        w_sol)
    s_of_b = w_sol ** (-1 / s) / eta
    check = sp.simplify(sp.powdenest(A_e * (eta * s_of_b) ** (-s), force=True) + F - ell)
    log("S(B) = w^(−1/s)/η (needs B > B_min); substituted back, residual", check)
    if check != 0:
        raise ArithmeticError(f"S(B) does not solve the target condition: {check}")
    smin = sp.simplify(sp.limit(s_of_b, B, sp.oo))
    log("S_min = lim_{B→∞} S(B)", smin)
    ib = sp.Symbol("iB", positive=True)  # 1/B
    wS = sp.powsimp(((eta * S) ** (-s)).subs(ell, ell), force=True)
    ib_sol = sp.solve(sp.Eq(A_e * wS + c * eta * ib, ell), ib)[0]
    b_of_s = sp.simplify(sp.powsimp((1 / ib_sol).subs(c * eta, B_min * ell)
                                    .subs(ell, A_e * (eta * S_min) ** (-s)), force=True))
    log("Invert S(B) for 1/B (cη = B_min ℓ, ℓ = A_e(ηS_min)^(−s)): B(S)", b_of_s)
    E_S = B_min * S / (1 - (S_min / S) ** s)
    diff = sp.simplify(sp.powdenest(sp.powsimp(b_of_s * S - E_S, force=True), force=True))
    log("E(S) = B(S)·S; minus B_min S/(1 − (S_min/S)^s)", diff)
    if diff != 0:
        raise ArithmeticError(f"E(S) law does not follow: {diff}")
    # minimise with r = (S_min/S)^s: E = B_min S_min r^(−1/s)/(1 − r)
    r = sp.Symbol("r", positive=True)
    E_r = B_min * S_min * r ** (-1 / s) / (1 - r)
    log("Substitute r = (S_min/S)^s ∈ (0, 1): E = B_min S_min r^(−1/s)/(1 − r)", E_r)
    r_opt = solve_positive(sp.diff(sp.log(E_r), r), r)
    log("d log E/dr = 0", r_opt)
    sopt_ratio = sp.simplify(r_opt ** (-1 / s))
    log("S_opt/S_min = r_opt^(−1/s)", sopt_ratio)
    emin = sp.simplify(E_S.subs(S, sopt_ratio * S_min))
    log("E_min = E(S_opt)", emin)
    bopt_ratio = sp.simplify(emin / (sopt_ratio * S_min) / B_min)
    log("B_opt/B_min = E_min/(S_opt B_min)", bopt_ratio)
    bcrit = sp.simplify(emin / S_min)
    log("B_crit := E_min/S_min", bcrit)
    near = sp.series(E_S.subs(S, S_min * (1 + delta)), delta, 0, 1).removeO()
    near = sp.simplify(near)
    log("Near S_min, S = S_min(1 + δ): leading term in δ", near)
    lead_near = sp.simplify((sp.limit(near * delta, delta, 0) / delta)
                            .subs(delta, (S - S_min) / S_min))
    log("Inverse-linear phase: E ≈ B_min S_min²/(s(S − S_min)) with δ = (S − S_min)/S_min",
        lead_near)
    w = sp.Symbol("w", positive=True)  # w = (S_min/S)^s → 0 at large S
    large = sp.series(B_min * S / (1 - w), w, 0, 2).removeO()
    correction = sp.expand(large - B_min * S).subs(w, (S_min / S) ** s)
    correction = sp.powsimp(correction, force=True)
    log("Large S: E = B_min S + correction (first order in (S_min/S)^s)", correction)
    corr_exp = power_exponent(correction, S)
    log("The correction grows like S^(1−s): it vanishes only for s > 1, is the constant "
        "B_min S_min at s = 1, and biases a straight-line fit of B_min upward for s < 1",
        corr_exp)
    mc = sp.simplify(lead_near / emin * (S - S_min) / S_min)
    log("McCandlish's (S/S_min − 1)(E/E_min − 1) = 1 near S_min would need δ·E/E_min → 1; "
        "here δ·E/E_min →", mc)
    mc_s1 = sp.simplify(mc.subs(s, 1))
    log("… at s = 1", mc_s1)
    gns = gns_moment_derivation()
    return Derivation(
        claim="C-ES",
        title="Data–steps trade-off E(S) and the critical batch size",
        section="§8",
        statement="E(S) = B_min S/(1 − (S_min/S)^s), B_min = cη/ℓ; S_opt/S_min = (1+s)^(1/s), "
        "B_opt = (1 + 1/s) B_min, E_min = (1+1/s)(1+s)^(1/s) B_min S_min, "
        "B_crit = E_min/S_min; near S_min E/E_min − 1 ≈ (1+s)^(−(1+1/s)) S_min/(S − S_min).",
        assumptions=(
            "signal plus stationary floor: L ≈ A_e(ηS)^(−s) + cη/B (leading order in t, "
            "small η/B; the transient of the noise part is C-BOPT's correction)",
            "B real (continuous)",
        ),
        steps=tuple(log.steps) + gns.steps,
        results={
            "B_min": bmin,
            "S_of_B": s_of_b,
            "S_min": smin,
            "E_of_S": E_S,
            "S_opt_ratio": sopt_ratio,
            "B_opt_ratio": bopt_ratio,
            "E_min": emin,
            "B_crit": bcrit,
            "B_crit_ratio": sp.simplify(bcrit / B_min),
            "near_S_min": lead_near,
            "asymptote_correction": correction,
            "asymptote_correction_exponent": corr_exp,
            "mccandlish_coefficient": mc,
            "mccandlish_coefficient_s1": mc_s1,
            **gns.results,
        },
    )


@cache
def gns_moment_derivation() -> Derivation:
    """Gradient noise scale of the model from Gaussian fourth moments (docs/theory.md §8).

    Per-example gradient at residual r = θ − θ*: g = x(⟨x, r⟩ − σε), x ~ N(0, Λ).  Isserlis'
    theorem on two modes (Λ = diag(l₁, l₂)) gives E[g gᵀ]; the covariance is
    Σ = ΛrrᵀΛ + (rᵀΛr + σ²)Λ, so with H = Λ, M = rrᵀ (or E[rrᵀ], diagonal moments d_j):
    B_noise = tr(HΣ)/(GᵀHG) = 1 + (tr(ΛM) + σ²) tr(Λ²)/tr(Λ³M) and
    B_simple = tr(Σ)/|G|² = 1 + (tr(ΛM) + σ²) tr(Λ)/tr(Λ²M).
    """
    log = StepLog()
    l1, l2, r1, r2 = sp.symbols("l1 l2 r1 r2", positive=True)
    lam = [l1, l2]
    r = [r1, r2]

    def m4(a, b, cc, d):  # E[x_a x_b x_c x_d] for independent N(0, l) coordinates
        pairs = [(a, b, cc, d), (a, cc, b, d), (a, d, b, cc)]
        return sum((lam[i] if i == j else 0) * (lam[k] if k == m else 0)
                   for i, j, k, m in pairs)

    # E[g_a g_b] = Σ_{c,d} r_c r_d E[x_a x_b x_c x_d] + σ² E[x_a x_b]
    Egg = sp.Matrix(2, 2, lambda a, b: sum(r[cc] * r[d] * m4(a, b, cc, d)
                                            for cc in range(2) for d in range(2))
                    + (sigma**2 * lam[a] if a == b else 0))
    log("E[g gᵀ] by Isserlis' theorem, two modes", Egg)
    G = sp.Matrix([lam[0] * r[0], lam[1] * r[1]])
    Sigma = sp.simplify(Egg - G * G.T)
    Lam = sp.diag(*lam)
    rr = sp.Matrix(r)
    claim = Lam * rr * rr.T * Lam + ((rr.T * Lam * rr)[0] + sigma**2) * Lam
    diff = sp.simplify(Sigma - claim)
    log("Σ = E[ggᵀ] − GGᵀ minus [ΛrrᵀΛ + (rᵀΛr + σ²)Λ]", diff)
    if diff != sp.zeros(2, 2):
        raise ArithmeticError("gradient covariance does not have the stated form")
    bnoise = sp.simplify((Lam * Sigma).trace() / (G.T * Lam * G)[0])
    log("B_noise = tr(ΛΣ)/(GᵀΛG), two modes", bnoise)
    trLM, trL2, trL3M, trL, trL2M = sp.symbols("trLM trL2 trL3M trL trL2M", positive=True)
    gen_noise = 1 + (trLM + sigma**2) * trL2 / trL3M
    gen_simple = 1 + (trLM + sigma**2) * trL / trL2M
    sub = {trLM: l1 * r1**2 + l2 * r2**2, trL2: l1**2 + l2**2,
           trL3M: l1**3 * r1**2 + l2**3 * r2**2, trL: l1 + l2,
           trL2M: l1**2 * r1**2 + l2**2 * r2**2}
    d1 = sp.simplify(bnoise - gen_noise.subs(sub))
    log("… minus 1 + (tr(ΛM) + σ²) tr(Λ²)/tr(Λ³M) at M = rrᵀ", d1)
    bsimple = sp.simplify(Sigma.trace() / (G.T * G)[0])
    d2 = sp.simplify(bsimple - gen_simple.subs(sub))
    log("B_simple = tr Σ/|G|² minus 1 + (tr(ΛM) + σ²) tr(Λ)/tr(Λ²M)", d2)
    if d1 != 0 or d2 != 0:
        raise ArithmeticError("gradient noise scale does not have the stated form")
    return Derivation(
        claim="GNS", title="Gradient noise scale", section="§8",
        statement="B_noise = 1 + (tr(ΛM) + σ²) tr(Λ²)/tr(Λ³M); "
        "B_simple = 1 + (tr(ΛM) + σ²) tr(Λ)/tr(Λ²M)",
        assumptions=("Gaussian features; exact for M = rrᵀ, for the expectation over θ "
                     "take the ratio of expectations (only the diagonal moments d_j enter)",),
        steps=tuple(log.steps),
        results={"B_noise": gen_noise, "B_simple": gen_simple},
    )


@cache
def bopt_derivation() -> Derivation:
    """C-BOPT: B_opt/B_min = (1 + 1/s) with the leading noise-transient correction (§8).

    With y = S/S_min, x = F/ℓ = B_min/B and ε = κ t_min^(−p) (τ(t) = κ t^(−p) the unreached
    fraction of the floor, C-KERNEL tail), the target condition becomes
    1 = y^(−s) + x(1 − ε y^(−p)) and the data is E ∝ y/x.  Solve for log y to first order in
    ε, minimise over x to first order (one Newton step from x₀ = s/(1+s)), and express ε
    through t_opt.
    """
    log = StepLog()
    cond = sp.Eq(1, y ** (-s) + x * (1 - eps * y ** (-p)))
    log("Target condition in units of ℓ and S_min (noise part F(1 − τ(t)), τ = κt^(−p))", cond)
    wv = sp.Symbol("w", positive=True)
    y0 = sp.solve(sp.Eq(1, wv + x), wv)[0] ** (-1 / s)
    log("ε = 0: y₀(x)", y0)
    # ln y = ln y0 + ε·y1 + O(ε²): differentiate the condition implicitly in ε at ε = 0
    ly = sp.Symbol("ly")
    lhs = sp.exp(-s * ly) + x * (1 - eps * sp.exp(-p * ly)) - 1
    dly = sp.simplify((-sp.diff(lhs, eps) / sp.diff(lhs, ly)).subs(eps, 0)
                      .subs(ly, sp.log(y0)))
    log("d ln y/dε at ε = 0 (implicit differentiation)", dly)
    f = sp.log(y0) + eps * dly - sp.log(x)
    log("ln E = ln y − ln x + const, to first order in ε", f)
    x0 = solve_positive(sp.diff(f.subs(eps, 0), x), x)
    log("ε = 0 optimum x₀ = B_min/B_opt", x0)
    g1 = sp.diff(f, x)
    g2 = sp.diff(f.subs(eps, 0), x, 2)
    dx = sp.simplify((-(g1 / g2).subs(x, x0)).diff(eps).subs(eps, 0))
    log("First-order shift of the optimum: dx/dε = −∂²f/∂x∂ε / ∂²f/∂x² at x₀", dx)
    y_opt = sp.simplify(y0.subs(x, x0))
    log("y_opt = S_opt/S_min at ε = 0", y_opt)
    ratio0 = sp.simplify(1 / x0)
    rel = sp.simplify(-dx / x0)
    log("B_opt/B_min = 1/x = (1/x₀)(1 + rel·ε), rel =", rel)
    # ε = κ t_min^(−p) = τ(t_opt)·y_opt^p
    coef = sp.simplify(sp.powsimp(rel * y_opt ** p, force=True))
    log("In terms of τ(t_opt) = κ t_opt^(−p) = ε y_opt^(−p): relative correction coefficient",
        coef)
    dlny = sp.simplify(((sp.diff(sp.log(y0), x) * dx + dly) * y_opt ** p).subs(x, x0))
    dlny = sp.simplify(sp.powsimp(dlny.subs(x, x0), force=True))
    log("S_opt/S_min to first order: d ln y_opt/dε = (d ln y₀/dx)·dx/dε + d ln y/dε at x₀; "
        "per unit τ(t_opt) = ε y_opt^(−p)", dlny)
    p_beta = sp.expand(-kernel_derivation().results["tail_exponent"])
    log("Kernel-tail exponent p = 1 − 1/β (C-KERNEL)", p_beta)
    coef_beta = sp.simplify(coef.subs(p, p_beta))
    log("Coefficient with p = 1 − 1/β", coef_beta)
    sign = sp.simplify(coef_beta.subs(beta, 1 + sp.Symbol("d", positive=True)))
    log("It is negative for every s > 0, β > 1 (1 + s − p > s > 0): B_opt sits below "
        "(1 + 1/s) B_min", sign)
    # t_opt ∝ ℓ^(−1/s) (signal: A_e t_min^(−s) = ℓ), τ ∝ t^(−p) → correction ∝ ℓ^(p/s)
    sig = signal_derivation().results
    t_min = solve_positive(sp.Eq(A_e * t ** sig["signal_exponent"], ell), t)
    log("t_min from the signal A_e t^(−s) = ℓ (C-SIGNAL)", t_min)
    corr_l = (y_opt * t_min) ** (-p_beta)
    corr_exp = power_exponent(corr_l, ell)
    log("τ(t_opt) ∝ (y_opt t_min)^(−p) ∝ ℓ^k with k =", corr_exp)
    hard_gap = sp.simplify(corr_exp - 1)
    log("k − 1 = (1 − 1/β − s)/s: k > 1 iff s < 1 − 1/β (hard): the correction then "
        "vanishes faster than ℓ (faster than the O(ℓ/σ²) multiplicative-noise terms); "
        "in the easy regime k ≤ 1 and it decays slowly (ℓ^(1/2) at β = 2, s = 1)", hard_gap)
    # finite M: e_M = A_e t^(−s) − c_M shifts the signal target ℓ → ℓ + c_M
    lnE_M = -sp.log(x) - sp.log(1 - x * ell / (ell + c_M)) / s
    x_M = solve_positive(sp.Eq(sp.diff(lnE_M, x), 0), x)
    fin = sp.simplify(1 / x_M / ratio0)
    log("Finite M (C-SIGNAL): e_M = A_e t^(−s) − c_M, so (1 − x) becomes 1 − xℓ/(ℓ + c_M); "
        "the optimum x = B_min/B_opt gives the factor", fin)
    tau_s = sp.Symbol("tau_opt", positive=True)
    full = ratio0 * fin * (1 + coef_beta * tau_s)
    log("Leading-order prediction", full)
    kernel_res = kernel_derivation().results
    tail_over = sp.simplify(kernel_res["K_tail"].subs(SYMBOLS["u"], t) / kernel_res["K_integral"])
    log("τ(t) = ∫_t^∞K/∫_0^∞K with the asymptotic tail (C-KERNEL), M = ∞", tail_over)
    return Derivation(
        claim="C-BOPT",
        title="B_opt/B_min and its noise-transient correction",
        section="§8",
        statement="B_opt/B_min = (1 + 1/s)·ℓ/(ℓ + c_M)·[1 − (1 − (1 − 1/β)/(1 + s))·τ(t_opt)] "
        "to first order, τ(t) = ∫_t^∞K/∫_0^∞K, t_opt = ηS_opt; the correction ∝ "
        "ℓ^((1−1/β)/s) vanishes as ℓ → 0, faster than ℓ iff the task is hard.",
        assumptions=(
            "noise part F·(1 − τ(t)) (σ²-dominated (V), constant γ, first order in τ)",
            "first order in ε = τ(t_min); the 1/(1 − q) factor of the full (V) multiplies "
            "signal and transient alike and cancels from the ratio at this order",
            "finite M: t_opt ≪ M^β, so e_M ≈ A_e t^(−s) − c_M (C-SIGNAL)",
        ),
        steps=tuple(log.steps),
        results={
            "B_opt_ratio_leading": ratio0,
            "x_opt_leading": x0,
            "first_order_rel_eps": rel,
            "correction_coefficient": coef_beta,
            "correction_coefficient_p": coef,
            "correction_exponent": corr_exp,
            "hard_minus_one": hard_gap,
            "finite_M_factor": fin,
            "B_opt_ratio_corrected": full,
            "tail_fraction": tail_over,
            "S_opt_ratio_leading": y_opt,
            "S_opt_correction_coefficient": sp.simplify(dlny.subs(p, p_beta)),
        },
    )

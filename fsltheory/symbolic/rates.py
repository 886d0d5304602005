"""Data-limited rates of fixed-batch learning-rate schedules (docs/theory.md §5, C-RATES).

For each schedule the leading-order FSL is written as a function of the peak learning rate
η₀, the number of steps N (= D at fixed batch) and L = log N, from the σ²-dominated
noise integral (σ²/2)∫_0^T K(T − t)γ(t)dt with the power-law kernel K ≈ A_K u^(−(2−1/β))
of C-KERNEL and the signal e(T) ≈ A T^(−s) of C-SIGNAL:

* constant η:   J = A(ηN)^(−s) + floor, floor ∝ η (C-FLOOR, leading order in γ);
* exponential decay η(z) = η₀e^(−zL/N) (final LR η₀/N): in intrinsic time the LR decays
  linearly, γ(t) ∝ η₀(1 − t/T), to T = η₀N/L, so noise ∝ (η₀/T)∫_0^T uK(u)du;
* WSD: constant η₀ for most steps, then the same exponential decay over a fixed fraction f
  of the N steps: T ≈ η₀N, decay length T₂ = η₀fN/L, noise ∝ η₀∫_{T₂}^∞ K +
  (η₀/T₂)∫_0^{T₂} uK(u)du.

sympy minimises J over η₀ (L treated as an independent slowly varying symbol — leading
order) and reads off the exponents of N and L.  If the optimal η₀ grows with N the
stability bound caps it (η₀ = const), which is the hard regime.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .core import SYMBOLS, Derivation, StepLog, power_exponent, s, solve_positive
from .kernels import kernel_derivation, signal_derivation

__all__ = ["rates_derivation"]

N, L, A, eta0, u, T = (SYMBOLS[k] for k in ("N", "L", "A", "eta0", "u", "T"))
A_K = sp.Symbol("A_K", positive=True)
f = sp.Symbol("f", positive=True)  # fraction of steps in the WSD decay phase
Cf = sp.Symbol("C_floor", positive=True)


def _optimise(log: StepLog, name: str, J: sp.Expr) -> dict[str, sp.Expr]:
    """Minimise J(η₀) and return exponents (easy: optimal η₀; hard: η₀ capped)."""
    log(f"{name}: J(η₀)", J)
    e_star = solve_positive(sp.diff(J, eta0), eta0)
    log(f"{name}: dJ/dη₀ = 0 ⇒ η₀*", e_star)
    e_exp = sp.factor(power_exponent(e_star, N))
    log(f"{name}: η₀* ∝ N^", e_exp)
    J_star = sp.simplify(J.subs(eta0, e_star))
    out = {
        "eta_exponent": e_exp,
        "easy": sp.factor(power_exponent(J_star, N)),
        "easy_log": sp.factor(power_exponent(J_star, L)),
    }
    log(f"{name}: J* ∝ N^ (optimal η₀)", out["easy"])
    log(f"{name}: J* ∝ L^ (optimal η₀)", out["easy_log"])
    # Hard regime: η₀* would grow (e_exp > 0) → capped at a constant; the dominant term of
    # J at η₀ = const is the slowest-decaying one.
    terms = sp.Add.make_args(sp.expand(J))
    exps = [(power_exponent(tm, N), power_exponent(tm, L), tm) for tm in terms]
    log(f"{name}: at capped η₀, exponents (N, L) of each term",
        sp.Tuple(*[sp.Tuple(a, b) for a, b, _ in exps]))
    out["terms"] = exps
    return out


@cache
def rates_derivation() -> Derivation:
    """C-RATES: constant D^(−s/(s+1)); exp decay (D/log D)^(−sβ/(1+sβ)) easy,
    (D/log D)^(−s) hard; WSD D^(−sβ/(1+sβ))(log D)^((sβ−s)/(1+sβ)) easy, D^(−s) hard."""
    log = StepLog()
    se, k = signal_derivation().results["signal_exponent"], kernel_derivation().results[
        "kernel_exponent"
    ]
    K = A_K * u**k
    uK = sp.simplify(sp.integrate(u * K, (u, 0, T), conds="none"))
    log("∫_0^T u K(u) du (converges at 0 since k + 2 = 1/β > 0)", uK)
    tail = sp.simplify(sp.integrate(K, (u, T, sp.oo), conds="none"))
    log("∫_T^∞ K", tail)
    # constant LR
    const = _optimise(log, "constant", A * (eta0 * N) ** se + Cf * eta0)
    # exponential decay: T = η₀N/L, noise (η₀/T)∫_0^T uK
    T_exp = eta0 * N / L
    J_exp = A * T_exp**se + sp.simplify((eta0 / T * uK).subs(T, T_exp))
    expd = _optimise(log, "exponential", J_exp)
    # WSD: T ≈ η₀N, decay phase T₂ = η₀fN/L
    T2 = eta0 * f * N / L
    noise_wsd = sp.simplify((eta0 * tail + eta0 / T * uK).subs(T, T2))
    wsd = _optimise(log, "WSD", A * (eta0 * N) ** se + noise_wsd)
    boundary = solve_positive(sp.Eq(sp.numer(sp.together(expd["eta_exponent"])), 0), s)
    log("η₀* grows with N (capped: hard regime) iff s <", boundary)

    def capped(name, d):  # signal term at constant η₀; it is the slowest iff s < 1 − 1/β
        sig = [(a, b) for a, b, tm in d["terms"] if tm.has(A)][0]
        noise = [(a, b) for a, b, tm in d["terms"] if not tm.has(A)][0]
        gap = sp.factor(sig[0] - noise[0])
        log(f"{name}, capped η₀: N-exponent of signal minus noise (> 0 iff s < 1 − 1/β)", gap)
        return sig

    exp_hard, wsd_hard = capped("exponential", expd), capped("WSD", wsd)
    log("Hard regime, exponential: signal term (N/L)^(−s) dominates; exponents (N, L)",
        sp.Tuple(*exp_hard))
    log("Hard regime, WSD: signal term N^(−s); exponents (N, L)", sp.Tuple(*wsd_hard))
    return Derivation(
        claim="C-RATES",
        title="Data-limited rates of LR schedules (fixed batch)",
        section="§5",
        statement="constant LR D^(−s/(s+1)); exponential decay (D/log D)^(−sβ/(1+sβ)) easy, "
        "(D/log D)^(−s) hard; WSD D^(−sβ/(1+sβ))(log D)^((sβ−s)/(1+sβ)) easy, D^(−s) hard.",
        assumptions=(
            "σ²-dominated FSL; e ≈ A T^(−s), K ≈ A_K u^(−(2−1/β)); constant-LR noise = floor "
            "∝ η (leading order in γ)",
            "exponential decay to η₀/N: γ linear in intrinsic time, T = η₀N/log N",
            "WSD: decay over a fixed fraction f of steps, T ≈ η₀N, decay length η₀fN/log N",
            "L = log N treated as independent of N when optimising (leading order)",
            "hard regime (s < 1 − 1/β): η₀ capped at the stability bound, signal term dominates",
        ),
        steps=tuple(log.steps),
        results={
            "constant": const["easy"],
            "constant_eta_exponent": const["eta_exponent"],
            "exp_easy": expd["easy"],
            "exp_easy_log": expd["easy_log"],
            "exp_hard": exp_hard[0],
            "exp_hard_log": exp_hard[1],
            "wsd_easy": wsd["easy"],
            "wsd_easy_log": wsd["easy_log"],
            "wsd_hard": wsd_hard[0],
            "wsd_hard_log": wsd_hard[1],
            "regime_boundary": boundary,
        },
    )

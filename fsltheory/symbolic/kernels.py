"""Closed forms of the signal term and the noise-forgetting kernel (docs/theory.md §4).

Both spectral sums of docs/theory.md §3 have the shape ``Σ_j j^(−p) exp(−2 j^(−β) x)``:

* signal term  e(t) = ½ Σ_j λ_j θ*_j² e^(−2λ_j t) = ½ Σ_j j^(−(1+sβ)) e^(−2 j^(−β) t),
* kernel       K(u) = Σ_j λ_j² e^(−2λ_j u)        = Σ_j j^(−2β) e^(−2 j^(−β) u).

:func:`spectral_sum_asymptotic` derives their large-argument behaviour the way §4 says:
replace the sum by its integral over j ∈ (0, ∞) (leading order: the summand is smooth and
the small-j region contributes only exponentially small terms), substitute
u = 2x j^(−β), and let sympy evaluate the resulting Gamma integral.  The exact identities
K(0) = ζ(2β) and ∫_0^∞ K = ζ(β)/2 are summed by sympy term by term, and the finite-M
corrections come from the missing tails ∫_M^∞.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .core import SYMBOLS, Derivation, StepLog, beta, power_exponent, s, substitute_integral

__all__ = [
    "spectral_sum_asymptotic",
    "assume_beta_gt_1",
    "sum_over_modes",
    "limit_beta_gt_1",
    "signal_derivation",
    "kernel_derivation",
    "signal_asymptotic",
    "kernel_asymptotic",
    "kernel_tail_asymptotic",
]

j, t, u, v, M = (SYMBOLS[k] for k in ("j", "t", "u", "v", "M"))
_delta = sp.Symbol("delta_beta", positive=True)


def assume_beta_gt_1(expr: sp.Expr) -> sp.Expr:
    """Resolve sympy's convergence Piecewise under the model's assumption β > 1 (§1).

    Substitutes β = 1 + δ with δ > 0 (so conditions such as ``β > 1/2`` evaluate to True),
    then substitutes back.
    """
    return sp.simplify(expr.subs(beta, 1 + _delta)).subs(_delta, beta - 1)


def limit_beta_gt_1(expr: sp.Expr, x: sp.Symbol, point=sp.oo) -> sp.Expr:
    """``lim_{x→point} expr`` under the model's assumption β > 1 (β = 1 + δ, δ > 0)."""
    return sp.simplify(sp.limit(expr.subs(beta, 1 + _delta), x, point).subs(_delta, beta - 1))


def sum_over_modes(expr: sp.Expr) -> sp.Expr:
    """``Σ_{j≥1} expr`` by sympy, constants pulled out, convergence resolved for β > 1."""
    const, f = expr.as_independent(j, as_Add=False)
    return sp.simplify(const * assume_beta_gt_1(sp.summation(f, (j, 1, sp.oo))))


def spectral_sum_asymptotic(p: sp.Expr, x: sp.Symbol, log: StepLog | None = None):
    """Leading-order form of ``Σ_j j^(−p) exp(−2 j^(−β) x)`` as x → ∞ (docs/theory.md §4).

    Assumption (leading order): the sum over j ≥ 1 is replaced by ∫_0^∞ dj.  The
    substitution u = 2x j^(−β), i.e. j = (2x/u)^(1/β), turns the integral into
    (1/β)(2x)^(−(p−1)/β) ∫_0^∞ u^((p−1)/β − 1) e^(−u) du = Γ((p−1)/β)/β · (2x)^(−(p−1)/β).

    Returns ``(expr, exponent, constant)`` with ``expr = constant · (2x)^exponent``; all three
    are produced by sympy (substitution, Gamma integral, log-derivative).
    """
    log = log or StepLog()
    summand = j ** (-p) * sp.exp(-2 * x * j ** (-beta))
    log("Summand of the spectral sum (λ_j = j^(−β))", summand)
    uu = sp.Symbol("w", positive=True)
    g = substitute_integral(summand, j, uu, (2 * x / uu) ** (1 / beta))
    log(f"Sum → ∫_0^∞ dj; substitute w = 2{x}·j^(−β), j = (2{x}/w)^(1/β); integrand in w", g)
    val = sp.integrate(g, (uu, 0, sp.oo), conds="none")
    val = sp.simplify(sp.powsimp(val, force=True))
    log("Gamma integral over w ∈ (0, ∞) (sympy)", val)
    direct = sp.integrate(summand, (j, 0, sp.oo), conds="none")
    check = sp.simplify(sp.powsimp(direct - val, force=True))
    log("Cross-check: sympy integrates over j directly; difference", check)
    if check != 0:
        raise ArithmeticError(f"substitution and direct integral disagree: {check}")
    exponent = power_exponent(val, x)
    const = sp.simplify(sp.powsimp(val * (2 * x) ** (-exponent), force=True))
    log(f"Exponent of {x} (log-derivative) and constant in front of (2{x})^exponent",
        sp.Tuple(exponent, const))
    a = sp.expand(-exponent)
    gamma_form = sp.gamma(a) / beta
    diff = sp.simplify(sp.gammasimp(const - gamma_form))
    log(f"Same constant written as Γ(a)/β with a = {sp.sstr(a)} (Γ(x+1) = xΓ(x)); difference",
        diff)
    if diff == 0:
        const = gamma_form
    expr = sp.Mul(const, sp.Pow(2 * x, exponent, evaluate=False), evaluate=False)
    return expr, exponent, const


@cache
def signal_derivation() -> Derivation:
    """C-SIGNAL: e(t) ~ Γ(s)/(2β)·(2t)^(−s), and the finite-M correction (docs/theory.md §4).

    Assumptions: leading order in t (sum → integral); for the finite-M correction
    t ≪ M^β so that e^(−2 j^(−β) t) ≈ 1 for j > M.
    """
    log = StepLog()
    weight = j ** (-(1 + s * beta))
    log("Signal weight λ_j θ*_j² (docs/theory.md §1)", weight)
    expr, exponent, const = spectral_sum_asymptotic(1 + s * beta, t, log)
    e_asym = sp.Mul(const / 2, sp.Pow(2 * t, exponent, evaluate=False), evaluate=False)
    log("e(t) = ½ × sum", e_asym)
    tail = sp.simplify(sp.integrate(weight / 2, (j, M, sp.oo), conds="none"))
    log("Finite M (t ≪ M^β): missing modes contribute ½∫_M^∞ j^(−(1+sβ)) dj", tail)
    return Derivation(
        claim="C-SIGNAL",
        title="Signal term e(t)",
        section="§4",
        statement="e(t) ~ Γ(s)/(2β)·(2t)^(−s) as t → ∞; with M modes, "
        "e_M(t) ≈ Γ(s)/(2β)·(2t)^(−s) − M^(−sβ)/(2sβ) for t ≪ M^β.",
        assumptions=(
            "leading order in t: Σ_{j≥1} replaced by ∫_0^∞ dj",
            "finite-M correction: t ≪ M^β so that e^(−2j^(−β)t) ≈ 1 for j > M",
        ),
        steps=tuple(log.steps),
        results={
            "e_asymptotic": e_asym,
            "signal_exponent": exponent,
            "signal_constant": sp.simplify(const / 2),
            "finite_M_correction": -tail,
            "e_finite_M": e_asym - tail,
        },
    )


@cache
def kernel_derivation() -> Derivation:
    """C-KERNEL: K(u) ~ Γ(2−1/β)/β·(2u)^(−(2−1/β)), K(0) = ζ(2β), ∫K = ζ(β)/2, tail (§4).

    Assumptions: leading order in u (sum → integral) for the asymptotic form and the tail;
    K(0) and ∫_0^∞ K are exact (sympy sums the series for β > 1).
    """
    log = StepLog()
    summand = j ** (-2 * beta) * sp.exp(-2 * j ** (-beta) * u)
    log("Kernel summand λ_j² e^(−2λ_j u) (docs/theory.md §3)", summand)
    K_asym, exponent, const = spectral_sum_asymptotic(2 * beta, u, log)
    log("K(u) ~", K_asym)
    K0 = sum_over_modes(summand.subs(u, 0))
    log("K(0) = Σ_j j^(−2β) (sympy summation, β > 1)", K0)
    per_mode = sp.simplify(sp.integrate(summand, (u, 0, sp.oo), conds="none"))
    log("∫_0^∞ λ_j² e^(−2λ_j u) du per mode", per_mode)
    intK = sum_over_modes(per_mode)
    log("∫_0^∞ K = Σ_j of that (β > 1)", intK)
    tail = sp.integrate(K_asym.subs(u, v), (v, u, sp.oo), conds="none")
    tail = sp.simplify(sp.powsimp(tail, force=True))
    log("Tail ∫_u^∞ K(v) dv with the asymptotic form (converges since 2 − 1/β > 1)", tail)
    tail_exp = power_exponent(tail, u)
    tail_const = sp.simplify(sp.powsimp(tail * (2 * u) ** (-tail_exp), force=True))
    # the same constant in terms of the kernel constant: ∫_u^∞ c(2v)^k dv = c(2u)^(k+1)/(2|k+1|)
    alt = const / (2 * sp.expand(-tail_exp))
    diff = sp.simplify(sp.gammasimp(tail_const - alt))
    log("Tail constant as (kernel constant)/(2(1 − 1/β)); difference", diff)
    if diff == 0:
        tail_const = alt
    tail_expr = sp.Mul(tail_const, sp.Pow(2 * u, tail_exp, evaluate=False), evaluate=False)
    log("Tail = constant · (2u)^exponent", tail_expr)
    tail_M = sp.simplify(sp.integrate(j ** (-2 * beta), (j, M, sp.oo), conds="none"))
    log("Finite M: K_M(u) misses Σ_{j>M} λ_j² ≈ ∫_M^∞ j^(−2β) dj (u ≪ M^β)", tail_M)
    return Derivation(
        claim="C-KERNEL",
        title="Noise-forgetting kernel K(u)",
        section="§4",
        statement="K(u) ~ Γ(2−1/β)/β·(2u)^(−(2−1/β)); K(0) = ζ(2β); ∫_0^∞ K = ζ(β)/2; "
        "∫_u^∞ K ~ Γ(2−1/β)/(2β(1−1/β))·(2u)^(−(1−1/β)); finite-M tail M^(1−2β)/(2β−1).",
        assumptions=(
            "asymptotic form and tail: leading order in u (Σ_{j≥1} replaced by ∫_0^∞ dj)",
            "K(0), ∫K: exact series, β > 1",
            "finite-M tail: u ≪ M^β so that e^(−2j^(−β)u) ≈ 1 for j > M",
        ),
        steps=tuple(log.steps),
        results={
            "K_asymptotic": K_asym,
            "kernel_exponent": exponent,
            "kernel_constant": const,
            "K0": K0,
            "K_integral": intK,
            "K_tail": tail_expr,
            "tail_exponent": tail_exp,
            "tail_constant": tail_const,
            "finite_M_tail": tail_M,
        },
    )


def signal_asymptotic() -> sp.Expr:
    """Γ(s)/(2β)·(2t)^(−s) (derived; see :func:`signal_derivation`)."""
    return signal_derivation().results["e_asymptotic"]


def kernel_asymptotic() -> sp.Expr:
    """Γ(2−1/β)/β·(2u)^(−(2−1/β)) (derived; see :func:`kernel_derivation`)."""
    return kernel_derivation().results["K_asymptotic"]


def kernel_tail_asymptotic() -> sp.Expr:
    """∫_u^∞ K ~ Γ(2−1/β)/(2β(1−1/β))·(2u)^(−(1−1/β)) (derived)."""
    return kernel_derivation().results["K_tail"]

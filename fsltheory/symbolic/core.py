"""Shared machinery of the symbolic derivations: symbols, derivation records, numeric twins.

Every derivation of :mod:`fsltheory.symbolic` returns a :class:`Derivation`: the claim ID,
its statement (docs/theory.md §4–§5), the assumptions it makes (typically "leading order: replace
the spectral sum by its integral" or "use the power-law form of K"), the list of
intermediate steps (each a sentence plus the sympy expression sympy produced at that
point), and a dict of named results.  ``Derivation.numeric[name]`` is the
:func:`sympy.lambdify`'d twin of ``results[name]``, called with keyword arguments named
like the free symbols (``beta``, ``s``, ``D``, …).

Nothing here types a result in: the helpers below only differentiate, integrate, solve
and read exponents off expressions that the derivations build from the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy as sp

from ..errors import InvalidParameterError

__all__ = [
    "beta",
    "s",
    "SYMBOLS",
    "Step",
    "Derivation",
    "NumericTwin",
    "power_exponent",
    "solve_positive",
    "leading_ratio",
    "substitute_integral",
    "tidy_sign",
    "to_latex",
]

# ---------------------------------------------------------------------------- symbols
#: capacity exponent β (> 1 in the model; sympy only knows it is positive)
beta = sp.Symbol("beta", positive=True)
#: source exponent s > 0
s = sp.Symbol("s", positive=True)

#: all named symbols, by their sympy name (used by the numeric twins and the CLI)
SYMBOLS: dict[str, sp.Symbol] = {
    name: sp.Symbol(name, positive=True)
    for name in [
        "t", "u", "z", "j", "v", "T", "D", "M", "R", "S", "P", "N", "L", "tau", "t_s",
        "eta", "eta0", "B", "B1", "B2", "B_min", "sigma", "gamma", "gamma1", "gamma2",
        "lam", "E", "A", "C", "c", "mu", "kappa", "r",
    ]
}
SYMBOLS["beta"] = beta
SYMBOLS["s"] = s


# ------------------------------------------------------------------ derivation record
@dataclass(frozen=True)
class Step:
    """One step of a derivation: what was done, and the sympy expression it produced."""

    text: str
    expr: Any = None  # sympy expression / Eq / None


class NumericTwin:
    """Floating-point twin of a sympy expression (via :func:`sympy.lambdify`).

    Call with keyword arguments named like the expression's free symbols, e.g.
    ``twin(beta=2.0, s=0.5)``; numpy arrays broadcast.  Expressions containing ζ use
    mpmath element-wise (numpy has no zeta); everything else is evaluated with numpy.
    """

    def __init__(self, expr: sp.Expr):
        self.expr = _as_expr("expr", expr)
        self.args: tuple[str, ...] = tuple(sorted(str(x) for x in self.expr.free_symbols))
        syms = [SYMBOLS.get(a, sp.Symbol(a)) for a in self.args]
        # match the exact symbol objects occurring in the expression
        by_name = {str(x): x for x in self.expr.free_symbols}
        syms = [by_name[a] for a in self.args]
        self._needs_mpmath = self.expr.has(sp.zeta)
        if self._needs_mpmath:
            f = sp.lambdify(syms, self.expr, modules="mpmath")
            self._f = np.vectorize(lambda *a: float(f(*a)), otypes=[float])
        else:
            self._f = sp.lambdify(syms, self.expr, modules="numpy")

    def __call__(self, *args, **kwargs):
        if args and kwargs:
            raise TypeError("pass either positional or keyword arguments, not both")
        if kwargs:
            missing = [a for a in self.args if a not in kwargs]
            extra = [k for k in kwargs if k not in self.args]
            if missing or extra:
                raise TypeError(
                    f"numeric twin of {self.expr} takes arguments {self.args}; "
                    f"missing {missing}, unexpected {extra}"
                )
            args = tuple(kwargs[a] for a in self.args)
        if len(args) != len(self.args):
            raise TypeError(f"numeric twin of {self.expr} takes arguments {self.args}")
        with np.errstate(all="ignore"):
            out = self._f(*args) if self.args else self._f()
        if np.ndim(out) == 0:
            return float(out)
        return np.asarray(out, dtype=float)

    def __repr__(self) -> str:
        return f"NumericTwin({self.expr}, args={self.args})"


@dataclass(frozen=True)
class Derivation:
    """The derivation of one claim: statement, assumptions, steps and named results.

    Attributes
    ----------
    claim : str
        Claim ID of docs/theory.md §4–§5 (``"C-OPT-EASY"``, …).
    title, statement, section : str
        Short title, the statement being derived, and the docs/theory.md section (``"§5"``).
    assumptions : tuple of str
        Every approximation the derivation makes (e.g. leading-order power-law forms).
    steps : tuple of Step
        The intermediate expressions, in order, as sympy produced them.
    results : dict
        Named sympy results (exponents, constants, schedules).
    """

    claim: str
    title: str
    statement: str
    section: str
    assumptions: tuple[str, ...]
    steps: tuple[Step, ...]
    results: Mapping[str, sp.Expr]
    _numeric: dict[str, NumericTwin] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:  # cached and shared: make the results read-only
        object.__setattr__(self, "results", MappingProxyType(dict(self.results)))
        object.__setattr__(self, "steps", tuple(self.steps))

    @property
    def numeric(self) -> dict[str, NumericTwin]:
        """``{name: NumericTwin}`` for every result (built lazily, then cached)."""
        if not self._numeric:
            for k, v in self.results.items():
                self._numeric[k] = NumericTwin(v)
        return self._numeric

    def to_dict(self, latex: bool = False) -> dict[str, Any]:
        """JSON-ready dict: results as strings (sympy ``str`` or LaTeX)."""
        fmt = to_latex if latex else sp.sstr
        return {
            "id": self.claim,
            "title": self.title,
            "section": self.section,
            "statement": self.statement,
            "assumptions": list(self.assumptions),
            "results": {k: fmt(v) for k, v in self.results.items()},
            "steps": [
                {"text": st.text, "expr": None if st.expr is None else fmt(st.expr)}
                for st in self.steps
            ],
        }


class StepLog:
    """Small builder used by the derivation functions to record steps as they go."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def __call__(self, text: str, expr: Any = None) -> Any:
        self.steps.append(Step(text, expr))
        return expr


# -------------------------------------------------------------------------- helpers
_LATEX_NAMES = {
    "lam": r"\lambda",
    "eta0": r"\eta_{0}",
    "B_min": r"B_{\min}",
    "I_sqrtK": r"I_{\sqrt{K}}",
    "K_T_minus_t": r"K(T-t)",
    "A_K": r"A_{K}",
    "t_s": r"t_{s}",
    "Khat0": r"\hat K(0)",
    "ehat0": r"\hat e(0)",
    "Ehat": r"\hat E",
    "C_floor": r"C_{\mathrm{floor}}",
}


def to_latex(expr: Any) -> str:
    """LaTeX of a sympy object with the toolkit's symbol names (λ, η₀, B_min, …)."""
    expr = sp.sympify(expr)
    names = {x: _LATEX_NAMES[str(x)] for x in getattr(expr, "free_symbols", set())
             if str(x) in _LATEX_NAMES}
    return sp.latex(expr, symbol_names=names)


def tidy_sign(expr: sp.Expr) -> sp.Expr:
    """Rewrite ``−a/(b − c)`` as ``a/(c − b)`` (display only; the value is unchanged)."""
    n, d = sp.fraction(sp.together(expr))
    if n.could_extract_minus_sign() and not d.is_number:
        return (-n) / sp.expand(-d)
    return expr


def _as_expr(name: str, expr) -> sp.Expr:
    try:
        e = sp.sympify(expr, strict=True)
    except (sp.SympifyError, TypeError, ValueError):
        e = None
    if not isinstance(e, sp.Expr):
        raise InvalidParameterError(
            f"{name} must be a sympy expression, got {type(expr).__name__}")
    return e


def _as_symbol(name: str, x) -> sp.Symbol:
    if not isinstance(x, sp.Symbol):
        raise InvalidParameterError(f"{name} must be a sympy Symbol, got {type(x).__name__}")
    return x


def power_exponent(expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Exponent p of a pure power law ``expr = c · x^p`` (p may be symbolic).

    Computed as the logarithmic derivative ``x · d log(expr)/dx``.  Raises
    ``ValueError`` if the result still depends on x (the expression is not a pure power of
    x — the caller must first reduce it to its leading-order form).
    """
    expr, x = _as_expr("expr", expr), _as_symbol("x", x)
    p = _structural_exponent(sp.sympify(expr), x)
    if p is not None:
        return sp.simplify(p)
    logd = sp.expand_log(sp.log(sp.powsimp(sp.sympify(expr), force=True)), force=True)
    p = sp.simplify(sp.diff(logd, x) * x)
    if p.has(x):
        raise ValueError(f"{expr} is not a pure power of {x} (log-derivative {p})")
    return p


def _structural_exponent(expr: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """The exponent of x in ``expr`` read off its tree (products add exponents, a power
    multiplies them, a sum needs every term to carry the same exponent); None where the
    tree is not of that form (the caller then uses the log-derivative)."""
    if not expr.has(x):
        return sp.Integer(0)
    if expr == x:
        return sp.Integer(1)
    if isinstance(expr, sp.Mul):
        parts = [_structural_exponent(a, x) for a in expr.args]
        return None if any(q is None for q in parts) else sp.Add(*parts)
    if isinstance(expr, sp.Pow) and not expr.exp.has(x):
        q = _structural_exponent(expr.base, x)
        return None if q is None else expr.exp * q
    if isinstance(expr, sp.Add):
        parts = [_structural_exponent(a, x) for a in expr.args]
        if any(q is None for q in parts):
            return None
        if any(sp.simplify(q - parts[0]) != 0 for q in parts[1:]):
            return None
        return parts[0]
    return None


def solve_positive(eq: sp.Eq | sp.Expr, x: sp.Symbol) -> sp.Expr:
    """The unique positive solution of ``eq`` for x (all symbols positive)."""
    # sympy's own symbolic check of candidate roots is slow; each candidate is instead
    # checked numerically at a generic point (β = 2.37, other symbols ∈ (0.3, 1.7), x from
    # the candidate) to relative accuracy 1e-9.
    mono = _monomial_root(eq, x)
    if mono is not None and _residual_ok(eq, x, mono):
        return mono
    sols = [sp.simplify(v) for v in sp.solve(eq, x, check=False)]
    sols = [v for v in sols if v.is_positive is not False and _residual_ok(eq, x, v)]
    if len(sols) != 1:
        raise ValueError(f"expected one positive solution of {eq} for {x}, got {sols}")
    return sols[0]


def _monomial_root(eq: sp.Eq | sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """The root of ``lhs = rhs`` (or of a two-term ``t₁ + t₂ = 0``, read as
    ``t₁ = −t₂``) when ``lhs/rhs`` is a product of powers (all symbols positive).

    Then ``log(lhs/rhs) = a·log x + Σ cᵢ log bᵢ + c₀`` is linear in ``log x`` and
    ``x = exp(−c₀/a) · Π bᵢ^(−cᵢ/a)``, unique and positive.  None when the equation is not
    of that form (the caller falls back to :func:`sympy.solve`, which reaches the same
    root far more slowly through polynomial GCDs)."""
    if isinstance(eq, sp.Equality):
        lhs, rhs = eq.lhs, eq.rhs
    else:
        lhs, rhs = eq, sp.Integer(0)
    if rhs == 0 or lhs == 0 or isinstance(lhs, sp.Add) or isinstance(rhs, sp.Add):
        # a two-term balance t₁ + t₂ = 0 is the monomial equation t₁ = −t₂
        terms = sp.Add.make_args(sp.expand(lhs - rhs))
        if len(terms) != 2 or any(isinstance(t, sp.Add) for t in terms):
            return None
        lhs, rhs = terms[0], -terms[1]
        if not (lhs / rhs).as_coeff_Mul()[0].is_positive:
            return None
    y = sp.Dummy("y")
    logs = sp.expand(sp.expand_log(sp.log(sp.powsimp(lhs / rhs, force=True)), force=True))
    logs = logs.subs(sp.log(x), y)
    if logs.has(x):
        return None
    a = sp.simplify(sp.diff(logs, y))
    rest = sp.expand(logs - a * y)
    if a == 0 or a.has(y) or rest.has(y):
        return None
    factors = []
    for term in sp.Add.make_args(rest):
        coeff, logs_ = term.as_independent(sp.log, as_Add=False)
        if isinstance(logs_, sp.log):
            factors.append(logs_.args[0] ** sp.simplify(-coeff / a))
        elif not term.has(sp.log):
            factors.append(sp.exp(sp.simplify(-term / a)))
        else:
            return None
    return sp.powdenest(sp.expand_power_base(sp.Mul(*factors), force=True), force=True)


def _residual_ok(eq: sp.Eq | sp.Expr, x: sp.Symbol, val: sp.Expr) -> bool:
    expr = (eq.lhs - eq.rhs) if isinstance(eq, sp.Equality) else eq
    others = sorted((expr.free_symbols | val.free_symbols) - {x}, key=str)
    point = {
        y: sp.Rational(237, 100) if y == beta else sp.Rational(30 + 140 * ((7 * i + 3) % 11), 1100)
        for i, y in enumerate(others)
    }
    xv = val.evalf(40, subs=point)
    if not (xv.is_real and xv > 0):
        return False
    sub = {**point, x: xv}
    terms = sp.Add.make_args(expr)
    if len(terms) == 1:  # a single product: compare the terms of its numerator instead
        expr = sp.expand(sp.numer(sp.together(expr)))
        terms = sp.Add.make_args(expr)
    scale = sum(abs(complex(tm.evalf(40, subs=sub))) for tm in terms)
    res = abs(complex(expr.evalf(40, subs=sub)))
    return res <= 1e-20 * max(scale, 1e-300)


def leading_ratio(expr: sp.Expr, approx: sp.Expr, x: sp.Symbol, point=sp.oo) -> sp.Expr:
    """``lim_{x→point} expr/approx`` — equals 1 when ``approx`` is the leading-order form."""
    return sp.limit(sp.simplify(expr / approx), x, point)


def substitute_integral(
    integrand: sp.Expr, old: sp.Symbol, new: sp.Symbol, old_of_new: sp.Expr
) -> sp.Expr:
    """Change of variables ``old = old_of_new(new)``: returns ``f(old(new))·|d old/d new|``,
    simplified (orientation handled by the absolute value; the caller sets the limits)."""
    jac = sp.diff(old_of_new, new)
    g = integrand.subs(old, old_of_new) * sp.Abs(jac)
    return sp.simplify(sp.powsimp(sp.powdenest(g, force=True), force=True))

"""The symbolic helpers ``solve_positive`` and ``power_exponent`` (fsltheory.symbolic.core):
the monomial fast paths must give what sympy's general solver / the log-derivative give,
and the general paths must still be taken where the fast ones do not apply."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from fsltheory.symbolic.core import (
    _monomial_root,
    _structural_exponent,
    power_exponent,
    solve_positive,
)

a, b, c, x, y = sp.symbols("a b c x y", positive=True)


def _same_value(e1: sp.Expr, e2: sp.Expr, tries: int = 6) -> bool:
    rng = random.Random(3)
    for _ in range(tries):
        pt = {v: sp.Float(rng.uniform(0.3, 2.7)) for v in e1.free_symbols | e2.free_symbols}
        v1, v2 = complex(e1.evalf(30, subs=pt)), complex(e2.evalf(30, subs=pt))
        if abs(v1 - v2) > 1e-20 * max(abs(v1), abs(v2), 1e-300) + 1e-25:
            return False
    return True


@pytest.mark.parametrize("eq", [
    sp.Eq(a * x ** (b + 1), c * x ** (-b) * y ** 2),          # balance of two powers
    sp.Eq(3 * a * (x / y) ** (c + 2), 7 * b),                   # numeric coefficients
    -b * a * x ** (-b - 1) + c,                                 # dJ/dη = 0 (two terms)
    sp.Eq(x ** sp.Rational(3, 2) * sp.exp(a), b),               # exp factor
])
def test_monomial_root_matches_sympy_solve(eq):
    fast = _monomial_root(eq, x)
    assert fast is not None
    slow = [v for v in sp.solve(eq, x) if v.is_positive is not False]
    assert len(slow) == 1
    assert _same_value(fast, slow[0])
    assert solve_positive(eq, x) is not None and _same_value(solve_positive(eq, x), slow[0])


@pytest.mark.parametrize("eq", [
    sp.Eq(x ** 2 + x, a),        # a polynomial: not a balance of two monomials
    a * x + b * x ** 2 + c,      # three terms
    sp.log(x) - a,               # not a power of x
])
def test_monomial_root_declines_other_forms(eq):
    assert _monomial_root(eq, x) is None


def test_two_positive_terms_have_no_positive_root():
    # a x + b = 0 has no positive root: the fast path declines and solve_positive raises
    assert _monomial_root(a * x + b, x) is None
    with pytest.raises(ValueError, match="one positive solution"):
        solve_positive(a * x + b, x)


def test_solve_positive_falls_back_to_the_general_solver():
    root = solve_positive(sp.Eq(x ** 2 + x, 6), x)
    assert root == 2


def test_structural_exponent_of_a_sum_of_equal_powers():
    expr = (a * x ** (b / (b + 1)) + c * x ** (1 - 1 / (b + 1))) ** 2 / y
    assert sp.simplify(power_exponent(expr, x) - 2 * b / (b + 1)) == 0
    assert sp.simplify(_structural_exponent(expr, x) - 2 * b / (b + 1)) == 0


def test_power_exponent_still_refuses_a_non_power():
    assert _structural_exponent(x + x ** 2, x) is None
    with pytest.raises(ValueError, match="not a pure power"):
        power_exponent(x + x ** 2, x)
    with pytest.raises(ValueError, match="not a pure power"):
        power_exponent(sp.log(x) * x, x)

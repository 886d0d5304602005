"""``fsltheory derive``: output formats and errors."""

from __future__ import annotations

import json
import re

import pytest
import sympy as sp

from fsltheory.cli import main

ALL_IDS = ["C-KERNEL", "C-SIGNAL", "C-STABLE", "C-FLOOR", "C-OPT-EASY", "C-REGIME",
           "C-OPT-HARD", "C-SWITCH", "C-CATCHUP", "C-DUALITY", "C-RATES"]


def test_derive_all_text(capsys):
    assert main(["derive"]) == 0
    out = capsys.readouterr().out
    for cid in ALL_IDS:
        assert f"{cid}:" in out
    assert re.search(r"switch_exponent\s+= beta\*\(s \+ 1\)/\(2\*beta - 1\)", out)


def test_derive_json_parses_and_matches_spec(capsys):
    assert main(["derive", "C-SWITCH", "c-opt-easy", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    ids = [c["id"] for c in obj["claims"]]
    assert ids == ["C-SWITCH", "C-OPT-EASY"]
    b, s = sp.symbols("beta s", positive=True)
    res = {c["id"]: c["results"] for c in obj["claims"]}
    got = sp.sympify(res["C-SWITCH"]["switch_exponent"], locals={"beta": b, "s": s})
    assert sp.simplify(got - (1 + s) / (2 - 1 / b)) == 0  # docs/theory.md §5 C-SWITCH
    got = sp.sympify(res["C-OPT-EASY"]["T_star_exponent"], locals={"beta": b, "s": s})
    assert sp.simplify(got - b / (1 + s * b)) == 0  # docs/theory.md §5 C-OPT-EASY
    assert "steps" not in obj["claims"][0]
    assert "\\beta" in obj["claims"][0]["latex"]["switch_exponent"]


def test_derive_json_steps(capsys):
    assert main(["derive", "C-CATCHUP", "--json", "--steps"]) == 0
    obj = json.loads(capsys.readouterr().out)
    steps = obj["claims"][0]["steps"]
    assert len(steps) >= 5 and all("text" in st for st in steps)


def test_derive_latex(capsys):
    assert main(["derive", "C-REGIME", "--latex"]) == 0
    out = capsys.readouterr().out
    assert "\\begin{align*}" in out and "\\frac{\\beta - 1}{\\beta}" in out


def test_derive_text_steps(capsys):
    assert main(["derive", "C-FLOOR", "--steps"]) == 0
    out = capsys.readouterr().out
    assert "Laplace" in out and "floor_continuum" in out


def test_unknown_claim_exits_2(capsys):
    assert main(["derive", "C-OPT-EASY", "C-BOGUS"]) == 2
    err = capsys.readouterr().err
    assert "C-BOGUS" in err and "C-SWITCH" in err and len(err.strip().splitlines()) == 1


def test_latex_and_json_are_exclusive(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["derive", "--latex", "--json"])
    assert exc.value.code == 2


def test_derive_values_at_point(capsys):
    assert main(["derive", "C-SWITCH", "C-CATCHUP", "--beta", "3", "--s", "0.4", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    vals = {c["id"]: c["values"] for c in obj["claims"]}
    b, s = 3.0, 0.4  # docs/theory.md §5: (1+s)/(2−1/β), −(1−1/β), 2^(β/(β−1)) − 1
    assert vals["C-SWITCH"]["switch_exponent"] == pytest.approx((1 + s) / (2 - 1 / b))
    assert vals["C-CATCHUP"]["gap_exponent"] == pytest.approx(-(1 - 1 / b))
    assert vals["C-CATCHUP"]["half_drop_time"] == pytest.approx(2 ** (b / (b - 1)) - 1)
    assert "R_star" not in vals["C-SWITCH"]  # depends on D, B₁, …: not evaluated


@pytest.mark.parametrize("argv,msg", [
    (["--beta", "1.0"], "beta must be in (1, inf)"),
    (["--beta", "2", "--s", "-1"], "s must be in (0, inf)"),
    (["--s", "0.5"], "--s needs --beta"),
])
def test_derive_bad_point_exits_2(capsys, argv, msg):
    assert main(["derive", "C-REGIME", *argv]) == 2
    assert msg in capsys.readouterr().err

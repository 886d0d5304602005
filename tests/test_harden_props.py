"""Property-based tests (hypothesis) over the schedule grammar, budgets and the command
line: any input either succeeds with finite, in-range results or fails with one clear
line (exit status 2).  Bounded in the default run (profile ``default-run``: 30 examples);
the ``slow`` tests replay the same properties with the ``long`` profile (400 examples)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsltheory import Schedule
from fsltheory.cli.common import parse_int
from fsltheory.errors import FSLError

LONG = settings.get_profile("long")

_small_int = st.integers(min_value=-3, max_value=300)
# Above every limit: 2**62 + 1 samples (budget cap), 10^13+ modes (memory).  Budgets between
# these and the small ones are legal but take hours on the exact engine, so the property
# does not draw them.
_huge_int = st.integers(min_value=2**62 + 1, max_value=10**30)
_frac = st.one_of(st.floats(min_value=-0.5, max_value=1.5),
                  st.sampled_from([0.0, 1.0, 0.5, 1e-300, float("inf"), float("nan")]))
_garbage = st.text(max_size=20)


def _fmt(x) -> str:
    return repr(x) if isinstance(x, float) else str(x)


@st.composite
def schedule_specs(draw):
    kind = draw(st.sampled_from(["const", "switch", "stages", "garbage"]))
    if kind == "const":
        return f"const:{draw(_small_int)}"
    if kind == "switch":
        return f"switch:{draw(_small_int)}->{draw(_small_int)}@{_fmt(draw(_frac))}"
    if kind == "stages":
        bs = draw(st.lists(_small_int, min_size=1, max_size=4))
        fs = draw(st.lists(_frac, min_size=0, max_size=4))
        return "stages:" + ",".join(map(str, bs)) + "@" + ",".join(map(_fmt, fs))
    return draw(_garbage)


_lr = st.one_of(st.floats(min_value=1e-6, max_value=2.0),
                st.sampled_from([0.0, -1.0, float("nan"), float("inf"), 1e300, 1e-300]))


def _schedule_property(spec, budget, lr):
    try:
        sch = Schedule.parse(spec, budget, lr)
    except FSLError as exc:  # refused: one line naming what is wrong
        assert str(exc) and "\n" not in str(exc).strip()
        return
    assert sch.budget == budget and int(sch.batch.sum()) == budget
    assert sch.n_steps >= 1 and int(sch.batch.min()) >= 1
    assert all(math.isfinite(v) and v > 0 for v in sch.lr.tolist())
    assert Schedule.parse(str(sch), budget, lr) == sch  # round trip


@given(schedule_specs(), st.integers(min_value=-5, max_value=20000), _lr)
def test_schedule_grammar_property(spec, budget, lr):
    _schedule_property(spec, budget, lr)


@pytest.mark.slow
@settings(LONG)
@given(schedule_specs(), st.integers(min_value=-5, max_value=200000), _lr)
def test_schedule_grammar_property_long(spec, budget, lr):
    _schedule_property(spec, budget, lr)


def _parse_int_property(n, text):
    assert parse_int(str(n)) == n
    try:
        v = parse_int(text)
    except ValueError:
        return
    assert isinstance(v, int) and text.strip().isascii()


@given(st.integers(min_value=-10**30, max_value=10**30), st.text(max_size=12))
def test_budget_integer_forms_property(n, text):
    _parse_int_property(n, text)


@pytest.mark.slow
@settings(LONG)
@given(st.integers(min_value=-10**300, max_value=10**300), st.text(max_size=30))
def test_budget_integer_forms_property_long(n, text):
    _parse_int_property(n, text)


# --------------------------------------------------------------------------- the CLI
_num_text = st.one_of(
    st.integers(min_value=-2, max_value=200).map(str),
    _huge_int.map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "١٢", "0x10", "", " ", "2**80", "1e3"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def simulate_argv(draw):
    argv = ["simulate", "--json", "--engine", "exact", "--points", draw(
        st.sampled_from(["2", "50", "1", "x"]))]
    argv += ["--modes", draw(st.one_of(st.integers(1, 60).map(str),
                                       st.integers(10**13, 10**30).map(str), _num_text))]
    argv += ["--budget", draw(st.one_of(
        st.integers(-2, 5000).map(str), _huge_int.map(str),
        st.sampled_from(["nan", "inf", "1e999", "١٢", "0x10", "", "2**80", "1e3", "1.5e0",
                         "2**10", "-1e3", "1_000"])))]
    argv += ["--lr", draw(st.one_of(st.floats(1e-4, 1.0).map(repr), _num_text))]
    argv += ["--schedule", draw(schedule_specs())]
    for flag, good in (("--beta", st.floats(1.01, 4.0)), ("--s", st.floats(0.01, 3.0)),
                       ("--sigma", st.floats(0.0, 10.0))):
        if draw(st.booleans()):
            argv += [flag, draw(st.one_of(good.map(repr), _num_text))]
    return argv


def _cli_property(cli, argv):
    rc, out, err = cli(*argv)
    assert rc in (0, 2), (argv, rc, err)
    assert "Traceback" not in err
    if rc == 2:
        assert out == "" and len(err.strip().splitlines()) == 1, (argv, err)
        return
    d = json.loads(out)
    from fsltheory.cli.common import parse_budget

    budget = parse_budget(argv[argv.index("--budget") + 1])
    assert d["budget"] == budget
    assert math.isfinite(d["final_risk"]) and d["final_risk"] >= 0
    assert all(r is not None and r >= 0 for r in d["curve"]["risk"])


@given(simulate_argv())
def test_cli_simulate_argument_space_property(cli, argv):
    _cli_property(cli, argv)


@pytest.mark.slow
@settings(LONG)
@given(simulate_argv())
def test_cli_simulate_argument_space_property_long(cli, argv):
    _cli_property(cli, argv)


@given(st.one_of(st.text(max_size=8), st.integers(-5, 10**20).map(str)))
def test_cli_bmax_property(text):
    import argparse

    from fsltheory.cli.optimize import _bmax

    try:
        v = _bmax(text)
    except argparse.ArgumentTypeError as exc:
        assert "--bmax" in str(exc)
        return
    assert v is None or (isinstance(v, int) and v >= 1)

"""Schedule (docs/theory.md §2, §5): builders, budget rule, axes, string form, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fsltheory import InvalidParameterError, Schedule
from fsltheory.schedule import SCHEDULE_GRAMMAR


# ---------------------------------------------------------------- helpers (independent)
def nearest_boundaries(batches, fracs, budget):
    """The documented budget rule, by brute force: stage i ends at P_{i−1} + n·b_i with
    0 ≤ n ≤ (D − P_{i−1}) // b_i chosen to minimise |P − F_i·D|.  Returns for each stage
    the set of admissible ends (two on an exact tie)."""
    used = 0
    out = []
    for b, f in zip(batches[:-1], fracs, strict=True):
        cands = [used + n * b for n in range((budget - used) // b + 1)]
        dist = [abs(c - f * budget) for c in cands]
        best = min(dist)
        ok = {c for c, dd in zip(cands, dist, strict=True) if dd - best <= 1e-9 * budget}
        out.append(ok)
        used = min(ok)  # the branch we follow does not matter for the checks below
    return out


def check_structure(sch: Schedule, batches, budget):
    """Invariants every staged schedule must satisfy (budget rule of the module doc)."""
    b = sch.batch
    # budgets add up exactly, and the data axis ends at the budget
    assert int(b.sum()) == budget == sch.budget == int(sch.data[-1])
    # axes start at 0 and are strictly increasing (every step uses ≥ 1 sample, lr > 0)
    assert sch.data[0] == 0 and sch.intrinsic_time[0] == 0.0 and sch.steps[0] == 0
    assert np.all(np.diff(sch.data) >= 1)
    assert np.all(np.diff(sch.intrinsic_time) > 0)
    np.testing.assert_array_equal(sch.steps, np.arange(sch.n_steps + 1))
    assert len(sch.data) == len(sch.intrinsic_time) == sch.n_steps + 1 == len(sch) + 1
    assert b.dtype == np.int64 and np.all(b >= 1)
    # switch points are step boundaries, non-decreasing, within the budget
    P = list(sch.switch_samples)
    assert len(P) == len(batches) - 1
    assert all(p in set(sch.data.tolist()) for p in P)
    assert P == sorted(P) and all(0 <= p <= budget for p in P)
    # the step starting at data d belongs to stage i iff P_{i−1} ≤ d < P_i ...
    edges = [0, *P, budget]
    for i, bi in enumerate(batches):
        in_stage = (sch.data[:-1] >= edges[i]) & (sch.data[:-1] < edges[i + 1])
        stage_b = b[in_stage]
        if i < len(batches) - 1:
            # ... earlier stages take whole batches only
            assert np.all(stage_b == bi)
            assert (edges[i + 1] - edges[i]) % bi == 0
        else:
            # ... the last stage is full batches plus at most one partial final batch
            assert np.all(stage_b[:-1] == bi)
            if stage_b.size:
                assert 1 <= stage_b[-1] <= bi
                assert stage_b.size == -(-(budget - edges[i]) // bi)


# ---------------------------------------------------------------- builders
def test_constant_divisible_budget():
    sch = Schedule.constant(64, 64 * 100, lr=0.3)
    assert sch.n_steps == 100 and sch.budget == 6400
    assert np.all(sch.batch == 64) and np.all(sch.lr == 0.3)
    assert sch.switch_samples == () and str(sch) == "const:64"
    np.testing.assert_array_equal(sch.data, 64 * np.arange(101))
    np.testing.assert_allclose(sch.intrinsic_time, 0.3 * np.arange(101), rtol=1e-13)


def test_constant_partial_last_batch():
    sch = Schedule.constant(64, 1000, lr=0.1)  # 1000 = 15·64 + 40
    assert sch.n_steps == 16 and sch.budget == 1000
    assert np.all(sch.batch[:-1] == 64) and sch.batch[-1] == 40
    check_structure(sch, [64], 1000)


def test_two_stage_switch_is_a_fraction_of_data():
    sch = Schedule.two_stage(4, 64, 0.75, budget=1024, lr=0.1)
    # 0.75·1024 = 768 = 192 batches of 4, then 256 = 4 batches of 64
    assert sch.switch_samples == (768,)
    assert sch.n_steps == 192 + 4
    assert np.all(sch.batch[:192] == 4) and np.all(sch.batch[192:] == 64)
    assert str(sch) == "switch:4,64@0.75"
    check_structure(sch, [4, 64], 1024)


def test_two_stage_rounds_boundary_to_whole_first_stage_batches():
    # 0.5·1000 = 500 is not a multiple of 3: nearest reachable is 501 (167 batches).
    sch = Schedule.two_stage(3, 16, 0.5, budget=1000, lr=0.1)
    assert sch.switch_samples == (501,)
    assert sch.batch[-1] == (1000 - 501) % 16 or sch.batch[-1] == 16
    check_structure(sch, [3, 16], 1000)


def test_two_stage_endpoints():
    all_small = Schedule.two_stage(4, 64, 1.0, budget=1024, lr=0.1)
    assert all_small.switch_samples == (1024,) and np.all(all_small.batch == 4)
    all_big = Schedule.two_stage(4, 64, 0.0, budget=1024, lr=0.1)
    assert all_big.switch_samples == (0,) and np.all(all_big.batch == 64)


def test_three_stages():
    sch = Schedule.stages([16, 32, 64], [0.5, 0.8], budget=1000, lr=0.2)
    check_structure(sch, [16, 32, 64], 1000)
    for P, ok in zip(sch.switch_samples, nearest_boundaries([16, 32, 64], [0.5, 0.8], 1000),
                     strict=True):
        assert P in ok
    assert str(sch) == "stages:16,32,64@0.5,0.8"


def test_decreasing_batches_are_allowed():
    sch = Schedule.two_stage(64, 4, 0.5, budget=1000, lr=0.1)
    check_structure(sch, [64, 4], 1000)


def test_from_arrays_and_broadcast():
    sch = Schedule.from_arrays([0.1, 0.2, 0.3], [1, 2, 3])
    np.testing.assert_array_equal(sch.batch, [1, 2, 3])
    np.testing.assert_array_equal(sch.data, [0, 1, 3, 6])
    np.testing.assert_allclose(sch.intrinsic_time, [0, 0.1, 0.3, 0.6], rtol=1e-15)
    assert sch.budget == 6 and sch.switch_samples == () and sch.spec is None
    assert str(sch) == "arrays[3 steps]"
    with pytest.raises(InvalidParameterError, match="no string form"):
        sch.format()
    b = Schedule.from_arrays(0.5, [2, 2, 2])
    np.testing.assert_array_equal(b.lr, [0.5] * 3)
    c = Schedule.from_arrays([0.1, 0.2], 8)
    np.testing.assert_array_equal(c.batch, [8, 8])
    # integral floats are accepted as batch sizes
    assert Schedule.from_arrays([0.1], [4.0]).batch.dtype == np.int64


def test_arrays_are_read_only():
    sch = Schedule.constant(4, 100, 0.1)
    with pytest.raises(ValueError):
        sch.batch[0] = 5
    with pytest.raises(ValueError):
        sch.lr[0] = 5.0


def test_runs_and_distinct_pairs():
    lr = [0.1, 0.1, 0.2, 0.2, 0.2, 0.1]
    b = [4, 4, 4, 4, 8, 8]
    sch = Schedule.from_arrays(lr, b)
    lrs, bs, counts = sch.runs()
    np.testing.assert_array_equal(lrs, [0.1, 0.2, 0.2, 0.1])
    np.testing.assert_array_equal(bs, [4, 4, 8, 8])
    np.testing.assert_array_equal(counts, [2, 2, 1, 1])
    np.testing.assert_array_equal(np.repeat(lrs, counts), lr)
    np.testing.assert_array_equal(np.repeat(bs, counts), b)
    assert sch.distinct_pairs() == [(0.1, 4), (0.2, 4), (0.2, 8), (0.1, 8)]


def test_equality_and_repr():
    a = Schedule.constant(8, 80, 0.1)
    assert a == Schedule.from_arrays(0.1, [8] * 10)
    assert a != Schedule.constant(8, 80, 0.2)
    r = repr(a)
    assert "const:8" in r and "steps=10" in r and "budget=80" in r


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: Schedule.constant(0, 100, 0.1), r"batch must be an integer in \[1, inf\]"),
        (lambda: Schedule.constant(-4, 100, 0.1), r"batch must be an integer in \[1, inf\]"),
        (lambda: Schedule.constant(2.5, 100, 0.1), r"batch must be an integer"),
        (lambda: Schedule.constant(float("nan"), 100, 0.1), r"batch must be an integer"),
        (lambda: Schedule.constant(4, 0, 0.1), rf"budget must be an integer in \[1, {2**62}\]"),
        (lambda: Schedule.constant(4, 10.5, 0.1), r"budget must be an integer"),
        (lambda: Schedule.constant(4, 100, 0.0), r"lr must be in \(0, inf\)"),
        (lambda: Schedule.constant(4, 100, -0.1), r"lr must be in \(0, inf\)"),
        (lambda: Schedule.constant(4, 100, float("nan")), r"lr must be finite"),
        (lambda: Schedule.constant(4, 100, float("inf")), r"lr must be finite"),
        (lambda: Schedule.constant(64, 63, 0.1), r"budget must be >= the largest batch size 64"),
        (lambda: Schedule.two_stage(4, 64, 0.5, 50, 0.1), r"budget must be >= the largest"),
        (lambda: Schedule.two_stage(4, 64, 1.5, 1000, 0.1), r"switch must be in \[0, 1\]"),
        (lambda: Schedule.two_stage(4, 64, -0.1, 1000, 0.1), r"switch must be in \[0, 1\]"),
        (lambda: Schedule.two_stage(4, 64, float("nan"), 1000, 0.1), r"switch must be finite"),
        (lambda: Schedule.stages([4, 8, 16], [0.5], 1000, 0.1), r"need 2 switch fractions"),
        (lambda: Schedule.stages([4, 8], [0.2, 0.5], 1000, 0.1), r"need 1 switch fractions"),
        (lambda: Schedule.stages([4, 8, 16], [0.5, 0.5], 1000, 0.1), r"increase strictly"),
        (lambda: Schedule.stages([4, 8, 16], [0.6, 0.5], 1000, 0.1), r"increase strictly"),
        (lambda: Schedule.stages([], [], 1000, 0.1), r"at least one batch size"),
        (lambda: Schedule.from_arrays([], []), r"at least one step"),
        (lambda: Schedule.from_arrays(0.1, 4), r"at least one per-step array"),
        (lambda: Schedule.from_arrays([0.1, 0.2], [4, 4, 4]), r"same length, got 2 and 3"),
        (lambda: Schedule.from_arrays([0.1, -0.2], [4, 4]), r"lr\[1\]=-0\.2"),
        (lambda: Schedule.from_arrays([0.1, float("nan")], [4, 4]), r"lr\[1\]=nan"),
        (lambda: Schedule.from_arrays([0.1, 0.1], [4, 0]), r">= 1 at every step, got batch\[1\]=0"),
        (lambda: Schedule.from_arrays([0.1, 0.1], [4, 2.5]), r"integers >= 1, got batch\[1\]=2.5"),
        (lambda: Schedule.from_arrays([0.1], [float("inf")]), r"batch must hold integers"),
        (lambda: Schedule.from_arrays([0.1], ["4"]), r"batch must hold integers"),
        (lambda: Schedule.from_arrays([[0.1]], [[4]]), r"1-D"),
    ],
)
def test_validation_errors_name_the_parameter(call, match):
    with pytest.raises(InvalidParameterError, match=match) as exc:
        call()
    assert isinstance(exc.value, ValueError)


# ---------------------------------------------------------------- string form
@pytest.mark.parametrize(
    "spec,batches,fracs",
    [
        ("const:64", [64], []),
        ("switch:16->256@0.8", [16, 256], [0.8]),
        ("stages:16,32,64@0.5,0.8", [16, 32, 64], [0.5, 0.8]),
        (" switch: 4 -> 64 @ .95 ", [4, 64], [0.95]),
        ("switch:4->64@1", [4, 64], [1.0]),
        ("switch:4->64@9.5e-1", [4, 64], [0.95]),
        ("stages:1,2,3,4@0.1,0.2,0.3", [1, 2, 3, 4], [0.1, 0.2, 0.3]),
    ],
)
def test_parse_accepts_grammar(spec, batches, fracs):
    sch = Schedule.parse(spec, budget=4096, lr=0.25)
    assert sch == Schedule.stages(batches, fracs, 4096, 0.25)
    assert np.all(sch.lr == 0.25)
    check_structure(sch, batches, 4096)


@pytest.mark.parametrize(
    "spec",
    [
        "", "const", "const:", "const:abc", "const:-4", "const:4.5", "constant:64",
        "switch:16->256", "switch:16-256@0.8", "switch:16->256@", "switch:16->256@-0.1",
        "switch:16->256@0.8,0.9", "stages:16@0.5", "stages:16,32", "stages:16,32,64@0.5;0.8",
        "stages:16,,32@0.5", "cosine:64", "64",
    ],
)
def test_parse_rejects_bad_specs_and_shows_the_grammar(spec):
    with pytest.raises(InvalidParameterError) as exc:
        Schedule.parse(spec, budget=4096, lr=0.1)
    msg = str(exc.value)
    assert repr(spec) in msg and SCHEDULE_GRAMMAR in msg
    # the grammar names all three forms with an example each
    for form in ("const:B", "switch:B1,B2@F", "stages:", "const:64", "switch:16,256@0.8"):
        assert form in SCHEDULE_GRAMMAR


def test_parse_rejects_non_string_and_bad_values_inside_valid_syntax():
    with pytest.raises(InvalidParameterError, match="must be a string"):
        Schedule.parse(64, budget=4096, lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"batch must be an integer in \[1, inf\]"):
        Schedule.parse("const:0", budget=4096, lr=0.1)
    with pytest.raises(InvalidParameterError, match=r"switch must be in \[0, 1\]"):
        Schedule.parse("switch:4->8@1.5", budget=4096, lr=0.1)
    with pytest.raises(InvalidParameterError, match="increase strictly"):
        Schedule.parse("stages:4,8,16@0.8,0.5", budget=4096, lr=0.1)


# ---------------------------------------------------------------- properties
batch_st = st.integers(1, 512)


@st.composite
def staged(draw):
    k = draw(st.integers(1, 4))
    batches = draw(st.lists(batch_st, min_size=k, max_size=k))
    fracs = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=k - 1, max_size=k - 1,
                                 unique=True)))
    budget = draw(st.integers(max(batches), 200_000))
    lr = draw(st.floats(1e-4, 2.0))
    return batches, fracs, budget, lr


@settings(max_examples=300, deadline=None)
@given(staged())
def test_budget_rule_properties(args):
    batches, fracs, budget, lr = args
    sch = Schedule.stages(batches, fracs, budget, lr)
    check_structure(sch, batches, budget)
    # a running sum of K equal terms is off by at most K rounding errors: rtol = 2·K·eps
    np.testing.assert_allclose(sch.intrinsic_time[-1], lr * sch.n_steps,
                               rtol=2.3e-16 * sch.n_steps)
    # switch_samples realised as documented: nearest reachable boundary to F_i·D
    # (followed branch-wise, so recompute with the realised previous boundary)
    used = 0
    for P, b, f in zip(sch.switch_samples, batches[:-1], fracs, strict=True):
        cands = np.arange(used, budget + 1, b)
        best = np.min(np.abs(cands - f * budget))
        assert abs(P - f * budget) - best <= 1e-9 * budget
        assert (P - used) % b == 0
        used = P


@settings(max_examples=300, deadline=None)
@given(staged())
def test_parse_format_round_trip(args):
    batches, fracs, budget, lr = args
    sch = Schedule.stages(batches, fracs, budget, lr)
    text = str(sch)
    assert text == sch.format()
    again = Schedule.parse(text, budget, lr)
    assert again == sch
    assert str(again) == text
    assert again.switch_samples == sch.switch_samples


@settings(max_examples=200, deadline=None)
@given(
    b1=batch_st, b2=batch_st,
    frac=st.decimals(min_value=0, max_value=1, places=4).map(str),
    budget=st.integers(512, 10**6),
)
def test_parse_of_generated_spec_strings(b1, b2, frac, budget):
    sch = Schedule.parse(f"switch:{b1}->{b2}@{frac}", budget, 0.1)
    assert sch == Schedule.two_stage(b1, b2, float(frac), budget, 0.1)
    check_structure(sch, [b1, b2], budget)


@settings(max_examples=200, deadline=None)
@given(
    lr=st.lists(st.floats(1e-6, 10.0), min_size=1, max_size=50),
    data=st.data(),
)
def test_from_arrays_axes(lr, data):
    b = data.draw(st.lists(st.integers(1, 10**6), min_size=len(lr), max_size=len(lr)))
    sch = Schedule.from_arrays(lr, b)
    assert sch.budget == sum(b) and int(sch.data[-1]) == sum(b)
    assert np.all(np.diff(sch.data) == np.asarray(b))
    assert np.all(np.diff(sch.intrinsic_time) > 0) and sch.intrinsic_time[0] == 0
    np.testing.assert_allclose(sch.intrinsic_time[-1], sum(lr), rtol=1e-12)
    assert np.all(sch.batch >= 1)


@settings(max_examples=100, deadline=None)
@given(b=st.integers(1, 10**4), budget=st.integers(1, 10**7))
def test_constant_step_count(b, budget):
    assume(budget >= b)
    sch = Schedule.constant(b, budget, 0.1)
    assert sch.n_steps == -(-budget // b)
    assert sch.budget == budget

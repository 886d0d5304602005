"""LossCurve: axes from the schedule, subsampling, export."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsltheory import LossCurve, Schedule
from fsltheory.curve import log_spaced_indices


def _curve(stderr: bool = False) -> tuple[LossCurve, Schedule]:
    sch = Schedule.two_stage(4, 64, 0.75, budget=4096, lr=0.1)
    risk = 1.0 / (1.0 + np.arange(sch.n_steps + 1))  # any decreasing curve will do
    se = 0.01 * risk if stderr else None
    return LossCurve.from_schedule(risk, sch, stderr=se, engine="test", meta={"k": 1}), sch


def test_from_schedule_attaches_axes():
    c, sch = _curve()
    np.testing.assert_array_equal(c.steps, sch.steps)
    np.testing.assert_array_equal(c.data, sch.data)
    np.testing.assert_array_equal(c.time, sch.intrinsic_time)
    assert len(c) == sch.n_steps + 1
    assert c.final_risk == c.risk[-1] and isinstance(c.final_risk, float)
    assert c.engine == "test" and c.meta == {"k": 1} and c.stderr is None


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10**6), points=st.integers(2, 500))
def test_log_spaced_indices_properties(n, points):
    idx = log_spaced_indices(n, points)
    assert idx.size <= points
    assert idx[0] == 0 and idx[-1] == n - 1
    assert np.all(np.diff(idx) > 0) and idx.dtype.kind == "i"
    if n <= points:
        np.testing.assert_array_equal(idx, np.arange(n))
    else:
        # Log-spaced: consecutive kept steps k+1 grow by at most the geometric ratio
        # r = n^(1/(points−1)) up to rounding each index to an integer (±½ at each end).
        k1 = idx + 1.0
        r = n ** (1.0 / (points - 1))
        assert np.all(k1[1:] <= r * (k1[:-1] + 0.5) + 0.5 + 1e-9 * k1[1:])


def test_log_spaced_indices_equal_share_per_decade():
    # k+1 ∈ [1, 10^6]: 6 decades, 401 points → 400/6 ≈ 67 per decade; counted on the top
    # two decades, where rounding to integers collapses no points (±2 for edge rounding)
    idx = log_spaced_indices(10**6, 401) + 1
    per_decade = [np.sum((idx >= 10**a) & (idx < 10 ** (a + 1))) for a in (4, 5)]
    assert per_decade[0] == pytest.approx(per_decade[1], abs=2)
    assert per_decade[0] == pytest.approx(400 / 6, abs=2)


def test_subsample_keeps_columns_aligned():
    c, _ = _curve(stderr=True)
    s = c.subsample(50)
    assert len(s) <= 50 and s.steps[0] == 0 and s.steps[-1] == c.steps[-1]
    k = s.steps
    np.testing.assert_array_equal(s.risk, c.risk[k])
    np.testing.assert_array_equal(s.data, c.data[k])
    np.testing.assert_array_equal(s.time, c.time[k])
    np.testing.assert_array_equal(s.stderr, c.stderr[k])
    assert s.engine == c.engine and s.meta == c.meta
    assert c.subsample(10**6) is not c and len(c.subsample(10**6)) == len(c)


def test_at_data_interpolates_log_linearly():
    c, sch = _curve()
    np.testing.assert_allclose(c.at_data(sch.data), c.risk, rtol=1e-12)
    mid = 0.5 * (sch.data[10] + sch.data[11])
    assert c.at_data(mid) == pytest.approx(np.sqrt(c.risk[10] * c.risk[11]), rel=1e-12)


def test_to_dict_and_csv(tmp_path):
    for with_se in (False, True):
        c, _ = _curve(stderr=with_se)
        d = c.to_dict()
        assert set(d) == {"steps", "data", "time", "risk"} | ({"stderr"} if with_se else set())
        assert d["risk"] == c.risk.tolist()
        path = tmp_path / f"c{with_se}.csv"
        c.to_csv(path)
        with open(path) as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == ["step", "data", "time", "risk"] + (["stderr"] if with_se else [])
        body = np.array(rows[1:], dtype=float)
        assert body.shape == (len(c), len(rows[0]))
        np.testing.assert_array_equal(body[:, 0], c.steps)
        np.testing.assert_array_equal(body[:, 1], c.data)
        # repr(float) round-trips exactly
        np.testing.assert_array_equal(body[:, 2], c.time)
        np.testing.assert_array_equal(body[:, 3], c.risk)

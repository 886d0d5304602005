"""Adaptive batch baselines (theory §8) and their distance to the FSL optimum."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fsltheory import PowerLawTask
from fsltheory.adaptive import adaptive_baselines, baseline_table, bopt_tracking, seesaw
from fsltheory.errors import InvalidParameterError

TASK = PowerLawTask(2.0, 1.0, sigma=1.0, modes=100)


def test_builders_spend_budget_within_bounds():
    rows = adaptive_baselines(TASK, 30_001, 0.2, 2, 64, decisions=16)
    assert len(rows) == 3
    for _, sch in rows:
        assert sch.budget == 30_001
        full = sch.batch[:-1]           # the last step may be partial
        assert full.min() >= 2 and sch.batch.max() <= 64


def test_bopt_tracking_grows_as_loss_falls():
    sch = bopt_tracking(TASK, 50_000, 0.2, 1, 1024, decisions=32)
    b = sch.batch[:-1]
    assert np.all(np.diff(b) >= 0) and b[-1] > 4 * b[0]


def test_seesaw_pattern():
    sch = seesaw(TASK, 4 * 8000, 0.2, 1, 64, decays=3)
    lrs, bs = sch.lr, sch.batch
    levels = sorted(set(np.round(lrs, 12).tolist()), reverse=True)
    assert levels == pytest.approx([0.2 / math.sqrt(2) ** i for i in range(4)])
    # η/b falls by 2√2 per step: batch doubles where LR drops by √2
    assert sorted(set(bs[:-1].tolist())) == [1, 2, 4, 8]


def test_baseline_table_optimum_is_best():
    rows = baseline_table(PowerLawTask(2.0, 0.25, sigma=1.0, modes=100), 5000, 0.2, 1, 32,
                          decisions=16)
    assert rows[0]["name"] == "FSL optimum" and rows[0]["risk_vs_optimum"] == 1.0
    # the optimiser works on the σ²-dominated FSL, rows are exact-engine losses: allow 1 %
    assert all(r["risk_vs_optimum"] > 0.99 for r in rows)
    assert {r["data"] for r in rows} == {5000}


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="b_max"):
        adaptive_baselines(TASK, 1000, 0.2, 8, 4)

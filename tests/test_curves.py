"""Curve files (fsltheory.curves): interpolation, schedule-only rows, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from fsltheory.curves import CurveRun, example_curves, load_curves, write_curves
from fsltheory.errors import InvalidParameterError


def _write(tmp_path, text, name="c.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_sparse_steps_interpolate_lr_and_hold_batch(tmp_path):
    p = _write(tmp_path, "run,step,lr,batch,loss\n"
                         "a,0,0.001,8,\n"          # schedule-only row (warmup start)
                         "a,100,0.1,8,\n"          # end of warmup, not logged
                         "a,150,0.1,32,0.9\n"
                         "a,200,0.05,32,0.8\n"
                         "b,0,0.2,4,1.0\n")
    cs = load_curves(p)
    a = cs["a"]
    assert cs.names == ["a", "b"]
    assert a.n_steps == 201
    # linear between listed steps: lr(50) is the midpoint of 0.001 and 0.1
    assert a.lr[50] == pytest.approx((0.001 + 0.1) / 2, rel=1e-12)
    assert a.lr[175] == pytest.approx(0.075, rel=1e-12)
    # batch held piecewise constant from the earlier row
    assert a.batch[149] == 8 and a.batch[150] == 32 and a.batch[199] == 32
    assert a.obs_steps.tolist() == [150, 200]
    assert a.obs_loss.tolist() == [0.9, 0.8]
    assert len(cs.sha256) == 64


@pytest.mark.parametrize("text, col, row", [
    ("run,step,lr,loss\na,0,0.1,1\n", "batch", 1),
    ("run,step,lr,batch,loss\na,0,0.1,4,1\na,0,0.1,4,0.9\n", "step", 3),
    ("run,step,lr,batch,loss\na,5,0.1,4,1\na,3,0.1,4,0.9\n", "step", 3),
    ("run,step,lr,batch,loss\na,0,0,4,1\n", "lr", 2),
    ("run,step,lr,batch,loss\na,0,-1e-3,4,1\n", "lr", 2),
    ("run,step,lr,batch,loss\na,0,0.1,0,1\n", "batch", 2),
    ("run,step,lr,batch,loss\na,0,0.1,2.5,1\n", "batch", 2),
    ("run,step,lr,batch,loss\na,0,0.1,4,abc\n", "loss", 2),
    ("run,step,lr,batch,loss\na,0,0.1,4,-1\n", "loss", 2),
    ("run,step,lr,batch,loss\na,1.5,0.1,4,1\n", "step", 2),
])
def test_errors_name_file_row_column(tmp_path, text, col, row):
    p = _write(tmp_path, text)
    with pytest.raises(InvalidParameterError) as ei:
        load_curves(p)
    msg = str(ei.value)
    assert "\n" not in msg
    assert str(p) in msg and f"row {row}" in msg and f"'{col}'" in msg


def test_nan_loss_is_skipped_with_a_count(tmp_path):
    p = _write(tmp_path, "run,step,lr,batch,loss\na,0,0.1,4,1\na,1,0.1,4,nan\n"
                         "a,2,0.1,4,NaN\na,3,0.1,4,0.5\n")
    with pytest.warns(UserWarning, match="skipped 2 row"):
        cs = load_curves(p)
    assert cs.skipped_nan == 2
    assert cs["a"].obs_steps.tolist() == [0, 3]


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(InvalidParameterError, match="cannot read curve file"):
        load_curves(tmp_path / "nope.csv")


def test_write_then_load_rebuilds_piecewise_constant_schedules(tmp_path):
    lr = np.concatenate((np.full(30, 0.2), np.full(20, 0.05)))
    batch = np.concatenate((np.full(10, 4), np.full(40, 16)))
    run = CurveRun("r", lr, batch, np.array([5, 20, 49]), np.array([1.0, 0.5, 0.25]))
    cs = load_curves(write_curves(tmp_path / "w.csv", [run]))
    r = cs["r"]
    np.testing.assert_array_equal(r.lr, lr)
    np.testing.assert_array_equal(r.batch, batch)
    np.testing.assert_array_equal(r.obs_steps, run.obs_steps)


def test_example_curves_are_the_exact_engine_with_noise():
    from fsltheory import PowerLawTask, Schedule, exact_risk

    cs = example_curves(steps=200, points=20, modes=100, noise=0.0)
    r = cs["const_16"]
    ref = exact_risk(PowerLawTask(2.5, 0.3, sigma=0.5, modes=100),
                     Schedule.from_arrays(np.full(200, 0.2), 16)).risk
    np.testing.assert_allclose(r.obs_loss, ref[r.obs_steps], rtol=1e-12)

"""``fsltheory simulate``: defaults, --json, --csv, one-line errors with exit status 2."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from fsltheory import PowerLawTask, Schedule, exact_risk, max_stable_lr
from fsltheory.cli import main
from fsltheory.schedule import SCHEDULE_GRAMMAR

# The defaults promised by issue 2 / docs/theory.md §5 (late switching on a hard task).
DEFAULT_TASK = dict(beta=2.0, s=0.25, sigma=1.0, modes=4000)
DEFAULT_RUN = dict(spec="switch:4,64@0.95", budget=131072, lr=0.2)


@pytest.fixture(scope="module")
def default_curve():
    task = PowerLawTask(**DEFAULT_TASK)
    sch = Schedule.parse(DEFAULT_RUN["spec"], DEFAULT_RUN["budget"], DEFAULT_RUN["lr"])
    return task, sch, exact_risk(task, sch)


def run_cli(capsys, *argv):
    rc = main(["simulate", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_defaults_print_a_human_summary(capsys, default_curve):
    task, sch, curve = default_curve
    rc, out, err = run_cli(capsys)
    assert rc == 0 and err == ""
    assert repr(task) in out
    assert "switch:4,64@0.95" in out
    assert f"after {sch.n_steps} steps, {sch.budget} samples" in out
    assert f"final {curve.final_risk:.6g}" in out
    assert f"start {curve.risk[0]:.6g}" in out
    assert str(list(sch.switch_samples)) in out


def test_json_output(capsys, default_curve):
    task, sch, curve = default_curve
    rc, out, err = run_cli(capsys, "--json")
    assert rc == 0 and err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1  # one JSON object
    obj = json.loads(lines[0])
    for key in ("final_risk", "steps", "budget", "regime", "curve"):
        assert key in obj
    assert obj["steps"] == sch.n_steps
    assert obj["budget"] == 131072 == sch.budget
    assert obj["regime"] == "hard"
    assert obj["schedule"] == "switch:4,64@0.95"
    assert obj["switch_samples"] == list(sch.switch_samples)
    assert obj["engine"] == "exact"
    assert obj["task"] == DEFAULT_TASK
    assert obj["final_risk"] == curve.final_risk  # JSON floats round-trip exactly
    c = obj["curve"]
    assert set(c) >= {"steps", "data", "time", "risk"}
    n = len(c["steps"])
    assert 2 <= n <= 200 and all(len(v) == n for v in c.values())
    steps = np.array(c["steps"])
    assert steps[0] == 0 and steps[-1] == sch.n_steps
    assert np.all(np.diff(steps) > 0)
    np.testing.assert_array_equal(np.array(c["risk"]), curve.risk[steps])
    np.testing.assert_array_equal(np.array(c["data"]), sch.data[steps])
    # Log-spaced: the upper half of the decades of k+1 (where rounding to integers merges
    # no points) holds half of the 200 nominal points, ±2 for rounding at the edges.
    k1 = steps + 1.0
    upper = k1[k1 >= np.sqrt(k1[-1])]
    assert abs(upper.size - 100) <= 2


@pytest.mark.parametrize("points", [2, 7, 50])
def test_points_caps_the_curve(capsys, points):
    rc, out, _ = run_cli(capsys, "--json", "--points", str(points), "--modes", "200",
                         "--budget", "20000")
    obj = json.loads(out)
    assert rc == 0 and len(obj["curve"]["steps"]) <= points
    assert obj["curve"]["steps"][0] == 0 and obj["curve"]["steps"][-1] == obj["steps"]


def test_task_and_schedule_flags_are_used(capsys):
    rc, out, _ = run_cli(capsys, "--json", "--beta", "1.5", "--s", "1.5", "--sigma", "0.5",
                         "--modes", "300", "--lr", "0.1", "--budget", "5000",
                         "--schedule", "stages:2,8,32@0.25,0.5")
    assert rc == 0
    obj = json.loads(out)
    task = PowerLawTask(1.5, 1.5, sigma=0.5, modes=300)
    sch = Schedule.stages([2, 8, 32], [0.25, 0.5], 5000, 0.1)
    assert obj["regime"] == task.regime == "easy"
    assert obj["steps"] == sch.n_steps and obj["budget"] == 5000
    assert obj["final_risk"] == exact_risk(task, sch).final_risk
    assert obj["lr"]["peak"] == obj["lr"]["final"] == 0.1 and obj["lr"]["segments"] == 1
    assert obj["lr"]["schedule"] == "const"
    assert obj["batch"] == {"schedule": "stages:2,8,32@0.25,0.5", "peak": 32, "first": 2,
                            "final": sch.batch[-1], "segments": 3 + (sch.batch[-1] != 32),
                            "steps": sch.n_steps}


def test_csv_writes_the_full_curve(capsys, tmp_path):
    path = tmp_path / "curve.csv"
    rc, out, err = run_cli(capsys, "--modes", "100", "--budget", "4000", "--csv", str(path))
    assert rc == 0 and err == "" and str(path) in out
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=100)
    sch = Schedule.parse("switch:4,64@0.95", 4000, 0.2)
    curve = exact_risk(task, sch)
    with open(path) as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["step", "data", "time", "risk"]
    body = np.array(rows[1:], dtype=float)
    assert body.shape == (sch.n_steps + 1, 4)
    np.testing.assert_array_equal(body[:, 0], sch.steps)
    np.testing.assert_array_equal(body[:, 1], sch.data)
    np.testing.assert_array_equal(body[:, 3], curve.risk)


def _one_line_error(rc, out, err, *needles):
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "argv,needles",
    [
        (["--schedule", "cosine:64"], ["cannot parse schedule 'cosine:64'", SCHEDULE_GRAMMAR]),
        (["--schedule", "stages:4,8@0.5,0.9"], ["switch fractions"]),
        (["--beta", "0.5"], ["beta must be in (1, inf)"]),
        (["--s", "0"], ["s must be in (0, inf)"]),
        (["--sigma", "-1"], ["sigma must be in [0, 1e+100]"]),
        (["--modes", "0"], ["modes must be an integer in [1, inf]"]),
        (["--beta", "nan"], ["beta must be finite"]),
        (["--lr", "-0.1"], ["lr must be in (0, inf)"]),
        (["--budget", "10"], ["budget must be >= the largest batch size 64"]),
        (["--lr-schedule", "wsd:1.5"], ["--lr-schedule", "F must be in (0, 1], got 1.5"]),
        (["--points", "1"], ["points must be an integer in [2, inf]"]),
        (["--engine", "magic"], ["engine must be one of", "'exact'"]),
        (["--beta", "abc"], ["--beta must be a real number", "'abc'"]),
        (["--budget", "1.5e0"], ["--budget", "budget must be an integer in [1, 2**62]"]),
        (["--budget", "6e1"], ["budget must be >= the largest batch size 64", "got 60"]),
        (["--nonsense"], ["unrecognized arguments"]),
        (["--csv", "/nonexistent-dir/x.csv"], ["--csv must be a file path"]),
    ],
)
def test_errors_are_one_line_exit_2(capsys, argv, needles):
    try:
        rc = main(["simulate", *argv])
    except SystemExit as exc:  # argparse errors exit directly with status 2
        rc = exc.code
    out, err = capsys.readouterr()
    _one_line_error(rc, out, err, *needles)


def test_unstable_lr_error_names_the_largest_stable_lr(capsys):
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=4000)
    eta4 = max_stable_lr(task, 4)
    rc, out, err = run_cli(capsys, "--lr", "2")
    line = _one_line_error(rc, out, err, "lr=2 is unstable for batch 4")
    assert f"largest stable lr for batch 4 is {eta4:.6g}" in line


def test_console_script_in_a_subprocess():
    """The installed entry point: exit 2 with one stderr line and no traceback."""
    script = shutil.which("fsltheory")  # installed by `pip install -e .`
    exe = [script] if script else [sys.executable, "-c", "import sys; from fsltheory.cli "
                                   "import main; sys.exit(main())"]
    bad = subprocess.run([*exe, "simulate", "--schedule", "switch:4->64"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert SCHEDULE_GRAMMAR in bad.stderr
    ok = subprocess.run([*exe, "simulate", "--modes", "50", "--budget", "2000", "--json"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["budget"] == 2000

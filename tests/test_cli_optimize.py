"""Tests of ``fsltheory optimize`` through :func:`fsltheory.cli.main`."""

from __future__ import annotations

import json

import pytest

from fsltheory import PowerLawTask, Schedule, exact_risk
from fsltheory.cli import main
from fsltheory.optimize import fsl_risk

BASE = ["optimize", "--beta", "2", "--s", "0.25", "--modes", "500", "--lr", "0.2",
        "--budget", "8192", "--bmin", "4", "--bmax", "64", "--no-progress"]


def _run_json(capsys, extra):
    assert main(BASE + extra + ["--json"]) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def test_json_keys_and_values(capsys):
    d = _run_json(capsys, ["--two-stage", "4,64"])
    assert d["regime"] == "hard"
    c = d["continuous"]
    for k in ("final_risk", "steps", "batch_first", "batch_last"):
        assert k in c
    assert c["batch_first"] == 4 and 4 <= c["batch_last"] <= 64
    names = [b["name"] for b in d["baselines"]]
    assert names[0].startswith("const b_min") and names[-1] == "continuous optimum"
    for b in d["baselines"]:
        assert set(b) >= {"name", "final_risk", "steps", "data"}
        assert b["data"] == 8192
        assert c["final_risk"] <= b["final_risk"] * (1 + 1e-12)
    sw = d["switch"]
    assert set(sw) >= {"samples", "fraction", "final_risk"}
    assert sw["fraction"] == pytest.approx(sw["samples"] / 8192)
    # the reported switch loss is the FSL value of that schedule, recomputed here
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=500)
    sch = Schedule.two_stage(4, 64, sw["samples"] / 8192, 8192, 0.2)
    assert sw["final_risk"] == pytest.approx(fsl_risk(task, sch), rel=1e-12)
    assert sw["fraction"] > 0.5  # hard task: switch late


def test_exact_model_json(capsys):
    d = _run_json(capsys, ["--model", "exact", "--budget", "4096"])
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=500)
    const = [b for b in d["baselines"] if b["name"].startswith("const b_min")][0]
    assert const["final_risk"] == pytest.approx(
        exact_risk(task, Schedule.constant(4, 4096, 0.2)).final_risk, rel=1e-12)
    assert "switch" not in d


def test_text_output_has_table(capsys):
    assert main(BASE + ["--bmax", "none", "--s", "1.5"]) == 0
    out = capsys.readouterr().out
    assert "continuous optimum" in out and "const b_min=4" in out and "vs bmax" in out
    assert "regime='easy'" in out


@pytest.mark.parametrize(
    "extra,words",
    [
        (["--bmin", "128"], ["b_max", ">= b_min"]),
        (["--budget", "32"], ["budget", "b_max"]),
        (["--lr", "5"], ["unstable", "b_min"]),
        (["--two-stage", "64,4"], ["B1 < B2"]),
        (["--sigma", "0"], ["sigma"]),
    ],
)
def test_errors_are_one_line_exit_2(capsys, extra, words):
    assert main(BASE + extra) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("fsltheory optimize: error:")
    for w in words:
        assert w in err


def test_bad_two_stage_syntax(capsys):
    with pytest.raises(SystemExit) as info:
        main(BASE + ["--two-stage", "4-64"])
    assert info.value.code == 2
    assert "--two-stage" in capsys.readouterr().err

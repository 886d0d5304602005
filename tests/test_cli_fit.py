"""``fsltheory example-curves | fit | predict | plan | export`` through the CLI."""

from __future__ import annotations

import json

import pytest

from fsltheory.cli import main
from fsltheory.export import parse_export


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("walk")
    assert main(["example-curves", "--out", str(d), "--steps", "400", "--modes", "150"]) == 0
    assert main(["fit", str(d / "curves.csv"), "--out", str(d / "FIT.json"), "--starts", "1",
                 "--bootstrap", "4", "--no-progress"]) == 0
    return d


def test_fit_json_keys(workdir, capsys):
    capsys.readouterr()
    assert main(["fit", str(workdir / "curves.csv"), "--out", str(workdir / "F2.json"),
                 "--law", "mpl", "--starts", "1", "--bootstrap", "3", "--json",
                 "--no-progress"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["law"] == "mpl" and d["regime"] in ("easy", "hard")
    for v in d["params"].values():
        assert set(v) == {"value", "low", "high"}
    prov = json.loads((workdir / "F2.json").read_text())["provenance"]
    assert len(prov["input_sha256"]) == 64 and prov["seed"] == 0
    assert prov["options"]["law"] == "mpl" and "fsltheory_version" in prov


def test_predict_json(workdir, capsys):
    capsys.readouterr()
    assert main(["predict", str(workdir / "FIT.json"), str(workdir / "holdout.csv"),
                 "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d["runs"]) == {"switch_4_64", "cosine_16"}
    for r in d["runs"].values():
        assert len(r["step"]) == len(r["observed"]) == len(r["predicted"]) > 0
    assert 0 <= d["mean_rel_error"] <= d["worst_rel_error"]


def test_plan_and_export(workdir, capsys):
    plan = workdir / "PLAN.json"
    assert main(["plan", str(workdir / "FIT.json"), "--budget", "6400", "--bmin", "4",
                 "--bmax", "64", "--lr-schedule", "cosine", "--max-loss-increase", "0.5%",
                 "--out", str(plan)]) == 0
    out = capsys.readouterr().out
    assert "loss-steps frontier" in out and "recommended" in out
    p = json.loads(plan.read_text())
    assert p["objective"]["kind"] == "min_steps"
    # the critical-batch baselines are rows of the plan and of its printout
    assert [r["name"].split()[0] for r in p["baselines"]] == ["B_opt-tracking", "Seesaw"]
    assert "baseline B_opt-tracking" in out and "baseline Seesaw" in out
    assert p["two_stage"]["final_loss"] <= p["objective"]["loss_limit"] * (1 + 1e-12)
    assert main(["export", str(plan), "--format", "megatron"]) == 0
    text = capsys.readouterr().out.strip()
    assert [(s["samples"], s["batch"]) for s in parse_export(text, "megatron")] == \
        [(s["samples"], s["batch"]) for s in p["stages"]]


@pytest.mark.parametrize("argv, needle", [
    (["fit", "/nonexistent/c.csv", "--out", "/tmp/x.json"], "cannot read curve file"),
    (["predict", "/nonexistent/FIT.json", "x.csv"], "cannot read fit file"),
    (["export", "/nonexistent/PLAN.json", "--format", "csv"], "cannot read plan"),
])
def test_bad_input_exits_2_with_one_line(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_bad_csv_row_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("run,step,lr,batch,loss\na,0,0.1,4,1\na,1,-0.1,4,1\n")
    assert main(["fit", str(bad), "--out", str(tmp_path / "f.json")]) == 2
    err = capsys.readouterr().err
    assert "row 3, column 'lr'" in err and err.count("\n") == 1


def test_plan_bad_bounds_exit_2(workdir, capsys):
    assert main(["plan", str(workdir / "FIT.json"), "--budget", "32", "--bmin", "4",
                 "--bmax", "64", "--out", str(workdir / "P.json")]) == 2
    assert "budget must be >= bmax" in capsys.readouterr().err


def test_cli_choices_match_the_library():
    from fsltheory.cli import fit as cli_fit
    from fsltheory.cli import plan as cli_plan
    from fsltheory.laws import LAWS
    from fsltheory.plan import NOISE_SCALINGS

    assert sorted(cli_fit.LAW_NAMES) == sorted(LAWS)
    assert tuple(cli_plan.NOISE_SCALINGS) == tuple(NOISE_SCALINGS)

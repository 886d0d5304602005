"""Tests of ``fsltheory verify``."""

from __future__ import annotations

import json

import pytest

from fsltheory.claims import CLAIM_IDS
from fsltheory.cli import main


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_json_and_report(capsys, tmp_path):
    rep = tmp_path / "REPORT.md"
    code, out, err = _run(capsys, ["verify", "C-KERNEL", "c-signal", "--quick", "--json",
                                   "--report", str(rep), "--no-progress"])
    assert code == 0, out
    d = json.loads(out)
    assert [c["id"] for c in d["claims"]] == ["C-KERNEL", "C-SIGNAL"]
    for c in d["claims"]:
        assert c["verdict"] == "pass"
        assert {"id", "verdict", "predicted", "measured", "tolerance"} <= set(c)
        assert abs(c["measured"] - c["predicted"]) <= c["tolerance"] * max(
            1.0, abs(c["predicted"]))
        assert c["scale"] == "quick" and c["seed"] == 0
    text = rep.read_text()
    assert "| claim | symbolic result |" in text
    assert "C-KERNEL" in text and "C-SIGNAL" in text and "**pass**" in text


def test_verify_table_and_perturbed_failure_exit_code(capsys, tmp_path):
    code, out, _ = _run(capsys, ["verify", "C-KERNEL", "--quick", "--report", "-",
                                 "--no-progress"])
    assert code == 0 and "C-KERNEL" in out and "1/1 claims pass" in out
    code, out, _ = _run(capsys, ["verify", "C-KERNEL", "--quick", "--report", "-",
                                 "--perturb", "0.1", "--no-progress"])
    assert code == 1 and "FAILED: C-KERNEL" in out


def test_verify_unknown_claim_is_one_line_error(capsys):
    code, out, err = _run(capsys, ["verify", "C-NOPE", "--quick", "--report", "-"])
    assert code == 2
    assert err.count("\n") == 1 and "C-KERNEL" in err


@pytest.mark.slow
def test_verify_quick_json_all_claims_pass(capsys, tmp_path):
    code, out, _ = _run(capsys, ["verify", "--quick", "--json", "--report",
                                 str(tmp_path / "R.md"), "--no-progress"])
    d = json.loads(out)
    assert [c["id"] for c in d["claims"]] == list(CLAIM_IDS)
    assert all(c["verdict"] == "pass" for c in d["claims"]), out
    assert code == 0

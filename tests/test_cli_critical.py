"""``fsltheory critical-batch`` (theory §8): JSON keys, predictions, one-line errors."""

from __future__ import annotations

import json

import pytest

from fsltheory.cli import main

KEYS = ("B_min", "B_opt", "B_crit", "S_min", "S_opt", "E_min")


def test_json_keys_and_values(capsys):
    assert main(["critical-batch", "--beta", "2", "--s", "1", "--sigma", "10", "--lr", "0.5",
                 "--target", "1e-2", "--engine", "volterra", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for k in KEYS:
        assert out[k] > 0 and out["predicted"][k] > 0
    # B_opt/B_min measured vs the corrected closed form (≲ 0.3 % here, C-BOPT)
    assert out["B_opt"] / out["B_min"] == pytest.approx(out["predicted"]["B_opt_ratio"],
                                                        rel=3e-3)
    assert out["B_crit"] == pytest.approx(out["E_min"] / out["S_min"], rel=1e-12)


def test_text_output(capsys):
    assert main(["critical-batch", "--s", "1", "--target", "1e-2"]) == 0
    text = capsys.readouterr().out
    assert all(k in text for k in KEYS) and "B_opt/B_min" in text


@pytest.mark.parametrize("argv,word", [
    (["--beta", "0.5"], "beta"),
    (["--sigma", "0"], "sigma"),
    (["--target", "-1"], "target"),
    (["--lr-schedule", "bogus"], "lr-schedule"),
])
def test_bad_input_exit_2_one_line(argv, word, capsys):
    with pytest.raises(SystemExit) as exc:
        rc = main(["critical-batch", *argv])
        raise SystemExit(rc)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert word in err and "\n" not in err and "Traceback" not in err

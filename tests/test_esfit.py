"""The peers' E(S) forms (theory §8): each fit recovers its own synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from fsltheory.errors import InvalidParameterError
from fsltheory.esfit import fit_es_forms, fsl_es, mccandlish_es, piecewise_es

S = np.geomspace(105.0, 3000.0, 30)


def test_fsl_form_recovered_exactly():
    f = fit_es_forms(S, fsl_es(S, 50.0, 100.0, 0.5))
    p = f["fsl"]["params"]
    assert p["B_min"] == pytest.approx(50.0, rel=1e-6)
    assert p["S_min"] == pytest.approx(100.0, rel=1e-6) and p["s"] == pytest.approx(0.5, 1e-6)
    # the other forms cannot represent it: McCandlish has no minimum, no B_min floor
    assert f["mccandlish"]["rms_log_residual"] > 100 * f["fsl"]["rms_log_residual"]


def test_mccandlish_form_recovered_exactly():
    f = fit_es_forms(S, mccandlish_es(S, 100.0, 5e4))
    p = f["mccandlish"]["params"]
    assert p["S_min"] == pytest.approx(100.0, rel=1e-6)
    assert p["B_crit"] == pytest.approx(500.0, rel=1e-6)


def test_piecewise_form_is_c1_and_recovered():
    args = (90.0, 300.0, 600.0, 1200.0, 1e5, 0.2)
    E = piecewise_es(S, *args)
    for knot in (300.0, 1200.0):   # value and slope continuous at the knots
        lo, hi = piecewise_es([knot * (1 - 1e-7), knot * (1 + 1e-7)], *args)
        assert lo == pytest.approx(hi, rel=1e-6)
    f = fit_es_forms(S, E)
    assert f["piecewise"]["rms_log_residual"] < 1e-6


def test_fit_needs_points():
    with pytest.raises(InvalidParameterError, match="7"):
        fit_es_forms([1, 2, 3], [1, 2, 3])

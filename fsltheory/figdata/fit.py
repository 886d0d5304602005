"""Data of the ``fit-band`` figure (docs/theory.md §7): a fitted law with its band.

The toolkit's own example curves (:func:`fsltheory.curves.example_curves`: three
constant-batch runs of a hidden hard power-law task on the exact engine, 1% observation
noise; the data of ``fsltheory example-curves``) fitted with the default law (``fsl``, the
batch-aware FSL ansatz) and its default options (multistart, 100 bootstrap refits over
runs), then predicted at every observed step with the 90% bootstrap band — the object
``fsltheory predict --json`` prints.  Full scale: 2000 steps, M = 1000 modes; quick:
300 steps, M = 100, 2 starts, 10 refits.
"""

from __future__ import annotations

from .common import FigData

__all__ = ["data_fit_band"]


def data_fit_band(quick: bool = False) -> FigData:
    """FigData of the ``fit-band`` figure (module docstring): panel ``fit`` is the
    :func:`fsltheory.predict.predict_curves` object; ``fits`` holds the mean and worst
    relative errors, the fitted parameters with their 90% intervals and the regime."""
    from ..curves import example_curves
    from ..fit import fit_curves
    from ..predict import predict_curves

    kw = dict(steps=300, points=30, modes=100) if quick else {}
    fk = dict(starts=2, bootstrap=10) if quick else {}
    curves = example_curves(**kw)
    fit = fit_curves(curves, "fsl", progress=False, **fk)
    pred = predict_curves(fit, curves)
    d = fit.to_dict()
    fd = FigData("fit-band", meta={"law": "fsl", "runs": list(curves.names), **kw, **fk})
    fd.panels["fit"] = pred
    fd.fits = {"mean_rel_error": pred["mean_rel_error"],
               "worst_rel_error": pred["worst_rel_error"],
               "regime": d["regime"], "regime_confidence": d["regime_confidence"],
               "params": d["params"], "n_boot": d["bootstrap"]["n"]}
    return fd

"""The Multi-Power Law paper's public loss curves as :class:`~fsltheory.curves.CurveRun`\\ s.

The CSVs hold ``step, lr, loss`` every 128 steps after a 2160-step linear warmup that is
not in them; the schedules are rebuilt step by step from the repository's definitions
(its SOURCE.txt) — warmup ``3e-4 (k+1)/2160``, then constant, cosine to 3e-5, WSD with a
geometric or linear decay to 3e-5 from step 20000, or two-stage ``wsdcon_X`` — and checked
against the CSV's ``lr`` column.  Read from ``../shared/data`` next to the repository (or
``$FSLTHEORY_SHARED``, or ``/work/shared/data``); never copied into the repository.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from fsltheory.curves import CurveRun

PEAK, FINAL, WARMUP = 3e-4, 3e-5, 2160
TRAIN = ("cosine_24000", "constant_24000", "wsdcon_9")
TEST = ("constant_72000", "cosine_72000", "wsd_20000_24000", "wsdld_20000_24000", "wsdcon_3",
        "wsdcon_18")
SIZES = (25, 100, 400)


def data_dir() -> Path | None:
    here = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    for cand in (os.environ.get("FSLTHEORY_SHARED"), here, Path("/work/shared/data")):
        if cand and (Path(cand) / "MultiPowerLaw" / "SOURCE.txt").exists():
            return Path(cand) / "MultiPowerLaw"
    return None


def schedule(name: str, n: int) -> np.ndarray:
    """Per-step learning rate of run ``name`` for steps 0..n-1."""
    k = np.arange(n, dtype=np.float64)
    lr = np.full(n, PEAK)
    lr[:WARMUP] = PEAK * (k[:WARMUP] + 1) / WARMUP
    post = k >= WARMUP
    if name.startswith("cosine_"):
        total = int(name.split("_")[1])
        x = (k[post] - WARMUP) / (total - WARMUP)
        lr[post] = FINAL + (PEAK - FINAL) * (1 + np.cos(np.pi * x)) / 2
    elif name.startswith("wsd_"):
        d = k >= 20000
        lr[d] = PEAK * (FINAL / PEAK) ** ((k[d] - 20000) / 4000)
    elif name.startswith("wsdld_"):
        d = k >= 20000
        lr[d] = PEAK + (FINAL - PEAK) * (k[d] - 20000) / 4000
    elif name.startswith("wsdcon_"):
        lr[k >= 8000] = int(name.split("_")[1]) * 1e-5
    return lr


def load_run(size: int, name: str, root: Path | None = None) -> CurveRun:
    root = root or data_dir()
    if root is None:
        raise FileNotFoundError("MultiPowerLaw data not found")
    arr = np.genfromtxt(root / "loss_curve_repo" / f"csv_{size}" / f"{name}.csv", delimiter=",",
                        names=True)
    steps = arr["step"].astype(np.int64)
    keep = steps < 24000 if name.endswith("24000") else np.ones(steps.size, bool)
    steps, lr_csv, loss = steps[keep], arr["lr"][keep], arr["loss"][keep]
    lr = schedule(name, int(steps[-1]) + 1)
    err = np.max(np.abs(lr[steps] / lr_csv - 1))
    if err > 1e-3:
        raise ValueError(f"{name}: rebuilt schedule differs from the CSV lr by {err:.2g}")
    return CurveRun(f"{size}M/{name}", lr, np.full(lr.size, 1, dtype=np.int64), steps, loss,
                    {"schedule_error": float(err)})


def published_params(root: Path | None = None) -> dict[int, np.ndarray]:
    """The MPL paper's fitted (L0, A, alpha, B, C, beta, gamma) per model size, parsed from
    SOURCE.txt."""
    root = root or data_dir()
    text = (root / "SOURCE.txt").read_text()
    out = {}
    for size in SIZES:
        m = re.search(rf"\b{size}M ([0-9.,]+)", text)
        if m:
            out[size] = np.array([float(x) for x in m.group(1).strip(",").split(",")])
    return out

"""Learning-rate profiles for the planner: :mod:`fsltheory.lr` when present, else a
minimal reader of the same grammar (docs/theory.md §7).

Grammar: ``const | cosine | linear | wsd:F | wsd:F:FORM`` (FORM ∈ linear, cosine, sqrt,
exp) with optional suffixes ``,warmup=W`` (linear warmup over the first W of the data)
and ``,final=R`` (final multiplier, default 0.1).  ``profile(p)`` is the multiplier
``φ(p) ∈ (0, 1]`` of the peak LR at data fraction ``p``.

>>> as_profile("cosine,final=0.1").profile([0.0, 1.0]).round(6).tolist()
[1.0, 0.1]
>>> as_profile(None).is_constant
True
"""

from __future__ import annotations

import math
import re

import numpy as np

from .errors import InvalidParameterError

__all__ = ["as_profile"]

_GRAMMAR = ("const | cosine | linear | wsd:F | wsd:F:FORM (FORM linear|cosine|sqrt|exp), "
            "optional ,warmup=W ,final=R")


class _Profile:
    def __init__(self, kind: str, frac: float, form: str, warmup: float, final: float,
                 text: str) -> None:
        self.kind, self.frac, self.form = kind, frac, form
        self.warmup, self.final, self._text = warmup, final, text

    @property
    def is_constant(self) -> bool:
        return self.kind == "const" and self.warmup == 0.0

    def format(self) -> str:
        return self._text

    def profile(self, p) -> np.ndarray:
        p = np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)
        r = self.final
        if self.kind == "const":
            phi = np.ones_like(p)
        elif self.kind == "cosine":
            phi = r + (1 - r) * (1 + np.cos(math.pi * p)) / 2
        elif self.kind == "linear":
            phi = r + (1 - r) * (1 - p)
        else:
            x = np.clip((p - (1 - self.frac)) / self.frac, 0.0, 1.0)
            phi = {"linear": 1 - (1 - r) * x,
                   "cosine": r + (1 - r) * (1 + np.cos(math.pi * x)) / 2,
                   "sqrt": 1 - (1 - r) * np.sqrt(x),
                   "exp": r ** x}[self.form]
        if self.warmup > 0:
            phi = phi * np.clip(p / self.warmup, 1e-3, 1.0)
        return phi


def _parse(text: str) -> _Profile:
    parts = [t.strip() for t in text.strip().lower().split(",")]
    head, opts = parts[0], parts[1:]
    warmup, final = 0.0, 0.1
    for o in opts:
        m = re.fullmatch(r"(warmup|final)=([0-9.eE+-]+)", o)
        if not m:
            raise InvalidParameterError(f"lr schedule option {o!r} not understood; "
                                        f"expected {_GRAMMAR}")
        v = float(m.group(2))
        if m.group(1) == "warmup":
            if not 0.0 <= v < 1.0:
                raise InvalidParameterError(f"lr schedule warmup must be in [0, 1), got {v}")
            warmup = v
        else:
            if not 0.0 < v <= 1.0:
                raise InvalidParameterError(f"lr schedule final must be in (0, 1], got {v}")
            final = v
    m = re.fullmatch(r"wsd:([0-9.eE+-]+)(?::(linear|cosine|sqrt|exp))?", head)
    if head in ("const", "cosine", "linear"):
        return _Profile(head, 0.0, "linear", warmup, final, text)
    if m:
        f = float(m.group(1))
        if not 0.0 < f <= 1.0:
            raise InvalidParameterError(f"wsd decay fraction F must be in (0, 1], got {f}")
        return _Profile("wsd", f, m.group(2) or "linear", warmup, final, text)
    raise InvalidParameterError(f"cannot parse lr schedule {text!r}; expected {_GRAMMAR}")


def as_profile(x):
    """An LR profile from a spec string, a profile object or ``None`` (constant)."""
    try:
        from .lr import as_lr_profile  # type: ignore[attr-defined]
    except ImportError:
        if x is None:
            return _parse("const")
        if isinstance(x, str):
            return _parse(x)
        return x
    return as_lr_profile(x)

"""Evidence records and the :class:`Claim` type of the claim registry (docs/theory.md §6).

A claim is a formula plus the evidence for it (DESIGN.md).  :class:`Claim` ties a claim ID
of docs/theory.md §4–§5 to (1) its symbolic derivation (:mod:`fsltheory.symbolic`, the single source
of truth of every predicted exponent) and (2) a numeric check that measures the same
quantities on an engine and returns :class:`Evidence`: rows of measured vs predicted with a
tolerance and a verdict.

Row kinds
---------
``"exponent"``  pass iff ``|measured − predicted| ≤ tolerance`` (log-log slopes, docs/theory.md §6
                asks for 0.03 unless justified).
``"ratio"``     pass iff ``|measured/predicted − 1| ≤ tolerance`` (constants, floors,
                thresholds: a relative tolerance).
``"abs"``       pass iff ``|measured − predicted| ≤ tolerance`` for a non-exponent value
                (e.g. SGD mean vs exact risk within ``z·stderr``).
``"sign"``      a two-valued outcome: ``predicted`` is ±1 (e.g. +1 easy / −1 hard) and the
                row passes iff ``measured`` has the same sign; ``tolerance`` is unused (0).
``"bound"``     a one-sided bound: pass iff ``measured ≤ predicted`` (e.g. "P* = 0 up to
                the switch lattice" is ``P* ≤ B₂ − 1`` samples); ``tolerance`` unused (0).

Perturbation
------------
``check(..., perturb=δ)`` shifts every prediction before comparing — exponents by ``+δ``,
values by a factor ``(1 + δ)``, signs flipped, bounds lowered by the factor ``(1 − |δ|)``
and by one unit — so that the test suite can show that a wrong prediction is *reported as
failed* ("a check that can fail").
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["Row", "Evidence", "Claim", "SCALES", "fit_loglog", "check_scale"]

SCALES = ("quick", "full")
KINDS = ("exponent", "ratio", "abs", "sign", "bound")


def check_scale(scale: str) -> str:
    if scale not in SCALES:
        raise InvalidParameterError(f"scale must be one of {SCALES}, got {scale!r}")
    return scale


def fit_loglog(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of ``log|y|`` against ``log x`` (the measured exponent).

    Raises :class:`InvalidParameterError` unless all ``x > 0`` are finite and distinct
    (a repeated ``x`` — e.g. a duplicated budget — adds no independent point and would
    fake the number of points behind the slope), all ``y ≠ 0`` are finite and of one sign,
    and there are at least 3 points.
    """
    x = _real_1d("x", x)
    y = _real_1d("y", y)
    if x.size < 3 or x.size != y.size:
        raise InvalidParameterError(
            f"fit_loglog needs >= 3 paired points, got {x.size} x and {y.size} y values")
    if np.any(x <= 0) or not (np.all(y > 0) or np.all(y < 0)):
        raise InvalidParameterError("fit_loglog needs x > 0 and y of one strict sign")
    _check_distinct("x", x)
    return float(np.polyfit(np.log(x), np.log(np.abs(y)), 1)[0])


def _real_1d(name: str, v: Sequence[float]) -> np.ndarray:
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a 1-D sequence of real numbers") from None
    if a.ndim != 1 or not np.all(np.isfinite(a)):
        raise InvalidParameterError(f"{name} must be a 1-D sequence of finite real numbers")
    return a


def _check_distinct(name: str, x: np.ndarray) -> None:
    vals, counts = np.unique(x, return_counts=True)
    if np.any(counts > 1):
        dup = ", ".join(f"{v:g}" for v in vals[counts > 1][:5])
        raise InvalidParameterError(
            f"{name} values of a log-log fit must be distinct, got duplicates {dup}")


def decades(x: Sequence[float]) -> float:
    """Number of decades spanned by positive values ``x``."""
    x = _real_1d("x", x)
    if x.size == 0 or np.any(x <= 0):
        raise InvalidParameterError("decades needs at least one value, all > 0")
    return float(np.log10(x.max() / x.min()))


@dataclass(frozen=True)
class Row:
    """One measured-vs-predicted comparison."""

    quantity: str
    params: str
    predicted: float
    measured: float
    tolerance: float
    kind: str
    engine: str
    note: str = ""

    @property
    def error(self) -> float:
        """``|m − p|`` (exponent/abs), ``|m/p − 1|`` (ratio), 0/1 (sign: signs differ),
        ``max(0, m − p)`` (bound: excess over the bound)."""
        if self.kind == "ratio":
            return abs(self.measured / self.predicted - 1.0) if self.predicted else math.inf
        if self.kind == "sign":  # 0 if the signs agree, 1 if not
            ok = math.copysign(1.0, self.measured) == math.copysign(1.0, self.predicted)
            return 0.0 if ok and self.measured != 0 else (math.nan if math.isnan(
                self.measured) else 1.0)
        if self.kind == "bound":  # amount by which the bound is exceeded (0 if kept)
            return max(0.0, self.measured - self.predicted)
        return abs(self.measured - self.predicted)

    @property
    def passed(self) -> bool:
        e = self.error
        if self.kind in ("sign", "bound"):
            return bool(math.isfinite(self.measured) and e == 0.0)
        return bool(math.isfinite(e) and e <= self.tolerance)

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity, "params": self.params, "kind": self.kind,
            "predicted": self.predicted, "measured": self.measured,
            "tolerance": self.tolerance, "error": self.error, "passed": self.passed,
            "engine": self.engine, "note": self.note,
        }


@dataclass
class Evidence:
    """The result of one claim check: rows of measured vs predicted values.

    The claim passes iff it has at least one row and every row passes.
    """

    claim: str
    scale: str
    seed: int
    perturb: float = 0.0
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    #: the claim's headline symbolic results as text, when the check ran in a worker
    #: process (:func:`fsltheory.claims.check_claim`): the report then need not derive again
    symbolic: str = ""

    def add(self, quantity: str, params: str, predicted: float, measured: float,
            tolerance: float, kind: str = "exponent", engine: str = "", note: str = "") -> Row:
        """Append a row; ``predicted`` is perturbed here (see module docstring)."""
        if kind not in KINDS:
            raise InvalidParameterError(f"kind must be one of {KINDS}, got {kind!r}")
        p = float(predicted)
        if kind == "sign" and abs(p) != 1.0:
            raise InvalidParameterError(f"a sign row predicts +1 or -1, got {p!r}")
        if self.perturb:
            if kind == "exponent":
                p = p + self.perturb
            elif kind == "sign":
                p = -p
            elif kind == "bound":
                p = p * (1.0 - abs(self.perturb)) - 1.0
            else:
                p = p * (1.0 + self.perturb)
        row = Row(quantity, params, p, float(measured), float(tolerance), kind, engine, note)
        self.rows.append(row)
        return row

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(r.passed for r in self.rows)

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    @property
    def engines(self) -> str:
        return ", ".join(sorted({r.engine for r in self.rows if r.engine}))

    def headline(self) -> Row | None:
        """The row shown in summaries: a failing row if any, else the exponent row closest
        to failing (largest error/tolerance), else any row closest to failing."""
        if not self.rows:
            return None

        def badness(r: Row) -> float:
            e = r.error
            if not math.isfinite(e):
                return math.inf
            return e / r.tolerance if r.tolerance > 0 else (0.0 if e == 0 else math.inf)

        return max(self.rows, key=lambda r: (not r.passed, r.kind == "exponent", badness(r)))


@dataclass(frozen=True)
class Claim:
    """A registry entry: claim ID, statement, derivation and numeric check.

    ``derive()`` returns the :class:`fsltheory.symbolic.core.Derivation` of the claim;
    ``check(scale, seed, perturb)`` runs the numeric check and returns :class:`Evidence`.
    ``headline`` names the results of the derivation shown in the report; ``scope`` says
    what the numeric check covers, which tolerances differ from docs/theory.md §6's 0.03 and
    why, and
    which derived results are not checked numerically.
    """

    id: str
    title: str
    statement: str
    section: str
    derivation: Callable[[], Any]
    checker: Callable[[Evidence, Mapping[str, Any]], None]
    params: Mapping[str, Mapping[str, Any]]
    headline: tuple[str, ...] = ()
    scope: str = ""

    def derive(self) -> Any:
        """The sympy derivation (a ``Derivation`` with ``results`` and ``steps``)."""
        return self.derivation()

    def predictions(self) -> dict[str, Any]:
        """The named sympy results of :meth:`derive`."""
        return dict(self.derive().results)

    def symbolic_summary(self) -> str:
        """Short text of the headline symbolic results (for the report)."""
        res = self.predictions()
        keys = self.headline or tuple(res)[:1]
        return "; ".join(f"{k} = {res[k]}" for k in keys if k in res)

    def check(self, scale: str = "quick", seed: int = 0, perturb: float = 0.0, *,
              executor: Any = None) -> Evidence:
        """Run the numeric check at ``scale`` ("quick" or "full") with base ``seed``.

        ``perturb`` shifts every prediction (exponents by ``+perturb``, values by a factor
        ``1+perturb``) — a wrong prediction must come out as ``verdict == "fail"``.
        ``executor``: where the per-budget scaling studies run (their
        :func:`fsltheory.sweep` jobs): None in this process, or any
        :class:`concurrent.futures.Executor` (:func:`fsltheory.sweep.local_executor`,
        :func:`fsltheory.sweep.dask_executor`); the numbers are the same either way.
        """
        scale = check_scale(scale)
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InvalidParameterError(f"seed must be an integer >= 0, got {seed!r}")
        ev = Evidence(self.id, scale, int(seed), float(perturb))
        t0 = time.perf_counter()
        p = {**self.params[scale], "seed": int(seed)}
        if executor is not None:
            p["executor"] = executor
        self.checker(ev, p)
        ev.seconds = time.perf_counter() - t0
        return ev

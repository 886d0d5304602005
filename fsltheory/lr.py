"""Learning-rate profiles over the data fraction consumed (docs/theory.md §7).

A trainer-style LR schedule is a profile ``φ: [0, 1] → [0, 1]`` of the *data fraction
consumed* ``p``: step ``k`` uses

    η_k = η_peak · φ(P_k / D),        P_k = samples consumed before step k, D = budget,

so a batch schedule changes the number of steps but not the LR seen at a given point of
the data.  Shapes (``r`` the final ratio, default 0; ``w`` the warmup fraction, default 0):

* ``const``    φ = 1
* ``cosine``   φ = r + (1 − r)(1 + cos πq)/2,   q = (p − w)/(1 − w) the post-warmup fraction
* ``linear``   φ = r + (1 − r)(1 − q)
* ``wsd:F[:FORM]``  φ = 1 for p ≤ 1 − F, then with u = (p − (1 − F))/F ∈ (0, 1] (the
  fraction of the decay phase done) and FORM one of
  ``linear`` r + (1 − r)(1 − u) · ``cosine`` r + (1 − r)(1 + cos πu)/2 ·
  ``sqrt`` r + (1 − r)(1 − √u) · ``exp`` r^u (geometric, needs r > 0)
* warmup: the shape above is multiplied by the linear ramp ``min(1, p/w)``.
* tables: :meth:`LRProfile.from_samples`, :meth:`LRProfile.from_steps`,
  :meth:`LRProfile.from_csv` — piecewise-constant values per sample count or per step,
  normalised by their maximum (``--lr`` stays the peak).

The zero-LR ends, decided
-------------------------
``φ(1) = r`` may be 0, but no step sees ``p = 1``: ``P_k ≤ D − B_K < D``.  To keep the
last steps' LR positive and accurate, the decays are evaluated from the *remaining*
fraction ``1 − p = (D − P_k)/D`` (computed exactly in integers), with
``(1 + cos πu)/2 = sin²(π(1 − u)/2)`` and ``1 − √u = (1 − u)/(1 + √u)`` (no cancellation),
so ``η_k > 0`` at every step, however small.  The warmup ramp would give ``φ(0) = 0`` at
step 0, so **per step** it is evaluated at the data consumed *after* the step,
``min(1, P_{k+1}/(w D))`` (the trainer convention ``lr·(k+1)/warmup_steps``); the profile
function :meth:`LRProfile.profile` itself is the continuous ``min(1, p/w)``.

String form (command line)
--------------------------
``const | cosine | linear | wsd:F | wsd:F:FORM`` with optional suffixes ``,warmup=W`` and
``,final=R``, e.g. ``wsd:0.2:sqrt,warmup=0.01,final=0.1``; ``csv:PATH`` loads a table.

Example
-------
>>> from fsltheory.lr import LRProfile
>>> prof = LRProfile.parse("wsd:0.2:sqrt,warmup=0.01,final=0.1")
>>> prof.format()
'wsd:0.2:sqrt,warmup=0.01,final=0.1'
>>> [round(float(x), 6) for x in prof.profile([0.005, 0.5, 0.9, 1.0])]
[0.5, 1.0, 0.363604, 0.1]
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

from .errors import InvalidParameterError, check_range

__all__ = ["LRProfile", "LR_GRAMMAR", "LR_SHAPES", "DECAY_FORMS", "as_lr_profile"]

LR_SHAPES = ("const", "cosine", "linear", "wsd")
DECAY_FORMS = ("linear", "cosine", "sqrt", "exp")

LR_GRAMMAR = (
    "const | cosine | linear | wsd:F | wsd:F:FORM (FORM in linear|cosine|sqrt|exp, "
    "0 < F <= 1 the decay fraction of the data) with optional suffixes ,warmup=W "
    "(0 <= W < 1, fraction of the data) and ,final=R (0 <= R <= 1, final/peak LR; exp needs "
    "R > 0), or csv:PATH (columns step,lr or samples,lr); e.g. cosine, wsd:0.2, "
    "wsd:0.2:sqrt,warmup=0.01,final=0.1"
)

# kernel codes (the float64 parameter vector of :attr:`LRProfile.params`)
_KIND = {"const": 0, "cosine": 1, "linear": 2, "wsd": 3}
_FORM = {f: i for i, f in enumerate(DECAY_FORMS)}
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?)"


def _fmt(x: float) -> str:
    """Shortest round-tripping decimal (``1`` rather than ``1.0``)."""
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


# ---------------------------------------------------------------------------- kernels
@njit(cache=True, inline="always")
def _shape(kind, F, form, W, R, rem):
    """Decay shape at remaining data fraction ``rem = 1 − p`` (without the warmup ramp)."""
    if kind == 0:
        return 1.0
    if kind == 1 or kind == 2:
        v = rem / (1.0 - W) if W > 0.0 else rem  # remaining post-warmup fraction
        if v >= 1.0:
            return 1.0
        if kind == 1:
            s = math.sin(0.5 * math.pi * v)
            return R + (1.0 - R) * s * s
        return R + (1.0 - R) * v
    # wsd: stable while rem >= F
    if rem >= F:
        return 1.0
    v = rem / F  # remaining fraction of the decay phase, 1 − u
    if form == 0:
        return R + (1.0 - R) * v
    if form == 1:
        s = math.sin(0.5 * math.pi * v)
        return R + (1.0 - R) * s * s
    if form == 2:
        u = 1.0 - v
        return R + (1.0 - R) * v / (1.0 + math.sqrt(u))
    return math.exp((1.0 - v) * math.log(R))


@njit(cache=True)
def phi_step(params, P, b, D):
    """Per-step multiplier of step with ``P`` samples before it, batch ``b``, budget ``D``
    (all integers): the shape at ``rem = (D − P)/D`` times the warmup ramp at
    ``min(P + b, D)/D`` (module docstring)."""
    rem = float(D - P) / float(D)
    f = _shape(int(params[0]), params[1], int(params[2]), params[3], params[4], rem)
    W = params[3]
    if W > 0.0:
        e = P + b
        if e > D:
            e = D
        pw = float(e) / float(D)
        if pw < W:
            f *= pw / W
    return f


@njit(cache=True)
def _phi_cont(params, R0, x, b, D, out):
    """:func:`phi_step` at real step positions ``x`` of a segment with ``R0 = D − P_0``
    samples left at its start and batch ``b`` (``P = P_0 + x·b``); equal to
    :func:`phi_step` at integer ``x`` (the same floating-point operations)."""
    W = params[3]
    Df = float(D)
    for i in range(x.size):
        remP = float(R0) - x[i] * b
        f = _shape(int(params[0]), params[1], int(params[2]), W, params[4], remP / Df)
        if W > 0.0:
            e = Df - remP + b
            if e > Df:
                e = Df
            pw = e / Df
            if pw < W:
                f *= pw / W
        out[i] = f


def phi_positions(params: np.ndarray, R0: int, x: np.ndarray, b: int, D: int) -> np.ndarray:
    """Vectorised :func:`_phi_cont` (real positions ``x`` inside one segment)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    out = np.empty(x.size)
    _phi_cont(params, int(R0), x.ravel(), float(b), int(D), out)
    return out.reshape(x.shape)


@njit(cache=True)
def _phi_steps(params, P, b, D, out):
    for i in range(P.size):
        out[i] = phi_step(params, P[i], b[i], D)


@njit(cache=True)
def _shape_many(params, rem, out):
    for i in range(rem.size):
        out[i] = _shape(int(params[0]), params[1], int(params[2]), params[3], params[4],
                        rem[i])


def phi_steps(params: np.ndarray, P: np.ndarray, b: np.ndarray, D: int) -> np.ndarray:
    """Vectorised :func:`phi_step` over steps (``P``, ``b`` int64 arrays)."""
    P = np.ascontiguousarray(P, dtype=np.int64)
    b = np.broadcast_to(np.asarray(b, dtype=np.int64), P.shape).copy()
    out = np.empty(P.size)
    _phi_steps(params, P.ravel(), b.ravel(), int(D), out)
    return out.reshape(P.shape)


# ---------------------------------------------------------------------------- profile
@dataclass(frozen=True)
class LRProfile:
    """An LR profile ``φ`` over the data fraction consumed (docs/theory.md §7).

    Build it with :meth:`parse` (the command-line grammar :data:`LR_GRAMMAR`), the
    constructor (``LRProfile("wsd", decay=0.2, form="sqrt", warmup=0.01, final=0.1)``) or
    the table builders.  The schedule's LR at step ``k`` is ``η_peak · φ(P_k/D)``.

    Parameters
    ----------
    shape : {"const", "cosine", "linear", "wsd", "table"}
    decay : float
        WSD decay fraction ``F ∈ (0, 1]`` (wsd only).
    form : {"linear", "cosine", "sqrt", "exp"}
        WSD decay form (wsd only).
    warmup : float
        Linear warmup over the first ``w ∈ [0, 1)`` of the data (``w ≤ 1 − F`` for wsd).
    final : float
        Final ratio ``r = η_end/η_peak ∈ [0, 1]`` (cosine, linear, wsd; ``exp`` needs r > 0).
    table_x, table_y, table_unit, source
        Tables only (use the ``from_*`` builders): breakpoints (steps or samples, the first
        0, increasing), values normalised to a maximum of 1, the unit, and the CSV path.

    Examples
    --------
    >>> LRProfile.parse("cosine,final=0.1").profile([0.0, 0.5, 1.0]).round(6).tolist()
    [1.0, 0.55, 0.1]
    >>> LRProfile.parse("wsd:1.5")
    Traceback (most recent call last):
    ...
    fsltheory.errors.InvalidParameterError: wsd decay fraction F must be in (0, 1], got 1.5
    """

    shape: str = "const"
    decay: float = 0.0
    form: str = "linear"
    warmup: float = 0.0
    final: float = 0.0
    table_x: tuple[int, ...] = ()
    table_y: tuple[float, ...] = ()
    table_unit: str = ""
    source: str | None = None

    def __post_init__(self) -> None:
        shapes = (*LR_SHAPES, "table")
        if self.shape not in shapes:
            raise InvalidParameterError(
                f"lr schedule shape must be one of {'|'.join(LR_SHAPES)}, got {self.shape!r}")
        if self.form not in DECAY_FORMS:
            raise InvalidParameterError(
                f"wsd decay FORM must be one of {'|'.join(DECAY_FORMS)}, got {self.form!r}")
        warm = check_range("warmup", self.warmup, 0.0, 1.0, high_open=True)
        fin = check_range("final", self.final, 0.0, 1.0)
        object.__setattr__(self, "warmup", warm)
        object.__setattr__(self, "final", fin)
        if self.shape == "wsd":
            F = self.decay
            try:
                F = float(F)
            except (TypeError, ValueError):
                F = float("nan")
            if not (math.isfinite(F) and 0.0 < F <= 1.0):
                raise InvalidParameterError(
                    f"wsd decay fraction F must be in (0, 1], got {self.decay!r}")
            object.__setattr__(self, "decay", F)
            if warm > 1.0 - F:
                raise InvalidParameterError(
                    f"warmup must be in [0, {1.0 - F:g}] (= 1 - F, before the decay phase of "
                    f"wsd:{F:g}), got {self.warmup!r}")
            if self.form == "exp" and fin <= 0.0:
                raise InvalidParameterError(
                    f"final must be in (0, 1] for the exp decay form (geometric decay to "
                    f"R > 0), got {self.final!r}")
        else:
            if self.decay != 0.0 or self.form != "linear":
                raise InvalidParameterError(
                    f"decay fraction and FORM apply to wsd only, not to {self.shape!r}")
        if self.shape in ("const", "table") and fin != 0.0:
            raise InvalidParameterError(
                f"final applies to cosine, linear and wsd only, not to {self.shape!r}")
        if self.shape == "table":
            if self.warmup != 0.0:
                raise InvalidParameterError("warmup does not apply to a table LR schedule")
            if self.table_unit not in ("step", "samples"):
                raise InvalidParameterError(
                    f"table unit must be 'step' or 'samples', got {self.table_unit!r}")
            x = np.asarray(self.table_x, dtype=np.int64)
            y = np.asarray(self.table_y, dtype=np.float64)
            if x.size == 0 or x.size != y.size or x[0] != 0 or np.any(np.diff(x) <= 0):
                raise InvalidParameterError(
                    f"an LR table needs rows whose {self.table_unit} column starts at 0 and "
                    f"increases strictly, with one lr per row")
            if not (np.all(np.isfinite(y)) and np.all(y > 0)):
                raise InvalidParameterError("LR table values must be finite and in (0, inf)")
            if abs(float(y.max()) - 1.0) > 1e-15:
                y = y / y.max()
            object.__setattr__(self, "table_x", tuple(int(v) for v in x))
            object.__setattr__(self, "table_y", tuple(float(v) for v in y))
        elif self.table_x or self.table_y or self.table_unit:
            raise InvalidParameterError("table_x/table_y apply to table LR schedules only")

    # ------------------------------------------------------------------ builders
    @classmethod
    def parse(cls, spec: str) -> LRProfile:
        """Profile from its string form (:data:`LR_GRAMMAR`).

        Every error is an :class:`~fsltheory.errors.InvalidParameterError` naming the
        parameter and its allowed range.
        """
        if isinstance(spec, LRProfile):
            return spec
        if not isinstance(spec, str):
            raise InvalidParameterError(f"lr schedule must be a string: {LR_GRAMMAR}")
        text = spec.strip()
        if text.startswith("csv:"):
            return cls.from_csv(text[4:])
        text = text.replace(" ", "")
        if not text.isascii():
            raise InvalidParameterError(
                f"lr schedule must be ASCII (digits 0-9), got {spec!r}; expected {LR_GRAMMAR}")
        head, *suffixes = text.split(",")
        kw: dict[str, float] = {}
        for suf in suffixes:
            m = re.fullmatch(r"(warmup|final)=(.*)", suf)
            if not m:
                raise InvalidParameterError(
                    f"lr schedule suffix must be warmup=W or final=R, got {suf!r} in "
                    f"{spec!r}; expected {LR_GRAMMAR}")
            key, val = m.groups()
            if key in kw:
                raise InvalidParameterError(f"lr schedule gives {key} twice in {spec!r}")
            kw[key] = _number(key, val, "[0, 1)" if key == "warmup" else "[0, 1]")
        if head in ("const", "constant", "cosine", "linear"):
            shape = "const" if head == "constant" else head
            return cls(shape, **kw)
        m = re.fullmatch(r"wsd:([^:]*)(?::([^:]*))?", head)
        if m:
            F = _number("wsd decay fraction F", m.group(1), "(0, 1]")
            form = m.group(2) if m.group(2) is not None else "linear"
            return cls("wsd", decay=F, form=form, **kw)
        raise InvalidParameterError(f"cannot parse lr schedule {spec!r}; expected {LR_GRAMMAR}")

    @classmethod
    def from_samples(cls, samples, lr) -> LRProfile:
        """Piecewise-constant table over samples consumed: step ``k`` uses the value of the
        last row with ``samples ≤ P_k`` (rows start at 0; the last value holds to the end).
        Values are normalised by their maximum (``--lr``/``lr=`` is the peak)."""
        return cls("table", table_x=_ints("samples", samples), table_y=_floats(lr),
                   table_unit="samples")

    @classmethod
    def from_steps(cls, lr, steps=None) -> LRProfile:
        """Per-step table: step ``k`` uses ``lr[k]`` (or the value of the last row with
        ``steps ≤ k``), normalised by the maximum.  The schedule must not have more steps
        than the table covers when ``steps`` is omitted."""
        y = _floats(lr)
        x = tuple(range(len(y))) if steps is None else _ints("step", steps)
        return cls("table", table_x=x, table_y=y, table_unit="step",
                   source=None if steps is not None else f"steps:{len(y)}")

    @classmethod
    def from_csv(cls, path: str | Path) -> LRProfile:
        """Table from a CSV file with a header ``step,lr`` or ``samples,lr``."""
        p = Path(path)
        try:
            with open(p, newline="") as fh:
                rows = list(csv.reader(fh))
        except OSError as exc:
            raise InvalidParameterError(
                f"lr schedule csv:PATH must be a readable file, got {str(path)!r} "
                f"({exc.strerror})") from None
        rows = [r for r in rows if r and any(c.strip() for c in r)]
        head = [c.strip().lower() for c in rows[0]] if rows else []
        if len(head) != 2 or head[0] not in ("step", "samples") or head[1] != "lr":
            raise InvalidParameterError(
                f"lr schedule CSV {str(path)!r} must have the header step,lr or samples,lr")
        try:
            x = [int(r[0]) for r in rows[1:]]
            y = [float(r[1]) for r in rows[1:]]
        except (ValueError, IndexError):
            raise InvalidParameterError(
                f"lr schedule CSV {str(path)!r}: every row must be an integer "
                f"{head[0]} and a number lr") from None
        return cls("table", table_x=tuple(x), table_y=tuple(y), table_unit=head[0],
                   source=f"csv:{path}")

    # ------------------------------------------------------------------ queries
    @property
    def is_constant(self) -> bool:
        """``φ ≡ 1`` (``const`` without warmup, or a table of equal values)."""
        if self.shape == "table":
            return len(set(self.table_y)) == 1
        return self.shape == "const" and self.warmup == 0.0

    @property
    def is_table(self) -> bool:
        return self.shape == "table"

    @property
    def params(self) -> np.ndarray:
        """Float64 vector ``[kind, F, form, w, r]`` consumed by the compiled kernels."""
        if self.shape == "table":
            raise InvalidParameterError("a table LR schedule has no kernel parameters")
        return np.array([_KIND[self.shape], self.decay, _FORM[self.form], self.warmup,
                         self.final], dtype=np.float64)

    def profile(self, p) -> np.ndarray:
        """Multiplier ``φ(p)`` of the peak LR at data fractions ``p ∈ [0, 1]``.

        ``φ(p) > 0`` for ``0 < p < 1``; ``φ(1) = r`` (may be 0) and, with warmup,
        ``φ(0) = 0``.  Tables over samples need the budget: use a :class:`Schedule`.
        """
        if self.shape == "table":
            raise InvalidParameterError(
                "a table LR schedule is defined per step or per sample: realise it on a "
                "Schedule and read schedule.lr")
        p = np.asarray(p, dtype=np.float64)
        if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
            raise InvalidParameterError("data fraction p must be in [0, 1]")
        out = np.empty(p.size)
        _shape_many(self.params, (1.0 - p).ravel(), out)
        out = out.reshape(p.shape)
        if self.warmup > 0:
            with np.errstate(over="ignore"):
                out = out * np.minimum(1.0, p / self.warmup)
        return out

    def format(self) -> str:
        """The string form (inverse of :meth:`parse`)."""
        if self.shape == "table":
            if self.source and self.source.startswith("csv:"):
                return self.source
            raise InvalidParameterError("a table LR schedule built from arrays has no "
                                        "string form")
        s = self.shape
        if s == "wsd":
            s += f":{_fmt(self.decay)}" + (f":{self.form}" if self.form != "linear" else "")
        if self.warmup:
            s += f",warmup={_fmt(self.warmup)}"
        if self.final:
            s += f",final={_fmt(self.final)}"
        return s

    def __str__(self) -> str:
        try:
            return self.format()
        except InvalidParameterError:
            return f"table[{len(self.table_y)} rows by {self.table_unit}]"


def _number(name: str, text: str, allowed: str) -> float:
    if not re.fullmatch(_NUM, text or ""):
        raise InvalidParameterError(
            f"{name} must be a decimal number in {allowed}, got {text!r}")
    return float(text)


def _ints(name: str, xs) -> tuple[int, ...]:
    a = np.asarray(xs)
    if a.ndim != 1 or a.dtype.kind not in "iuf" or (a.dtype.kind == "f" and (
            not np.all(np.isfinite(a)) or np.any(a != np.round(a)))):
        raise InvalidParameterError(f"LR table {name} column must hold integers >= 0")
    return tuple(int(v) for v in a)


def _floats(ys) -> tuple[float, ...]:
    a = np.asarray(ys, dtype=np.float64)
    if a.ndim != 1:
        raise InvalidParameterError("LR table values must be a 1-D sequence")
    return tuple(float(v) for v in a)


def as_lr_profile(x: str | LRProfile | None) -> LRProfile:
    """``None`` → constant, a string → :meth:`LRProfile.parse`, a profile → itself."""
    if x is None:
        return LRProfile()
    if isinstance(x, LRProfile):
        return x
    return LRProfile.parse(x)

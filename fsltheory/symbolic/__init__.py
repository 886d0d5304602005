"""Symbolic derivations of the FSL closed forms and scheduling claims (docs/theory.md §4–§5).

This package is sympy only.  Each claim of docs/theory.md has a derivation function that builds
its result from the model — sums replaced by integrals, Gamma integrals evaluated,
Lagrangians differentiated, balance equations solved, exponents read off as logarithmic
derivatives — and returns a :class:`Derivation` recording every intermediate expression.
Nothing is typed in; the tests compare against the docs/theory.md text written independently.

Quick guide
-----------
>>> from fsltheory.symbolic import derivations, exponent, beta, s
>>> derivations("C-OPT-EASY")["T_star_exponent"]
beta/(beta*s + 1)
>>> exponent("switch")                      # the single source of truth downstream
beta*(s + 1)/(2*beta - 1)
>>> round(exponent_value("switch", beta=2.0, s=0.25), 6)   # numeric twin
0.833333
>>> derivation("C-CATCHUP").numeric["half_drop_time"](beta=2.0)
3.0

Claims (:data:`CLAIM_IDS`): C-KERNEL, C-SIGNAL (§4); C-STABLE, C-FLOOR (§2–§3);
C-OPT-EASY, C-REGIME, C-OPT-HARD, C-SWITCH, C-CATCHUP, C-DUALITY, C-RATES (§5);
C-ES, C-BOPT (§8: the data–steps trade-off, B_min, B_opt, B_crit, B_noise);
C-SWITCH-LR (§7).

Exponents (:data:`EXPONENTS`, name → sympy expression in β, s): see
:func:`exponent_names`.  All derivations are cached (:func:`functools.lru_cache`);
deriving every claim takes ~10 s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import sympy as sp

from ..errors import InvalidParameterError
from .core import SYMBOLS, Derivation, NumericTwin, Step, beta, power_exponent, s
from .critical import bopt_derivation, es_derivation
from .fsl import floor_derivation, stability_derivation
from .kernels import kernel_derivation, signal_derivation
from .lr_switch import switch_lr_derivation
from .rates import rates_derivation
from .schedules import (
    catchup_derivation,
    duality_derivation,
    opt_easy_derivation,
    opt_hard_derivation,
    regime_derivation,
    switch_derivation,
)

__all__ = [
    # registry
    "CLAIM_IDS",
    "claim_id",
    "derivation",
    "derivations",
    "all_derivations",
    # exponents
    "EXPONENTS",
    "exponent",
    "exponent_value",
    "exponent_names",
    "signal_exponent",
    "kernel_exponent",
    "kernel_tail_exponent",
    "t_star_exponent",
    "j_star_exponent",
    "b0_exponent",
    "bT_exponent",
    "regime_boundary",
    "growth_fraction_exponent",
    "hard_final_batch_exponent",
    "switch_exponent",
    "switch_share_exponent",
    "catchup_gap_exponent",
    "half_drop_time",
    "catchup_crossover_exponent",
    "lr_decay_power",
    "eta_peak_exponent",
    "rate_exponent",
    # machinery
    "Derivation",
    "Step",
    "NumericTwin",
    "power_exponent",
    "beta",
    "s",
    "SYMBOLS",
]

_BUILDERS: dict[str, Callable[[], Derivation]] = {
    "C-KERNEL": kernel_derivation,
    "C-SIGNAL": signal_derivation,
    "C-STABLE": stability_derivation,
    "C-FLOOR": floor_derivation,
    "C-OPT-EASY": opt_easy_derivation,
    "C-REGIME": regime_derivation,
    "C-OPT-HARD": opt_hard_derivation,
    "C-SWITCH": switch_derivation,
    "C-CATCHUP": catchup_derivation,
    "C-DUALITY": duality_derivation,
    "C-RATES": rates_derivation,
    "C-ES": es_derivation,
    "C-BOPT": bopt_derivation,
    "C-SWITCH-LR": switch_lr_derivation,
}

#: every claim ID with a derivation, in docs/theory.md order
CLAIM_IDS: tuple[str, ...] = tuple(_BUILDERS)


def claim_id(name: str) -> str:
    """Canonical claim ID (case-insensitive); raises
    :class:`~fsltheory.errors.InvalidParameterError` naming the allowed IDs."""
    key = str(name).strip().upper()
    if key not in _BUILDERS:
        raise InvalidParameterError(f"claim must be one of {', '.join(CLAIM_IDS)}; got {name!r}")
    return key


def derivation(claim_id_: str) -> Derivation:
    """The full :class:`Derivation` (statement, assumptions, steps, results) of a claim.

    Raises :class:`~fsltheory.errors.InvalidParameterError` for an unknown ID.
    """
    return _BUILDERS[claim_id(claim_id_)]()


def derivations(claim_id: str) -> dict[str, sp.Expr]:
    """``{name: sympy expression}`` of the results derived for one claim."""
    return dict(derivation(claim_id).results)


def all_derivations() -> dict[str, Derivation]:
    """Every claim's derivation, in :data:`CLAIM_IDS` order."""
    return {cid: derivation(cid) for cid in CLAIM_IDS}


# ------------------------------------------------------------------------ exponents
# name -> (claim, result key, description)
_EXPONENT_SOURCES: dict[str, tuple[str, str, str]] = {
    "signal": ("C-SIGNAL", "signal_exponent", "e(t) ∝ t^p"),
    "kernel": ("C-KERNEL", "kernel_exponent", "K(u) ∝ u^p"),
    "kernel_tail": ("C-KERNEL", "tail_exponent", "∫_u^∞ K ∝ u^p"),
    "batch_growth": ("C-OPT-EASY", "batch_growth_exponent", "b*(t) ∝ (T−t+1)^p"),
    "T_star": ("C-OPT-EASY", "T_star_exponent", "T* ∝ D^p (easy)"),
    "J_star": ("C-OPT-EASY", "J_star_exponent", "J* ∝ D^p (easy)"),
    "b0": ("C-OPT-EASY", "b0_exponent", "b*(0) ∝ D^p"),
    "bT": ("C-OPT-EASY", "bT_exponent", "b*(T*) ∝ D^p (easy)"),
    "regime_boundary": ("C-REGIME", "regime_boundary", "easy iff s ≥ p (a value of s)"),
    "growth_length": ("C-OPT-HARD", "growth_length_exponent", "T* − T₁* ∝ D^p (hard)"),
    "growth_fraction": ("C-OPT-HARD", "growth_fraction_exponent", "(T*−T₁*)/T* ∝ D^p"),
    "J_star_hard": ("C-OPT-HARD", "J_star_exponent", "J* ∝ D^p (hard)"),
    "hard_final_batch": ("C-OPT-HARD", "final_batch_exponent", "b*(T*) ∝ D^p (hard)"),
    "hard_final_batch_Bmin": (
        "C-OPT-HARD", "final_batch_Bmin_exponent", "b*(T*) ∝ B_min^p at fixed D, η, σ"
    ),
    "switch": ("C-SWITCH", "switch_exponent", "D − P* ∝ D^p (hard)"),
    "switch_share": ("C-SWITCH", "large_batch_share_exponent", "(D − P*)/D ∝ D^p (hard)"),
    "switch_lr_wsd": ("C-SWITCH-LR", "switch_exponent_wsd",
                      "D − P* ∝ D^p, WSD linear decay to 0, interior switch (hard)"),
    "switch_lr_cosine": ("C-SWITCH-LR", "switch_exponent_cosine",
                         "D − P* ∝ D^p, cosine to 0, interior switch (hard)"),
    "catchup_gap": ("C-CATCHUP", "gap_exponent", "Δ ∝ (t − t_s)^p"),
    "catchup_crossover": ("C-CATCHUP", "crossover_exponent", "gap < e(t_s) after t_s^p"),
    "lr_decay_power": ("C-DUALITY", "lr_decay_power", "η*(z) ∝ (1 − z/N)^p"),
    "eta_peak": ("C-DUALITY", "eta_peak_exponent", "η_peak ∝ N^p"),
    "rate_constant": ("C-RATES", "constant", "constant LR: J ∝ D^p"),
    "rate_exp_easy": ("C-RATES", "exp_easy", "exp decay, easy: J ∝ D^p (log D)^q"),
    "rate_exp_easy_log": ("C-RATES", "exp_easy_log", "… q"),
    "rate_exp_hard": ("C-RATES", "exp_hard", "exp decay, hard: J ∝ D^p (log D)^q"),
    "rate_exp_hard_log": ("C-RATES", "exp_hard_log", "… q"),
    "rate_wsd_easy": ("C-RATES", "wsd_easy", "WSD, easy: J ∝ D^p (log D)^q"),
    "rate_wsd_easy_log": ("C-RATES", "wsd_easy_log", "… q"),
    "rate_wsd_hard": ("C-RATES", "wsd_hard", "WSD, hard: J ∝ D^p (log D)^q"),
    "rate_wsd_hard_log": ("C-RATES", "wsd_hard_log", "… q"),
    "es_asymptote": ("C-ES", "asymptote_correction_exponent",
                     "E(S) − B_min S ∝ S^p at large S"),
    "bopt_correction": ("C-BOPT", "correction_exponent",
                        "1 − (B_opt/B_min)/(1 + 1/s) ∝ ℓ^p as ℓ → 0"),
}


class _LazyExponents(Mapping):
    """Read-only mapping name → sympy exponent; each derived on first access."""

    def __getitem__(self, name: str) -> sp.Expr:
        if name not in _EXPONENT_SOURCES:
            raise KeyError(
                f"unknown exponent {name!r}; known: {', '.join(_EXPONENT_SOURCES)}"
            )
        claim, key, _ = _EXPONENT_SOURCES[name]
        return derivation(claim).results[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_EXPONENT_SOURCES)

    def __len__(self) -> int:
        return len(_EXPONENT_SOURCES)

    def __repr__(self) -> str:
        return f"EXPONENTS({', '.join(_EXPONENT_SOURCES)})"


#: name → derived sympy exponent (lazy; the single source of truth for numerics/figures)
EXPONENTS: Mapping[str, sp.Expr] = _LazyExponents()


def exponent_names() -> dict[str, str]:
    """``{name: description}`` of every entry of :data:`EXPONENTS`."""
    return {k: f"{v[2]}  [{v[0]}]" for k, v in _EXPONENT_SOURCES.items()}


def exponent(name: str) -> sp.Expr:
    """Derived sympy exponent ``name`` (see :func:`exponent_names`)."""
    try:
        return EXPONENTS[name]
    except KeyError as exc:
        raise InvalidParameterError(exc.args[0]) from None


def exponent_value(name: str, beta: float, s: float | None = None) -> float:
    """Numeric value of exponent ``name`` at (β, s) (numeric twin of :func:`exponent`)."""
    from ..errors import check_range

    expr = exponent(name)
    claim, key, _ = _EXPONENT_SOURCES[name]
    twin = derivation(claim).numeric[key]
    kw = {"beta": check_range("beta", beta, 1.0, None, low_open=True)}
    if "s" in twin.args:
        if s is None:
            raise InvalidParameterError(f"exponent {name!r} = {expr} needs s > 0")
        kw["s"] = check_range("s", s, 0.0, None, low_open=True)
    return float(twin(**{k: v for k, v in kw.items() if k in twin.args}))


def signal_exponent() -> sp.Expr:
    """−s: e(t) ∝ t^(−s) (C-SIGNAL)."""
    return exponent("signal")


def kernel_exponent() -> sp.Expr:
    """−(2 − 1/β): K(u) ∝ u^(−(2−1/β)) (C-KERNEL)."""
    return exponent("kernel")


def kernel_tail_exponent() -> sp.Expr:
    """−(1 − 1/β): ∫_u^∞ K ∝ u^(−(1−1/β)) (C-KERNEL)."""
    return exponent("kernel_tail")


def t_star_exponent() -> sp.Expr:
    """β/(1 + sβ): T* ∝ D^(β/(1+sβ)) (C-OPT-EASY)."""
    return exponent("T_star")


def j_star_exponent(regime: str = "easy") -> sp.Expr:
    """J* exponent: −sβ/(1+sβ) easy (C-OPT-EASY), −s hard (C-OPT-HARD)."""
    if regime not in ("easy", "hard"):
        raise InvalidParameterError(f"regime must be 'easy' or 'hard'; got {regime!r}")
    return exponent("J_star" if regime == "easy" else "J_star_hard")


def b0_exponent() -> sp.Expr:
    """(s − 1 + 1/β)/(s + 1/β): b*(0) ∝ D^p (C-OPT-EASY)."""
    return exponent("b0")


def bT_exponent() -> sp.Expr:
    """(1/2 + sβ)/(1 + sβ): b*(T*) ∝ D^p (C-OPT-EASY)."""
    return exponent("bT")


def regime_boundary() -> sp.Expr:
    """1 − 1/β: the value of s separating hard (below) from easy (C-REGIME)."""
    return exponent("regime_boundary")


def growth_fraction_exponent() -> sp.Expr:
    """−(1 − 1/β − s)/(2 − 1/β): growth-phase fraction (C-OPT-HARD)."""
    return exponent("growth_fraction")


def hard_final_batch_exponent() -> sp.Expr:
    """(1 + s)/2: final batch ∝ D^p in the hard regime (C-OPT-HARD)."""
    return exponent("hard_final_batch")


def switch_exponent() -> sp.Expr:
    """(1 + s)/(2 − 1/β): D − P* ∝ D^p in the hard regime (C-SWITCH)."""
    return exponent("switch")


def switch_share_exponent() -> sp.Expr:
    """−(1 − 1/β − s)/(2 − 1/β): large-batch data share (C-SWITCH)."""
    return exponent("switch_share")


def catchup_gap_exponent() -> sp.Expr:
    """−(1 − 1/β): gap to the constant-γ₂ run ∝ (t − t_s)^p (C-CATCHUP)."""
    return exponent("catchup_gap")


def half_drop_time() -> sp.Expr:
    """2^(β/(β−1)) − 1: half of the sudden drop, surrogate kernel (C-CATCHUP)."""
    return derivation("C-CATCHUP").results["half_drop_time"]


def catchup_crossover_exponent() -> sp.Expr:
    """sβ/(β − 1): the gap falls below e(t_s) after t_s^p (C-CATCHUP)."""
    return exponent("catchup_crossover")


def lr_decay_power() -> sp.Expr:
    """2β − 1: η*(z) ∝ (1 − z/N)^(2β−1) (C-DUALITY)."""
    return exponent("lr_decay_power")


def eta_peak_exponent() -> sp.Expr:
    """−(s − 1 + 1/β)/(s + 1/β): η_peak ∝ N^p (C-DUALITY)."""
    return exponent("eta_peak")


def rate_exponent(schedule: str, regime: str = "easy") -> tuple[sp.Expr, sp.Expr]:
    """(D exponent, log D exponent) of C-RATES for ``schedule`` ∈ {constant, exp, wsd}."""
    if schedule == "constant":
        return exponent("rate_constant"), sp.Integer(0)
    if schedule not in ("exp", "wsd"):
        raise InvalidParameterError(
            f"schedule must be one of 'constant', 'exp', 'wsd'; got {schedule!r}"
        )
    if regime not in ("easy", "hard"):
        raise InvalidParameterError(f"regime must be 'easy' or 'hard'; got {regime!r}")
    return exponent(f"rate_{schedule}_{regime}"), exponent(f"rate_{schedule}_{regime}_log")

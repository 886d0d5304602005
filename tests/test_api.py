"""Public API: every exported name resolves; docstring examples run (doctest)."""

from __future__ import annotations

import doctest
import importlib

import pytest

import fsltheory

# Modules of the foundation (issue 2) whose docstring examples are checked here, plus the
# package docstring.  Other modules' doctests belong to their own test files.
DOCTEST_MODULES = [
    "fsltheory",
    "fsltheory.task",
    "fsltheory.schedule",
    "fsltheory.curve",
    "fsltheory.errors",
    "fsltheory.engines.exact",
    "fsltheory.engines.stability",
]

ALL_MODULES = [
    "fsltheory",
    "fsltheory.task",
    "fsltheory.schedule",
    "fsltheory.curve",
    "fsltheory.errors",
    "fsltheory.engines",
    "fsltheory.engines.exact",
    "fsltheory.engines.stability",
    "fsltheory.cli",
    "fsltheory.cli.common",
    "fsltheory.engines.volterra",
    "fsltheory.engines.spectral",
    "fsltheory.engines.spectral_mp",
    "fsltheory.engines.spectral_asymptotic",
    "fsltheory.engines.sgd",
    "fsltheory.optimize",
    "fsltheory.symbolic",
    "fsltheory.claims",
]


@pytest.mark.parametrize("modname", ALL_MODULES)
def test_every_name_in_all_resolves(modname):
    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    assert names, f"{modname} has no __all__"
    assert len(names) == len(set(names)), "duplicate names in __all__"
    for name in names:
        assert hasattr(mod, name), f"{modname}.__all__ lists missing name {name!r}"
        assert getattr(mod, name) is not None


def test_star_import_matches_all():
    ns: dict = {}
    exec("from fsltheory import *", ns)
    assert set(fsltheory.__all__) <= set(ns)


def test_foundation_names_are_exported():
    for name in ("PowerLawTask", "Schedule", "LossCurve", "exact_risk", "exact_risk_many",
                 "max_stable_lr", "stationary_risk", "InvalidParameterError",
                 "UnstableScheduleError", "DivergenceError", "FSLError"):
        assert name in fsltheory.__all__
    assert issubclass(fsltheory.InvalidParameterError, ValueError)
    assert issubclass(fsltheory.UnstableScheduleError, ValueError)
    assert fsltheory.ENGINES["exact"] is fsltheory.exact_risk


@pytest.mark.parametrize("modname", DOCTEST_MODULES)
def test_docstring_examples(modname):
    mod = importlib.import_module(modname)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.attempted > 0, f"{modname} has no doctest: this test would check nothing"
    assert result.failed == 0, f"{result.failed} doctest failure(s) in {modname}"


def test_foundation_modules_have_examples():
    """The user-facing modules carry at least one runnable example each."""
    for modname in ("fsltheory", "fsltheory.task", "fsltheory.schedule", "fsltheory.curve",
                    "fsltheory.engines.exact"):
        mod = importlib.import_module(modname)
        tests = doctest.DocTestFinder().find(mod)
        assert sum(len(t.examples) for t in tests) > 0, modname

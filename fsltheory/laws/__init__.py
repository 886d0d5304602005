"""Fitted loss laws, one module each with the same interface (docs/theory.md §7).

=========  =============================================================================
``fsl``    batch-aware practical FSL ansatz (default): noise enters through η/b
``mpl``    Multi-Power Law (Luo et al. 2025), the peer baseline; ignores the batch
``task``   the power-law task of §1 itself, through the exact or Volterra engine
=========  =============================================================================

Every law is a :class:`~fsltheory.laws.base.Law`: ``from_data(runs)`` fixes its constants,
``predict(params, lr, batch, steps)`` gives the loss after ``steps`` updates.

Example
-------
>>> sorted(LAWS)
['fsl', 'mpl', 'task']
>>> get_law("fsl").param_names
('L0', 'c1', 's', 'c2', 'c2c3', 'c4', 'gamma')
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParameterError
from .base import Law
from .fsl import FSLLaw
from .mpl import MPLLaw
from .task import TaskLaw

__all__ = ["LAWS", "Law", "FSLLaw", "MPLLaw", "TaskLaw", "get_law", "law_from_dict"]

LAWS: dict[str, type[Law]] = {"fsl": FSLLaw, "mpl": MPLLaw, "task": TaskLaw}


def get_law(name: str) -> type[Law]:
    """The law class registered as ``name``."""
    try:
        return LAWS[name]
    except KeyError:
        raise InvalidParameterError(f"law must be one of {sorted(LAWS)}, got {name!r}") from None


def law_from_dict(d: dict[str, Any]) -> Law:
    """Rebuild a law from ``Law.to_dict()`` (as stored in FIT.json)."""
    return get_law(d.get("name", ""))(**dict(d.get("constants", {})))

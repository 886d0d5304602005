"""Numeric engines.  Every engine has the call shape ``engine(task, schedule, **opts) ->
LossCurve`` and is registered in :data:`ENGINES` under the name used by ``--engine``."""

from __future__ import annotations

from collections.abc import Callable

from .exact import exact_risk, exact_risk_many, max_stable_lr, stationary_risk

__all__ = ["ENGINES", "get_engine", "exact_risk", "exact_risk_many", "max_stable_lr",
           "stationary_risk"]

ENGINES: dict[str, Callable] = {"exact": exact_risk}


def _register_optional() -> None:
    # Engines added by later modules register themselves here if present.
    try:
        from .volterra import volterra_risk
    except ImportError:  # pragma: no cover - during development only
        pass
    else:
        ENGINES["volterra"] = volterra_risk
    try:
        from .sgd import sgd_risk
    except ImportError:  # pragma: no cover
        pass
    else:
        ENGINES["sgd"] = sgd_risk


_register_optional()


def get_engine(name: str) -> Callable:
    """The engine function registered as ``name``."""
    from ..errors import InvalidParameterError

    try:
        return ENGINES[name]
    except KeyError:
        raise InvalidParameterError(
            f"engine must be one of {sorted(ENGINES)}, got {name!r}"
        ) from None

"""The interface every fitted loss law implements (docs/theory.md §7).

A law maps a per-step schedule (learning rate ``lr[k]``, batch ``batch[k]``) and a
parameter vector to the predicted loss after ``k`` updates.  Laws carry *constants* fixed
from the data before fitting (reference learning rate and batch, number of modes, …) so a
fitted law is fully described by ``(name, constants, params)`` — what FIT.json stores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["Law", "reference_lr_batch", "array_key"]


def array_key(*arrays) -> tuple:
    """A cache key for arrays by content (shape, dtype and bytes hash)."""
    return tuple((a.shape, a.dtype.str, hash(np.ascontiguousarray(a).tobytes()))
                 for a in (np.asarray(x) for x in arrays))


def reference_lr_batch(runs) -> tuple[float, int]:
    """Peak learning rate over all runs and the batch used for the most steps."""
    peak = max(float(np.max(r.lr)) for r in runs)
    vals, counts = np.unique(np.concatenate([r.batch for r in runs]), return_counts=True)
    return peak, int(vals[np.argmax(counts)])


class Law(ABC):
    """A loss law with named parameters, bounds and a prediction function.

    Subclasses set :attr:`name`, :attr:`param_names`, :attr:`log_params` (parameters
    fitted on a log scale) and implement :meth:`from_data`, :meth:`bounds`,
    :meth:`initial` and :meth:`predict`.
    """

    name: ClassVar[str] = ""
    param_names: ClassVar[tuple[str, ...]] = ()
    log_params: ClassVar[frozenset[str]] = frozenset()
    identifiability: ClassVar[str] = ""
    #: Parameters the prediction is linear in (the fit eliminates them by linear least
    #: squares); laws with linear parameters implement :meth:`basis`.
    linear_params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **constants: Any) -> None:
        self.constants = dict(constants)
        self._cache: OrderedDict = OrderedDict()

    # ----------------------------------------------------------------- construction
    @classmethod
    @abstractmethod
    def from_data(cls, runs, **options: Any) -> Law:
        """A law whose constants are chosen from the runs it will be fitted on."""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "constants": dict(self.constants)}

    def with_constants(self, **changes: Any) -> Law:
        c = dict(self.constants)
        c.update(changes)
        return type(self)(**c)

    # ----------------------------------------------------------------- parameters
    @abstractmethod
    def bounds(self, runs) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the parameters (natural units)."""

    @abstractmethod
    def initial(self, runs) -> np.ndarray:
        """A data-driven starting point inside the bounds."""

    def as_dict(self, params: Sequence[float]) -> dict[str, float]:
        return {n: float(v) for n, v in zip(self.param_names, params, strict=True)}

    def vector(self, params: dict[str, float]) -> np.ndarray:
        try:
            return np.array([float(params[n]) for n in self.param_names])
        except KeyError as exc:
            raise InvalidParameterError(
                f"law {self.name!r} needs parameters {list(self.param_names)}, missing {exc}"
            ) from None

    # ----------------------------------------------------------------- prediction
    @abstractmethod
    def predict(self, params: np.ndarray, lr: np.ndarray, batch: np.ndarray,
                steps: np.ndarray) -> np.ndarray:
        """Predicted loss after ``steps[m]`` updates of the schedule ``(lr, batch)``."""

    def basis(self, params: np.ndarray, lr: np.ndarray, batch: np.ndarray,
              steps: np.ndarray) -> np.ndarray:
        """Matrix ``X`` with ``predict = X @ params[linear]`` (one column per linear
        parameter, in the order of :attr:`linear_params`)."""
        raise NotImplementedError(f"law {self.name!r} has no linear parameters")

    def predict_runs(self, params: np.ndarray, runs) -> list[np.ndarray]:
        """:meth:`predict` at every run's observed steps."""
        return [self.predict(params, r.lr, r.batch, r.obs_steps) for r in runs]

    def regime(self, params: np.ndarray) -> str | None:
        """``"easy"``/``"hard"`` implied by the fitted exponents (docs/theory.md §1)."""
        return None

    def exponents(self, params: np.ndarray) -> dict[str, float]:
        """The fitted exponents in the task's terms (s and 1 − 1/β)."""
        return {}

    # ----------------------------------------------------------------- cache
    def _cached(self, key, fn):
        """Memoise an expensive part of :meth:`predict` (keyed by the parameters it
        depends on), so finite-difference Jacobians in the linear parameters are cheap."""
        try:
            val = self._cache[key]
            self._cache.move_to_end(key)
            return val
        except KeyError:
            val = fn()
            self._cache[key] = val
            if len(self._cache) > 256:
                self._cache.popitem(last=False)
            return val

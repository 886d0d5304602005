"""The power-law task itself as a fitted law (docs/theory.md §1–§3).

    L(k) = offset + scale · E_k(β, s, σ; schedule),

with ``E_k`` the expected excess risk after k updates of the §1 task with M modes, from
the exact engine (§2, default) or the Volterra engine (§3).  The curve's ``lr`` column is
used as the task's learning rate η (the task has ``λ_1 = 1``, so η is in the task's own
units) and ``batch`` as its batch.  For curves produced by this model class this is the
most faithful law (no surrogate error), and a check on the surrogates.

Identifiability: ``scale`` multiplies signal and noise alike, ``σ²`` only the noise; a
single constant-batch run pins β mostly through the approach to the noise floor, so runs
at several batch sizes (several floors) are what separates σ from β; ``offset`` is only
identified when the curves reach their floor.

Example
-------
>>> import numpy as np
>>> law = TaskLaw(modes=200)
>>> lr = np.full(401, 0.2); b = np.full(401, 4)
>>> L = law.predict(np.array([2.0, 0.5, 0.5, 1.0, 0.0]), lr, b, np.array([0, 400]))
>>> from fsltheory import PowerLawTask
>>> bool(abs(L[0] - PowerLawTask(2.0, 0.5, 0.5, 200).initial_risk) < 1e-12)
True
"""

from __future__ import annotations

import numpy as np

from ..engines.exact import exact_risk
from ..engines.volterra import volterra_risk
from ..errors import InvalidParameterError
from ..schedule import Schedule
from ..task import PowerLawTask
from .base import Law

__all__ = ["TaskLaw"]

_ENGINES = ("exact", "volterra")


class TaskLaw(Law):
    """Power-law task through an engine (see the module docstring)."""

    name = "task"
    param_names = ("beta", "s", "sigma", "scale", "offset")
    log_params = frozenset({"sigma", "scale"})
    identifiability = (
        "scale multiplies signal and noise, sigma^2 only the noise: several batch sizes "
        "(several floors) separate sigma from beta; offset is pinned only near the floor"
    )

    def __init__(self, modes: int = 1000, engine: str = "exact") -> None:
        if engine not in _ENGINES:
            raise InvalidParameterError(f"engine must be one of {list(_ENGINES)}, got {engine!r}")
        super().__init__(modes=int(modes), engine=str(engine))

    @classmethod
    def from_data(cls, runs, **options) -> TaskLaw:
        return cls(modes=int(options.get("modes", 1000)),
                   engine=str(options.get("engine", "exact")))

    def bounds(self, runs):
        lmin = min(float(r.obs_loss.min()) for r in runs)
        return np.array([1.1, 0.02, 1e-4, 1e-3, -0.5 * lmin]), np.array([6.0, 4.0, 1e2, 1e3, lmin])

    def initial(self, runs):
        return np.array([2.0, 0.5, 0.5, 1.0, 0.0])

    def _task(self, params) -> PowerLawTask:
        beta, s, sigma = (float(x) for x in params[:3])
        return PowerLawTask(beta, s, sigma=sigma, modes=self.constants["modes"])

    def _schedule(self, lr, batch, k_max: int) -> Schedule:
        n = max(int(k_max), 1)
        return Schedule.from_arrays(np.asarray(lr[:n], np.float64), np.asarray(batch[:n]))

    def predict(self, params, lr, batch, steps):
        steps = np.asarray(steps, dtype=np.int64)
        task = self._task(params)
        sch = self._schedule(lr, batch, int(steps.max()))
        # One schedule at a time on one thread: the fit calls this hundreds of times on
        # short schedules, where thread start-up of the parallel engine costs more than
        # it saves.
        if self.constants["engine"] == "exact":
            risk = exact_risk(task, sch).risk
        else:
            risk = volterra_risk(task, sch).risk
        return float(params[4]) + float(params[3]) * risk[steps]

    def regime(self, params):
        return "easy" if float(params[1]) >= 1.0 - 1.0 / float(params[0]) else "hard"

    def exponents(self, params):
        return {"s": float(params[1]), "one_minus_inv_beta": 1.0 - 1.0 / float(params[0]),
                "beta": float(params[0])}


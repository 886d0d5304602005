"""fsltheory — functional scaling laws of SGD and batch-size scheduling.

The mathematics is specified in the project's theory spec (§1 model, §2 exact SGD risk,
§3 Volterra form, §4 kernels, §5 batch-size scheduling claims).  Data flows one way:
a :class:`PowerLawTask` and a :class:`Schedule` go into an engine, which returns a
:class:`LossCurve`.

>>> from fsltheory import PowerLawTask, Schedule, exact_risk
>>> task = PowerLawTask(beta=2.0, s=0.25, sigma=1.0, modes=1000)
>>> sch = Schedule.parse("switch:4->64@0.95", budget=131072, lr=0.2)
>>> curve = exact_risk(task, sch)
>>> curve.final_risk < exact_risk(task, Schedule.constant(64, 131072, 0.2)).final_risk
True
"""

from __future__ import annotations

from .curve import LossCurve
from .engines import ENGINES, get_engine
from .engines.exact import exact_risk, exact_risk_many, max_stable_lr, stationary_risk
from .errors import DivergenceError, FSLError, InvalidParameterError, UnstableScheduleError
from .schedule import Schedule
from .task import PowerLawTask

__version__ = "0.1.0"

__all__ = [
    # model
    "PowerLawTask",
    "Schedule",
    "LossCurve",
    # engines
    "ENGINES",
    "get_engine",
    "exact_risk",
    "exact_risk_many",
    "max_stable_lr",
    "stationary_risk",
    # errors
    "FSLError",
    "InvalidParameterError",
    "UnstableScheduleError",
    "DivergenceError",
]

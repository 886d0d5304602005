"""Ctrl-C while the command line is still importing the package.

``fsltheory …`` and ``python -m fsltheory …`` spend their first second importing
``fsltheory``; an interrupt in that second would end in a Python traceback.  While the
package imports *for the command line* (``sys.argv[0]`` is ``-m`` or the ``fsltheory``
script), SIGINT instead prints ``fsltheory: interrupted`` and exits with status 130, as
the command does once it runs.  :func:`fsltheory.cli.main` calls :func:`restore` as it
starts, which puts the previous handler back: from there on the command handles
KeyboardInterrupt itself.  A program that merely imports the package is never touched.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

_previous: Any = None


def _interrupted(signum: int, frame: Any) -> None:  # pragma: no cover - exits
    os.write(2, b"fsltheory: interrupted\n")  # one write, no Python buffering
    os._exit(130)


def for_command_line() -> bool:
    """Whether this process is the ``fsltheory`` command importing its package."""
    return bool(sys.argv) and (sys.argv[0] == "-m"
                               or os.path.basename(sys.argv[0]) == "fsltheory")


def restore() -> None:
    """Put back the SIGINT handler that was in place before the package's import."""
    global _previous
    if _previous is not None:
        signal.signal(signal.SIGINT, _previous)
        _previous = None


if for_command_line():
    try:
        _previous = signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # pragma: no cover - not the main thread
        _previous = None

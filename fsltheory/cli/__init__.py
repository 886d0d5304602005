"""The ``fsltheory`` command.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a function
``run(args) -> int``.

Exit status and error output (the same for every sub-command):

* ``0`` success; ``1`` a check failed (``verify``/``reproduce``) or an internal error;
  ``2`` bad input; ``130`` interrupted (Ctrl-C).
* Bad input — a value out of range, an unparsable number (numbers are ASCII only), a
  size whose memory estimate exceeds the limit (``FSLTHEORY_MEMORY_LIMIT``), an
  unwritable output path — prints **one line** ``fsltheory <command>: error: <message>``
  on stderr naming the parameter and its allowed range, and exits 2; never a traceback.
* ``--json`` on error: **nothing is printed on stdout** (the JSON object is only written
  once the command has succeeded, in one piece); the one-line error goes to stderr as
  above.  A consumer can therefore parse stdout whenever the exit status is 0 or 1.
* Ctrl-C prints ``fsltheory <command>: interrupted`` and exits 130; output files are
  written atomically (a temporary file renamed into place), so an interruption never
  leaves a partial file and never damages the previous version.
* An unexpected exception (a bug) prints one line naming the exception and exits 1; set
  ``FSLTHEORY_TRACEBACK=1`` to see the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from ..errors import FSLError

__all__ = ["main", "build_parser"]

# Sub-command modules, in the order they appear in --help.
_COMMANDS = ["simulate", "optimize", "derive", "verify", "figures", "reproduce",
             "example_curves", "fit", "predict", "plan", "export",
             "critical-batch", "sweep"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, status 2 (argparse's own convention)
        self.exit(2, f"fsltheory: error: {message}\n")


def _version() -> str:
    from .. import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fsltheory",
        description="Functional scaling laws of SGD and batch-size scheduling.",
    )
    parser.add_argument("--version", action="version", version=f"fsltheory {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in _COMMANDS:
        try:
            mod = importlib.import_module(f".{name.replace('-', '_')}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name.replace('-', '_')}":
                continue  # sub-command not built yet
            raise
        mod.register(sub)
    return parser


def _one_line(text: object) -> str:
    """``text`` on one line, without terminal colour codes (numba puts some in)."""
    clean = re.sub(r"\x1b\[[0-9;]*m", "", str(text))
    return " ".join(line.strip() for line in clean.splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    from .. import _sigint

    _sigint.restore()  # from here on KeyboardInterrupt is handled below
    cmd = "fsltheory"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        cmd = f"fsltheory {args.command}"
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"{cmd}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `fsltheory ... | head`: stop quietly
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        except OSError:  # pragma: no cover
            pass
        return 1
    except (FSLError, ValueError, OSError) as exc:
        print(f"{cmd}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (MemoryError, OverflowError, FloatingPointError) as exc:
        what = "out of memory" if isinstance(exc, MemoryError) else "numeric overflow"
        print(f"{cmd}: error: {what} ({_one_line(exc) or type(exc).__name__}); "
              "use smaller sizes or less extreme values", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line, not a traceback (unless asked for)
        if os.environ.get("FSLTHEORY_TRACEBACK"):
            raise
        msg = _one_line(exc)
        print(f"{cmd}: internal error: {type(exc).__name__}: {msg[:300]} "
              "(set FSLTHEORY_TRACEBACK=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

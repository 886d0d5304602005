"""The ``fsltheory`` command.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a function
``run(args) -> int``.  Errors deliberately raised by the toolkit (and bad numbers on the
command line) print one line on stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fsltheory",
        description="Functional scaling laws of SGD and batch-size scheduling.",
    )
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (FSLError, ValueError, OSError) as exc:
        print(f"fsltheory {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"fsltheory {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

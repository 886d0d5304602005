"""Atomic file output: every file the toolkit writes appears whole or not at all.

A write goes to a temporary file in the target's directory, is flushed to disk and then
renamed over the target with :func:`os.replace` (atomic on POSIX and Windows), so a reader
never sees a half-written FIT.json or PLAN.json and an interrupted run leaves the old file.

Example
-------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(d / "a.txt", "hello").read_text()
'hello'
>>> with atomic_open(d / "b.txt") as fh:
...     _ = fh.write("x")
>>> (d / "b.txt").read_text()
'x'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "atomic_open"]


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path`` atomically.

    ``mode`` is ``"w"`` (text, UTF-8) or ``"wb"``.  If the body raises, the temporary file
    is removed and ``path`` is left untouched.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        kw = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kw) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text or bytes) to ``path`` atomically and return the path."""
    mode = "wb" if isinstance(data, (bytes, bytearray)) else "w"
    with atomic_open(path, mode) as fh:
        fh.write(data)
    return Path(path)

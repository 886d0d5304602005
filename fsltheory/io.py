"""Atomic file output: every file the toolkit writes appears whole or not at all.

A writer first writes a temporary file in the *same directory* as the target (so the final
rename never crosses a file system) and then renames it over the target with
:func:`os.replace`, which is atomic on POSIX and Windows.  If anything goes wrong before
the rename — an exception, a full disk, Ctrl-C — the temporary file is removed and the
previous version of the target, if any, is left untouched.

Example
-------
>>> import tempfile, pathlib
>>> from fsltheory.io import atomic_open, atomic_write
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(d / "a.txt", "hello\\n").read_text()
'hello\\n'
>>> try:
...     with atomic_open(d / "a.txt") as fh:
...         _ = fh.write("half a file")
...         raise RuntimeError("interrupted")
... except RuntimeError:
...     pass
>>> (d / "a.txt").read_text()  # the old file survived, no temporary file is left
'hello\\n'
>>> sorted(p.name for p in d.iterdir())
['a.txt']
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_open", "temp_path"]


def _default_mode(target: Path) -> int:
    """Permissions for the new file: the old file's, else ``0o666`` minus the umask
    (``mkstemp`` would leave ``0o600``)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def _remove(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


@contextmanager
def temp_path(path: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary path next to ``path`` with the same suffix; on normal exit
    it is renamed over ``path``, on any exception (including ``KeyboardInterrupt``) it is
    deleted.  For writers that insist on a file name (e.g. ``Figure.savefig``, which picks
    the format from the suffix)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                               dir=target.parent if str(target.parent) else ".")
    os.close(fd)
    try:
        os.chmod(tmp, _default_mode(target))
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary file next to ``path`` for writing; on normal exit it is flushed,
    synced and renamed over ``path``; on any exception it is deleted and ``path`` keeps its
    old content.

    Parameters
    ----------
    path : str or Path
        Final location; its directory must exist.
    mode : str
        ``"w"`` (text, UTF-8 unless ``encoding`` is given) or ``"wb"`` (binary); the
        ``x``/``a``/``r`` modes are refused.
    **kwargs
        Passed to :func:`open` (``newline``, ``encoding``, …).
    """
    if mode not in ("w", "wb", "wt"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    with temp_path(path) as tmp:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; returns ``Path(path)``.

    The file is written to a temporary name in the same directory and renamed over
    ``path``, so ``path`` holds either its old content or all of ``data``.
    """
    if isinstance(data, str):
        mode = "w"
    elif isinstance(data, (bytes, bytearray, memoryview)):
        mode = "wb"
    else:
        raise TypeError(f"data must be str or bytes, got {type(data).__name__}")
    with atomic_open(path, mode) as fh:
        fh.write(data)
    return Path(path)

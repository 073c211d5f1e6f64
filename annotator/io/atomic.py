"""Writing a file all at once: a temporary file beside it, then a rename.

A failure part-way (a bug, a full disk, Ctrl-C) leaves the old file, or
none, and never a truncated one.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, TextIO

from ..core.errors import InputError


@contextmanager
def atomic_write(path: Path | str, *, newline: str | None = None) -> Iterator[TextIO]:
    """Yield a UTF-8 text file that replaces ``path`` only if the block succeeds."""
    with _atomic(path, "w", newline) as fh:
        yield fh


@contextmanager
def atomic_write_bytes(path: Path | str) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` only if the block succeeds."""
    with _atomic(path, "wb", None) as fh:
        yield fh


def _sweep_stale_parts(path: Path) -> None:
    """Remove ``.NAME.<pid>.*.part`` files beside ``path`` that a killed
    writer left (no process with that pid runs any more)."""
    prefix = f".{path.name}."
    try:
        candidates = list(path.parent.glob(f"{glob.escape(prefix)}*.part"))
    except OSError:
        return
    for part in candidates:
        pid = part.name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with suppress(OSError):
                part.unlink()
        except OSError:
            continue


@contextmanager
def _atomic(path: Path | str, mode: str, newline: str | None) -> Iterator:
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    _sweep_stale_parts(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=folder)
    try:
        text = {"encoding": "utf-8", "newline": newline} if "b" not in mode else {}
        with os.fdopen(fd, mode, **text) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the usual mode for a document
        perm = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        os.chmod(tmp, perm)
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if exc.filename is None and exc.errno is not None:  # a failed write names no file: name the one we write
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise

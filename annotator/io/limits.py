"""Reading a user's file with a size limit, the one place every importer reads
bytes from (a Word file is opened here too, then read by its zip reader).

A name can point at anything: ``/dev/zero`` never ends, a FIFO blocks until
someone writes to it, a 200 MB file would be read whole. So the file is
opened without blocking, checked to be a regular file on the descriptor
itself (no race with a rename), refused at once if its size is over the
limit, and read no further than one byte past the limit (a file that grows
meanwhile is still cut off). Peak memory is about the file's size.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..core.canonical import decode
from ..core.errors import InputError
from ..core.limits import MAX_TEXT_BYTES  # the one limit (.txt, .md, .html, .json, .ann; merged texts too)
from ..core.names import display_name

__all__ = ["MAX_TEXT_BYTES", "open_regular", "read_bytes_limited", "read_text_limited"]

_OPEN_FLAGS = os.O_RDONLY
for _flag in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):  # a FIFO opens at once; no flag exists everywhere
    _OPEN_FLAGS |= getattr(os, _flag, 0)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _mb(n: int) -> int:
    return n // (1024 * 1024)


def open_regular(path: Path, name: str) -> tuple[int, int]:
    """A descriptor open on ``path`` and the file's size; :class:`InputError`
    unless it is a regular file that may be read."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:  # a socket (ENXIO), a loop of symlinks, a name too long…
        if exc.errno == errno.ENXIO:
            raise InputError(f"{name}: not a regular file (a socket or a device with nothing behind it)") from None
        raise InputError(f"{name}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{name}: is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{name}: not a regular file ({_kind(st.st_mode)})")
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def _read_at_most(fd: int, limit: int, size_hint: int) -> bytes:
    """Up to ``limit`` bytes: in one read for a regular file (so one buffer,
    not chunks joined into a second copy), more reads only if it comes short."""
    data = os.read(fd, min(limit, size_hint + 1) if size_hint else limit)
    if not data or len(data) >= limit:
        return data
    parts = [data]
    got = len(data)
    while got < limit:
        chunk = os.read(fd, min(limit - got, 1024 * 1024))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts) if len(parts) > 1 else data


def read_bytes_limited(path: Path | str, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The file's bytes; :class:`InputError` for a missing, unreadable, empty
    or too large file, or one that is not a regular file (a FIFO, a device, a
    folder): the size is taken from the open file before anything is read."""
    path = Path(path)
    name = display_name(path)
    fd, size = open_regular(path, name)
    try:
        if size > max_bytes:
            raise InputError(f"{name}: {_mb(size)} MB is larger than the {_mb(max_bytes)} MB limit")
        try:
            data = _read_at_most(fd, max_bytes + 1, size)  # a file that grew since fstat() is still cut off
        except OSError as exc:
            raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"{name}: larger than the {_mb(max_bytes)} MB limit")
    if not data or data.isspace():  # (not strip(): that would copy the whole file)
        raise InputError(f"{name}: the file is empty")
    return data


def read_text_limited(path: Path | str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The file as canonical text (see :func:`annotator.core.canonical.decode`),
    read as :func:`read_bytes_limited` reads it."""
    data = read_bytes_limited(path, max_bytes)
    name = display_name(path)
    text = decode(data, name)
    if not text or text.isspace():  # a BOM, or white space in UTF-16
        raise InputError(f"{name}: the file is empty")
    return text

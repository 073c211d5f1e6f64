"""Reading a user's file with a size limit checked before anything is read,
so that a 200 MB file is refused at once, with a message naming it."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError

MAX_TEXT_BYTES = 64 * 1024 * 1024
"""Largest text-like file read (the same limit as ``core.canonical.read_text_file``)."""


def read_bytes_limited(path: Path | str, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The file's bytes; :class:`InputError` for a missing, unreadable, empty
    or too large file (the size is taken from the file system first)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: {size // (1024 * 1024)} MB is larger than the {max_bytes // (1024 * 1024)} MB limit"
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # a file that grew since stat() is still cut off
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: larger than the {max_bytes // (1024 * 1024)} MB limit")
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    return data

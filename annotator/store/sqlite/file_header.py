"""The first 100 bytes of an SQLite file: how big the database says it is.

Read before a colleague's file is copied, so that the copy takes only what
SQLite will read and a file too large to merge is refused before a byte of
it is written anywhere (a sparse 4 GB file takes 4 KB on their disk and
4 GB in ours once copied). The fields (https://sqlite.org/fileformat.html):
page size at bytes 16-17 (1 means 65536), the change counter at 24-27, the
page count at 28-31 (valid only when the change counter equals the
"version-valid-for" number at 92-95; else SQLite counts the file's pages),
and the journal mode at 18-19 (2 for WAL).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...core.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Header:
    page_size: int
    page_count: int  # the pages SQLite reads from the main file
    wal: bool  # the file is in WAL mode (its -wal is part of the database)

    @property
    def size(self) -> int:
        return self.page_size * self.page_count


def is_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def read_header(path: Path, file_size: int) -> Header:
    """The header of ``path`` (``file_size`` bytes long); :class:`StoreError`
    when it is not an SQLite header or names no valid page size."""
    with open(path, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or head[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        raise StoreError(f"{path}: not an Annotator database (not an SQLite file)")
    raw = int.from_bytes(head[16:18], "big")
    page_size = 65536 if raw == 1 else raw
    if not 512 <= page_size <= 65536 or page_size & (page_size - 1):
        raise StoreError(f"{path}: not a database or damaged (its header names no valid page size)")
    counted = int.from_bytes(head[28:32], "big")
    if counted == 0 or head[24:28] != head[92:96]:
        counted = -(-file_size // page_size)  # what SQLite does: count the file's pages
    return Header(page_size, counted, head[18] == 2 and head[19] == 2)


def copy_prefix(source: Path, target: Path, nbytes: int) -> int:
    """The first ``nbytes`` of ``source`` into the new file ``target``, and
    never more (a file growing meanwhile is cut off); returns the bytes copied."""
    done = 0
    with open(source, "rb") as src, open(target, "xb") as dst:
        while done < nbytes:
            chunk = src.read(min(_CHUNK, nbytes - done))
            if not chunk:
                break
            dst.write(chunk)
            done += len(chunk)
    return done


__all__ = ["SQLITE_HEADER", "Header", "copy_prefix", "is_sqlite", "read_header"]

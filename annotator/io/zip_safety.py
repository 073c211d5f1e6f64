"""A zip archive from an untrusted source, read without trusting what it declares.

``zipfile`` parses the central directory, but members are inflated here, not
by ``zipfile.ZipFile.open``: for bzip2 and LZMA members it inflates every read
of at least 4 KB of compressed data in one call, whatever size was asked for,
and a 3 KB bzip2 member can hold gigabytes. Here every decompressor is given
a maximum output per call, so a member yields at most the size its header
declares (plus one byte, to notice the lie) in pieces of at most
:data:`STEP` bytes; the decompressors' own state stays small (32 KB for
deflate, 3.6 MB for bzip2, and the LZMA dictionary is cut to the output
allowed, whatever the header asks for).

Anything the archive's structure can make ``zipfile``, ``zlib``, ``bz2`` or
``lzma`` raise becomes one :class:`InputError` line naming the file.
"""

from __future__ import annotations

import bz2
import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..core.errors import InputError

STEP = 1024 * 1024  # most bytes a decompressor may produce per call
_RAW_CHUNK = 64 * 1024  # compressed bytes read per call
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader
_UTF8_NAME = 1 << 11
_ENCRYPTED = 1 << 0
_UNSUPPORTED_FLAGS = (1 << 5) | (1 << 6)  # compressed patch data, strong encryption
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
            zipfile.ZIP_LZMA: "LZMA"}  # fmt: skip

# What a hostile archive can make the readers raise (UnicodeDecodeError, from
# member names, is a ValueError; so is an offset that does not fit a seek).
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, OverflowError, struct.error, NotImplementedError,
              RuntimeError, zlib.error, lzma.LZMAError)  # fmt: skip


class _Damaged(Exception):
    """A member's data do not decode; the message says why."""


def open_regular_file(path: Path, max_bytes: int) -> BinaryIO:
    """``path`` opened for reading, refused unless it is a regular file of
    1 to ``max_bytes`` bytes. It is checked before it is opened (opening a
    FIFO blocks, a device never ends) and again once open, without blocking,
    in case another file took its place in between."""
    try:
        _check_regular(path, os.stat(path), max_bytes)
        fh = os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)), "rb")
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        _check_regular(path, os.fstat(fh.fileno()), max_bytes)
    except BaseException:
        fh.close()
        raise
    return fh


def _check_regular(path: Path, st: os.stat_result, max_bytes: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file (a pipe, device or socket); refused")
    if st.st_size > max_bytes:
        raise InputError(f"{path}: {st.st_size // (1024 * 1024)} MB is larger than the {max_bytes // (1024 * 1024)} MB limit")
    if st.st_size == 0:
        raise InputError(f"{path}: the file is empty")


def is_zip(fh: BinaryIO, path: Path) -> bool:
    """Whether ``fh`` ends like a zip archive (``zipfile.is_zipfile``, which
    can also raise on a hostile end record)."""
    with _Translate(path, ""):
        return zipfile.is_zipfile(fh)


class SafeZip:
    """The archive in ``fh`` (which it owns and closes), its members checked
    against the limits given: at most ``max_members`` members whose declared
    sizes add up to at most ``max_uncompressed`` bytes, none declaring more
    than ``ratio_limit`` times its compressed size once past ``ratio_floor``
    bytes (a zip bomb)."""

    def __init__(self, fh: BinaryIO, path: Path, *, max_members: int, max_uncompressed: int, ratio_limit: int,
                 ratio_floor: int):  # fmt: skip
        self.path = path
        self.fh = fh
        self.size = os.fstat(fh.fileno()).st_size
        try:
            with self._errors():
                self.zip = zipfile.ZipFile(fh)
            self._check(max_members, max_uncompressed, ratio_limit, ratio_floor)
        except BaseException:
            fh.close()
            raise

    def _errors(self, what: str = ""):
        return _Translate(self.path, what)

    def _check(self, max_members: int, max_uncompressed: int, ratio_limit: int, ratio_floor: int) -> None:
        infos = self.zip.infolist()
        if len(infos) > max_members:
            raise InputError(f"{self.path}: {len(infos)} files inside; more than the {max_members} a Word file could need")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > ratio_floor and info.file_size > ratio_limit * max(info.compress_size, 1):
                raise InputError(
                    f"{self.path}: refused as a zip bomb: {info.filename} would inflate "
                    f"{info.file_size // max(info.compress_size, 1)} times (limit {ratio_limit})"
                )
            if total > max_uncompressed:
                raise InputError(
                    f"{self.path}: refused as a zip bomb: its contents would inflate past "
                    f"{max_uncompressed // (1024 * 1024)} MB"
                )

    def infolist(self) -> list[zipfile.ZipInfo]:
        return self.zip.infolist()

    def close(self) -> None:
        self.zip.close()
        self.fh.close()

    def stream(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's bytes in pieces of at most :data:`STEP` bytes; stops
        with :class:`InputError` as soon as they pass its declared size, and
        at the end unless they match its declared size and CRC."""
        name = info.filename
        if info.flag_bits & _ENCRYPTED:
            raise InputError(f"{self.path}: {name} is encrypted (a password-protected archive); refused")
        if info.flag_bits & _UNSUPPORTED_FLAGS or info.compress_type not in _METHODS:
            raise InputError(f"{self.path}: {name} is stored in a way Word files never use (zip method {info.compress_type})")
        limit = info.file_size
        produced = 0
        crc = 0
        with self._errors(name):
            decoder = _decoder(info.compress_type, limit)
            for data in self._raw(info):
                while True:
                    out = decoder.step(data, min(STEP, limit + 1 - produced))
                    data = b""
                    if not out:
                        break
                    produced += len(out)
                    if produced > limit:
                        raise InputError(
                            f"{self.path}: refused as a zip bomb: {name} inflates past the {limit:,} bytes "
                            "its header declares"
                        )
                    crc = zlib.crc32(out, crc)
                    yield out
            if produced != limit or crc != info.CRC:
                raise _Damaged("its data do not match its size and checksum")

    def _raw(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's compressed bytes, located as ``zipfile`` does: past
        the local header that ``header_offset`` points at."""
        if info.header_offset + _LOCAL_HEADER.size > self.size:
            raise _Damaged("its header lies past the end of the file")
        self.fh.seek(info.header_offset)
        header = self.fh.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise _Damaged("its header is cut short")
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != b"PK\x03\x04":
            raise _Damaged("its header is missing")
        raw_name = self.fh.read(fields[10])
        encoding = "utf-8" if fields[3] & _UTF8_NAME else (self.zip.metadata_encoding or "cp437")
        if raw_name.decode(encoding) != info.orig_filename:
            raise _Damaged("its header names another file")
        start = info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11]
        left = info.compress_size
        if start + left > self.size:
            raise _Damaged("its data run past the end of the file")
        self.fh.seek(start)
        while left > 0:
            data = self.fh.read(min(_RAW_CHUNK, left))
            if not data:
                raise _Damaged("its data are cut short")
            left -= len(data)
            yield data


class _Translate:
    """Turns what the readers raise into one :class:`InputError` line."""

    def __init__(self, path: Path, what: str):
        self.path, self.what = path, what

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, InputError) or not isinstance(exc, (_Damaged, *ZIP_ERRORS)):
            return False
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if self.what:
            raise InputError(f"{self.path}: {self.what} inside the file is damaged ({reason})") from None
        raise InputError(f"{self.path}: a damaged or unsupported zip archive ({reason})") from None


# --- decompressors with a bound on what one call produces ---------------------------


class _Stored:
    eof = False

    def __init__(self) -> None:
        self.tail = b""

    def step(self, data: bytes, most: int) -> bytes:
        src = self.tail + data if self.tail else data
        out, self.tail = src[:most], src[most:]
        return out


class _Deflate:
    def __init__(self) -> None:
        self.d = zlib.decompressobj(-15)

    def step(self, data: bytes, most: int) -> bytes:
        tail = self.d.unconsumed_tail  # input left over when the last call hit ``most``
        return self.d.decompress(tail + data if tail else data, most)


class _Buffered:
    """bz2 and lzma decompressors keep unused input themselves."""

    def __init__(self, d) -> None:
        self.d = d

    def step(self, data: bytes, most: int) -> bytes:
        return b"" if self.d.eof else self.d.decompress(data, most)


class _Lzma(_Buffered):
    """zip's LZMA: a 4-byte header (version, properties size), the LZMA1
    properties, then a raw LZMA1 stream."""

    def __init__(self, limit: int) -> None:
        super().__init__(None)
        self.head = b""
        self.limit = limit

    def step(self, data: bytes, most: int) -> bytes:
        if self.d is None:
            self.head += data
            if len(self.head) < 4 or len(self.head) < 4 + (size := struct.unpack("<H", self.head[2:4])[0]):
                return b""
            self.d = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[_lzma1(self.head[4 : 4 + size], self.limit)])
            data, self.head = self.head[4 + size :], b""
        return super().step(data, most)


def _lzma1(props: bytes, limit: int) -> dict:
    """The LZMA1 filter the properties describe, its dictionary cut to the
    output allowed (no back-reference can reach further than that)."""
    if len(props) != 5 or props[0] >= 9 * 5 * 5:
        raise _Damaged("bad LZMA properties")
    lc, rest = props[0] % 9, props[0] // 9
    dict_size = struct.unpack("<L", props[1:])[0]
    return {"id": lzma.FILTER_LZMA1, "lc": lc, "lp": rest % 5, "pb": rest // 5,
            "dict_size": max(4096, min(dict_size, limit + 1))}  # fmt: skip


def _decoder(method: int, limit: int):
    if method == zipfile.ZIP_STORED:
        return _Stored()
    if method == zipfile.ZIP_DEFLATED:
        return _Deflate()
    if method == zipfile.ZIP_BZIP2:
        return _Buffered(bz2.BZ2Decompressor())
    return _Lzma(limit)

"""A Word file's zip package, read with bounded memory and time.

What is checked, before a part is parsed: the file is a regular file (a FIFO
or a device is refused unread) of at most :data:`MAX_FILE_BYTES`; it is a
zip (an OLE file is called an old .doc or an encrypted file); it holds at
most :data:`MAX_MEMBERS` members whose *declared* sizes add up to at most
:data:`MAX_UNCOMPRESSED` bytes, none of them over :data:`RATIO_LIMIT` times
compressed once past 1 MB (an honest zip bomb).

A zip's declared sizes are not trusted for memory: a member can lie about
them. So every part we read is stored or deflated (the only methods the OPC
standard allows, ISO/IEC 29500-2 §8.4.2; bzip2, LZMA and the rest are
refused without being inflated, since Python's decompressors for them
produce a whole block's output at once), and is inflated as a stream, at
most 64 KB at a time, into lxml's feed parser. ``zipfile`` never produces
more than the declared size (checked against :data:`MAX_PART_BYTES` first),
and a member that holds more fails its CRC check there. So memory is the
parsed tree, never the inflated bytes of a lying member: up to about 35
times the part for a part of tiny paragraphs (``tests/test_memory_bounds.py``).
A damaged deflate stream, an encrypted member or a bad CRC is one line
naming the file.

The XML parser resolves no entities, loads no DTD, never uses the network
and keeps lxml's default limits on huge documents (``huge_tree=False``,
which also caps nesting depth); a part with a DOCTYPE is refused (OPC
packages may not carry DTDs).
"""

from __future__ import annotations

import os
import posixpath
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..core.errors import InputError
from .limits import open_regular

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 10_000
RATIO_LIMIT = 100
_RATIO_FLOOR = 1024 * 1024  # small members may compress well (blank XML); only large ones are judged
_CHUNK = 64 * 1024
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a damaged or hostile member can raise while it is inflated.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError)


def _parser() -> etree.XMLParser:
    """A fresh parser per part (a feed parser holds its state)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_pis=True
    )


def _mb(n: int) -> int:
    return n // (1024 * 1024)


class Package:
    """The zip, checked, and the few parts we read."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = self._open(path)
        self.names = {info.filename.lower(): info.filename for info in self.zip.infolist()}

    def _open(self, path: Path) -> zipfile.ZipFile:
        fd, size = open_regular(path, str(path))  # a FIFO or a device is refused, never read
        self._file = os.fdopen(fd, "rb")  # ZipFile leaves a file it was handed open: close() closes it
        try:
            return self._zip(path, self._file, size)
        except BaseException:
            self._file.close()
            raise

    def _zip(self, path: Path, fh, size: int) -> zipfile.ZipFile:
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {_mb(size)} MB is larger than the {_mb(MAX_FILE_BYTES)} MB limit")
        if size == 0:
            raise InputError(f"{path}: the file is empty")
        if fh.read(8) == _OLE_MAGIC:
            raise InputError(f"{path}: an old Word .doc or a password-protected file, not a .docx; save it as .docx")
        if not zipfile.is_zipfile(fh):
            raise InputError(f"{path}: not a Word .docx file (a .docx is a zip archive, and this is not one)")
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputError(f"{path}: a damaged zip archive ({exc})") from None
        try:
            self._check_sizes(path, zf.infolist())
        except BaseException:
            zf.close()
            raise
        return zf

    @staticmethod
    def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"{path}: {len(infos)} files inside; more than the {MAX_MEMBERS} a Word file could need")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > _RATIO_FLOOR and info.file_size > RATIO_LIMIT * max(info.compress_size, 1):
                raise InputError(
                    f"{path}: refused as a zip bomb: {info.filename} would inflate "
                    f"{info.file_size // max(info.compress_size, 1)} times (limit {RATIO_LIMIT})"
                )
            if total > MAX_UNCOMPRESSED:
                raise InputError(
                    f"{path}: refused as a zip bomb: its contents would inflate past {_mb(MAX_UNCOMPRESSED)} MB"
                )

    def close(self) -> None:
        self.zip.close()
        self._file.close()

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def xml(self, name: str):
        """The parsed part ``name`` (a path inside the zip, no leading slash)."""
        real = self.names.get(name.lower())
        if real is None:
            raise InputError(f"{self.path}: not a Word document ({name} is missing)")
        info = self.zip.getinfo(real)
        if info.file_size > MAX_PART_BYTES:
            raise InputError(f"{self.path}: {name} is larger than the {_mb(MAX_PART_BYTES)} MB limit")
        if info.compress_type not in _METHODS:
            raise InputError(
                f"{self.path}: {name} is compressed with method {info.compress_type}, which Word files never use "
                "(only stored and deflate are allowed); refused unread"
            )
        parser = _parser()
        try:
            self._feed(real, name, parser)
            root = parser.close()
        except etree.XMLSyntaxError as exc:
            raise InputError(f"{self.path}: {name} is not well-formed XML ({exc.msg})") from None
        tree = root.getroottree()
        if tree.docinfo.doctype:
            raise InputError(f"{self.path}: {name} declares a DTD, which Word files never do; refused")
        return root

    def _feed(self, real: str, name: str, parser: etree.XMLParser) -> None:
        """Inflate ``real`` a chunk at a time into ``parser`` (a member may lie
        about its size: it is never inflated whole)."""
        try:
            with self.zip.open(real) as member:
                while chunk := member.read(_CHUNK):
                    parser.feed(chunk)
        except _READ_ERRORS as exc:
            raise InputError(f"{self.path}: cannot read {name} inside the file ({exc})") from None

    def rels(self, source: str) -> dict[str, tuple[str, str]]:
        """Relationships of part ``source`` ("" for the package): id -> (type, part name)."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if not self.has(rels_name):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for rel in self.xml(rels_name):
            if local_name(rel) != "Relationship" or (rel.get("TargetMode") or "").lower() == "external":
                continue
            target = rel.get("Target") or ""
            if target.startswith("/"):
                part = target.lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id") or ""] = (rel.get("Type") or "", part)
        return out

    def by_type(self, source: str, suffix: str) -> str | None:
        for rtype, part in self.rels(source).values():
            if rtype.endswith("/" + suffix) and self.has(part):
                return part
        return None


def local_name(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1]

"""Peak memory of every importer is bounded by a stated multiple of its
input (issue 17): :data:`MULTIPLES`.

Each importer's worst case is generated in ``tmp_path`` and read, in a
subprocess, by the function the command line calls (``annotator import``:
``load_document_file``; ``annotations import``: ``read_w3c_file`` and
``read_brat_file``), under ``RLIMIT_AS`` = the address space mapped once
everything is imported + the multiple x the input's size. It must be read:
not refused for want of memory, not a ``MemoryError`` or a traceback.

Sizes: the ``.txt`` case runs at the real limit (``MAX_TEXT_BYTES``, 64 MB:
832 MB at its peak). The others are 4 or 8 MB: at 64 MB Word, W3C and brat take
20 to 75 s each, and ``.md`` and HTML would repeat the ``.txt`` case's 832 MB.
Inside the subprocess their limit (``read_bytes_limited``'s default,
``docx_package.MAX_PART_BYTES``) is lowered to their size, so the input is at
the limit still. The multiple is per byte: at 64 MB every case measured within
3% of its multiple at the test size. The subprocess runs in ``tmp_path`` and
gets a relative name, since the first 1,000 of brat's problems repeat the name. HTML's markup-heavy
cases at the real limit (an unclosed comment, one tag with millions of
attributes) are in ``test_hostile_html.py``.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from annotator.io.limits import MAX_TEXT_BYTES
from tests.memory_limit import LIMIT_ADDRESS_SPACE

MB = 1024 * 1024

MULTIPLES = {
    # the bytes (1x), decoded as 4 bytes a character (one emoji widens the whole str: 4x), then CRLF -> LF
    # and lone CR -> LF a megabyte at a time, joined once the decoded copy is gone (4x): 7x measured
    "txt": 9,
    # as .txt; the heading is searched for in the text itself: 7x
    "md": 9,
    # decoded as .txt; the parser's events are joined into the text a few thousand at a time: 12x
    "html": 15,
    # libxml2's tree: three nodes (~120 bytes each, plus malloc's) for a 15-byte paragraph, and a Python
    # block per paragraph for the text: 35x measured
    "docx": 44,
    # json.loads: a dict and a "Annotation" str for each 22-byte orphan, then its draft (a dataclass of 19
    # fields) and its source line: 31x measured
    "w3c": 39,
    # per 12-16 byte T line: its fields and head lists, a TextBound with its id, type, text and spans
    # list (the lines are walked one at a time, never held as a list): 31x measured
    "brat": 39,
    # lines that are not brat: the bytes and the text (2x); past the first 1,000, a left-out line is
    # counted, not listed: 2x measured
    "brat-left-out": 4,
}

_UNDER_A_LIMIT = LIMIT_ADDRESS_SPACE + textwrap.dedent(
    """
    import sys
    from annotator.core.errors import InputError
    from annotator.io import docx_package, limits
    from annotator.io.brat import read_brat_file
    from annotator.io.documents import load_document_file
    from annotator.io.w3c import read_w3c_file
    import annotator.io.docx_import, annotator.io.html_import  # imported lazily by the loaders: mapped now

    path, kind, times, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if size < limits.MAX_TEXT_BYTES:  # the limit lowered to the input's size: the file is at the limit still
        limits.read_bytes_limited.__defaults__ = limits.read_text_limited.__defaults__ = (size,)
        docx_package.MAX_PART_BYTES = size

    limit_address_space(times * size)  # what is mapped now, and so many times the input
    try:
        if kind == "w3c":
            found = len(read_w3c_file(path))
        elif kind.startswith("brat"):
            parsed = read_brat_file(path)
            found = len(parsed.textbounds) + len(parsed.problems)
        else:
            found = len(load_document_file(path).text)
    except InputError as exc:
        print("refused:", exc)
    else:
        print("read", found)
    """
)


def _fill(fh, size: int, head: bytes, units, tail: bytes = b"", pad: bytes = b" ") -> None:
    """``head``, as many ``units`` as fit (one bytes repeated, or an iterator),
    ``pad`` and ``tail``: exactly ``size`` bytes, written a batch at a time."""
    room = size - len(head) - len(tail)
    fh.write(head)
    if isinstance(units, bytes):
        count = room // len(units)
        for n in range(0, count, 65536):
            fh.write(units * min(65536, count - n))
        room -= count * len(units)
    else:
        batch: list[bytes] = []
        for unit in units:
            if len(unit) > room:
                break
            batch.append(unit)
            room -= len(unit)
            if len(batch) >= 65536:
                fh.write(b"".join(batch))
                batch.clear()
        fh.write(b"".join(batch))
    fh.write(pad * room + tail)


_WIDE = "\U0001f600\r\n\r".encode()  # one astral character, a CRLF and a lone CR: the costliest text per byte
_W = b'xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'  # Word's namespace, unprefixed
_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_POSITION = b'{"type":"Annotation","target":{"selector":{"type":"TextPositionSelector","start":0,"end":1}}}'


def _txt(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        _fill(fh, size, _WIDE, b"word ")


def _md(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        _fill(fh, size, b"Notes " + _WIDE, b"word ")


def _html(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        _fill(fh, size, b"<pre>" + _WIDE, b"word ")


def _docx(path: Path, size: int) -> None:
    """A stored (not deflated: a 64 MB part of tiny paragraphs would be refused as a zip
    bomb) main part of exactly ``size`` bytes: paragraphs of one character."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", _TYPES)
        zf.writestr("_rels/.rels", _RELS)
        with zf.open("word/document.xml", "w") as fh:
            _fill(fh, size, b"<document " + _W + b"><body>", b"<p><t>x</t></p>", b"</body></document>")


def _w3c(path: Path, size: int) -> None:
    """One annotation that targets text, then annotations of nothing (orphans, each the smallest there is)."""
    with path.open("wb") as fh:
        _fill(fh, size, b"[" + _POSITION, b',{"type":"Annotation"}', b"]")


def _brat(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        _fill(fh, size, b"", (b"T%d\tX 0 1\tx\n" % n for n in itertools.count(1)), pad=b"\n")


def _brat_left_out(path: Path, size: int) -> None:
    """One T line, then lines that are not brat: each is reported as left out (the importer goes on)."""
    with path.open("wb") as fh:
        _fill(fh, size, b"T1\tX 0 1\tx\n", b"x\n", pad=b"\n")


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "kind, name, write, size",
    [
        ("txt", "wide.txt", _txt, MAX_TEXT_BYTES),
        ("md", "wide.md", _md, 8 * MB),
        ("html", "wide.html", _html, 8 * MB),
        ("docx", "paragraphs.docx", _docx, 4 * MB),
        ("w3c", "orphans.json", _w3c, 4 * MB),
        ("brat", "textbounds.ann", _brat, 4 * MB),
        ("brat-left-out", "not-brat.ann", _brat_left_out, 4 * MB),
    ],
)
def test_the_worst_case_reads_within_its_multiple(tmp_path, kind, name, write, size):
    path = tmp_path / name
    write(path, size)
    r = subprocess.run([sys.executable, "-c", _UNDER_A_LIMIT, name, kind, str(MULTIPLES[kind]), str(size)],
                       capture_output=True, text=True, timeout=110, cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0 and not r.stderr, r.stderr[-2000:]
    assert r.stdout.count("\n") == 1 and r.stdout.startswith("read ") and r.stdout != "read 0\n", r.stdout

"""Hostile .docx files: members that lie about their size, methods Word never
uses, damaged deflate streams, nested text boxes.

Every file here is generated, and small on disk: a member that inflates to a
gigabyte is a 1 MB file (deflate repeats one 1 KB block, written once and
copied), a bzip2 member of 100 MB of zeros is under 200 bytes.
"""

from __future__ import annotations

import bz2
import os
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.io.docx_import import read_docx
from tests.memory_limit import LIMIT_ADDRESS_SPACE

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{{}}</w:body></w:document>'
PARA = "<w:p><w:r><w:t>{}</w:t></w:r></w:p>"


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _deflate_zeros(megabytes: int) -> bytes:
    """Raw deflate of ``megabytes`` MB of zeros, built from one block: after a
    full flush the compressor's output for the same input repeats exactly."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    mb = b"\0" * (1 << 20)
    first = c.compress(mb) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(mb) + c.flush(zlib.Z_FULL_FLUSH)
    return first + again * (megabytes - 1) + c.flush()


def _lzma(data: bytes) -> bytes:
    c = zipfile.LZMACompressor()
    return c.compress(data) + c.flush()


def write_zip(path: Path, members: list[tuple[str, bytes, int, int | None]], plain: bytes = b"") -> Path:
    """A zip whose members are (name, compressed bytes, method, declared size):
    written stored, then the method and the declared size patched in both
    headers, so a member can claim any size and any method. ``plain``, when
    given, is the one member's inflated bytes, whose CRC goes in too (an
    honest file)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, raw, _method, _declared in members:
            zf.writestr(zipfile.ZipInfo(name), raw)  # stored: the bytes go in as they are
        offsets = {info.filename: info.header_offset for info in zf.infolist()}
    data = bytearray(path.read_bytes())
    for name, raw, method, declared in members:
        size = len(raw) if declared is None else declared
        local = offsets[name]
        data[local + 8 : local + 10] = method.to_bytes(2, "little")
        data[local + 22 : local + 26] = size.to_bytes(4, "little")
        if plain:
            data[local + 14 : local + 18] = zlib.crc32(plain).to_bytes(4, "little")
        central = data.find(b"PK\x01\x02")
        while central != -1:
            n = int.from_bytes(data[central + 28 : central + 30], "little")
            if data[central + 46 : central + 46 + n] == name.encode():
                data[central + 10 : central + 12] = method.to_bytes(2, "little")
                data[central + 24 : central + 28] = size.to_bytes(4, "little")
                if plain:
                    data[central + 16 : central + 20] = zlib.crc32(plain).to_bytes(4, "little")
                break
            central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def body(paragraphs: str) -> bytes:
    return XML.format(paragraphs).encode()


# --- methods and damage --------------------------------------------------------------------------


def test_an_honest_file_written_this_way_reads(tmp_path):
    doc = body(PARA.format("Troops massed at Al Bukamal."))
    path = write_zip(tmp_path / "ok.docx", [("word/document.xml", _deflate(doc), zipfile.ZIP_DEFLATED, len(doc))], doc)
    assert read_docx(path).text == "Troops massed at Al Bukamal."


@pytest.mark.parametrize(
    "method, pack", [(zipfile.ZIP_BZIP2, bz2.compress), (zipfile.ZIP_LZMA, _lzma)], ids=["bzip2", "lzma"]
)
def test_a_method_word_never_uses_is_refused_unread(tmp_path, method, pack):
    doc = body(PARA.format("Hidden in an odd member."))
    path = write_zip(tmp_path / "odd.docx", [("word/document.xml", pack(doc), method, len(doc))], doc)
    with pytest.raises(InputError) as err:
        read_docx(path)
    assert f"compressed with method {method}, which Word files never use" in str(err.value)


def _damaged() -> bytes:
    raw = bytearray(_deflate(body(PARA.format("Quoted text. " * 200))))
    raw[20:40] = b"\xff" * 20
    with pytest.raises(zlib.error):  # the sample really is a damaged deflate stream
        zlib.decompress(bytes(raw), -15)
    return bytes(raw)


def test_a_damaged_deflate_stream_is_an_input_error(tmp_path):
    path = write_zip(tmp_path / "damaged.docx", [("word/document.xml", _damaged(), zipfile.ZIP_DEFLATED, 2700)])
    with pytest.raises(InputError, match="cannot read word/document.xml inside the file"):
        read_docx(path)


def test_the_cli_reports_a_damaged_deflate_stream_in_one_line(tmp_path):
    path = write_zip(tmp_path / "damaged.docx", [("word/document.xml", _damaged(), zipfile.ZIP_DEFLATED, 2700)])
    env = {**os.environ, "ANNOTATOR_USER": "tester", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "annotator", "--db", str(tmp_path / "a.db"), "import", str(path)],
                       capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"annotator: {path}: cannot read word/document.xml inside the file")


# --- members that lie about their size, under a memory limit --------------------------------------

_UNDER_A_LIMIT = LIMIT_ADDRESS_SPACE + textwrap.dedent(
    """
    import sys
    from annotator.core.errors import InputError
    from annotator.io.docx_import import read_docx

    limit_address_space(64 * 1024 * 1024)  # what is mapped now, and 64 MB
    try:
        found = read_docx(sys.argv[1])
    except InputError as exc:
        print("refused:", exc)
    else:
        print("read", len(found.text))
    """
)


def _under_a_limit(path: Path) -> str:
    r = subprocess.run([sys.executable, "-c", _UNDER_A_LIMIT, str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    return r.stdout


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "method, raw, refusal",
    [
        (zipfile.ZIP_DEFLATED, lambda: _deflate_zeros(1024), "cannot read word/document.xml inside the file"),
        (zipfile.ZIP_BZIP2, lambda: bz2.compress(b"\0" * (100 << 20)), "which Word files never use"),
    ],
    ids=["deflate-1GB-in-1MB", "bzip2-100MB-in-200B"],
)
def test_a_member_that_lies_about_its_size_is_never_inflated_whole(tmp_path, method, raw, refusal):
    data = raw()
    assert len(data) < 1_100_000
    path = write_zip(tmp_path / "liar.docx", [("word/document.xml", data, method, 4000)])
    out = _under_a_limit(path)
    assert out.startswith("refused:") and refusal in out, out


# --- nested text boxes ----------------------------------------------------------------------------


def _nested_boxes(depth: int, both_alternatives: bool = False) -> str:
    """A paragraph holding a text box holding a paragraph holding a box …"""
    inner = ""
    for level in reversed(range(depth)):
        box = f"<w:txbxContent>{PARA.format(f'level {level}')[:-6]}{inner}</w:p></w:txbxContent>"
        if both_alternatives:
            mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
            box = (f'<mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="wps">{box}</mc:Choice>'
                   f"<mc:Fallback>{box}</mc:Fallback></mc:AlternateContent>")  # fmt: skip
        inner = f"<w:r><w:drawing><wp:inline xmlns:wp='urn:wp'><wps:txbx xmlns:wps='urn:wps'>{box}</wps:txbx></wp:inline></w:drawing></w:r>"
    return f"<w:p><w:r><w:t>body</w:t></w:r>{inner}</w:p>"


@pytest.mark.parametrize("both", [False, True], ids=["drawing", "choice-and-fallback"])
def test_each_nested_text_box_appears_once(tmp_path, both):
    depth = 8 if both else 16  # with both alternatives the file itself doubles at each level
    doc = body(_nested_boxes(depth, both))
    path = write_zip(tmp_path / "boxes.docx", [("word/document.xml", _deflate(doc), zipfile.ZIP_DEFLATED, len(doc))], doc)
    text = read_docx(path).text
    assert text.split("\n\n") == ["body"] + [f"level {n}" for n in range(depth)]

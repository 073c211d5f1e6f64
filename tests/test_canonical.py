"""Canonical text: decoding, newlines, no normalisation, hashing, direction."""

import codecs
import unicodedata

import pytest

from annotator.core.canonical import canonical_from_string, decode, detect_direction, sha256
from annotator.core.errors import InputError
from annotator.io.limits import read_text_limited

SAMPLE = "Syria 🇸🇾 — قال مسؤول\nمی\u200cخواهم 𝐀𝐁\n"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom"],
)
def test_decodes_utf8_and_boms(data, tmp_path):
    assert decode(data) == SAMPLE
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    assert read_text_limited(path) == SAMPLE


def test_crlf_and_cr_become_lf():
    assert decode(b"a\r\nb\rc\nd\r\n\r\n") == "a\nb\nc\nd\n\n"
    assert canonical_from_string("\ufeffx\r\ny") == "x\ny"


@pytest.mark.parametrize("at", [-2, -1, 0, 1])
def test_newlines_across_the_megabyte_pieces(at):
    """Newlines are normalised a megabyte at a time: a CRLF on the seam stays one LF."""
    edge = (1 << 20) + at
    text = "😀" + "a" * (edge - 1) + "\r\n" + "b\r" * 5 + "\r" * (1 << 20) + "\r\n"
    want = text.replace("\r\n", "\n").replace("\r", "\n")
    assert canonical_from_string(text) == want
    assert decode(text.encode("utf-8")) == want


def test_no_normalisation_and_no_trimming():
    nfd = unicodedata.normalize("NFD", "  café\tRésumé  \n\n")
    assert nfd != unicodedata.normalize("NFC", nfd)
    out = decode(nfd.encode("utf-8"))
    assert out == nfd  # still NFD, spaces, tab and blank lines kept
    assert len(out) == len(nfd)


def test_latin1_bytes_name_the_file(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    with pytest.raises(InputError) as exc:
        read_text_limited(path)
    msg = str(exc.value)
    assert str(path) in msg and "UTF-8" in msg and "\n" not in msg


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x00\x01\x00\x00abc", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04\x14\x00\x06\x00\xa1\xff"],
    ids=["valid-utf8-with-nul", "png", "zip-docx"],
)
def test_binary_is_refused(tmp_path, data):
    path = tmp_path / "image.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match="looks like a binary file") as exc:
        read_text_limited(path)
    assert str(path) in str(exc.value)


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    with pytest.raises(InputError, match="empty"):
        read_text_limited(empty)
    with pytest.raises(InputError, match="no such file"):
        read_text_limited(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        read_text_limited(tmp_path)


def test_bad_utf16_names_the_encoding():
    with pytest.raises(InputError, match="UTF-16"):
        decode(codecs.BOM_UTF16_LE + b"\x00\xd8", "x.txt")  # a lone high surrogate


def test_sha256_is_stable_and_exact():
    assert sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256(SAMPLE) == sha256(decode(codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be")))
    assert sha256(unicodedata.normalize("NFD", "é")) != sha256("é")


def test_detect_direction():
    assert detect_direction("قالت مصادر أمنية إن القوات انتشرت") == "rtl"
    assert detect_direction("من می\u200cخواهم به خانه بروم") == "rtl"
    assert detect_direction("Officials said the troops moved") == "ltr"
    assert detect_direction("قال المسؤول: UN") == "rtl"
    assert detect_direction("123 — 456") == "ltr"

"""Canonical text: the exact, immutable text that every offset counts into.

A file becomes canonical text by decoding (UTF-8, or UTF-8/UTF-16/UTF-32
with a BOM), dropping the BOM and turning CRLF and lone CR into LF. Nothing
else changes: no Unicode normalisation, no trimming, no tab expansion.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata

from .errors import InputError

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_PIECE = 1 << 20  # characters normalised at a time


def normalise_newlines(text: str) -> str:
    if "\r" not in text:  # most texts have none: one quick scan instead of two passes of replace
        return text
    return "".join(_normalised_pieces(text))


def _normalised_pieces(text: str) -> list[str]:
    """``text`` with CRLF and lone CR as LF, in pieces of about a megabyte: two
    ``replace`` over the whole text would hold three copies of it at once."""
    pieces = []
    start, size = 0, len(text)
    while start < size:
        end = min(start + _PIECE, size)
        if text[end - 1] == "\r" and end < size and text[end] == "\n":
            end += 1  # a CRLF is never split between two pieces
        pieces.append(text[start:end].replace("\r\n", "\n").replace("\r", "\n"))
        start = end
    return pieces


def decode(data: bytes, name: str = "input") -> str:
    """Decode file bytes to canonical text or raise :class:`InputError` naming ``name``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: not valid {encoding.upper()} (byte {exc.start + len(bom)})") from None
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if b"\x00" in data:  # images, PDFs, Word files: say so rather than blame the encoding
                raise InputError(f"{name}: looks like a binary file, not text (contains NUL bytes)") from None
            raise InputError(
                f"{name}: not UTF-8 text (undecodable byte at offset {exc.start}); "
                "save it as UTF-8 or UTF-16 with a BOM and try again"
            ) from None
    if "\x00" in text:
        raise InputError(f"{name}: looks like a binary file (contains NUL characters)")
    text = text.lstrip("\ufeff")
    if "\r" not in text:
        return text
    pieces = _normalised_pieces(text)
    del text  # the decoded text goes before the pieces are joined: two copies at a time, not three
    return "".join(pieces)


def canonical_from_string(text: str) -> str:
    """Canonical form of text that is already decoded (a leading BOM is dropped,
    and any more U+FEFF right after it: a file saved twice with a BOM has two,
    and canonical text must stay canonical when canonicalised again)."""
    return normalise_newlines(text.lstrip("\ufeff"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_RTL_BIDI = {"R", "AL"}
_LTR_BIDI = {"L"}


def detect_direction(text: str, sample: int = 4000) -> str:
    """'rtl' when strong right-to-left letters outnumber left-to-right ones, else 'ltr'."""
    rtl = ltr = 0
    for ch in text[:sample]:
        bidi = unicodedata.bidirectional(ch)
        if bidi in _RTL_BIDI:
            rtl += 1
        elif bidi in _LTR_BIDI:
            ltr += 1
    return "rtl" if rtl > ltr else "ltr"

"""Text positions: the one place that knows how offsets are counted.

Annotation offsets everywhere in Annotator are **Unicode code points** into a
document's canonical text, end exclusive (Python ``str`` indices). Qt counts
**UTF-16 code units**: a code point above U+FFFF (most emoji, math
alphanumerics) takes two units. :class:`TextMap` converts between the two;
no other module may do that arithmetic.

This module also builds and resolves quote selectors (exact text with up to
32 code points of prefix and suffix, as in W3C's TextQuoteSelector), which let
an annotation be re-anchored when positions cannot be trusted, and snaps
selections to grapheme clusters and words so that a span never splits a
surrogate pair, a flag, a ZWJ sequence or a base letter from its combining
marks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
import re

import regex

CONTEXT = 32
"""Code points of prefix and suffix kept with every quote."""

_GRAPHEME = regex.compile(r"\X")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_WORD_CHAR = regex.compile(r"[\w\p{M}\p{Cf}]")  # letters, digits, marks, ZWNJ/ZWJ


class TextMap:
    """Converts code point offsets ↔ UTF-16 offsets for one text.

    Built once per text in O(n); each conversion is a binary search over the
    astral (non-BMP) characters, so it stays cheap for megabyte documents.
    """

    __slots__ = ("_astral_cp", "_astral_u16", "has_astral", "length", "length_u16")

    def __init__(self, text: str):
        astral = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []
        self._astral_cp = astral
        # UTF-16 position of each astral character: its code point index plus
        # one extra unit for every astral character before it.
        self._astral_u16 = [cp + k for k, cp in enumerate(astral)]
        self.length = len(text)
        self.length_u16 = len(text) + len(astral)
        self.has_astral = bool(astral)  # False: both counts are the same

    def to_utf16(self, cp: int) -> int:
        """UTF-16 position of code point offset ``cp``."""
        if not 0 <= cp <= self.length:
            raise ValueError(f"offset {cp} outside 0..{self.length}")
        return cp + bisect_left(self._astral_cp, cp)

    def from_utf16(self, u16: int) -> int:
        """Code point offset of UTF-16 position ``u16``.

        A position inside a surrogate pair is rounded down to the start of
        that character, so a range converted back never splits it.
        """
        if not 0 <= u16 <= self.length_u16:
            raise ValueError(f"UTF-16 position {u16} outside 0..{self.length_u16}")
        # k astral characters end at or before u16; each added one unit.
        k = bisect_right(self._astral_u16, u16 - 2)
        if k < len(self._astral_u16) and self._astral_u16[k] == u16 - 1:
            return u16 - 1 - k  # u16 is a low surrogate: round down
        return u16 - k

    def span_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def span_from_utf16(self, start: int, end: int) -> tuple[int, int]:
        """Code point span for a UTF-16 range; a half surrogate pair widens it."""
        s = self.from_utf16(start)
        e = self.from_utf16(end)
        if self.to_utf16(e) < end:  # end fell inside a pair: take the whole char
            e += 1
        return s, e


def utf16_units(text: str, text_map: TextMap | None = None) -> str:
    """``text`` with every character beyond U+FFFF written as its two UTF-16
    surrogates: one code point per UTF-16 unit, which is what a QString of
    ``text`` holds. PySide copies such a string into a QString as it is but
    converts one holding characters beyond U+FFFF character by character
    (~13 ms a megabyte, most of ``setPlainText``), so the reader hands Qt this
    form. ``text_map``: the text's map, if already built (it knows where those
    characters are)."""
    tm = text_map if text_map is not None else TextMap(text)
    if not tm.has_astral:
        return text
    parts = []
    prev = 0
    for cp in tm._astral_cp:
        parts.append(text[prev:cp])  # a slice without such characters is stored narrow
        c = ord(text[cp]) - 0x10000
        parts.append(chr(0xD800 | (c >> 10)) + chr(0xDC00 | (c & 0x3FF)))
        prev = cp + 1
    parts.append(text[prev:])
    return "".join(parts)


@lru_cache(maxsize=1)
def _text_map(text: str) -> TextMap:
    return TextMap(text)  # one document is anchored at a time: its map is built once


def utf16_reading(text: str, start: int, end: int, exact: str) -> tuple[int, int] | None:
    """The code point span of ``[start, end)`` read as UTF-16 positions, if
    that span holds exactly ``exact``; None otherwise.

    A tool that counts UTF-16 units (JavaScript, Java, Qt) writes positions
    that run one ahead of code points after every character beyond U+FFFF.
    When a file's position disagrees with its quote, this reading is tried
    before the quote is searched for, so a quote that occurs several times is
    anchored where the tool meant it. A UTF-16 position inside a surrogate
    pair never holds the quote exactly, so it is not taken.
    """
    if not (isinstance(start, int) and isinstance(end, int)) or not exact or text.isascii():
        return None
    tm = _text_map(text)
    if not tm.has_astral or not 0 <= start < end <= tm.length_u16:
        return None
    s, e = tm.from_utf16(start), tm.from_utf16(end)
    if tm.to_utf16(s) != start or tm.to_utf16(e) != end:
        return None  # the position splits a character in UTF-16: not a UTF-16 reading
    return (s, e) if text[s:e] == exact else None


def utf16_length(text: str) -> int:
    """Number of UTF-16 code units in ``text``."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# --- grapheme and word snapping ------------------------------------------------


def grapheme_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole grapheme clusters.

    Matching starts a little before ``start``; the first match may begin
    mid-cluster (the ones after it are aligned), so when ``start`` falls in
    that first match the window is widened and the search repeated. Clusters
    longer than the window (stacked combining marks) are therefore kept whole.
    """
    window = 16
    while True:
        lo = max(0, start - window)
        s, e = start, end
        for m in _GRAPHEME.finditer(text, lo):
            a, b = m.span()
            if a < start < b:
                s = a
            if a < end < b:
                e = b
            if a >= end:
                break
        if s > lo or lo == 0:
            return s, e
        window *= 4


def word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words, then trim surrounding spaces.

    A selection that begins or ends inside a word grows to the word's edge;
    whitespace and punctuation at the edges are dropped. Marks, ZWNJ and ZWJ
    count as word characters so Arabic, Persian and combining sequences stay
    whole. The result is always grapheme-aligned.
    """
    s, e = grapheme_bounds(text, start, end)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if s == e:
        return s, e
    if _WORD_CHAR.match(text[s]):
        while s > 0 and _WORD_CHAR.match(text[s - 1]):
            s -= 1
    if _WORD_CHAR.match(text[e - 1]):
        while e < len(text) and _WORD_CHAR.match(text[e]):
            e += 1
    return grapheme_bounds(text, s, e)


# --- quote selectors ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """A W3C-style TextQuoteSelector: the exact text and its surroundings."""

    exact: str
    prefix: str = ""
    suffix: str = ""


def make_quote(text: str, start: int, end: int, context: int = CONTEXT) -> Quote:
    return Quote(*quote_parts(text, start, end, context))


def quote_parts(text: str, start: int, end: int, context: int = CONTEXT) -> tuple[str, str, str]:
    """:func:`make_quote`'s exact text, prefix and suffix as a plain tuple
    (bulk imports store them as they are: a frozen Quote per row costs more
    than the slicing)."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}..{end} outside text of length {len(text)}")
    return text[start:end], text[max(0, start - context) : start], text[end : end + context]


class Anchoring(Enum):
    POSITION = "position"  # stored position still holds the exact text with its context
    CONTEXT = "context"  # found elsewhere with prefix and suffix agreeing
    NEAREST = "nearest"  # exact text found; the occurrence nearest the stored position
    ORPHAN = "orphan"  # the exact text is not in the document


@dataclass(frozen=True, slots=True)
class Anchor:
    start: int
    end: int
    how: Anchoring

    @property
    def found(self) -> bool:
        return self.how is not Anchoring.ORPHAN


def _context_agrees(text: str, start: int, end: int, quote: Quote) -> bool:
    return text[max(0, start - len(quote.prefix)) : start] == quote.prefix and text[
        end : end + len(quote.suffix)
    ] == quote.suffix


def resolve_quote(text: str, quote: Quote, hint: int | None = None) -> Anchor:
    """Find where ``quote`` sits in ``text``.

    Order: (1) the exact text at ``hint`` with agreeing context; (2) the
    occurrence whose prefix and suffix agree (nearest ``hint`` if several);
    (3) the exact occurrence nearest ``hint``; otherwise an orphan, which the
    caller must report — never move or drop it silently.
    """
    exact = quote.exact
    if not exact:
        return Anchor(-1, -1, Anchoring.ORPHAN)
    n = len(exact)
    if hint is not None and 0 <= hint and text.startswith(exact, hint) and _context_agrees(text, hint, hint + n, quote):
        return Anchor(hint, hint + n, Anchoring.POSITION)
    hits: list[int] = []
    i = text.find(exact)
    while i != -1:
        hits.append(i)
        i = text.find(exact, i + 1)
    if not hits:
        return Anchor(-1, -1, Anchoring.ORPHAN)
    ref = hint if hint is not None else 0
    agreeing = [h for h in hits if _context_agrees(text, h, h + n, quote)]
    if agreeing:
        best = min(agreeing, key=lambda h: abs(h - ref))
        return Anchor(best, best + n, Anchoring.CONTEXT)
    best = min(hits, key=lambda h: abs(h - ref))
    return Anchor(best, best + n, Anchoring.NEAREST)


def check_span(text_length: int, start: int, end: int) -> None:
    """Raise ValueError unless ``0 <= start < end <= text_length``."""
    if not (isinstance(start, int) and isinstance(end, int)):
        raise ValueError("offsets must be integers")
    if start < 0 or end > text_length or start >= end:
        raise ValueError(f"span {start}..{end} is not inside 0..{text_length} or is empty")


def is_grapheme_aligned(text: str, start: int, end: int) -> bool:
    if _ascii_boundary(text, start) and _ascii_boundary(text, end):
        return True  # (nearly every span: no clustering needed)
    return grapheme_bounds(text, start, end) == (start, end)


def _ascii_boundary(text: str, i: int) -> bool:
    """Whether ``i`` is a grapheme cluster boundary that plain ASCII shows:
    the text's edges, or between two ASCII characters other than CR LF
    (UAX #29: no ASCII character extends, prepends or joins a cluster).
    False means "look properly" (:func:`grapheme_bounds`), not "no"."""
    if i == 0 or i == len(text):
        return True
    if not 0 < i < len(text):
        return False
    before, after = text[i - 1], text[i]
    return before < "\x80" and after < "\x80" and not (before == "\r" and after == "\n")


__all__ = [
    "CONTEXT",
    "Anchor",
    "Anchoring",
    "Quote",
    "TextMap",
    "check_span",
    "grapheme_bounds",
    "is_grapheme_aligned",
    "make_quote",
    "quote_parts",
    "resolve_quote",
    "utf16_length",
    "utf16_reading",
    "utf16_units",
    "word_bounds",
]

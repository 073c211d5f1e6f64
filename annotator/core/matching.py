"""Finding an entity's names in a text: whole words, any case, any script.

A name matches where the text has it as whole words: case-insensitively with
full Unicode case folding (``STRASSE`` finds ``Straße``), with any run of
whitespace (line breaks included) where the name has a space. Letters,
digits, combining marks and ZWNJ/ZWJ count as word characters, so an Arabic
or Persian word is never matched inside a longer one, nor a Latin name
before a combining accent. Offsets are code points into the text.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

import regex

WORD_CHAR = r"[\w\p{M}\u200C\u200D]"
_FLAGS = regex.IGNORECASE | regex.FULLCASE | regex.UNICODE


@dataclass(frozen=True, slots=True)
class NameMatch:
    start: int
    end: int
    name: str  # the name or alias that matched, as the entity spells it


def name_key(name: str) -> str:
    """What makes two names the same: case-folded, whitespace collapsed."""
    return " ".join(name.casefold().split())


def compile_name(name: str) -> regex.Pattern | None:
    """The pattern for one name; None for a blank one."""
    parts = name.split()
    if not parts:
        return None
    body = r"\s+".join(regex.escape(p) for p in parts)
    return regex.compile(rf"(?<!{WORD_CHAR}){body}(?!{WORD_CHAR})", _FLAGS)


class NameFinder:
    """Compiled once for an entity's names; :meth:`find` runs over any text."""

    def __init__(self, names: Iterable[str]):
        self.patterns: list[tuple[str, regex.Pattern]] = []
        seen: set[str] = set()
        for name in names:
            key = name_key(name)
            pattern = compile_name(name)
            if pattern is None or key in seen:
                continue
            seen.add(key)
            self.patterns.append((name, pattern))

    def find(self, text: str) -> list[NameMatch]:
        """Non-overlapping matches in text order; where matches overlap, the
        longest wins (then the earliest), so "Hashd Al Shaabi" beats "Hashd"."""
        found = [
            NameMatch(m.start(), m.end(), name)
            for name, pattern in self.patterns
            for m in pattern.finditer(text, overlapped=True)
        ]
        found.sort(key=lambda m: (m.start - m.end, m.start))
        starts: list[int] = []  # of the matches taken, which never overlap: sorted by start and by end
        taken: list[NameMatch] = []
        for m in found:
            i = bisect_left(starts, m.start)
            if i > 0 and taken[i - 1].end > m.start:
                continue
            if i < len(taken) and taken[i].start < m.end:
                continue
            starts.insert(i, m.start)
            taken.insert(i, m)
        return taken

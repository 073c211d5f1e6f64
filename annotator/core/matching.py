"""Finding an entity's names in a text: whole words, any case, any script.

A name matches where the text has it as whole words: case-insensitively with
full Unicode case folding (``STRASSE`` finds ``Straße``), with any run of
separators where the name has one: spaces and line breaks, hyphens and ZWNJ
are all the same separator, so "Hashd Al Shaabi" finds "Hashd al-Shaabi".
Letters, digits, combining marks and ZWNJ/ZWJ count as word characters at
the edges of a match, so an Arabic or Persian word is never matched inside a
longer one, nor a Latin name before a combining accent. Offsets are code
points into the text, and a match's span is always the text's own spelling
(``text[start:end]``), whatever was normalised to find it.

* **Acronyms** match case-sensitively: a name written in capitals only
  ("US", "PMF", "SDF") finds "US" but not the pronoun "us".
* **Arabic script** is compared after normalising both the name and the
  text (:func:`normalise`): harakat (U+064B–U+065F, U+0670) and tatweel
  (U+0640) are ignored, أ إ آ ٱ are ا, ى (and Persian ی) is ي, Persian ک is
  ك. A mark or tatweel after the name's last letter belongs to the match.
* **Proclitics**: an Arabic name may follow the one-letter proclitics that
  are written joined to the next word: a conjunction و or ف, then a
  preposition ب ل ك ("والحشد الشعبي", "بالحشد", "وللحشد"). The match starts
  *after* the proclitics: only the name is tagged. After ل the article's
  alif is not written ("للحشد الشعبي" is ل + لحشد الشعبي), so there the
  match is the name without its alif ("لحشد الشعبي"). Names that begin with
  one of these letters are ambiguous by nature (a name "بنان" is found in
  "لبنان"); the tag-all dialog shows every proposal for review.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

import regex

WORD_CHAR = r"[\w\p{M}\u200C\u200D]"
_FLAGS = regex.IGNORECASE | regex.FULLCASE | regex.UNICODE
_CASE_FLAGS = regex.UNICODE

SEPARATOR_CHARS = "\\s\\-\u2010\u2011\u2012\u2013\u200c"
"""What separates the words of a name: white space, hyphens (ASCII and the
Unicode hyphens and en dash) and ZWNJ; any run of them is one separator."""
_SEPARATOR = f"[{SEPARATOR_CHARS}]+"
_SPLIT = regex.compile(_SEPARATOR)

_DROPPED = "\u0640" + "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670"
"""Tatweel and the harakat (tanwin, short vowels, shadda, sukun, maddah, the
hamzas above and below, superscript alif): ignored when matching."""
_DROP = regex.compile(f"[{_DROPPED}]")
_FOLDED = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك"}
_FOLD = str.maketrans(_FOLDED)


def _fold_letters(text: str) -> str:
    """``text.translate(_FOLD)``, letter by letter in C: seven ``replace``
    calls cost a tenth of a translate() through a dict on Arabic text."""
    for letter, folded in _FOLDED.items():
        if letter in text:
            text = text.replace(letter, folded)
    return text
_ARABIC_BLOCK = regex.compile("[\u0600-\u06FF]")  # every character normalising changes is in it
_ARABIC_LETTER = regex.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")

# Proclitics before an Arabic name: a conjunction, then a preposition. Used in
# a look-behind (the regex module allows variable length), so the match itself
# is the name only.
_CONJ, _PREP = "[وف]", "[بلك]"


@dataclass(frozen=True, slots=True)
class NameMatch:
    start: int
    end: int
    name: str  # the name or alias that matched, as the entity spells it


class Normalised:
    """A text in its matching form (see :func:`normalise`) and the way back
    to the original code points."""

    __slots__ = ("_moved", "length", "text")

    def __init__(self, original: str):
        self.length = len(original)
        if original.isascii() or not _ARABIC_BLOCK.search(original):
            self.text, self._moved = original, []
            return
        folded = _fold_letters(original)
        dropped = [m.start() for m in _DROP.finditer(folded)]
        self.text = _DROP.sub("", folded) if dropped else folded
        # For the k-th dropped character: where it would sit in the normalised
        # text (the position of the next kept character), non-decreasing.
        self._moved = [pos - k for k, pos in enumerate(dropped)]

    def start(self, i: int) -> int:
        """Original offset of the character at normalised offset ``i``."""
        return i + bisect_right(self._moved, i)

    def end(self, i: int) -> int:
        """Original end offset for a normalised end ``i``: dropped characters
        (marks, tatweel) right after the last matched letter are included."""
        if i >= len(self.text):
            return self.length
        return self.start(i)


def normalise(text: str) -> str:
    """The matching form of Arabic script: no harakat or tatweel, one alif,
    one ya, one kaf (other scripts are left as they are)."""
    if text.isascii() or not _ARABIC_BLOCK.search(text):  # a C scan; translate() with a dict is not
        return text
    return _DROP.sub("", _fold_letters(text))


def name_key(name: str) -> str:
    """What makes two names the same: case-folded, whitespace collapsed."""
    return " ".join(name.casefold().split())


def match_key(name: str) -> str:
    """What makes two names the same when linking a mention to an entity:
    :func:`name_key` of the normalised name, hyphens and ZWNJ as spaces."""
    return " ".join(p for p in _SPLIT.split(normalise(name).casefold()) if p)


def is_acronym(name: str) -> bool:
    """A name in capitals only ("US", "PMF", "U.S."): matched case-sensitively."""
    return any(c.isalpha() for c in name) and name == name.upper() and name != name.lower()


def compile_name(name: str) -> regex.Pattern | None:
    """The pattern for one name, to run over :class:`Normalised` text; None for a blank one."""
    parts = [p for p in _SPLIT.split(normalise(name)) if p]
    if not parts:
        return None
    body = _SEPARATOR.join(regex.escape(p) for p in parts)
    flags = _CASE_FLAGS if is_acronym(name) else _FLAGS
    start = rf"(?<!{WORD_CHAR})"
    if _ARABIC_LETTER.match(parts[0]):
        clitics = rf"(?<=(?<!{WORD_CHAR}){_CONJ}?{_PREP}?)"
        if parts[0].startswith("ال") and len(parts[0]) > 2:
            # after ل the article is written ل: "للحشد" = ل + لحشد
            rest = regex.escape(parts[0][1:]) + body[len(regex.escape(parts[0])) :]
            lam = rf"(?<=(?<!{WORD_CHAR}){_CONJ}?ل)"
            body = rf"(?:{clitics}{body}|{lam}{rest})"
        else:
            body = clitics + body
        start = ""
    return regex.compile(rf"{start}{body}(?!{WORD_CHAR})", flags)


class NameFinder:
    """Compiled once for an entity's names; :meth:`find` runs over any text."""

    def __init__(self, names: Iterable[str]):
        self.patterns: list[tuple[str, regex.Pattern]] = []
        seen: set[tuple[str, str]] = set()
        for name in names:
            key = (match_key(name), name if is_acronym(name) else "")
            pattern = compile_name(name)
            if pattern is None or key in seen:
                continue
            seen.add(key)
            self.patterns.append((name, pattern))

    def find(self, text: str) -> list[NameMatch]:
        """Non-overlapping matches in text order; where matches overlap, the
        longest wins (then the earliest), so "Hashd Al Shaabi" beats "Hashd"."""
        if not self.patterns:
            return []
        norm = Normalised(text)
        found = [
            NameMatch(norm.start(m.start()), norm.end(m.end()), name)
            for name, pattern in self.patterns
            for m in pattern.finditer(norm.text, overlapped=True)
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

"""Suggestions from what the analyst already knows: every occurrence, in a
document, of a name or alias of an entity known anywhere in the database,
or of a place in the gazetteer, proposed with the label that name most often
got (INCEpTION's string matcher: the score is that label's share of the
name's tags) and why.

Matching is multi-pattern, one pass over the text whatever the number of
names: each word of the text becomes one character (the same for every word
no name has), each name the string of its words' characters, and an
Aho-Corasick automaton (``ahocorasick_rs``) finds every name at once. Whole
words come free: a match can only start and end at a word. Words are those
of :mod:`.matching` (the tag-all rules): Arabic normalised (harakat,
tatweel, alif, ya, kaf), full case folding, acronyms ("US") case-sensitive,
any run of spaces, hyphens and ZWNJ between the words of a name, and an
Arabic name found after the proclitics و ف ب ل ك (للحشد is ل + الحشد).
Punctuation inside a name must be there in the text; the separators around it
may differ ("U. S." finds "U.S.").
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

import ahocorasick_rs
import regex

from .matching import Normalised, is_acronym, normalise
from .model import LabelKind
from .offsets import CONTEXT

_PIECES = regex.compile(r"([\w\p{M}\u200D]+|[^\w\p{M}\u200D\s\-\u2010\u2011\u2012\u2013\u200C])")
"""Splits a text into separators (even pieces: spaces, hyphens, ZWNJ, maybe
empty) and tokens (odd pieces: a word, or one punctuation character)."""
_UNKNOWN = "\x00"  # every token no name has
_FIRST_CODE = 0xF0000  # tokens are coded from the supplementary private use planes (130,000 codes)
_MAX_TOKENS = 0x10FFFD - _FIRST_CODE
_CONJ, _PREP = "وف", "بلك"
_ARABIC = regex.compile("[\u0600-\u06FF]")
_GLUE = "\u200c"  # ZWNJ: a separator between a name's words, but never a word's edge (as in tag-all)
GAZETTEER_MIN_POPULATION = 200_000  # cities proposed from the gazetteer (capitals and countries always)


@dataclass(frozen=True, slots=True)
class Known:
    """Who has a name: an entity (``entity_id``), or a gazetteer place (None)."""

    entity_id: uuid.UUID | None
    kind: LabelKind
    name: str  # the name or alias, as the entity (or the gazetteer) spells it
    entity_name: str  # the entity's (or place's) own name
    words: tuple[str, ...]  # the name's tokens, normalised but not folded: an acronym must match them exactly
    acronym: bool = False
    place: str = ""  # a place: "Damascus, Syria · capital"
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs twice as much, by the 10,000
class Suggestion:
    document_id: uuid.UUID
    start: int  # code points
    end: int
    exact: str
    kind: LabelKind
    label_id: uuid.UUID
    known: Known  # whose name it is
    score: float  # the label's share of the name's tags (0: never tagged; a gazetteer place)
    why: str
    prefix: str = ""  # the quote's context, as an annotation keeps it (accepting reads no text)
    suffix: str = ""

    @property
    def entity_id(self) -> uuid.UUID | None:
        return self.known.entity_id

    @property
    def key(self) -> tuple[int, int, uuid.UUID]:
        return (self.start, self.end, self.label_id)


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """The text's tokens and where each starts (code points)."""
    pieces = _PIECES.split(text)
    ends = list(accumulate(map(len, pieces)))
    return pieces[1::2], [ends[i - 1] if i else 0 for i in range(1, len(pieces), 2)]


def name_tokens(name: str) -> list[str]:
    return _PIECES.split(normalise(name))[1::2]


def _clitic_forms(token: str) -> list[tuple[str, int]]:
    """What an unknown Arabic token may be after its proclitics: (the rest, code points stripped)."""
    out = []
    rest, shift = token, 0
    if len(rest) > 2 and rest[0] in _CONJ:
        rest, shift = rest[1:], 1
        out.append((rest, shift))
    if len(rest) > 2 and rest[0] in _PREP:
        if rest[0] == "ل" and rest[1] == "ل":  # ل + the article without its alif: للحشد = ل + الحشد
            out.append(("ا" + rest[1:], shift + 1))
        out.append((rest[1:], shift + 1))
    return out


@dataclass
class _Match:
    start: int
    end: int
    pattern: int


class NameAutomaton:
    """Every known name, matched in one pass. Names are added and removed
    as entities change; the automaton is rebuilt (tens of milliseconds for
    20,000 entities) at the next :meth:`find` after a change."""

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}  # folded token -> its character
        self._patterns: dict[str, int] = {}  # coded name -> pattern number
        self._keys: list[str] = []
        self.owners: list[list[Known]] = []  # per pattern
        self._by_entity: dict[uuid.UUID, list[tuple[int, Known]]] = {}
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        self._arabic = False
        self._acronyms: set[int] = set()  # patterns an acronym owns (as of the last build)

    def __len__(self) -> int:
        return sum(1 for o in self.owners if o)

    def _code(self, token: str) -> str | None:
        code = self._codes.get(token)
        if code is None:
            if len(self._codes) >= _MAX_TOKENS:
                return None
            code = self._codes[token] = chr(_FIRST_CODE + len(self._codes))
            if not self._arabic and _ARABIC.search(token):
                self._arabic = True
        return code

    def add(self, known: Known) -> None:
        words = known.words
        if not words:
            return
        coded = [self._code(w.casefold()) for w in words]
        if None in coded:
            return
        key = "".join(coded)  # type: ignore[arg-type]
        n = self._patterns.get(key)
        if n is None:
            n = self._patterns[key] = len(self._keys)
            self._keys.append(key)
            self.owners.append([])
        if known not in self.owners[n]:
            self.owners[n].append(known)
            if known.entity_id is not None:
                self._by_entity.setdefault(known.entity_id, []).append((n, known))
            self._automaton = None

    def add_entity(self, entity_id: uuid.UUID, kind: LabelKind, names: Sequence[str]) -> None:
        """An entity's names (its own first), replacing what it had."""
        self.remove_entity(entity_id)
        own = names[0] if names else ""
        for name in dict.fromkeys(names):
            words = tuple(name_tokens(name))
            self.add(Known(entity_id, kind, name, own, words, acronym=is_acronym(name)))

    def remove_entity(self, entity_id: uuid.UUID) -> None:
        for n, known in self._by_entity.pop(entity_id, []):
            self.owners[n] = [k for k in self.owners[n] if k is not known]
            self._automaton = None

    def entity_ids(self) -> set[uuid.UUID]:
        return set(self._by_entity)

    def _built(self) -> ahocorasick_rs.AhoCorasick | None:
        if self._automaton is None and self._keys:
            self._acronyms = {n for n, owners in enumerate(self.owners) if any(k.acronym for k in owners)}
            # (a pattern whose owners all left stays, matching nothing: find skips it)
            self._automaton = ahocorasick_rs.AhoCorasick(self._keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        return self._automaton

    def find(self, text: str) -> list[_Match]:
        """The known names in the text as whole words, in code points, in text
        order: where names overlap, the leftmost, then the longest, wins."""
        automaton = self._built()
        if automaton is None or not text:
            return []
        norm = Normalised(text)
        folded = norm.text.casefold()
        if len(folded) == len(norm.text):
            tokens, starts = _tokens(folded)
            originals = None
        else:  # a letter that folds to two (ß, ŉ…): fold token by token
            originals, starts = _tokens(norm.text)
            tokens = [t.casefold() for t in originals]
        codes = self._codes
        coded = [codes.get(t, _UNKNOWN) for t in tokens]
        shifts: dict[int, int] = {}
        if self._arabic:
            for i, t in enumerate(tokens):
                if coded[i] == _UNKNOWN and t[0] in "وفبلك":
                    for rest, shift in _clitic_forms(t):
                        if rest in codes:
                            coded[i], shifts[i] = codes[rest], shift
                            break
        found = []
        for pattern, first, last in automaton.find_matches_as_indexes("".join(coded)):
            if shifts and any(i in shifts for i in range(first + 1, last)):
                continue  # a proclitic only before a name's first word
            start = starts[first] + shifts.get(first, 0)
            end = starts[last - 1] + len(tokens[last - 1] if originals is None else originals[last - 1])
            found.append(_Match(norm.start(start), norm.end(end), pattern))
        return [m for m in found if self._whole(text, m)] if _GLUE in text else found

    @staticmethod
    def _whole(text: str, m: _Match) -> bool:
        return not ((m.start > 0 and text[m.start - 1] == _GLUE) or (m.end < len(text) and text[m.end] == _GLUE))

    def has_acronym(self, pattern: int) -> bool:
        return pattern in self._acronyms

    def owners_at(self, text: str, m: _Match) -> list[Known]:
        """The match's owners whose spelling fits: an acronym's exactly (after normalising)."""
        owners = self.owners[m.pattern]
        words = tuple(name_tokens(text[m.start : m.end]))
        return [k for k in owners if not k.acronym or k.words == words]


@dataclass
class SuggestionContext:
    """What the suggestions of one document depend on besides its text."""

    labels: Mapping[LabelKind, uuid.UUID]  # the label proposed for each kind when a name was never tagged
    label_names: Mapping[uuid.UUID, str]
    counts: Mapping[uuid.UUID, Mapping[uuid.UUID, int]]  # entity -> label -> live tags
    taken: Mapping[LabelKind, Sequence[tuple[int, int]]] = field(default_factory=dict)  # annotated spans, per kind
    rejected: set[tuple[int, int, uuid.UUID]] = field(default_factory=set)  # (start, end, label) said no to


def _choose(owners: list[Known], ctx: SuggestionContext) -> tuple[Known, uuid.UUID, float, str] | None:
    """The owner and label the name most often got, its share, and why."""
    best: tuple[int, Known, uuid.UUID] | None = None
    total = 0
    for k in owners:
        if k.entity_id is None:
            continue
        for label_id, n in ctx.counts.get(k.entity_id, {}).items():
            if label_id not in ctx.label_names:
                continue
            total += n
            if best is None or n > best[0]:
                best = (n, k, label_id)
    if best is not None and best[0] > 0:
        n, k, label_id = best
        alias = f" (a name of “{k.entity_name}”)" if k.name != k.entity_name else ""
        times = "once" if total == 1 else f"{n} of {total} times"
        return k, label_id, n / total, f"“{k.name}”{alias} was tagged {ctx.label_names[label_id]} {times}"
    entities = [k for k in owners if k.entity_id is not None and k.kind in ctx.labels]
    if entities:
        k = entities[0]
        return k, ctx.labels[k.kind], 0.0, f"a name of the {k.kind.value} “{k.entity_name}”, not tagged yet"
    places = [k for k in owners if k.entity_id is None and LabelKind.LOCATION in ctx.labels]
    if places:
        k = places[0]
        return k, ctx.labels[LabelKind.LOCATION], 0.0, f"in the gazetteer: {k.place}"
    return None


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def suggest(automaton: NameAutomaton, document_id: uuid.UUID, text: str, ctx: SuggestionContext) -> list[Suggestion]:
    """The document's suggestions in text order (see :meth:`NameAutomaton.find`
    for overlapping names): none where an annotation of the same kind already
    overlaps, none the analyst rejected."""
    from bisect import bisect_left

    taken_sorted = {kind: sorted(spans) for kind, spans in ctx.taken.items()}
    longest = {kind: max((e - s for s, e in spans), default=0) for kind, spans in taken_sorted.items()}
    starts_of = {kind: [s for s, _e in spans] for kind, spans in taken_sorted.items()}
    picks: dict[int, tuple | None] = {}  # per pattern without acronyms: the choice is the same everywhere
    out: list[Suggestion] = []
    for m in automaton.find(text):
        if automaton.has_acronym(m.pattern):
            owners = automaton.owners_at(text, m)
            pick = _choose(owners, ctx) if owners else None
        else:
            pick = picks.get(m.pattern, ())
            if pick == ():
                owners = automaton.owners[m.pattern]
                pick = picks[m.pattern] = _choose(owners, ctx) if owners else None
        if pick is None:
            continue
        known, label_id, score, why = pick
        if known.entity_id is None and text[m.start].islower():
            continue  # a gazetteer name only where the text capitalises it ("Nice", not "nice")
        spans = taken_sorted.get(known.kind, ())
        if spans:
            lo = bisect_left(starts_of[known.kind], m.start - longest[known.kind])
            hi = bisect_left(starts_of[known.kind], m.end)
            if _overlaps(spans[lo:hi], m.start, m.end):
                continue
        if (m.start, m.end, label_id) in ctx.rejected:
            continue
        out.append(Suggestion(document_id, m.start, m.end, text[m.start : m.end], known.kind, label_id, known, score, why,
                              text[max(0, m.start - CONTEXT) : m.start], text[m.end : m.end + CONTEXT]))  # fmt: skip
    return out


def gazetteer_names(places: Iterable) -> list[Known]:
    """The gazetteer's places worth proposing (``places``: :func:`.gazetteer.searchable_places`):
    countries by every name but their codes, capitals and cities of
    :data:`GAZETTEER_MIN_POPULATION` or more by their own name and their
    names in Arabic script. A name in a cased script is proposed only where
    the text capitalises it (see :func:`suggest`)."""
    out = []
    for p in places:
        if p.feature not in ("country", "capital") and p.population < GAZETTEER_MIN_POPULATION:
            continue
        if p.feature == "country":
            names = [n for n in p.names if not (n.isupper() and len(n) <= 3)]
        else:
            names = [p.names[0], *(n for n in p.names[1:] if _ARABIC.search(n))]
        where = f"{p.name}, {p.extra}" if p.feature != "country" else p.name
        for name in dict.fromkeys(names):
            words = tuple(name_tokens(name))
            if words and len(name) >= 3:
                out.append(Known(None, LabelKind.LOCATION, name, p.name, words, place=f"{where} · {p.feature}",
                                 country_code=p.country_code, latitude=p.latitude, longitude=p.longitude))  # fmt: skip
    return out

